import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvitationMailbox, UserDirectory } from './index.ts';

describe('InvitationMailbox', () => {
  let dataDir: string;
  let users: UserDirectory;

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'itsm-mailbox-'));
    users = new UserDirectory();
  });

  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('lists the accept links that still work, and keeps them across restarts', async () => {
    const file = path.join(dataDir, 'invitations.json');
    const mailbox = new InvitationMailbox(users, file);
    const first = users.invite({ email: 'a@acme.example', tenantId: 'acme' }).invitation;
    const second = users.invite({ email: 'b@globex.example', tenantId: 'globex' }).invitation;

    const mail = mailbox.deliver(first, 'http://127.0.0.1:3000');
    mailbox.deliver(second, 'http://127.0.0.1:3000');
    await users.acceptInvitation(second.token, 'Chosen-pass-2026');

    expect(mail).toEqual({
      email: 'a@acme.example',
      tenantId: 'acme',
      acceptUrl: `http://127.0.0.1:3000/accept-invitation?token=${first.token}`,
      createdAt: first.createdAt,
    });
    expect(mailbox.pending()).toEqual([mail]);
    expect(new InvitationMailbox(users, file).pending()).toEqual([mail]);
  });
});
