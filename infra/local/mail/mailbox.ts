import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { readBody, requestPath, sendJson, sendProblem } from '../gateway/http.ts';

/** Where the local cloud lists the mails the platform sent. */
export const MAIL_PATH = '/_local/mail';

/** A mail as it would have left, and when. */
export interface CapturedMail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly sentAt: string;
}

const incomingSchema = z.object({ to: z.string().min(1), subject: z.string(), text: z.string() });

/** Kept in memory; the newest this many. */
const MAX_MAILS = 500;

/**
 * The local cloud's mail catcher, standing in for SES: handlers post their mails to its capture
 * endpoint (`LOCAL_MAIL_ENDPOINT`), and people read them at `GET /_local/mail`, newest last.
 */
export class LocalMailbox {
  #mails: CapturedMail[] = [];

  deliver(mail: z.infer<typeof incomingSchema>, now = new Date()): CapturedMail {
    const captured = { ...mail, sentAt: now.toISOString() };
    this.#mails = [...this.#mails, captured].slice(-MAX_MAILS);
    return captured;
  }

  list(): CapturedMail[] {
    return [...this.#mails];
  }

  /** Serves `GET /_local/mail`; false for any other path. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    if (requestPath(req) !== MAIL_PATH) return false;
    if (req.method === 'GET') sendJson(res, 200, { items: this.list() });
    else sendProblem(res, { title: 'Method Not Allowed', status: 405 }, { allow: 'GET' });
    return true;
  }
}

/** The capture endpoint handlers send to: `POST /` with `{ to, subject, text }`. */
export async function startMailCaptureServer(
  mailbox: LocalMailbox,
  onMail: (mail: CapturedMail) => void = () => undefined,
): Promise<{ endpoint: string; stop: () => Promise<void> }> {
  const server = createServer((req, res) => {
    void (async () => {
      if (req.method !== 'POST') {
        sendProblem(res, { title: 'Method Not Allowed', status: 405 }, { allow: 'POST' });
        return;
      }
      const parsed = incomingSchema.safeParse(JSON.parse((await readBody(req, 256 * 1024)).toString('utf8')));
      if (!parsed.success) {
        sendProblem(res, { title: 'Bad Request', status: 400, detail: parsed.error.message });
        return;
      }
      onMail(mailbox.deliver(parsed.data));
      sendJson(res, 202, { accepted: true });
    })().catch((error: unknown) => {
      if (!res.headersSent) sendProblem(res, { title: 'Bad Request', status: 400, detail: String(error) });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}/`,
    stop: () =>
      new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
