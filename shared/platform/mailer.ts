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

let override: Mailer | null | undefined;

/**
 * The mailer of this container, or null when none is configured. In AWS there is none yet: the SES
 * adapter is still to be written (see functions/notifications/README.md), and nothing pretends to send.
 */
export function getMailer(): Mailer | null {
  if (override !== undefined) return override;
  const endpoint = process.env[LOCAL_MAIL_ENDPOINT_ENV];
  return endpoint ? localCaptureMailer(endpoint) : null;
}

/** For tests: a mailer to use instead of the configured one (undefined restores it). */
export function setMailerForTests(mailer: Mailer | null | undefined): void {
  override = mailer;
}
