import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { getMailer, LOCAL_MAIL_ENDPOINT_ENV, MAIL_FROM_ENV, sesMailer } from './mailer.ts';

const ses = mockClient(SESv2Client);

afterEach(() => {
  ses.reset();
  delete process.env[MAIL_FROM_ENV];
  delete process.env[LOCAL_MAIL_ENDPOINT_ENV];
});

describe('mailers', () => {
  it('sends a plain-text mail through SES from the configured sender', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
    await sesMailer('desk@itsm.example', new SESv2Client({ region: 'eu-west-1' })).send({
      to: 'rita@acme.example',
      subject: 'INC0000042 was resolved',
      text: 'Confirm: https://app/portal/incidents/x?decision=confirm',
    });
    const input = ses.commandCalls(SendEmailCommand)[0]?.args[0].input;
    expect(input).toEqual({
      FromEmailAddress: 'desk@itsm.example',
      Destination: { ToAddresses: ['rita@acme.example'] },
      Content: {
        Simple: {
          Subject: { Data: 'INC0000042 was resolved', Charset: 'UTF-8' },
          Body: {
            Text: { Data: 'Confirm: https://app/portal/incidents/x?decision=confirm', Charset: 'UTF-8' },
          },
        },
      },
    });
  });

  it('fails the send when SES refuses, so the bus retries the delivery', async () => {
    ses.on(SendEmailCommand).rejects(new Error('MessageRejected'));
    const mailer = sesMailer('desk@itsm.example', new SESv2Client({ region: 'eu-west-1' }));
    await expect(mailer.send({ to: 'a@b.example', subject: 's', text: 't' })).rejects.toThrow(
      'MessageRejected',
    );
  });

  it('is the local catcher locally, SES with a sender address, and none without either', () => {
    expect(getMailer()).toBeNull();
    process.env[MAIL_FROM_ENV] = 'desk@itsm.example';
    const ses = getMailer();
    expect(ses).not.toBeNull();
    expect(getMailer()).toBe(ses);
    process.env[LOCAL_MAIL_ENDPOINT_ENV] = 'http://127.0.0.1:1/_local/mail';
    expect(getMailer()).not.toBe(ses);
  });
});
