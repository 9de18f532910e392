import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminListGroupsForUserCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTable, type LocalDatabase, startLocalDatabase } from '#infra/local/database/index.ts';
import type { BusEnvelope } from '#shared/events/envelope.ts';
import { table } from '#shared/platform/table.ts';
import { type Caller, httpEvent, lambdaContext } from '../support/http-event.ts';

/*
 * The tenant lifecycle against the local database, with the identity provider mocked: onboarding,
 * seeding, usage, suspension felt by another process, resumption, and deletion of every item of one
 * tenant while its neighbour keeps all of its own. Events are taken from the outbox as the stream
 * would and handed to the subscriptions directly.
 */
process.env.USER_POOL_ID ??= 'local-pool';

let database: LocalDatabase;
let scanClient: DynamoDBDocumentClient;
let tenants: typeof import('#functions/tenants/handler.ts').handler;
let tenantRoutes: typeof import('#functions/tenants/manifest.ts').manifest.routes;
let catalogue: typeof import('#functions/service-catalogue/handler.ts').handler;
let catalogueRoutes: typeof import('#functions/service-catalogue/manifest.ts').manifest.routes;
let getDatabase: typeof import('#shared/data/database.ts').getDatabase;
let forgetTenantStatus: typeof import('#shared/platform/tenant-gate.ts').forgetTenantStatus;

const cognito = mockClient(CognitoIdentityProviderClient);
const outbox: { source: string; detailType: string; detail: Record<string, unknown>; delivered: boolean }[] =
  [];

const operator: Caller = { tenantId: 'platform', userId: 'u-op', name: 'Opal', roles: ['platform-operator'] };
const acmeAdmin: Caller = { tenantId: 'acme', userId: 'acme-admin', roles: ['tenant-admin'] };
const globexAdmin: Caller = { tenantId: 'globex', userId: 'globex-admin', roles: ['tenant-admin'] };

type Handler = typeof tenants;
async function call(handler: Handler, event: ReturnType<typeof httpEvent>) {
  const result = (await handler(event, lambdaContext())) as APIGatewayProxyStructuredResultV2;
  return {
    status: result.statusCode,
    headers: result.headers ?? {},
    json: JSON.parse(result.body ?? 'null'),
  };
}

/** Hands the next undelivered outbox event of this type and tenant to the tenants process. */
async function deliver(detailType: string, tenantId: string): Promise<Record<string, unknown>> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const next = outbox.find(
      (event) => !event.delivered && event.detailType === detailType && event.detail.tenantId === tenantId,
    );
    if (next) {
      next.delivered = true;
      const envelope: BusEnvelope = {
        version: '0',
        id: `bus-${String(next.detail.eventId)}`,
        'detail-type': next.detailType,
        source: next.source,
        account: '000000000000',
        time: String(next.detail.occurredAt),
        region: 'local',
        resources: [],
        detail: next.detail,
      };
      await tenants(envelope, lambdaContext());
      return next.detail;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`No ${detailType} of ${tenantId} in the outbox`);
}

async function itemsOf(tenantId: string): Promise<Record<string, unknown>[]> {
  // A test may scan: it asks what is left anywhere, which no request path ever needs.
  const found: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await scanClient.send(
      new ScanCommand({ TableName: table.logicalName, ExclusiveStartKey: startKey }),
    );
    found.push(...(page.Items ?? []).filter((item) => String(item.pk).startsWith(`t#${tenantId}#`)));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return found;
}

/** Outbox items and processed markers expire by TTL; everything else of a deleted tenant must be gone. */
const expiring = (item: Record<string, unknown>) => /#(outbox|processed)#/.test(String(item.pk));

/**
 * Items found only through other items (a user's notifications, preferences and saved views) or in
 * job partitions (SLA recomputation, incident import with its chunks and number claims): the
 * deletion must reach them as well.
 */
