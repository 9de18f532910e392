import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { z } from 'zod';
import { requestPath, sendJson, sendProblem } from '../gateway/http.ts';
import type { Invitation, UserDirectory } from './users.ts';

/** Where the local cloud lists the invitation mails it would have sent. */
export const INVITATIONS_PATH = '/_local/invitations';

/** An invitation mail as a person would receive it: who, for which tenant, and the link. */
export interface CapturedInvitation {
  readonly email: string;
  readonly tenantId: string;
  readonly acceptUrl: string;
  readonly createdAt: string;
}

const mailSchema = z.object({
  email: z.string(),
  tenantId: z.string(),
  acceptUrl: z.string(),
  createdAt: z.string(),
  token: z.string(),
});
type Mail = z.infer<typeof mailSchema>;

/**
 * Catches the invitation mails Cognito would send, like a development mail catcher: the links are
 * kept (in `<file>` when given, so they survive a restart) and listed while they still work.
 */
export class InvitationMailbox {
  readonly #file: string | undefined;
  readonly #users: UserDirectory;
  #mails: Mail[] = [];

  constructor(users: UserDirectory, file?: string) {
    this.#users = users;
    this.#file = file === undefined ? undefined : path.resolve(file);
    if (this.#file === undefined) return;
    try {
      this.#mails = z.array(mailSchema).parse(JSON.parse(readFileSync(this.#file, 'utf8')));
    } catch {
      // A missing or damaged mailbox only loses links; the invitations themselves are in the directory.
      this.#mails = [];
    }
  }

  /** Keeps the mail of an invitation; answers its accept link, `<baseUrl>/accept-invitation?token=`. */
  deliver(invitation: Invitation, baseUrl: string): CapturedInvitation {
    const acceptUrl = `${baseUrl}/accept-invitation?token=${encodeURIComponent(invitation.token)}`;
    const mail: Mail = {
      email: invitation.email,
      tenantId: invitation.tenantId,
      acceptUrl,
      createdAt: invitation.createdAt,
      token: invitation.token,
    };
    // Mails whose link no longer works are dropped here, so the file stays small.
    this.#mails = [...this.#mails.filter((kept) => this.#users.isInvitationPending(kept.token)), mail];
    this.#save();
    return { email: mail.email, tenantId: mail.tenantId, acceptUrl, createdAt: mail.createdAt };
  }

  /** The mails whose link still works (not used, not expired, user neither deleted nor disabled). */
  pending(): CapturedInvitation[] {
    return this.#mails
      .filter((mail) => this.#users.isInvitationPending(mail.token))
      .map(({ email, tenantId, acceptUrl, createdAt }) => ({ email, tenantId, acceptUrl, createdAt }));
  }

  /** Serves `GET /_local/invitations`; false for any other path. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    if (requestPath(req) !== INVITATIONS_PATH) return false;
    if (req.method === 'GET') sendJson(res, 200, { items: this.pending() });
    else sendProblem(res, { title: 'Method Not Allowed', status: 405 }, { allow: 'GET' });
    return true;
  }

  #save(): void {
    if (this.#file === undefined) return;
    mkdirSync(path.dirname(this.#file), { recursive: true });
    const temporary = `${this.#file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(this.#mails, null, 2)}\n`, { mode: 0o600 });
    renameSync(temporary, this.#file);
  }
}
