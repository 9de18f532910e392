import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTable, type LocalDatabase, startLocalDatabase } from '#infra/local/database/index.ts';
import type { BusEnvelope } from '#shared/events/envelope.ts';
import { table } from '#shared/platform/table.ts';
import { type Caller, httpEvent, lambdaContext } from '../support/http-event.ts';
import { createTenantRecords } from '../support/tenants.ts';

/* The audit process against the local database: events in, tenant-wide trail and CSV out. */
let database: LocalDatabase;
let handler: typeof import('#functions/audit/handler.ts').handler;
let manifest: typeof import('#functions/audit/manifest.ts').manifest;
const admin: Caller = { tenantId: 'acme', userId: 'u-admin', roles: ['tenant-admin'] };

function event(
  detailType: string,
  source: string,
  tenantId: string,
  at: string,
  actor: string,
  data: object,
): BusEnvelope {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': detailType,
    source,
    account: '000000000000',
    time: at,
    region: 'local',
    resources: [],
    detail: {
      eventId: randomUUID(),
      tenantId,
      occurredAt: at,
      version: 1,
      correlationId: `corr-${detailType}`,
      actor: { userId: actor, name: actor.toUpperCase() },
      data,
    },
  };
}

async function call(route: Parameters<typeof httpEvent>[0], query: Record<string, string> = {}) {
  const result = (await handler(
    httpEvent(route, { caller: admin, query }),
    lambdaContext(),
  )) as APIGatewayProxyStructuredResultV2;
  return { status: result.statusCode, headers: result.headers ?? {}, body: result.body ?? '' };
}

beforeAll(async () => {
  database = await startLocalDatabase();
  process.env.AWS_ENDPOINT_URL_DYNAMODB = database.endpoint;
  await ensureTable(new DynamoDBClient({ endpoint: database.endpoint }), table.logicalName, table);
  await createTenantRecords(['acme', 'globex']);
  ({ handler } = await import('#functions/audit/handler.ts'));
  ({ manifest } = await import('#functions/audit/manifest.ts'));
  const changes = (field: string, from: unknown, to: unknown) => [{ field, from, to }];
  const events = [
    event('ServiceCreated', 'itsm.service-catalogue', 'acme', '2026-11-20T09:00:00.000Z', 'ada', {
      serviceId: 's1',
      name: 'Mail',
      status: 'live',
      changes: changes('name', null, 'Mail'),
    }),
    event('UserInvited', 'itsm.directory', 'acme', '2026-11-21T09:00:00.000Z', 'ada', {
      userId: 'u7',
      email: 'x@acme.example',
      roles: ['agent'],
      changes: changes('roles', null, ['agent']),
    }),
    event('ServiceUpdated', 'itsm.service-catalogue', 'acme', '2026-11-22T09:00:00.000Z', 'bob', {
      serviceId: 's1',
      name: 'Mail',
      status: 'live',
      recordVersion: 2,
      changes: changes('owner', 'IT', '=cmd'),
    }),
    event('ServiceCreated', 'itsm.service-catalogue', 'globex', '2026-11-22T10:00:00.000Z', 'eve', {
      serviceId: 's9',
      name: 'Globex secret',
      status: 'live',
      changes: changes('name', null, 'Globex secret'),
    }),
  ];
  for (const envelope of events) await handler(envelope, lambdaContext());
});

afterAll(async () => {
  await database.stop();
});

describe('tenant-wide audit trail', () => {
  it('lists every record type of the tenant, newest first, and nothing of another tenant', async () => {
    const page = await call(manifest.routes.listTenantAudit);

    expect(page.status).toBe(200);
    const items = JSON.parse(page.body).items as { entityType: string; action: string }[];
    expect(items.map((item) => `${item.entityType}:${item.action}`)).toEqual([
      'service:updated',
      'user:invited',
      'service:created',
    ]);
    expect(page.body).not.toContain('Globex');
  });

  it.each([
    [{ entityType: 'user' }, ['user:invited']],
    [{ actorId: 'bob' }, ['service:updated']],
    [{ from: '2026-11-21T00:00:00Z', to: '2026-11-21T23:59:59Z' }, ['user:invited']],
    [
      { entityType: 'service', from: '2026-11-20T09:00:00.000Z', to: '2026-11-20T09:00:00.000Z' },
      ['service:created'],
    ],
  ])('filters by %j', async (query, expected) => {
    const page = await call(manifest.routes.listTenantAudit, query as Record<string, string>);

    const items = JSON.parse(page.body).items as { entityType: string; action: string }[];
    expect(items.map((item) => `${item.entityType}:${item.action}`)).toEqual(expected);
  });

  it('pages with a cursor bound to its filters', async () => {
    const first = JSON.parse((await call(manifest.routes.listTenantAudit, { limit: '2' })).body);
    const second = JSON.parse(
      (await call(manifest.routes.listTenantAudit, { limit: '2', cursor: first.nextCursor })).body,
    );
    const otherFilter = await call(manifest.routes.listTenantAudit, {
      limit: '2',
      cursor: first.nextCursor,
      actorId: 'bob',
    });

    expect(first.items).toHaveLength(2);
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    expect(otherFilter.status).toBe(400);
  });

  it('exports the same entries as CSV, one line per changed field', async () => {
    const csv = await call(manifest.routes.exportTenantAudit);

    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.headers['content-disposition']).toMatch(
      /attachment; filename="audit-acme-\d{4}-\d{2}-\d{2}\.csv"/,
    );
    const lines = csv.body.trim().split('\r\n');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toContain(",owner,IT,'=cmd,");
    expect(csv.body).not.toContain('Globex');
  });

  it('refuses the tenant-wide trail to agents', async () => {
    const result = (await handler(
      httpEvent(manifest.routes.listTenantAudit, { caller: { tenantId: 'acme', roles: ['agent'] } }),
      lambdaContext(),
    )) as APIGatewayProxyStructuredResultV2;
    expect(result.statusCode).toBe(403);
  });
});