async function seedPerUserAndJobItems(tenantId: string): Promise<void> {
  const db = getDatabase().entities;
  const [user] = (await db.user.query.byEmail({ tenantId }).go()).data;
  if (!user) throw new Error(`${tenantId} has no user to seed for`);
  const { userId } = user;
  const at = '2026-11-30T10:00:00.000Z';
  const expiresAt = Math.floor(Date.parse('2027-01-01') / 1000);
  await db.notification
    .put({
      tenantId,
      userId,
      notificationId: 'n-1',
      kind: 'incident-assigned',
      eventId: 'e-1',
      incidentId: 'i-1',
      subject: 'INC0000001 was assigned to you',
      text: 'Yours now.',
      link: '/portal/incidents/i-1',
      createdAt: at,
      mailStatus: 'sent',
    })
    .go();
  await db.notificationPreferences.put({ tenantId, userId, mail: '{}', updatedAt: at }).go();
  await db.savedViews.put({ tenantId, userId, views: '[]', version: 1, updatedAt: at }).go();
  await db.slaRecomputation
    .put({
      tenantId,
      jobId: 'r-1',
      status: 'done',
      total: 0,
      done: 0,
      changed: 0,
      requestedBy: userId,
      startedAt: at,
      updatedAt: at,
    })
    .go();
  await db.incidentImport
    .put({
      tenantId,
      jobId: 'imp-1',
      status: 'done',
      rows: 1,
      total: 1,
      done: 1,
      created: 1,
      rejected: 0,
      chunks: 1,
      rejectedChunks: 0,
      requestedBy: userId,
      requestedByName: user.name,
      startedAt: at,
      updatedAt: at,
      expiresAt,
    })
    .go();
  await db.incidentImportChunk
    .put({ tenantId, jobId: 'imp-1', kind: 'rows', index: '0000', rows: '[]', expiresAt })
    .go();
  await db.incidentImportRef
    .put({
      tenantId,
      originalKey: 'OLD-1',
      incidentId: 'i-1',
      number: 'INC0000001',
      jobId: 'imp-1',
      row: 2,
      importedAt: at,
    })
    .go();
}

async function onboard(tenantId: string, adminEmail: string) {
  const created = await call(
    tenants,
    httpEvent(tenantRoutes.createTenant, {
      caller: operator,
      body: {
        tenantId,
        name: `${tenantId} Ltd`,
        plan: 'standard',
        timeZone: 'Europe/Berlin',
        currency: 'CHF',
        firstAdmin: { email: adminEmail, name: 'First Admin' },
      },
    }),
  );
  expect(created.status).toBe(201);
  await deliver('TenantCreated', tenantId);
  return created.json;
}

/** Directory records and audit entries, written directly: those processes are not part of this test. */
async function addDirectoryAndAudit(tenantId: string) {
  const db = getDatabase().entities;
  const at = '2026-11-24T09:00:00.000Z';
  await db.user
    .create({
      tenantId,
      userId: `${tenantId}-agent`,
      email: `agent@${tenantId}.example`,
      name: 'Agent',
      roles: ['agent'],
      status: 'active',
      version: 1,
      createdAt: at,
      updatedAt: at,
    })
    .go();
  await db.team
    .create({
      tenantId,
      teamId: 'desk',
      name: 'Service Desk',
      description: '',
      version: 1,
      createdAt: at,
      updatedAt: at,
    })
    .go();
  await db.membership.create({ tenantId, teamId: 'desk', userId: `${tenantId}-agent`, addedAt: at }).go();
  // An incident is a whole partition: the record plus timeline, queue entry and due moment items.
  await db.incident
    .create({
      tenantId,
      incidentId: 'inc-1',
      number: 'INC0000001',
      callerId: `${tenantId}-agent`,
      state: 'new',
      record: JSON.stringify({ shortDescription: 'Printer jam' }),
      version: 1,
      createdAt: at,
      updatedAt: at,
    })
    .go();
  for (const sk of [`timeline#${at}#e1`, 'queue#work', 'due#sla']) {
    await scanClient.send(
      new PutCommand({ TableName: table.logicalName, Item: { pk: `t#${tenantId}#incident#inc-1`, sk } }),
    );
  }
  await db.counter.update({ tenantId, name: 'incident' }).add({ value: 1 }).go();
  await db.businessUnit
    .create({
      tenantId,
      businessUnitId: 'fin',
      name: 'Finance',
      costCentre: 'CC-1',
      version: 1,
      createdAt: at,
      updatedAt: at,
    })
    .go();
  for (const minute of ['10', '11', '12']) {
    await db.audit
      .create({
        tenantId,
        entityType: 'service',
        entityId: 'svc',
        eventId: `evt-${minute}`,
        action: 'updated',
        at: `2026-11-24T10:${minute}:00.000Z`,
        actorId: 'u',
        actorName: 'U',
        correlationId: 'c',
        changes: '[]',
      })
      .go();
  }
}

