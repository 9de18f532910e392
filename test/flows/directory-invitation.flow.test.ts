import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCloud, startLocalCloud } from '#infra/local/cloud.ts';

/*
 * A tenant admin invites a colleague through the API; the local cloud catches the invitation mail;
 * the colleague accepts it, signs in and is active, with the roles the admin gave.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'itsm-invite-flow-'));
const printed: string[] = [];
let cloud: LocalCloud;

async function api(token: string, path: string, init: RequestInit = {}) {
  const response = await fetch(`${cloud.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  cloud = await startLocalCloud({
    dataDir,
    seedDemo: true,
    busRetry: { attempts: 2, baseDelayMs: 10 },
    ttlSweepMs: 0,
    print: (line) => printed.push(line),
  });
});

afterAll(async () => {
  await cloud?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('inviting a user', () => {
  it('goes from the admin’s invitation to the new user signed in and active', async () => {
    const adminToken = await cloud.login('admin@acme.example');

    const invited = await api(adminToken, '/api/users', {
      method: 'POST',
      body: JSON.stringify({ email: 'quinn@acme.example', name: 'Quinn Agent', roles: ['agent'] }),
    });
    expect(invited.status).toBe(201);

    const mailbox = (await (await fetch(`${cloud.url}/_local/invitations`)).json()) as {
      items: { email: string; tenantId: string; acceptUrl: string }[];
    };
    const mail = mailbox.items.find((item) => item.email === 'quinn@acme.example');
    expect(mail).toMatchObject({
      tenantId: 'acme',
      acceptUrl: expect.stringContaining('/accept-invitation?token='),
    });
    expect(printed.some((line) => line.includes(mail?.acceptUrl ?? '-'))).toBe(true);
    await expect(cloud.login('quinn@acme.example', 'Quinn-chose-2026')).rejects.toThrow(/401/);

    const token = new URL(mail?.acceptUrl ?? '').searchParams.get('token');
    const accepted = await fetch(`${cloud.url}/auth/accept-invitation`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, password: 'Quinn-chose-2026' }),
    });
    expect(accepted.status).toBe(200);
    const { idToken } = (await accepted.json()) as { idToken: string };

    const me = await api(idToken, '/api/me');
    expect(me.json).toMatchObject({ email: 'quinn@acme.example', roles: ['agent'], status: 'active' });
    const listed = await api(adminToken, '/api/users?limit=100');
    expect(listed.json.items).toContainEqual(
      expect.objectContaining({ email: 'quinn@acme.example', status: 'active' }),
    );
    expect(await cloud.login('quinn@acme.example', 'Quinn-chose-2026')).toEqual(expect.any(String));
    const after = (await (await fetch(`${cloud.url}/_local/invitations`)).json()) as { items: unknown[] };
    expect(after.items).toEqual([]);
  });

  it('shows the demo users, invited by their admin, under the sub of their sign-in', async () => {
    const token = await cloud.login('agent@globex.example');

    const me = await api(token, '/api/me');
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      sub: string;
    };

    // Invited by the seed, the user becomes active on the first visit.
    expect(me.json).toMatchObject({ userId: claims.sub, email: 'agent@globex.example', status: 'active' });
  });
});
