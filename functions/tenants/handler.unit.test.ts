import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminListGroupsForUserCommand,
  CognitoIdentityProviderClient,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  type GetCommandInput,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BusEnvelope, detailSchema } from '#shared/events/envelope.ts';
import { TenantCreated, TenantDeletionRequested, TenantUpdated } from '#shared/events/tenancy.ts';
import { forgetTenantStatus } from '#shared/platform/tenant-gate.ts';
import { type Caller, httpEvent, lambdaContext } from '../../test/support/http-event.ts';
import { tenantItem } from '../../test/support/tenants.ts';
import { MAX_DELETES_PER_RUN } from './deletion.ts';
import { handler } from './handler.ts';
import { manifest } from './manifest.ts';

process.env.USER_POOL_ID ??= 'local-pool';

const dynamo = mockClient(DynamoDBDocumentClient);
const cognito = mockClient(CognitoIdentityProviderClient);
const routes = manifest.routes;

const operator: Caller = {
  tenantId: 'platform',
  userId: 'u-op',
  name: 'Opal Operator',
  roles: ['platform-operator'],
};
const acmeAdmin: Caller = { tenantId: 'acme', userId: 'u-admin', name: 'Ada Admin', roles: ['tenant-admin'] };
const acmeRequester: Caller = { tenantId: 'acme', userId: 'u-req', roles: ['requester'] };

/*
 * A small fake of the table behind the mocked client: items by partition key for GetItem, pages of
 * items per (index) partition key for Query, counts for Select COUNT.
 */
let items: Map<string, Record<string, unknown>>;
let partitions: Map<string, Record<string, unknown>[][]>;
let counts: Map<string, number>;

function row(entity: string, keys: { pk: string; sk: string }, attributes: Record<string, unknown>) {
  return { ...attributes, ...keys, __edb_e__: entity, __edb_v__: '1' };
}

function storeTenant(tenantId: string, status: 'active' | 'suspended' = 'active', version = 1) {
  items.set(`t#${tenantId}#tenant`, { ...tenantItem(tenantId, status), version });
}

function storeJob(tenantId: string, status: 'running' | 'done', itemsDeleted = 0) {
  items.set(
    `t#platform#deletion#${tenantId}`,
    row(
      'tenantDeletion',
      { pk: `t#platform#deletion#${tenantId}`, sk: 'deletion' },
      {
        deletedTenantId: tenantId,
        jobId: 'job-1',
        status,
        itemsDeleted,
        requestedAt: '2026-11-20T00:00:00.000Z',
        requestedBy: 'Opal',
        updatedAt: '2026-11-20T00:00:00.000Z',
      },
    ),
  );
}

function service(tenantId: string, serviceId: string) {
  return row(
    'service',
    { pk: `t#${tenantId}#service#${serviceId}`, sk: 'service' },
    {
      tenantId,
      serviceId,
      name: serviceId,
      sortName: serviceId,
      description: '',
      owner: 'IT',
      status: 'live',
      version: 1,
      createdAt: '2026-11-01T00:00:00.000Z',
      createdBy: 'Ada',
      updatedAt: '2026-11-01T00:00:00.000Z',
      updatedBy: 'Ada',
      gsi1pk: `t#${tenantId}#services`,
      gsi1sk: `${serviceId}#${serviceId}`,
    },
  );
}

function auditEntry(tenantId: string, at: string) {
  return row(
    'audit',
    { pk: `t#${tenantId}#audit#service#svc-1`, sk: `${at}#evt-${at}` },
    {
      tenantId,
      entityType: 'service',
      entityId: 'svc-1',
      eventId: `evt-${at}`,
      action: 'created',
      at,
      actorId: 'u-admin',
      actorName: 'Ada',
      correlationId: 'corr',
      changes: JSON.stringify([{ field: 'name', from: null, to: 'Mail' }]),
    },
  );
}