beforeAll(async () => {
  database = await startLocalDatabase();
  process.env.AWS_ENDPOINT_URL_DYNAMODB = database.endpoint;
  const client = new DynamoDBClient({ endpoint: database.endpoint });
  await ensureTable(client, table.logicalName, table);
  scanClient = DynamoDBDocumentClient.from(client);
  database.onChange((records) => {
    for (const record of records) {
      const image = record.dynamodb?.NewImage;
      if (record.eventName !== 'INSERT' || !image) continue;
      // The stream image is the low-level attribute map unmarshall reads.
      const item = unmarshall(image as Parameters<typeof unmarshall>[0]);
      if (item.kind !== 'outbox') continue;
      outbox.push({
        source: String(item.source),
        detailType: String(item.detailType),
        detail: JSON.parse(String(item.detail)),
        delivered: false,
      });
    }
  });
  let identities = 0;
  cognito.on(AdminCreateUserCommand).callsFake(() => {
    identities += 1;
    return { User: { Attributes: [{ Name: 'sub', Value: `identity-${identities}` }] } };
  });
  cognito.on(AdminListGroupsForUserCommand).resolves({ Groups: [] });
  cognito.on(AdminAddUserToGroupCommand).resolves({});
  cognito.on(AdminDeleteUserCommand).resolves({});
  ({ handler: tenants } = await import('#functions/tenants/handler.ts'));
  ({ routes: tenantRoutes } = (await import('#functions/tenants/manifest.ts')).manifest);
  ({ handler: catalogue } = await import('#functions/service-catalogue/handler.ts'));
  ({ routes: catalogueRoutes } = (await import('#functions/service-catalogue/manifest.ts')).manifest);
  ({ getDatabase } = await import('#shared/data/database.ts'));
  ({ forgetTenantStatus } = await import('#shared/platform/tenant-gate.ts'));
});

afterAll(async () => {
  cognito.restore();
  await database?.stop();
});

