import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DuplicateUserError,
  INVITATION_TTL_MS,
  InvitationNotValidError,
  UnknownUserError,
  UserDirectory,
  type UserRecord,
} from './index.ts';

const alice = {
  email: 'Alice@Acme.Example',
  name: 'Alice Agent',
  tenantId: 'acme',
  roles: ['agent', 'requester'] as const,
  password: 'correct horse battery',
};

describe('UserDirectory', () => {
  let dataDir: string;

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'itsm-users-'));
  });

  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('adds a user with a lower-cased email and a uuid, and never hands out the hash', async () => {
    const users = new UserDirectory();

    const added = await users.add(alice);

    expect(added).toEqual({
      sub: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      email: 'alice@acme.example',
      attributes: { name: 'Alice Agent', 'custom:tenantId': 'acme', email_verified: true },
      groups: ['agent', 'requester'],
      enabled: true,
      status: 'CONFIRMED',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(users.findByEmail('  ALICE@acme.example ')).toEqual(added);
    expect(users.list()).toEqual([added]);
    expect(JSON.stringify(users.list())).not.toContain('scrypt');
  });

  it('refuses a second account for the same email, whatever its case', async () => {
    const users = new UserDirectory();
    await users.add(alice);

    await expect(users.add({ ...alice, email: 'ALICE@ACME.EXAMPLE' })).rejects.toBeInstanceOf(
      DuplicateUserError,
    );
    expect(users.list()).toHaveLength(1);
  });

  it('refuses two concurrent adds of one email', async () => {
    const users = new UserDirectory();

    const results = await Promise.allSettled([users.add(alice), users.add(alice)]);

    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(users.list()).toHaveLength(1);
  });

  it.each([
    ['an unknown role', { roles: ['root'] }],
    ['an invalid email', { email: 'not-an-email' }],
    ['a short password', { password: 'short' }],
    ['an empty tenant', { tenantId: ' ' }],
  ])('refuses %s', async (_label, change) => {
    const users = new UserDirectory();

    // The cast lets the test hand over what the types would refuse, as a caller from JSON could.
    await expect(users.add({ ...alice, ...change } as typeof alice)).rejects.toThrow();
    expect(users.list()).toEqual([]);
  });

  it('checks passwords: right, wrong, unknown email', async () => {
    const users = new UserDirectory();
    const added = await users.add(alice);

    expect(await users.verifyPassword('alice@acme.example', alice.password)).toEqual(added);
    expect(await users.verifyPassword('ALICE@ACME.EXAMPLE', alice.password)).toEqual(added);
    expect(await users.verifyPassword('alice@acme.example', 'correct horse battery!')).toBeUndefined();
    expect(await users.verifyPassword('alice@acme.example', '')).toBeUndefined();
    expect(await users.verifyPassword('bob@acme.example', alice.password)).toBeUndefined();
  });

  it('stores salted scrypt hashes: one password, two different hashes', async () => {
    const users = new UserDirectory({ dataDir });
    await users.add(alice);
    await users.add({ ...alice, email: 'bob@acme.example', name: 'Bob' });

    const stored = JSON.parse(await readFile(path.join(dataDir, 'users.json'), 'utf8')) as {
      users: UserRecord[];
    };

    const hashes = stored.users.map((user) => user.passwordHash);
    expect(hashes).toHaveLength(2);
    for (const hash of hashes) expect(hash).toMatch(/^scrypt\$16384\$8\$1\$[\w-]{22}\$[\w-]{86}$/);
    expect(hashes[0]).not.toBe(hashes[1]);
    expect(JSON.stringify(stored)).not.toContain(alice.password);
  });

  it('keeps users across instances in the same data folder', async () => {
    const first = new UserDirectory({ dataDir });
    await first.add(alice);
    const disabled = first.setEnabled(alice.email, false);

    const second = new UserDirectory({ dataDir });

    expect(disabled.enabled).toBe(false);
    expect(second.findByEmail(alice.email)).toEqual(disabled);
    expect(await second.verifyPassword(alice.email, alice.password)).toEqual(disabled);
  });

  it('accepts the path of the users file itself', async () => {
    const file = path.join(dataDir, 'nested', 'people.json');
    await new UserDirectory(file).add(alice);

    expect(new UserDirectory(file).findByEmail(alice.email)?.attributes.name).toBe('Alice Agent');
  });

  it('refuses to start on a damaged users file', async () => {
    const file = path.join(dataDir, 'users.json');
    await writeFile(file, '{"users":[{"email":1}]}');

    expect(() => new UserDirectory({ dataDir })).toThrow(/not a valid user directory/);
  });
});