function user(tenantId: string, userId: string) {
  return row(
    'user',
    { pk: `t#${tenantId}#user#${userId}`, sk: 'user' },
    {
      tenantId,
      userId,
      email: `${userId}@${tenantId}.example`,
      emailKey: `${userId}@${tenantId}.example`,
      name: userId,
      roles: ['requester'],
      status: 'active',
      version: 1,
      createdAt: '2026-11-01T00:00:00.000Z',
      updatedAt: '2026-11-01T00:00:00.000Z',
    },
  );
}

async function call(event: ReturnType<typeof httpEvent>) {
  const result = (await handler(event, lambdaContext())) as APIGatewayProxyStructuredResultV2;
  return { ...result, json: result.body ? (JSON.parse(result.body) as Record<string, unknown>) : undefined };
}

function transactItems(index = 0) {
  return dynamo.commandCalls(TransactWriteCommand)[index]?.args[0].input.TransactItems ?? [];
}

function outboxDetail<S extends Parameters<typeof detailSchema>[0]>(
  data: S,
  item: Record<string, unknown> | undefined,
) {
  return detailSchema(data).parse(JSON.parse(String(item?.detail)));
}

function cancelled(...codes: string[]) {
  return new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
}

function busEvent(detailType: string, data: Record<string, unknown>, eventId = 'evt-1'): BusEnvelope {
  return {
    version: '0',
    id: `bus-${eventId}`,
    'detail-type': detailType,
    source: 'itsm.tenants',
    account: '000000000000',
    time: '2026-11-24T10:00:00Z',
    region: 'local',
    resources: [],
    detail: {
      eventId,
      tenantId: String(data.tenantId),
      occurredAt: '2026-11-24T10:00:00.000Z',
      version: 1,
      correlationId: 'corr-1',
      actor: { userId: 'u-op', name: 'Opal' },
      data,
    },
  };
}

beforeEach(() => {
  dynamo.reset();
  cognito.reset();
  forgetTenantStatus();
  items = new Map();
  partitions = new Map();
  counts = new Map();
  storeTenant('acme');
  dynamo.on(GetCommand).callsFake((input: GetCommandInput) => ({ Item: items.get(String(input.Key?.pk)) }));
  dynamo.on(QueryCommand).callsFake((input: QueryCommandInput) => {
    const partition = String(input.ExpressionAttributeValues?.[':pk']);
    if (input.Select === 'COUNT') return { Count: counts.get(partition) ?? 0 };
    const pages = partitions.get(partition) ?? [];
    const page = Number(input.ExclusiveStartKey?.sk ?? 0);
    const next = page + 1 < pages.length ? { pk: partition, sk: String(page + 1) } : undefined;
    return { Items: pages[page] ?? [], ...(next ? { LastEvaluatedKey: next } : {}) };
  });
  dynamo.on(TransactWriteCommand).resolves({});
  dynamo.on(UpdateCommand).resolves({});
  dynamo.on(BatchWriteCommand).resolves({ UnprocessedItems: {} });
  cognito.on(AdminCreateUserCommand).resolves({ User: { Attributes: [{ Name: 'sub', Value: 'u-new' }] } });
  cognito.on(AdminListGroupsForUserCommand).resolves({ Groups: [] });
  cognito.on(AdminAddUserToGroupCommand).resolves({});
  cognito.on(AdminDeleteUserCommand).resolves({});
});
afterEach(() => {
  dynamo.reset();
  cognito.reset();
});

describe('roles', () => {
  it.each([
    ['a tenant admin', acmeAdmin, routes.listTenants, {}],
    ['a tenant admin', acmeAdmin, routes.getTenant, { tenantId: 'acme' }],
    ['a tenant admin', acmeAdmin, routes.deleteTenant, { tenantId: 'acme' }],
    ['the operator', operator, routes.getMyTenant, {}],
    ['the operator', operator, routes.exportMyTenant, {}],
    ['a requester', acmeRequester, routes.exportMyTenant, {}],
  ])('refuses %s on %s', async (_label, caller, route, params) => {
    const response = await call(httpEvent(route, { caller, params }));

    expect(response.statusCode).toBe(403);
    expect(response.headers?.['content-type']).toContain('application/problem+json');
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });
});

