import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuplicateUserError, UserDirectory, type UserRecord } from './index.ts';

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
      name: 'Alice Agent',
      tenantId: 'acme',
      roles: ['agent', 'requester'],
      enabled: true,
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
    const added = await first.add(alice);
    first.setEnabled(alice.email, false);

    const second = new UserDirectory({ dataDir });

    expect(second.findByEmail(alice.email)).toEqual({ ...added, enabled: false });
    expect(await second.verifyPassword(alice.email, alice.password)).toEqual({ ...added, enabled: false });
  });

  it('accepts the path of the users file itself', async () => {
    const file = path.join(dataDir, 'nested', 'people.json');
    await new UserDirectory(file).add(alice);

    expect(new UserDirectory(file).findByEmail(alice.email)?.name).toBe('Alice Agent');
  });

  it('refuses to start on a damaged users file', async () => {
    const file = path.join(dataDir, 'users.json');
    await writeFile(file, '{"users":[{"email":1}]}');

    expect(() => new UserDirectory({ dataDir })).toThrow(/not a valid user directory/);
  });
});
