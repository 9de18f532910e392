import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  type CryptoKey,
  decodeProtectedHeader,
  exportSPKI,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTPayload,
  SignJWT,
  UnsecuredJWT,
} from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createLocalIdentityProvider,
  InvalidTokenError,
  type LocalIdentityProvider,
  UserDirectory,
} from './index.ts';

const ISSUER = 'http://127.0.0.1:3000/auth';
const AUDIENCE = 'itsm-web';
const T0 = new Date('2026-03-12T19:03:58Z');
const T0_SECONDS = T0.getTime() / 1000;

const alice = {
  sub: '5a1d4c2e-8f3b-4e8a-9c1d-2b3e4f5a6b7c',
  email: 'alice@acme.example',
  name: 'Alice Agent',
  tenantId: 'acme',
  roles: ['agent', 'requester'] as const,
};

/** Claims of a token for Alice that this provider would accept, for crafting variants of it. */
function aliceClaims(overrides: JWTPayload = {}): JWTPayload {
  return {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: alice.sub,
    email: alice.email,
    email_verified: true,
    name: alice.name,
    token_use: 'id',
    auth_time: T0_SECONDS,
    iat: T0_SECONDS,
    exp: T0_SECONDS + 3600,
    'custom:tenantId': 'acme',
    'cognito:groups': ['agent', 'requester'],
    ...overrides,
  };
}