describe('tenant lifecycle on the local database', () => {
  it('onboards two tenants, each seeded with its defaults', async () => {
    const acme = await onboard('acme', 'admin@acme.example');
    await onboard('globex', 'admin@globex.example');

    expect(acme.firstAdmin).toMatchObject({ email: 'admin@acme.example', status: 'invited' });
    const settings = await getDatabase().entities.tenantSetting.query.byTenant({ tenantId: 'acme' }).go();
    expect(settings.data.map((setting) => setting.name).sort()).toEqual([
      'business-hours',
      'price-catalogue',
      'priority-matrix',
      'sla-policy',
    ]);
    const prices = settings.data.find((setting) => setting.name === 'price-catalogue');
    expect(JSON.parse(String(prices?.value))).toEqual({ currency: 'CHF', items: [] });

    const again = await call(
      tenants,
      httpEvent(tenantRoutes.createTenant, {
        caller: operator,
        body: { tenantId: 'acme', name: 'Acme 2', firstAdmin: { email: 'x@acme.example', name: 'X' } },
      }),
    );
    expect(again.status).toBe(409);
  });

  it('lists the tenants with their usage', async () => {
    for (const name of ['Mail', 'VPN', 'ERP']) {
      const created = await call(
        catalogue,
        httpEvent(catalogueRoutes.createService, { caller: acmeAdmin, body: { name, owner: 'IT' } }),
      );
      expect(created.status).toBe(201);
    }
    await call(
      catalogue,
      httpEvent(catalogueRoutes.createService, { caller: globexAdmin, body: { name: 'POS', owner: 'IT' } }),
    );
    await addDirectoryAndAudit('acme');
    await addDirectoryAndAudit('globex');

    const list = await call(tenants, httpEvent(tenantRoutes.listTenants, { caller: operator }));

    expect(list.status).toBe(200);
    const acme = list.json.items.find((tenant: { tenantId: string }) => tenant.tenantId === 'acme');
    expect(list.json.items.map((tenant: { tenantId: string }) => tenant.tenantId)).toEqual([
      'acme',
      'globex',
    ]);
    expect(acme).toMatchObject({
      status: 'active',
      plan: 'standard',
      usage: { users: 2, services: 3, lastActivityAt: '2026-11-24T10:12:00.000Z' },
      deletion: null,
    });
  });

  it('exports everything of the tenant and nothing of another', async () => {
    const exported = await call(tenants, httpEvent(tenantRoutes.exportMyTenant, { caller: acmeAdmin }));

    expect(exported.status).toBe(200);
    const { records } = exported.json;
    expect(records.services).toHaveLength(3);
    expect(records.users).toHaveLength(2);
    expect(records.teams).toHaveLength(1);
    expect(records.memberships).toEqual([expect.objectContaining({ teamId: 'desk', userId: 'acme-agent' })]);
    expect(records.businessUnits).toHaveLength(1);
    expect(records.settings).toHaveLength(4);
    expect(records.auditEntries).toHaveLength(3);
    expect(JSON.stringify(exported.json)).not.toContain('globex');
    expect(JSON.stringify(exported.json)).not.toMatch(/"(pk|sk|gsi1pk|__edb_e__)"/);
  });

  it('suspends a tenant: its users are refused by another process, its sign-in page says nothing', async () => {
    expect(
      (await call(catalogue, httpEvent(catalogueRoutes.listServices, { caller: acmeAdmin }))).status,
    ).toBe(200);
    const read = await call(
      tenants,
      httpEvent(tenantRoutes.getTenant, { caller: operator, params: { tenantId: 'acme' } }),
    );

    const suspended = await call(
      tenants,
      httpEvent(tenantRoutes.administerTenant, {
        caller: operator,
        params: { tenantId: 'acme' },
        headers: { 'if-match': String(read.headers.etag) },
        body: { status: 'suspended' },
      }),
    );
    forgetTenantStatus('acme');

    expect(suspended.status).toBe(200);
    const refused = await call(catalogue, httpEvent(catalogueRoutes.listServices, { caller: acmeAdmin }));
    expect(refused.status).toBe(403);
    const branding = await call(
      tenants,
      httpEvent(tenantRoutes.getPublicBranding, { params: { tenantId: 'acme' } }),
    );
    expect(branding.status).toBe(404);
    const neighbour = await call(catalogue, httpEvent(catalogueRoutes.listServices, { caller: globexAdmin }));
    expect(neighbour.status).toBe(200);
  });

  it('resumes a tenant: its users are back', async () => {
    const resumed = await call(
      tenants,
      httpEvent(tenantRoutes.administerTenant, {
        caller: operator,
        params: { tenantId: 'acme' },
        headers: { 'if-match': '"2"' },
        body: { status: 'active' },
      }),
    );
    forgetTenantStatus('acme');

    expect(resumed.status).toBe(200);
    expect(resumed.headers.etag).toBe('"3"');
    const list = await call(catalogue, httpEvent(catalogueRoutes.listServices, { caller: acmeAdmin }));
    expect(list.status).toBe(200);
    expect(list.json.items).toHaveLength(3);
  });

  it('deletes every item of a suspended tenant and nothing of its neighbour', async () => {
    const active = await call(
      tenants,
      httpEvent(tenantRoutes.deleteTenant, { caller: operator, params: { tenantId: 'acme' } }),
    );
    expect(active.status).toBe(409);
    await call(
      tenants,
      httpEvent(tenantRoutes.administerTenant, {
        caller: operator,
        params: { tenantId: 'acme' },
        headers: { 'if-match': '"3"' },
        body: { status: 'suspended' },
      }),
    );
    await seedPerUserAndJobItems('acme');
    const globexBefore = await itemsOf('globex');
    const acmeBefore = (await itemsOf('acme')).filter((item) => !expiring(item));

    const accepted = await call(
      tenants,
      httpEvent(tenantRoutes.deleteTenant, { caller: operator, params: { tenantId: 'acme' } }),
    );
    expect(accepted.status).toBe(202);
    const progress = await call(
      tenants,
      httpEvent(tenantRoutes.getTenant, { caller: operator, params: { tenantId: 'acme' } }),
    );
    expect(progress.json.deletion).toEqual({
      jobId: accepted.json.jobId,
      status: 'running',
      itemsDeleted: 0,
    });
    const resume = await call(
      tenants,
      httpEvent(tenantRoutes.administerTenant, {
        caller: operator,
        params: { tenantId: 'acme' },
        headers: { 'if-match': '"4"' },
        body: { status: 'active' },
      }),
    );
    expect(resume.status).toBe(409);
    await deliver('TenantDeletionRequested', 'acme');

    expect((await itemsOf('acme')).filter((item) => !expiring(item))).toEqual([]);
    expect(await itemsOf('globex')).toEqual(globexBefore);
    const job = await getDatabase().entities.tenantDeletion.get({ deletedTenantId: 'acme' }).go();
    expect(job.data).toMatchObject({ status: 'done', itemsDeleted: acmeBefore.length });
    const deleted = outbox.find((event) => event.detailType === 'TenantDeleted');
    expect(deleted?.detail.data).toEqual({
      tenantId: 'acme',
      jobId: accepted.json.jobId,
      itemsDeleted: acmeBefore.length,
    });
    const deletedIdentities = cognito
      .commandCalls(AdminDeleteUserCommand)
      .map((c) => c.args[0].input.Username);
    expect(deletedIdentities.sort()).toEqual(['admin@acme.example', 'agent@acme.example']);
    const gone = await call(
      tenants,
      httpEvent(tenantRoutes.getTenant, { caller: operator, params: { tenantId: 'acme' } }),
    );
    expect(gone.status).toBe(404);
    forgetTenantStatus('acme');
    const refused = await call(catalogue, httpEvent(catalogueRoutes.listServices, { caller: acmeAdmin }));
    expect(refused.status).toBe(403);
  });

  it('runs again after the job is done without touching anything', async () => {
    const globexBefore = await itemsOf('globex');
    const redelivered = outbox.find((event) => event.detailType === 'TenantDeletionRequested');
    if (redelivered) redelivered.delivered = false;

    await deliver('TenantDeletionRequested', 'acme');

    expect(await itemsOf('globex')).toEqual(globexBefore);
    expect(outbox.filter((event) => event.detailType === 'TenantDeleted')).toHaveLength(1);
  });
});
