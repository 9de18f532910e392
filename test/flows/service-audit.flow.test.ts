import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCloud, startLocalCloud } from '#infra/local/cloud.ts';

/*
 * Across processes, through the local cloud as a user would use it: HTTP in, the outbox and the
 * stream, the bus, the audit consumer, HTTP out.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'itsm-flow-'));
let cloud: LocalCloud;
let token: string;

/** The fields these flows read from API answers. */
interface Body {
  serviceId: string;
  items: { serviceId: string; eventId: string; at: string; correlationId: string }[];
}

async function api(path: string, init: RequestInit = {}) {
  const response = await fetch(`${cloud.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
  });
  return { status: response.status, headers: response.headers, json: (await response.json()) as Body };
}

beforeAll(async () => {
  cloud = await startLocalCloud({
    dataDir,
    seedDemo: true,
    busRetry: { attempts: 2, baseDelayMs: 10 },
    ttlSweepMs: 0,
  });
  token = await cloud.login('owner@acme.example');
});

afterAll(async () => {
  await cloud?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('service change → audit trail', () => {
  it('records who changed what, carrying the request correlation id to the consumer', async () => {
    const created = await api('/api/services', {
      method: 'POST',
      headers: { 'x-correlation-id': 'flow-create-1' },
      body: JSON.stringify({ name: 'Printing', owner: 'Workplace', description: 'Office printers' }),
    });
    expect(created.status).toBe(201);
    const id = created.json.serviceId;

    const updated = await api(`/api/services/${id}`, {
      method: 'PATCH',
      headers: { 'if-match': created.headers.get('etag') ?? '', 'x-correlation-id': 'flow-update-1' },
      body: JSON.stringify({ owner: 'Facilities', status: 'live' }),
    });
    expect(updated.status).toBe(200);
    await cloud.idle();

    const trail = await api(`/api/audit/service/${id}`);

    expect(trail.status).toBe(200);
    expect(trail.json.items).toHaveLength(2);
    const [latest, first] = trail.json.items;
    expect(latest).toMatchObject({
      action: 'updated',
      correlationId: 'flow-update-1',
      actor: { name: 'Acme Service Owner' },
      changes: [
        { field: 'owner', from: 'Workplace', to: 'Facilities' },
        { field: 'status', from: 'pipeline', to: 'live' },
      ],
    });
    expect(first).toMatchObject({ action: 'created', correlationId: 'flow-create-1' });
  });

  it('delivers each event once to the consumer even when the bus redelivers it', async () => {
    const created = await api('/api/services', {
      method: 'POST',
      body: JSON.stringify({ name: 'Wi-Fi', owner: 'Net' }),
    });
    await cloud.idle();
    const trail = await api(`/api/audit/service/${created.json.serviceId}`);
    const envelope = {
      Source: 'itsm.service-catalogue',
      DetailType: 'ServiceCreated',
      EventBusName: 'itsm-local',
      Detail: JSON.stringify({
        eventId: trail.json.items[0]?.eventId,
        tenantId: 'acme',
        occurredAt: trail.json.items[0]?.at,
        version: 1,
        correlationId: 'redelivery',
        actor: { userId: 'u', name: 'Replayer' },
        data: { serviceId: created.json.serviceId, name: 'Wi-Fi', status: 'pipeline', changes: [] },
      }),
    };

    cloud.bus.putEvents([envelope]);
    await cloud.idle();

    const again = await api(`/api/audit/service/${created.json.serviceId}`);
    expect(again.json.items).toHaveLength(1);
    expect(again.json.items[0]?.correlationId).not.toBe('redelivery');
    expect(cloud.bus.listDeadLetters()).toEqual([]);
  });
});