describe('local identity provider tokens', () => {
  let dataDir: string;
  let clock: Date;
  let provider: LocalIdentityProvider;
  let privateJwk: JWK;

  async function signWithProviderKey(claims: JWTPayload): Promise<string> {
    const key = await importJWK({ ...privateJwk, alg: 'RS256' }, 'RS256');
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: privateJwk.kid ?? '' }).sign(key);
  }

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'itsm-identity-'));
    clock = T0;
    provider = await createLocalIdentityProvider({
      dataDir,
      issuer: ISSUER,
      audience: AUDIENCE,
      users: new UserDirectory(),
      now: () => clock,
    });
    privateJwk = JSON.parse(await readFile(path.join(dataDir, 'signing-key.json'), 'utf8')) as JWK;
  });

  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('issues an RS256 ID token with the claims Cognito puts in one, and verifies it', async () => {
    const token = await provider.issueIdToken(alice);

    const claims = await provider.verify(token);

    expect(decodeProtectedHeader(token)).toEqual({ alg: 'RS256', kid: privateJwk.kid });
    expect(claims).toEqual({
      ...aliceClaims(),
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(Object.keys(claims).sort()).toEqual(
      [
        'iss',
        'aud',
        'sub',
        'email',
        'email_verified',
        'name',
        'token_use',
        'auth_time',
        'iat',
        'exp',
        'jti',
        'custom:tenantId',
        'cognito:groups',
      ].sort(),
    );
  });

  it('gives every token its own jti', async () => {
    const [a, b] = await Promise.all([provider.issueIdToken(alice), provider.issueIdToken(alice)]);

    expect((await provider.verify(a)).jti).not.toBe((await provider.verify(b)).jti);
  });

  it('publishes the public key only, under the kid of the tokens', () => {
    const { keys } = provider.jwks();

    expect(keys).toHaveLength(1);
    expect(keys[0]).toEqual({
      kty: 'RSA',
      kid: privateJwk.kid,
      n: privateJwk.n,
      e: 'AQAB',
      alg: 'RS256',
      use: 'sig',
    });
    for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(keys[0]).not.toHaveProperty(member);
  });

  it('honours a custom lifetime', async () => {
    const shortLived = await createLocalIdentityProvider({
      dataDir,
      issuer: ISSUER,
      audience: AUDIENCE,
      tokenTtlSeconds: 60,
      users: new UserDirectory(),
      now: () => T0,
    });

    const claims = await shortLived.verify(await shortLived.issueIdToken(alice));

    expect(claims.exp).toBe(T0_SECONDS + 60);
  });

  it.each<[string, () => Promise<string>, string]>([
    [
      'an unsigned token (alg none)',
      async () => new UnsecuredJWT(aliceClaims()).encode(),
      'algorithm not allowed',
    ],
    [
      'an HS256 token keyed with the public key (PEM)',
      async () => {
        const publicKey = await importJWK({ ...provider.jwks().keys[0] }, 'RS256');
        const pem = await exportSPKI(publicKey as CryptoKey);
        return new SignJWT(aliceClaims())
          .setProtectedHeader({ alg: 'HS256', kid: privateJwk.kid ?? '' })
          .sign(new TextEncoder().encode(pem));
      },
      'algorithm not allowed',
    ],
    [
      'an HS256 token keyed with the public JWK',
      async () =>
        new SignJWT(aliceClaims())
          .setProtectedHeader({ alg: 'HS256' })
          .sign(new TextEncoder().encode(JSON.stringify(provider.jwks().keys[0]))),
      'algorithm not allowed',
    ],
    [
      'a token signed by another key pair under the same kid',
      async () => {
        const other = await generateKeyPair('RS256');
        return new SignJWT(aliceClaims())
          .setProtectedHeader({ alg: 'RS256', kid: privateJwk.kid ?? '' })
          .sign(other.privateKey);
      },
      'bad signature',
    ],
    [
      'a token signed by another key pair under its own kid',
      async () => {
        const other = await generateKeyPair('RS256');
        return new SignJWT(aliceClaims())
          .setProtectedHeader({ alg: 'RS256', kid: 'other' })
          .sign(other.privateKey);
      },
      'unknown signing key',
    ],
    [
      'a token for another issuer',
      async () => signWithProviderKey(aliceClaims({ iss: 'https://evil.example' })),
      'wrong issuer',
    ],
    [
      'a token for another audience',
      async () => signWithProviderKey(aliceClaims({ aud: 'other-app' })),
      'wrong audience',
    ],
    [
      'an access token',
      async () => signWithProviderKey(aliceClaims({ token_use: 'access' })),
      'not an ID token',
    ],
    [
      'a token without exp',
      async () => signWithProviderKey(aliceClaims({ exp: undefined })),
      'claim exp is not valid',
    ],
    [
      'a token whose payload was edited',
      async () => tamper(await provider.issueIdToken(alice)),
      'bad signature',
    ],
    ['garbage', async () => 'not.a.jwt', 'malformed token'],
  ])('refuses %s', async (_label, craft, reason) => {
    const token = await craft();

    const refusal = provider.verify(token);

    await expect(refusal).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(refusal).rejects.toMatchObject({ reason, message: reason });
  });

  it('refuses a token once it has expired, and not a second before', async () => {
    const token = await provider.issueIdToken(alice);

    clock = new Date(T0.getTime() + 3599_000);
    await expect(provider.verify(token)).resolves.toMatchObject({ sub: alice.sub });
    clock = new Date(T0.getTime() + 3600_000);
    await expect(provider.verify(token)).rejects.toMatchObject({ reason: 'token expired' });
  });

  it('refuses a token issued by a provider for another issuer or audience, even with the same key', async () => {
    const sibling = await createLocalIdentityProvider({
      dataDir,
      issuer: 'http://127.0.0.1:4000/auth',
      audience: 'other-app',
      users: new UserDirectory(),
      now: () => clock,
    });

    await expect(provider.verify(await sibling.issueIdToken(alice))).rejects.toMatchObject({
      reason: 'wrong issuer',
    });
  });

  it('keeps its signing key in the data folder, so tokens survive a restart', async () => {
    const token = await provider.issueIdToken(alice);

    const restarted = await createLocalIdentityProvider({
      dataDir,
      issuer: ISSUER,
      audience: AUDIENCE,
      users: new UserDirectory(),
      now: () => clock,
    });

    await expect(restarted.verify(token)).resolves.toMatchObject({ sub: alice.sub });
    expect(restarted.jwks()).toEqual(provider.jwks());
  });

  it('without a data folder, makes a fresh key each time', async () => {
    const options = { issuer: ISSUER, audience: AUDIENCE, users: new UserDirectory(), now: () => clock };
    const first = await createLocalIdentityProvider(options);
    const second = await createLocalIdentityProvider(options);

    await expect(second.verify(await first.issueIdToken(alice))).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('leaves out cognito:groups for a user in no group, as Cognito does', async () => {
    const claims = await provider.verify(await provider.issueIdToken({ ...alice, roles: [] }));

    expect(claims).not.toHaveProperty('cognito:groups');
  });
});

/** Swaps the payload for one claiming another tenant, keeping the original signature. */
function tamper(token: string): string {
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
  const forged = Buffer.from(JSON.stringify({ ...claims, 'custom:tenantId': 'globex' })).toString(
    'base64url',
  );
  return `${header}.${forged}.${signature}`;
}
