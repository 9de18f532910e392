import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCloud, startLocalCloud } from '#infra/local/cloud.ts';
import { getDatabase } from '#shared/data/database.ts';

/*
 * Notifications through the local cloud: the admin assigns an incident to the agent, who finds it in
 * their notifications and in the captured mail; a redelivered event changes nothing; a public comment
 * of the agent reaches the caller, a work note does not.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'itsm-notifications-flow-'));
let cloud: LocalCloud;
const tokens: Record<string, string> = {};

interface Json {
  incidentId: string;
  number: string;
  items: {
    notificationId: string;
    incidentId: string;
    kind: string;
    readAt: string | null;
    mail: string;
    link: string;
  }[];
  readAt: string | null;
}

async function api(who: string, path: string, init: RequestInit = {}) {
  const response = await fetch(`${cloud.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${tokens[who]}`, 'content-type': 'application/json', ...init.headers },
  });
  return { status: response.status, json: (await response.json()) as Json };
}

async function mails(): Promise<{ to: string; subject: string; text: string; sentAt: string }[]> {
  const response = await fetch(`${cloud.url}/_local/mail`);
  return (
    (await response.json()) as { items: { to: string; subject: string; text: string; sentAt: string }[] }
  ).items;
}

beforeAll(async () => {
  cloud = await startLocalCloud({
    dataDir,
    seedDemo: true,
    busRetry: { attempts: 2, baseDelayMs: 10 },
    ttlSweepMs: 0,
  });
  for (const who of ['requester', 'agent', 'admin']) tokens[who] = await cloud.login(`${who}@acme.example`);
}, 120_000);

afterAll(async () => {
  await cloud?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('notifications', () => {
  it('tells an assigned agent in the app and by mail, once', async () => {
    const agentId = decodeJwt(tokens.agent ?? '').sub ?? '';
    const created = await api('requester', '/api/incidents', {
      method: 'POST',
      body: JSON.stringify({ shortDescription: 'Printer on fire', description: 'Smoke everywhere' }),
    });
    expect(created.status).toBe(201);
    const { incidentId, number } = created.json;
    const assigned = await api('admin', `/api/incidents/${incidentId}/assignment`, {
      method: 'PUT',
      body: JSON.stringify({ teamId: null, assigneeId: agentId }),
      headers: { 'if-match': '"1"' },
    });
    expect(assigned.status).toBe(200);
    await cloud.idle();

    const listed = await api('agent', '/api/notifications');
    const mine = listed.json.items.filter((item) => item.incidentId === incidentId);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ kind: 'incident-assigned', readAt: null, mail: 'sent' });
    const sent = (await mails()).filter((mail) => mail.subject.includes(number));
    expect(sent).toHaveLength(1);
    expect(sent[0]?.to).toBe('agent@acme.example');
    expect(sent[0]?.text).toContain(`/portal/incidents/${incidentId}`);

    // The same event again (as a bus retry would deliver it): nothing new.
    const stored = await getDatabase()
      .entities.notification.get({
        tenantId: 'acme',
        userId: agentId,
        notificationId: mine[0]?.notificationId ?? '',
      })
      .go();
    const outbox = await getDatabase()
      .entities.outbox.get({ tenantId: 'acme', eventId: stored.data?.eventId ?? '' })
      .go();
    expect(outbox.data).not.toBeNull();
    cloud.bus.putEvents([
      { Source: outbox.data?.source, DetailType: outbox.data?.detailType, Detail: outbox.data?.detail },
    ]);
    await cloud.idle();
    const again = await api('agent', '/api/notifications');
    expect(again.json.items.filter((item) => item.incidentId === incidentId)).toHaveLength(1);
    expect((await mails()).filter((mail) => mail.subject.includes(number))).toHaveLength(1);

    const read = await api('agent', `/api/notifications/${mine[0]?.notificationId}/read`, { method: 'POST' });
    expect(read.status).toBe(200);
    expect(read.json.readAt).not.toBeNull();
    // Other users see nothing of it.
    const others = await api('requester', `/api/notifications/${mine[0]?.notificationId}/read`, {
      method: 'POST',
    });
    expect(others.status).toBe(404);
  });
});