describe('POST /api/platform/tenants', () => {
  const body = {
    tenantId: 'globex',
    name: 'Globex Retail',
    timeZone: 'America/New_York',
    firstAdmin: { email: 'boss@globex.example', name: 'Gina Boss' },
  };

  it('invites the first admin, then writes tenant, admin and TenantCreated in one transaction', async () => {
    const response = await call(httpEvent(routes.createTenant, { caller: operator, body }));

    expect(response.statusCode).toBe(201);
    expect(response.headers?.etag).toBe('"1"');
    expect(response.json).toMatchObject({
      tenant: {
        tenantId: 'globex',
        status: 'active',
        plan: 'trial',
        currency: 'EUR',
        branding: { displayName: 'Globex Retail', logoUrl: null, primaryColour: '#1f6feb' },
        version: 1,
      },
      firstAdmin: { userId: 'u-new', email: 'boss@globex.example', status: 'invited' },
    });
    const invite = cognito.commandCalls(AdminCreateUserCommand)[0]?.args[0].input;
    expect(invite?.UserAttributes).toContainEqual({ Name: 'custom:tenantId', Value: 'globex' });
    expect(cognito.commandCalls(AdminAddUserToGroupCommand)[0]?.args[0].input.GroupName).toBe('tenant-admin');
    const [tenant, admin, outbox] = transactItems().map((item) => item.Put);
    expect(tenant?.Item).toMatchObject({ pk: 't#globex#tenant', gsi1pk: 't#platform#tenants' });
    expect(tenant?.ConditionExpression).toContain('attribute_not_exists');
    expect(admin?.Item).toMatchObject({
      pk: 't#globex#user#u-new',
      status: 'invited',
      roles: ['tenant-admin'],
      email: 'boss@globex.example',
    });
    expect(outbox?.Item?.pk).toMatch(/^t#globex#outbox#/);
    const detail = outboxDetail(TenantCreated.data, outbox?.Item);
    expect(detail).toMatchObject({
      tenantId: 'globex',
      actor: { userId: 'u-op', name: 'Opal Operator' },
      data: { tenantId: 'globex', firstAdminUserId: 'u-new', timeZone: 'America/New_York' },
    });
    expect(detail.data.changes).toContainEqual({ field: 'name', from: null, to: 'Globex Retail' });
    expect(detail.data.changes).toContainEqual({
      field: 'branding.displayName',
      from: null,
      to: 'Globex Retail',
    });
  });

  it('answers 409 for a tenant id in use, before inviting anyone', async () => {
    storeTenant('globex');

    const response = await call(httpEvent(routes.createTenant, { caller: operator, body }));

    expect(response.statusCode).toBe(409);
    expect(String(response.json?.detail)).toContain('globex');
    expect(cognito.calls()).toHaveLength(0);
  });

  it('answers 409 when the email already has a sign-in, and writes nothing', async () => {
    cognito
      .on(AdminCreateUserCommand)
      .rejects(new UsernameExistsException({ message: 'exists', $metadata: {} }));

    const response = await call(httpEvent(routes.createTenant, { caller: operator, body }));

    expect(response.statusCode).toBe(409);
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(cognito.commandCalls(AdminDeleteUserCommand)).toHaveLength(0);
  });

  it.each([
    ['the tenant was created meanwhile', cancelled('ConditionalCheckFailed', 'None', 'None'), 409],
    ['the write fails', new Error('socket hang up'), 500],
  ])('deletes the invited identity again when %s', async (_label, failure, status) => {
    dynamo.on(TransactWriteCommand).rejects(failure);

    const response = await call(httpEvent(routes.createTenant, { caller: operator, body }));

    expect(response.statusCode).toBe(status);
    expect(cognito.commandCalls(AdminDeleteUserCommand)[0]?.args[0].input.Username).toBe(
      'boss@globex.example',
    );
  });

  it('answers 400 per invalid field, reserved ids included, without inviting', async () => {
    const response = await call(
      httpEvent(routes.createTenant, {
        caller: operator,
        body: { ...body, tenantId: 'platform', currency: 'XYZ', firstAdmin: { email: 'nope', name: 'X' } },
      }),
    );

    expect(response.statusCode).toBe(400);
    const paths = ((response.json?.errors ?? []) as { path: string }[]).map((error) => error.path);
    expect(paths).toEqual(
      expect.arrayContaining(['body.tenantId', 'body.currency', 'body.firstAdmin.email']),
    );
    expect(cognito.calls()).toHaveLength(0);
  });
});

describe('GET /api/platform/tenants', () => {
  it('lists at most 25 tenants with user and service counts, last activity and deletion', async () => {
    storeTenant('globex', 'suspended');
    storeJob('globex', 'running', 50);
    partitions.set('t#platform#tenants', [[tenantItem('acme'), tenantItem('globex', 'suspended')]]);
    partitions.set('t#acme#audit', [[auditEntry('acme', '2026-11-23T10:00:00.000Z')]]);
    counts.set('t#acme#users', 7);
    counts.set('t#acme#services', 6);

    const response = await call(httpEvent(routes.listTenants, { caller: operator, query: { limit: '100' } }));

    expect(response.statusCode).toBe(200);
    const list = dynamo
      .commandCalls(QueryCommand)
      .map((c) => c.args[0].input)
      .find((input) => input.ExpressionAttributeValues?.[':pk'] === 't#platform#tenants');
    expect(list).toMatchObject({ IndexName: 'gsi1', Limit: 25 });
    expect(response.json?.items).toEqual([
      expect.objectContaining({
        tenantId: 'acme',
        usage: { users: 7, services: 6, lastActivityAt: '2026-11-23T10:00:00.000Z' },
        deletion: null,
      }),
      expect.objectContaining({
        tenantId: 'globex',
        status: 'suspended',
        usage: { users: 0, services: 0, lastActivityAt: null },
        deletion: { jobId: 'job-1', status: 'running', itemsDeleted: 50 },
      }),
    ]);
    const countQueries = dynamo
      .commandCalls(QueryCommand)
      .filter((c) => c.args[0].input.Select === 'COUNT')
      .map((c) => c.args[0].input.ExpressionAttributeValues?.[':pk']);
    expect(countQueries.sort()).toEqual([
      't#acme#services',
      't#acme#users',
      't#globex#services',
      't#globex#users',
    ]);
    const newest = dynamo
      .commandCalls(QueryCommand)
      .find((c) => c.args[0].input.ExpressionAttributeValues?.[':pk'] === 't#acme#audit')?.args[0].input;
    expect(newest).toMatchObject({ ScanIndexForward: false, Limit: 1, IndexName: 'gsi1' });
  });
});

describe('GET /api/platform/tenants/{tenantId}', () => {
  it('answers one tenant with its version as ETag', async () => {
    storeTenant('acme', 'active', 3);

    const response = await call(
      httpEvent(routes.getTenant, { caller: operator, params: { tenantId: 'acme' } }),
    );

    expect(response.statusCode).toBe(200);
    expect(response.headers?.etag).toBe('"3"');
    expect(response.json).toMatchObject({ tenantId: 'acme', usage: { users: 0 }, deletion: null });
    expect(response.json).not.toHaveProperty('pk');
  });

  it('answers 404 for an unknown tenant', async () => {
    const response = await call(
      httpEvent(routes.getTenant, { caller: operator, params: { tenantId: 'nope' } }),
    );

    expect(response.statusCode).toBe(404);
  });
});

describe('PATCH /api/platform/tenants/{tenantId}', () => {
  const patch = (headers: Record<string, string>, body: unknown = { status: 'suspended' }) =>
    httpEvent(routes.administerTenant, { caller: operator, params: { tenantId: 'acme' }, body, headers });

  it('suspends under a version condition, announces it, and refuses the tenant’s users at once', async () => {
    // The gate has seen acme active and would trust that for 5 s.
    expect((await call(httpEvent(routes.getMyTenant, { caller: acmeRequester }))).statusCode).toBe(200);

    const response = await call(patch({ 'if-match': '"1"' }));
    storeTenant('acme', 'suspended', 2);

    expect(response.statusCode).toBe(200);
    expect(response.headers?.etag).toBe('"2"');
    expect(response.json).toMatchObject({ status: 'suspended', version: 2 });
    const [update, jobCheck, outbox] = transactItems();
    expect(update?.Update?.Key).toEqual({ pk: 't#acme#tenant', sk: 'tenant' });
    expect(update?.Update?.ConditionExpression).toContain('#version = :version');
    expect(jobCheck?.ConditionCheck?.Key).toEqual({ pk: 't#platform#deletion#acme', sk: 'deletion' });
    const detail = outboxDetail(TenantUpdated.data, outbox?.Put?.Item);
    expect(detail).toMatchObject({ tenantId: 'acme', actor: { userId: 'u-op' } });
    expect(detail.data).toMatchObject({
      status: 'suspended',
      recordVersion: 2,
      changes: [{ field: 'status', from: 'active', to: 'suspended' }],
    });
    const refused = await call(httpEvent(routes.getMyTenant, { caller: acmeRequester }));
    expect(refused.statusCode).toBe(403);
    expect(String(refused.json?.detail)).toContain('suspended');
  });

  it('answers 428 without If-Match and 412 for a stale one, writing nothing', async () => {
    storeTenant('acme', 'active', 4);

    const missing = await call(patch({}));
    const stale = await call(patch({ 'if-match': '"3"' }));

    expect(missing.statusCode).toBe(428);
    expect(stale.statusCode).toBe(412);
    expect(stale.json).toMatchObject({ currentVersion: 4 });
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('answers 412 when another write lands between read and write', async () => {
    dynamo.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'None', 'None'));

    const response = await call(patch({ 'if-match': '"1"' }));

    expect(response.statusCode).toBe(412);
  });

  it('answers 409 while the tenant is being deleted, whether seen before or during the write', async () => {
    storeJob('acme', 'running');
    const before = await call(patch({ 'if-match': '"1"' }, { status: 'active' }));
    items.delete('t#platform#deletion#acme');
    dynamo.on(TransactWriteCommand).rejects(cancelled('None', 'ConditionalCheckFailed', 'None'));
    const during = await call(patch({ 'if-match': '"1"' }, { plan: 'enterprise' }));

    expect(before.statusCode).toBe(409);
    expect(during.statusCode).toBe(409);
    expect(String(during.json?.detail)).toContain('being deleted');
  });

  it('answers 400 for an empty change', async () => {
    const response = await call(patch({ 'if-match': '"1"' }, {}));

    expect(response.statusCode).toBe(400);
  });
});

describe('DELETE /api/platform/tenants/{tenantId}', () => {
  const remove = () => httpEvent(routes.deleteTenant, { caller: operator, params: { tenantId: 'acme' } });

  it('refuses an active tenant with 409 and says to suspend it first', async () => {
    const response = await call(remove());

    expect(response.statusCode).toBe(409);
    expect(String(response.json?.detail)).toContain('suspend');
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('starts a job for a suspended tenant with its event, atomically with the tenant’s state', async () => {
    storeTenant('acme', 'suspended', 2);

    const response = await call(remove());

    expect(response.statusCode).toBe(202);
    expect(response.json).toMatchObject({ status: 'running', jobId: expect.any(String) });
    const [tenantCheck, job, outbox] = transactItems();
    expect(tenantCheck?.ConditionCheck?.Key).toEqual({ pk: 't#acme#tenant', sk: 'tenant' });
    expect(Object.values(tenantCheck?.ConditionCheck?.ExpressionAttributeValues ?? {})).toEqual(
      expect.arrayContaining(['suspended', 2]),
    );
    expect(job?.Put?.Item).toMatchObject({
      pk: 't#platform#deletion#acme',
      status: 'running',
      itemsDeleted: 0,
      jobId: response.json?.jobId,
    });
    const detail = outboxDetail(TenantDeletionRequested.data, outbox?.Put?.Item);
    expect(detail.data).toEqual({ tenantId: 'acme', jobId: response.json?.jobId });
  });

  it('answers the running job again instead of starting a second', async () => {
    storeTenant('acme', 'suspended');
    storeJob('acme', 'running');

    const response = await call(remove());

    expect(response.statusCode).toBe(202);
    expect(response.json).toEqual({ jobId: 'job-1', status: 'running' });
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });
});

describe('GET and PATCH /api/tenant', () => {
  it('answers any member its tenant with the version as ETag', async () => {
    const response = await call(httpEvent(routes.getMyTenant, { caller: acmeRequester }));

    expect(response.statusCode).toBe(200);
    expect(response.headers?.etag).toBe('"1"');
    expect(response.json).toMatchObject({ tenantId: 'acme', branding: { displayName: 'acme' } });
  });

  it('lets the tenant admin change settings and branding, announcing each field', async () => {
    const response = await call(
      httpEvent(routes.updateMyTenant, {
        caller: acmeAdmin,
        headers: { 'if-match': '"1"' },
        body: { locale: 'de-DE', branding: { displayName: 'ACME', primaryColour: '#ff0000' } },
      }),
    );

    expect(response.statusCode).toBe(200);
    expect(response.headers?.etag).toBe('"2"');
    const [update, , outbox] = transactItems();
    expect(JSON.parse(String(update?.Update?.ExpressionAttributeValues?.[':branding_u0']))).toEqual({
      displayName: 'ACME',
      logoUrl: null,
      primaryColour: '#ff0000',
    });
    const detail = outboxDetail(TenantUpdated.data, outbox?.Put?.Item);
    expect(detail.data.changes).toEqual([
      { field: 'locale', from: 'en-GB', to: 'de-DE' },
      { field: 'branding.displayName', from: 'acme', to: 'ACME' },
      { field: 'branding.primaryColour', from: '#1f6feb', to: '#ff0000' },
    ]);
    expect(detail.actor.userId).toBe('u-admin');
  });

  it.each([
    ['a requester', acmeRequester, { 'if-match': '"1"' }, { name: 'X' }, 403],
    ['no If-Match', acmeAdmin, {}, { name: 'X' }, 428],
    ['a stale If-Match', acmeAdmin, { 'if-match': '"7"' }, { name: 'X' }, 412],
    ['an unknown time zone', acmeAdmin, { 'if-match': '"1"' }, { timeZone: 'Mars/Base' }, 400],
    ['a field only the operator may change', acmeAdmin, { 'if-match': '"1"' }, { status: 'active' }, 400],
  ])('refuses %s', async (_label, caller, headers, body, status) => {
    const response = await call(httpEvent(routes.updateMyTenant, { caller, headers, body }));

    expect(response.statusCode).toBe(status);
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });
});

describe('GET /api/tenant/export', () => {
  it('pages through every kind of record by Query, without internal keys', async () => {
    partitions.set('t#acme#services', [[service('acme', 'svc-1')], [service('acme', 'svc-2')]]);
    partitions.set('t#acme#users', [[user('acme', 'u-1')]]);
    partitions.set('t#acme#audit', [[auditEntry('acme', '2026-11-23T10:00:00.000Z')]]);

    const response = await call(httpEvent(routes.exportMyTenant, { caller: acmeAdmin }));

    expect(response.statusCode).toBe(200);
    const records = response.json?.records as Record<string, Record<string, unknown>[]>;
    expect(Object.keys(records).sort()).toEqual(
      [
        'auditEntries',
        'businessUnits',
        'counters',
        'incidentImportRefs',
        'incidentImports',
        'incidents',
        'memberships',
        'notifications',
        'savedViews',
        'services',
        'settings',
        'slaRecomputations',
        'teams',
        'users',
      ].sort(),
    );
    expect(records.services?.map((s) => s.serviceId)).toEqual(['svc-1', 'svc-2']);
    expect(records.auditEntries?.[0]?.changes).toEqual([{ field: 'name', from: null, to: 'Mail' }]);
    expect(response.body).not.toMatch(/"(pk|sk|gsi1pk|gsi1sk|__edb_e__|sortName|emailKey)"/);
    expect(response.json?.tenant).toMatchObject({ tenantId: 'acme' });
    const partitionsRead = dynamo.calls().map((c) => c.args[0].constructor.name);
    expect(partitionsRead).not.toContain('ScanCommand');
    for (const query of dynamo.commandCalls(QueryCommand)) {
      expect(String(query.args[0].input.ExpressionAttributeValues?.[':pk'])).toMatch(/^t#acme#/);
    }
  });

  it('answers 413 with a clear message past 20,000 records', async () => {
    const many = Array.from({ length: 20_000 }, (_, index) => service('acme', `svc-${index}`));
    partitions.set('t#acme#services', [many]);

    const response = await call(httpEvent(routes.exportMyTenant, { caller: acmeAdmin }));

    expect(response.statusCode).toBe(413);
    expect(response.headers?.['content-type']).toContain('application/problem+json');
    expect(String(response.json?.detail)).toContain('20,000');
  });
});

describe('GET /api/public/tenants/{tenantId}/branding', () => {
  it('answers only the id and branding, without a token', async () => {
    const response = await call(httpEvent(routes.getPublicBranding, { params: { tenantId: 'acme' } }));

    expect(response.statusCode).toBe(200);
    expect(response.json).toEqual({
      tenantId: 'acme',
      branding: { displayName: 'acme', logoUrl: null, primaryColour: '#1f6feb' },
    });
  });

  it.each([
    ['an unknown tenant', 'nope'],
    ['a suspended tenant', 'globex'],
  ])('answers 404 for %s', async (_label, tenantId) => {
    storeTenant('globex', 'suspended');

    const response = await call(httpEvent(routes.getPublicBranding, { params: { tenantId } }));

    expect(response.statusCode).toBe(404);
    expect(response.body).not.toContain('suspended');
  });
});

describe('seedDefaults subscription', () => {
  const created = () =>
    busEvent('TenantCreated', {
      tenantId: 'acme',
      name: 'Acme',
      plan: 'trial',
      timeZone: 'Europe/Berlin',
      firstAdminUserId: 'u-admin',
      changes: [],
    });

  it('writes the four default settings with its processed marker in one transaction', async () => {
    await handler(created(), lambdaContext());

    const writes = transactItems().map((item) => item.Put?.Item);
    expect(writes.map((item) => item?.pk)).toEqual([
      't#acme#processed#tenants.seedDefaults#evt-1',
      't#acme#setting#business-hours',
      't#acme#setting#priority-matrix',
      't#acme#setting#sla-policy',
      't#acme#setting#price-catalogue',
    ]);
    expect(JSON.parse(String(writes[1]?.value))).toMatchObject({ timeZone: 'Europe/Berlin' });
    expect(JSON.parse(String(writes[4]?.value))).toEqual({ currency: 'EUR', items: [] });
    expect(writes[1]).toMatchObject({ gsi1pk: 't#acme#settings', version: 1 });
  });

  it.each([
    ['a redelivered event', cancelled('ConditionalCheckFailed', 'None', 'None', 'None', 'None')],
    [
      'settings seeded by an earlier delivery',
      cancelled('None', 'ConditionalCheckFailed', 'None', 'None', 'None'),
    ],
  ])('changes nothing for %s', async (_label, failure) => {
    dynamo.on(TransactWriteCommand).rejects(failure);

    await expect(handler(created(), lambdaContext())).resolves.toBeUndefined();
  });
});

describe('deleteTenantData subscription', () => {
  const requested = (eventId = 'evt-1') =>
    busEvent('TenantDeletionRequested', { tenantId: 'acme', jobId: 'job-1' }, eventId);

  it('deletes in batches of 25, identities before their users, then the tenant, and announces it', async () => {
    storeTenant('acme', 'suspended');
    storeJob('acme', 'running');
    const services = Array.from({ length: 30 }, (_, index) => service('acme', `svc-${index}`));
    partitions.set('t#acme#services', [services.slice(0, 25), services.slice(25)]);
    partitions.set('t#acme#users', [[user('acme', 'u-1'), user('acme', 'u-2')]]);

    await handler(requested(), lambdaContext());

    const batches = dynamo
      .commandCalls(BatchWriteCommand)
      .map((c) => Object.values(c.args[0].input.RequestItems ?? {})[0]);
    expect(batches.map((batch) => batch?.length)).toEqual([25, 5, 2]);
    for (const batch of batches) {
      for (const request of batch ?? []) expect(String(request.DeleteRequest?.Key?.pk)).toMatch(/^t#acme#/);
    }
    expect(cognito.commandCalls(AdminDeleteUserCommand).map((c) => c.args[0].input.Username)).toEqual([
      'u-1@acme.example',
      'u-2@acme.example',
    ]);
    const progress = dynamo.commandCalls(UpdateCommand).map((c) => c.args[0].input);
    expect(progress).toHaveLength(3);
    expect(progress[0]?.Key).toEqual({ pk: 't#platform#deletion#acme', sk: 'deletion' });
    const [tenantDelete, jobDone, outbox] = transactItems();
    expect(tenantDelete?.Delete?.Key).toEqual({ pk: 't#acme#tenant', sk: 'tenant' });
    expect(Object.values(jobDone?.Update?.ExpressionAttributeValues ?? {})).toContain('done');
    expect(outbox?.Put?.Item?.detailType).toBe('TenantDeleted');
    expect(JSON.parse(String(outbox?.Put?.Item?.detail)).data).toEqual({
      tenantId: 'acme',
      jobId: 'job-1',
      itemsDeleted: 33,
    });
  });

  it(`stops after ${MAX_DELETES_PER_RUN} items and hands on to a new TenantDeletionRequested`, async () => {
    storeJob('acme', 'running');
    const page = Array.from({ length: 25 }, (_, index) => service('acme', `svc-${index}`));
    partitions.set(
      't#acme#services',
      Array.from({ length: 100 }, () => page),
    );

    await handler(requested(), lambdaContext());

    expect(dynamo.commandCalls(BatchWriteCommand)).toHaveLength(MAX_DELETES_PER_RUN / 25);
    const [marker, jobCheck, outbox] = transactItems();
    expect(marker?.Put?.Item?.pk).toBe('t#acme#processed#tenants.deleteTenantData#evt-1');
    expect(jobCheck?.ConditionCheck?.Key?.pk).toBe('t#platform#deletion#acme');
    expect(outbox?.Put?.Item?.detailType).toBe('TenantDeletionRequested');
    expect(transactItems().some((item) => item.Delete)).toBe(false);
  });

  it('retries keys the table left unprocessed', async () => {
    storeJob('acme', 'running');
    partitions.set('t#acme#services', [[service('acme', 'svc-1'), service('acme', 'svc-2')]]);
    dynamo
      .on(BatchWriteCommand)
      .resolvesOnce({
        UnprocessedItems: {
          itsm: [{ DeleteRequest: { Key: { pk: 't#acme#service#svc-2', sk: 'service' } } }],
        },
      })
      .resolves({ UnprocessedItems: {} });

    await handler(requested(), lambdaContext());

    const batches = dynamo
      .commandCalls(BatchWriteCommand)
      .map((c) => Object.values(c.args[0].input.RequestItems ?? {})[0]?.map((r) => r.DeleteRequest?.Key?.pk));
    expect(batches).toEqual([['t#acme#service#svc-1', 't#acme#service#svc-2'], ['t#acme#service#svc-2']]);
  });

  it('does nothing for a finished or unknown job', async () => {
    storeJob('acme', 'done');

    await handler(requested(), lambdaContext());
    items.delete('t#platform#deletion#acme');
    await handler(requested('evt-2'), lambdaContext());

    expect(dynamo.commandCalls(BatchWriteCommand)).toHaveLength(0);
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });
});
