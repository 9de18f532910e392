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

  it('leaves other paths to the next handler', async () => {
    const response = await fetch(`${base}/auth/other`);

    expect(response.status).toBe(418);
  });
});
