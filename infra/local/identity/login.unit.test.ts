import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLocalIdentityProvider,
  type LocalIdentityProvider,
  type LoginResponse,
  UserDirectory,
} from './index.ts';

const PASSWORD = 'Demo-2026!';
const UNAUTHORIZED = {
  type: 'about:blank',
  title: 'Unauthorized',
  status: 401,
  detail: 'Email or password is wrong',
};

describe('POST /auth/login and the JWKS endpoint', () => {
  let server: Server;
  let base: string;
  let provider: LocalIdentityProvider;
  let directory: UserDirectory;

  beforeAll(async () => {
    const users = new UserDirectory();
    await users.add({
      email: 'agent@acme.example',
      name: 'Acme Agent',
      tenantId: 'acme',
      roles: ['agent'],
      password: PASSWORD,
    });
    await users.add({
      email: 'gone@acme.example',
      name: 'Former Agent',
      tenantId: 'acme',
      roles: ['agent'],
      password: PASSWORD,
      enabled: false,
    });
    users.invite({ email: 'new@acme.example', name: 'New Agent', tenantId: 'acme', groups: ['agent'] });
    directory = users;
    provider = await createLocalIdentityProvider({
      issuer: 'http://local/auth',
      audience: 'itsm-web',
      users,
    });
    server = createServer((req, res) => {
      void provider.handle(req, res).then((handled) => {
        if (!handled) res.writeHead(418).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  function login(body: string) {
    return fetch(`${base}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
  }

  it('answers a right email and password with an ID token', async () => {
    const response = await login(JSON.stringify({ email: 'Agent@Acme.Example', password: PASSWORD }));

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as LoginResponse;
    expect(body).toEqual({ idToken: expect.any(String), expiresIn: 3600, tokenType: 'Bearer' });
    await expect(provider.verify(body.idToken)).resolves.toMatchObject({
      email: 'agent@acme.example',
      'custom:tenantId': 'acme',
      'cognito:groups': ['agent'],
    });
  });

  it.each([
    ['a wrong password', { email: 'agent@acme.example', password: 'Demo-2027!' }],
    ['an unknown email', { email: 'nobody@acme.example', password: PASSWORD }],
    ['a disabled user', { email: 'gone@acme.example', password: PASSWORD }],
    ['an invited user without a password', { email: 'new@acme.example', password: PASSWORD }],
  ])('answers %s with the same 401', async (_label, credentials) => {
    const response = await login(JSON.stringify(credentials));

    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toEqual(UNAUTHORIZED);
  });

  it.each([
    ['not JSON', '{"email":', [{ path: 'body', message: 'Expected a JSON object' }]],
    ['a JSON array', '[]', [{ path: 'body', message: 'Expected a JSON object' }]],
    [
      'no fields',
      '{}',
      [
        { path: 'body.email', message: 'Required' },
        { path: 'body.password', message: 'Required' },
      ],
    ],
    [
      'fields of the wrong type and empty',
      '{"email":42,"password":""}',
      [
        { path: 'body.email', message: 'Must be a string' },
        { path: 'body.password', message: 'Required' },
      ],
    ],
  ])('answers a body that is %s with 400 and field errors', async (_label, body, errors) => {
    const response = await login(body);

    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toEqual({
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      detail: 'The body must be a JSON object with email and password',
      errors,
    });
  });

  it('refuses an oversized login body', async () => {
    const response = await login(JSON.stringify({ email: 'a@b.c', password: 'x'.repeat(20_000) }));

    expect(response.status).toBe(413);
  });

  it('answers GET /auth/login with 405', async () => {
    const response = await fetch(`${base}/auth/login`);

    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });

  it('serves the public key set', async () => {
    const response = await fetch(`${base}/auth/.well-known/jwks.json`);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(provider.jwks());
  });

  describe('POST /auth/accept-invitation', () => {
    function accept(body: unknown) {
      return fetch(`${base}/auth/accept-invitation`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    }
    const USED = 'This invitation was already used or has expired';

    it('sets the password, confirms the user and signs them in; the link works once', async () => {
      const { invitation, user } = directory.invite({
        email: 'carol@acme.example',
        name: 'Carol Admin',
        tenantId: 'acme',
        groups: ['tenant-admin'],
      });

      const response = await accept({ token: invitation.token, password: 'Carol-chose-2026' });

      expect(response.status).toBe(200);
      const body = (await response.json()) as LoginResponse;
      await expect(provider.verify(body.idToken)).resolves.toMatchObject({
        sub: user.sub,
        email: 'carol@acme.example',
        name: 'Carol Admin',
        'custom:tenantId': 'acme',
        'cognito:groups': ['tenant-admin'],
      });
      expect(directory.findByEmail('carol@acme.example')?.status).toBe('CONFIRMED');
      expect(
        (await login(JSON.stringify({ email: 'carol@acme.example', password: 'Carol-chose-2026' }))).status,
      ).toBe(200);

      const again = await accept({ token: invitation.token, password: 'Mallory-took-2026' });
      expect(again.status).toBe(400);
      expect(await again.json()).toMatchObject({
        detail: USED,
        errors: [{ path: 'body.token', message: USED }],
      });
      expect(
        (await login(JSON.stringify({ email: 'carol@acme.example', password: 'Mallory-took-2026' }))).status,
      ).toBe(401);
    });

    it.each([
      ['short', 'Ab1', ['Use at least 10 characters']],
      ['without a digit', 'only-letters-here', ['Use at least one digit']],
      ['without a letter', '1234567890-', ['Use at least one letter']],
    ])('refuses a password that is %s, leaving the link usable', async (_label, password, messages) => {
      const { invitation } = directory.invite({
        email: `p-${password.length}@acme.example`,
        tenantId: 'acme',
      });

      const response = await accept({ token: invitation.token, password });

      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(((await response.json()) as { errors: unknown }).errors).toEqual(
        messages.map((message) => ({ path: 'body.password', message })),
      );
      expect(directory.isInvitationPending(invitation.token)).toBe(true);
    });

    it('refuses a token it never issued and a body without fields', async () => {
      const unknown = await accept({ token: 'not-a-token', password: 'Good-enough-2026' });
      const empty = await accept({});

      expect(unknown.status).toBe(400);
      expect(await unknown.json()).toMatchObject({ detail: USED });
      expect(empty.status).toBe(400);
      expect(((await empty.json()) as { errors: unknown }).errors).toEqual([
        { path: 'body.token', message: 'Required' },
        { path: 'body.password', message: 'Required' },
      ]);
    });
  });

  it('leaves other paths to the next handler', async () => {
    const response = await fetch(`${base}/auth/other`);

    expect(response.status).toBe(418);
  });
});
