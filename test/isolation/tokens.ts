import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  base64url,
  type CryptoKey,
  decodeJwt,
  exportSPKI,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTPayload,
  SignJWT,
  UnsecuredJWT,
} from 'jose';

/** What the local identity provider keeps in `<dataDir>/signing-key.json`. */
interface StoredKey extends JWK {
  readonly kid: string;
}

/** Every kind of token a protected route must refuse with 401. */
export const REFUSED_TOKENS = [
  'no token',
  'alg none',
  'HS256 signed with the public key',
  'RS256 signed by another key with the same kid',
  'wrong issuer',
  'wrong audience',
  'expired',
  'globex token with custom:tenantId changed to acme',
  'access token (token_use: access)',
  'not a JWT',
] as const;
export type RefusedToken = (typeof REFUSED_TOKENS)[number];

export interface TokenForge {
  /** Claims of a real acme tenant-admin token, re-signed with changes, by the real key. */
  signed(changes: JWTPayload): Promise<string>;
  /** The token of each kind; `undefined` means no token at all. */
  readonly refused: Readonly<Record<RefusedToken, string | undefined>>;
}

/**
 * Tokens an attacker could build, and one control token proving the builder is otherwise right. The
 * real signing key is read from the cloud's data folder only to craft tokens that are correctly signed
 * but wrong in another way (issuer, audience, expiry, token use).
 */
export async function forgeTokens(options: {
  readonly cloudUrl: string;
  readonly dataDir: string;
  /** A real acme tenant-admin ID token: its claims are the ones forged tokens claim. */
  readonly acmeToken: string;
  /** A real globex token, whose payload is edited to name acme while keeping globex's signature. */
  readonly globexToken: string;
}): Promise<TokenForge> {
  const stored = JSON.parse(
    await readFile(path.join(options.dataDir, 'signing-key.json'), 'utf8'),
  ) as StoredKey;
  const realKey = (await importJWK({ ...stored, alg: 'RS256' }, 'RS256')) as CryptoKey;
  const claims = decodeJwt(options.acmeToken);
  const now = Math.floor(Date.now() / 1000);

  async function sign(key: CryptoKey | Uint8Array, alg: string, changes: JWTPayload): Promise<string> {
    return new SignJWT({ ...claims, iat: now, exp: now + 600, jti: randomUUID(), ...changes })
      .setProtectedHeader({ alg, kid: stored.kid, typ: 'JWT' })
      .sign(key);
  }

  // The public key exactly as anyone can fetch it, used as an HMAC secret (the classic RS/HS confusion).
  const jwks = (await (await fetch(`${options.cloudUrl}/auth/.well-known/jwks.json`)).json()) as {
    keys: JWK[];
  };
  const publicJwk = jwks.keys.find((key) => key.kid === stored.kid);
  if (publicJwk === undefined) throw new Error('The JWKS does not publish the signing key');
  const publicKey = (await importJWK({ ...publicJwk, alg: 'RS256' }, 'RS256', {
    extractable: true,
  })) as CryptoKey;
  const publicPem = new TextEncoder().encode(await exportSPKI(publicKey));

  const { privateKey: strangerKey } = await generateKeyPair('RS256');

  // Globex's real token with one claim changed: header and signature kept as they were.
  const [header, payload, signature] = options.globexToken.split('.');
  const globexClaims = JSON.parse(new TextDecoder().decode(base64url.decode(payload ?? ''))) as JWTPayload;
  const tamperedPayload = base64url.encode(JSON.stringify({ ...globexClaims, 'custom:tenantId': 'acme' }));

  return {
    signed: (changes) => sign(realKey, 'RS256', changes),
    refused: {
      'no token': undefined,
      'alg none': new UnsecuredJWT({ ...claims, iat: now, exp: now + 600 }).encode(),
      'HS256 signed with the public key': await sign(publicPem, 'HS256', {}),
      'RS256 signed by another key with the same kid': await sign(strangerKey, 'RS256', {}),
      'wrong issuer': await sign(realKey, 'RS256', { iss: 'https://attacker.example/auth' }),
      'wrong audience': await sign(realKey, 'RS256', { aud: 'another-app-client' }),
      expired: await sign(realKey, 'RS256', { iat: now - 7200, exp: now - 3600 }),
      'globex token with custom:tenantId changed to acme': `${header}.${tamperedPayload}.${signature}`,
      'access token (token_use: access)': await sign(realKey, 'RS256', { token_use: 'access' }),
      'not a JWT': 'not-a-token',
    },
  };
}
