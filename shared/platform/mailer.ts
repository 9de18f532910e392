import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';

/** A mail to one person. */
export interface Mail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

/** The port every mail leaves through. */
export interface Mailer {
  send(mail: Mail): Promise<void>;
}

/** Where the local cloud catches mails (set by `infra/local/cloud.ts`); unset in AWS. */
export const LOCAL_MAIL_ENDPOINT_ENV = 'LOCAL_MAIL_ENDPOINT';

/** Hands the mail to the local cloud's mail catcher, which lists it at `GET /_local/mail`. */
export function localCaptureMailer(endpoint: string): Mailer {
  return {
    async send(mail) {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(mail),
      });
      if (!response.ok) throw new Error(`The local mail catcher refused the mail: ${response.status}`);
    },
  };
}

/** The sender address in AWS (set by the stack from its `mailFrom` context); unset: no mail. */
export const MAIL_FROM_ENV = 'MAIL_FROM_ADDRESS';

/** Sends through Amazon SES (v2 API) from the stack's verified sender address, as plain text. */
export function sesMailer(from: string, client: SESv2Client = new SESv2Client({})): Mailer {
  return {
    async send(mail) {
      await client.send(
        new SendEmailCommand({
          FromEmailAddress: from,
          Destination: { ToAddresses: [mail.to] },
          Content: {
            Simple: {
              Subject: { Data: mail.subject, Charset: 'UTF-8' },
              Body: { Text: { Data: mail.text, Charset: 'UTF-8' } },
            },
          },
        }),
      );
    },
  };
}

let override: Mailer | null | undefined;
let configured: { key: string; mailer: Mailer | null } | undefined;

/**
 * The mailer of this container: the local cloud's catcher, SES in AWS when the stack was given a
 * sender address, or null when neither is configured (notifications then say mail is unavailable
 * rather than pretend to send).
 */
export function getMailer(): Mailer | null {
  if (override !== undefined) return override;
  const endpoint = process.env[LOCAL_MAIL_ENDPOINT_ENV];
  const from = process.env[MAIL_FROM_ENV];
  const key = `${endpoint ?? ''}|${from ?? ''}`;
  if (configured?.key !== key) {
    configured = { key, mailer: endpoint ? localCaptureMailer(endpoint) : from ? sesMailer(from) : null };
  }
  return configured.mailer;
}

/** For tests: a mailer to use instead of the configured one (undefined restores it). */
export function setMailerForTests(mailer: Mailer | null | undefined): void {
  override = mailer;
}