describe('UserDirectory invitations and groups', () => {
  const T0 = new Date('2026-11-24T10:00:00Z');
  let clock: Date;
  let users: UserDirectory;
  const invitee = { email: 'Bob@Acme.Example', name: 'Bob', tenantId: 'acme', groups: ['agent'] as const };

  beforeEach(() => {
    clock = T0;
    users = new UserDirectory({}, { now: () => clock });
  });

  it('invites a user without a password and keeps only the hash of the 32-byte token', () => {
    const { user, invitation } = users.invite(invitee);

    expect(user).toMatchObject({
      email: 'bob@acme.example',
      status: 'FORCE_CHANGE_PASSWORD',
      enabled: true,
      groups: ['agent'],
      attributes: { name: 'Bob', 'custom:tenantId': 'acme', email_verified: true },
    });
    expect(Buffer.from(invitation.token, 'base64url')).toHaveLength(32);
    expect(invitation).toMatchObject({
      email: 'bob@acme.example',
      tenantId: 'acme',
      createdAt: T0.toISOString(),
      expiresAt: new Date(T0.getTime() + INVITATION_TTL_MS).toISOString(),
    });
    expect(JSON.stringify(users.list())).not.toContain(invitation.token);
    expect(() => users.invite({ ...invitee, email: 'bob@ACME.example' })).toThrow(DuplicateUserError);
  });

  it('accepts an invitation once: password set, confirmed, token consumed', async () => {
    const { invitation } = users.invite(invitee);
    expect(await users.verifyPassword(invitee.email, 'anything-at-all-1')).toBeUndefined();

    const accepted = await users.acceptInvitation(invitation.token, 'Sunny-day-2026');

    expect(accepted.status).toBe('CONFIRMED');
    expect(await users.verifyPassword(invitee.email, 'Sunny-day-2026')).toEqual(accepted);
    expect(users.isInvitationPending(invitation.token)).toBe(false);
    await expect(users.acceptInvitation(invitation.token, 'Other-pass-2026')).rejects.toBeInstanceOf(
      InvitationNotValidError,
    );
  });

  it('lets only one of two concurrent accepts of a token win', async () => {
    const { invitation } = users.invite(invitee);

    const results = await Promise.allSettled([
      users.acceptInvitation(invitation.token, 'First-pass-2026'),
      users.acceptInvitation(invitation.token, 'Second-pass-2026'),
    ]);

    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
  });

  it.each([
    [
      'after seven days',
      (token: string) => {
        clock = new Date(T0.getTime() + INVITATION_TTL_MS);
        return token;
      },
    ],
    [
      'of a disabled user',
      (token: string) => {
        users.setEnabled(invitee.email, false);
        return token;
      },
    ],
    [
      'of a deleted user',
      (token: string) => {
        users.remove(invitee.email);
        return token;
      },
    ],
    ['that was never issued', (token: string) => `${token}x`],
  ])('refuses an invitation %s', async (_label, arrange) => {
    const { invitation } = users.invite(invitee);
    const token = arrange(invitation.token);

    expect(users.isInvitationPending(token)).toBe(false);
    await expect(users.acceptInvitation(token, 'Sunny-day-2026')).rejects.toBeInstanceOf(
      InvitationNotValidError,
    );
  });

  it('changes groups and the enabled flag by email or sub, and deletes', () => {
    const { user } = users.invite(invitee);

    users.addToGroup(user.sub, 'tenant-admin');
    users.addToGroup(invitee.email, 'tenant-admin');
    users.removeFromGroup(invitee.email, 'agent');
    users.setEnabled(user.sub, false);

    expect(users.find(user.sub)).toMatchObject({ groups: ['tenant-admin'], enabled: false });
    users.remove(user.sub);
    expect(users.find(invitee.email)).toBeUndefined();
    expect(() => users.setEnabled(invitee.email, true)).toThrow(UnknownUserError);
    expect(() => users.remove(invitee.email)).toThrow(UnknownUserError);
  });
});
