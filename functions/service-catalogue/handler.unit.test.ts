import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { detailSchema } from '#shared/events/envelope.ts';
import { ServiceCreated, ServiceUpdated } from '#shared/events/service-catalogue.ts';
import { tableName } from '#shared/platform/table.ts';
import { type Caller, httpEvent, lambdaContext } from '../../test/support/http-event.ts';
import { mockTenants } from '../../test/support/tenants.ts';
import { handler } from './handler.ts';
import { manifest } from './manifest.ts';

const dynamo = mockClient(DynamoDBDocumentClient);

/** The tenant gate may read the tenant record; nothing else may be touched. */
function expectOnlyTenantGateReads() {
  for (const call of dynamo.calls()) {
    expect((call.args[0].input as { Key?: { sk?: string } }).Key?.sk).toBe('tenant');
  }
}
const owner: Caller = { tenantId: 'acme', userId: 'u-owner', name: 'Olive Owner', roles: ['service-owner'] };
const requester: Caller = { tenantId: 'acme', userId: 'u-req', roles: ['requester'] };
const routes = manifest.routes;

async function call(event: ReturnType<typeof httpEvent>) {
  const result = (await handler(event, lambdaContext())) as APIGatewayProxyStructuredResultV2;
  return { ...result, json: result.body ? (JSON.parse(result.body) as Record<string, unknown>) : undefined };
}

const stored = {
  tenantId: 'acme',
  serviceId: 'svc-1',
  name: 'Email',
  sortName: 'email',
  description: 'Mail for all',
  owner: 'Workplace',
  status: 'live',
  version: 3,
  createdAt: '2026-11-01T08:00:00.000Z',
  createdBy: 'Ada',
  updatedAt: '2026-11-02T08:00:00.000Z',
  updatedBy: 'Ada',
  pk: 't#acme#service#svc-1',
  sk: 'service',
  __edb_e__: 'service',
  __edb_v__: '1',
};

const TABLE = tableName();

function businessUnitItem(businessUnitId: string) {
  return {
    tenantId: 'acme',
    businessUnitId,
    name: businessUnitId,
    sortName: businessUnitId,
    costCentre: 'CC-1',
    version: 1,
    createdAt: '2026-11-01T08:00:00.000Z',
    updatedAt: '2026-11-01T08:00:00.000Z',
    pk: `t#acme#business-unit#${businessUnitId}`,
    sk: 'business-unit',
    __edb_e__: 'businessUnit',
    __edb_v__: '1',
  };
}

beforeEach(() => {
  dynamo.reset();
  mockTenants(dynamo, { acme: 'active' });
});
afterEach(() => dynamo.reset());

describe('POST /api/services', () => {
  it('writes the service and its ServiceCreated event in one transaction', async () => {
    // Prepare
    dynamo.on(TransactWriteCommand).resolves({});
    const body = { name: 'VPN', owner: 'Network', description: 'Remote access' };

    // Act
    const response = await call(httpEvent(routes.createService, { caller: owner, body }));

    // Assess
    expect(response.statusCode).toBe(201);
    expect(response.headers?.etag).toBe('"1"');
    expect(response.json).toMatchObject({
      name: 'VPN',
      status: 'pipeline',
      version: 1,
      createdBy: 'Olive Owner',
    });
    const writes = dynamo.commandCalls(TransactWriteCommand);
    expect(writes).toHaveLength(1);
    const items = writes[0]?.args[0].input.TransactItems ?? [];
    expect(items).toHaveLength(2);
    const serviceItem = items[0]?.Put?.Item;
    expect(serviceItem?.pk).toBe(`t#acme#service#${String(response.json?.serviceId)}`);
    expect(items[0]?.Put?.ConditionExpression).toContain('attribute_not_exists');
    const outboxItem = items[1]?.Put?.Item;
    expect(outboxItem).toMatchObject({
      kind: 'outbox',
      source: ServiceCreated.source,
      detailType: 'ServiceCreated',
    });
    expect(String(outboxItem?.pk)).toMatch(/^t#acme#outbox#/);
    const detail = detailSchema(ServiceCreated.data).parse(JSON.parse(String(outboxItem?.detail)));
    expect(detail).toMatchObject({
      tenantId: 'acme',
      correlationId: 'corr-test',
      actor: { userId: 'u-owner' },
    });
    expect(detail.data.changes).toContainEqual({ field: 'name', from: null, to: 'VPN' });
  });

  it('checks the subscribed units in one BatchGetItem of the caller tenant keys', async () => {
    // Prepare
    dynamo.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [businessUnitItem('bu-sales')] } });
    dynamo.on(TransactWriteCommand).resolves({});
    const body = { name: 'CRM', owner: 'Apps', consumerBusinessUnitIds: ['bu-sales'] };

    // Act
    const response = await call(httpEvent(routes.createService, { caller: owner, body }));

    // Assess
    expect(response.statusCode).toBe(201);
    expect(response.json).toMatchObject({ consumerBusinessUnitIds: ['bu-sales'] });
    const reads = dynamo.commandCalls(BatchGetCommand);
    expect(reads).toHaveLength(1);
    expect(reads[0]?.args[0].input.RequestItems?.[TABLE]?.Keys).toEqual([
      { pk: 't#acme#business-unit#bu-sales', sk: 'business-unit' },
    ]);
    const items = dynamo.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items[0]?.Put?.Item?.consumerBusinessUnitIds).toEqual(['bu-sales']);
    const detail = detailSchema(ServiceCreated.data).parse(JSON.parse(String(items[1]?.Put?.Item?.detail)));
    expect(detail.data.changes).toContainEqual({
      field: 'consumerBusinessUnitIds',
      from: null,
      to: ['bu-sales'],
    });
  });

  it('answers 400 naming the units the tenant does not have, and writes nothing', async () => {
    dynamo.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [businessUnitItem('bu-sales')] } });
    const body = { name: 'CRM', owner: 'Apps', consumerBusinessUnitIds: ['bu-sales', 'bu-gone', 'bu-other'] };

    const response = await call(httpEvent(routes.createService, { caller: owner, body }));

    expect(response.statusCode).toBe(400);
    expect(response.json?.errors).toEqual([
      { path: 'body.consumerBusinessUnitIds', message: 'There are no business units bu-gone, bu-other' },
    ]);
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('asks again for the unit keys DynamoDB left unprocessed', async () => {
    dynamo
      .on(BatchGetCommand)
      .resolvesOnce({
        Responses: { [TABLE]: [businessUnitItem('bu-sales')] },
        UnprocessedKeys: { [TABLE]: { Keys: [{ pk: 't#acme#business-unit#bu-hr', sk: 'business-unit' }] } },
      })
      .resolvesOnce({ Responses: { [TABLE]: [businessUnitItem('bu-hr')] } });
    dynamo.on(TransactWriteCommand).resolves({});
    const body = { name: 'CRM', owner: 'Apps', consumerBusinessUnitIds: ['bu-sales', 'bu-hr'] };

    const response = await call(httpEvent(routes.createService, { caller: owner, body }));

    expect(response.statusCode).toBe(201);
    expect(dynamo.commandCalls(BatchGetCommand)[1]?.args[0].input.RequestItems?.[TABLE]?.Keys).toEqual([
      { pk: 't#acme#business-unit#bu-hr', sk: 'business-unit' },
    ]);
  });

  it('reads nothing more when the service is offered to every unit', async () => {
    dynamo.on(TransactWriteCommand).resolves({});

    const response = await call(
      httpEvent(routes.createService, { caller: owner, body: { name: 'Mail', owner: 'IT' } }),
    );

    expect(response.statusCode).toBe(201);
    expect(response.json).toMatchObject({ consumerBusinessUnitIds: [] });
    expect(dynamo.commandCalls(BatchGetCommand)).toHaveLength(0);
  });

  it('answers 400 with one message per invalid field and writes nothing', async () => {
    const response = await call(
      httpEvent(routes.createService, {
        caller: owner,
        body: { name: '   ', owner: 'x'.repeat(121), extra: 1 },
      }),
    );

    expect(response.statusCode).toBe(400);
    expect(response.headers?.['content-type']).toContain('application/problem+json');
    const paths = ((response.json?.errors ?? []) as { path: string }[]).map((error) => error.path);
    expect(paths).toEqual(expect.arrayContaining(['body.name', 'body.owner']));
    expectOnlyTenantGateReads();
  });

  it.each([
    ['a requester', requester, 403],
    ['no claims at all', undefined, 401],
  ])('refuses %s', async (_label, caller, status) => {
    const response = await call(httpEvent(routes.createService, { caller, body: { name: 'X', owner: 'Y' } }));

    expect(response.statusCode).toBe(status);
    expect(response.json).toMatchObject({ status, type: 'about:blank' });
    expectOnlyTenantGateReads();
  });

  it.each([
    ['a body that is not JSON', { rawBody: '{"name":', headers: {} }, 400],
    ['a body declared as text', { rawBody: 'name=x', headers: { 'content-type': 'text/plain' } }, 415],
    ['an oversized body', { rawBody: JSON.stringify({ name: 'x'.repeat(300_000) }), headers: {} }, 413],
  ])('answers %s with a problem', async (_label, input, status) => {
    const response = await call(httpEvent(routes.createService, { caller: owner, ...input }));

    expect(response.statusCode).toBe(status);
    expect(response.headers?.['content-type']).toContain('application/problem+json');
    expectOnlyTenantGateReads();
  });

  it('hides the cause of an unexpected failure', async () => {
    dynamo.on(TransactWriteCommand).rejects(new Error('socket hang up at 10.0.0.1'));

    const response = await call(
      httpEvent(routes.createService, { caller: owner, body: { name: 'X', owner: 'Y' } }),
    );

    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('socket');
    expect(response.body).not.toContain('at ');
  });
});

describe('GET /api/services/{serviceId}', () => {
  it('answers the service with its version as ETag, reading only the caller tenant key', async () => {
    dynamo.on(GetCommand).resolves({ Item: stored });

    const response = await call(
      httpEvent(routes.getService, { caller: requester, params: { serviceId: 'svc-1' } }),
    );

    expect(response.statusCode).toBe(200);
    expect(response.headers?.etag).toBe('"3"');
    expect(response.json).not.toHaveProperty('tenantId');
    expect(response.json).not.toHaveProperty('pk');
    // Stored before services named units: offered to every unit.
    expect(response.json?.consumerBusinessUnitIds).toEqual([]);
    expect(dynamo.commandCalls(GetCommand)[0]?.args[0].input.Key).toEqual({
      pk: 't#acme#service#svc-1',
      sk: 'service',
    });
  });

  it('answers 404 when the service is not in the tenant', async () => {
    dynamo.on(GetCommand).resolves({});

    const response = await call(
      httpEvent(routes.getService, { caller: owner, params: { serviceId: 'nope' } }),
    );

    expect(response.statusCode).toBe(404);
  });
});

describe('GET /api/services', () => {
  it('queries the tenant name index and seals the next cursor', async () => {
    dynamo.on(QueryCommand).resolves({
      Items: [stored],
      LastEvaluatedKey: { pk: stored.pk, sk: stored.sk, gsi1pk: 't#acme#services', gsi1sk: 'email#svc-1' },
    });

    const response = await call(httpEvent(routes.listServices, { caller: requester, query: { limit: '1' } }));

    expect(response.statusCode).toBe(200);
    const input = dynamo.commandCalls(QueryCommand)[0]?.args[0].input;
    expect(input?.IndexName).toBe('gsi1');
    expect(input?.ExpressionAttributeValues?.[':pk']).toBe('t#acme#services');
    expect(input?.Limit).toBe(1);
    expect(response.json?.items).toHaveLength(1);
    expect(String(response.json?.nextCursor)).toMatch(/^[\w-]+\.[\w-]+$/);
  });

  it('refuses a cursor it did not sign', async () => {
    const response = await call(
      httpEvent(routes.listServices, { caller: requester, query: { cursor: 'abc.def' } }),
    );

    expect(response.statusCode).toBe(400);
    expect(response.json?.errors).toEqual([
      { path: 'query.cursor', message: 'This cursor is not valid here' },
    ]);
    expectOnlyTenantGateReads();
  });
});

describe('PATCH /api/services/{serviceId}', () => {
  const patch = (headers: Record<string, string>, body: unknown = { owner: 'Messaging' }) =>
    httpEvent(routes.updateService, { caller: owner, params: { serviceId: 'svc-1' }, body, headers });

  it('updates under a version condition and announces the changed fields', async () => {
    dynamo.on(GetCommand).resolves({ Item: stored });
    dynamo.on(TransactWriteCommand).resolves({});

    const response = await call(patch({ 'if-match': '"3"' }));

    expect(response.statusCode).toBe(200);
    expect(response.headers?.etag).toBe('"4"');
    expect(response.json).toMatchObject({ owner: 'Messaging', version: 4 });
    const items = dynamo.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items[0]?.Update?.ConditionExpression).toContain('#version = :version');
    expect(Object.values(items[0]?.Update?.ExpressionAttributeValues ?? {})).toContain(3);
    const detail = detailSchema(ServiceUpdated.data).parse(JSON.parse(String(items[1]?.Put?.Item?.detail)));
    expect(detail.data.changes).toEqual([{ field: 'owner', from: 'Workplace', to: 'Messaging' }]);
  });

  it('subscribes units under the version condition and announces the lists before and after', async () => {
    dynamo.on(GetCommand).resolves({ Item: { ...stored, consumerBusinessUnitIds: ['bu-sales'] } });
    dynamo.on(BatchGetCommand).resolves({
      Responses: { [TABLE]: [businessUnitItem('bu-sales'), businessUnitItem('bu-hr')] },
    });
    dynamo.on(TransactWriteCommand).resolves({});

    const response = await call(
      patch({ 'if-match': '"3"' }, { consumerBusinessUnitIds: ['bu-sales', 'bu-hr'] }),
    );

    expect(response.statusCode).toBe(200);
    expect(response.json).toMatchObject({ consumerBusinessUnitIds: ['bu-sales', 'bu-hr'], version: 4 });
    const items = dynamo.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(Object.values(items[0]?.Update?.ExpressionAttributeValues ?? {})).toContainEqual([
      'bu-sales',
      'bu-hr',
    ]);
    const detail = detailSchema(ServiceUpdated.data).parse(JSON.parse(String(items[1]?.Put?.Item?.detail)));
    expect(detail.data.changes).toEqual([
      { field: 'consumerBusinessUnitIds', from: ['bu-sales'], to: ['bu-sales', 'bu-hr'] },
    ]);
  });

  it('answers 400 for an unknown unit in a change and writes nothing', async () => {
    dynamo.on(GetCommand).resolves({ Item: stored });
    dynamo.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [] } });

    const response = await call(patch({ 'if-match': '"3"' }, { consumerBusinessUnitIds: ['bu-nope'] }));

    expect(response.statusCode).toBe(400);
    expect(response.json?.errors).toEqual([
      { path: 'body.consumerBusinessUnitIds', message: 'There is no business unit bu-nope' },
    ]);
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('reads no units when the change leaves the list as it was', async () => {
    dynamo.on(GetCommand).resolves({ Item: { ...stored, consumerBusinessUnitIds: ['bu-sales', 'bu-hr'] } });
    dynamo.on(TransactWriteCommand).resolves({});

    const response = await call(
      patch({ 'if-match': '"3"' }, { owner: 'Messaging', consumerBusinessUnitIds: ['bu-hr', 'bu-sales'] }),
    );

    expect(response.statusCode).toBe(200);
    expect(dynamo.commandCalls(BatchGetCommand)).toHaveLength(0);
    const items = dynamo.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    const detail = detailSchema(ServiceUpdated.data).parse(JSON.parse(String(items[1]?.Put?.Item?.detail)));
    expect(detail.data.changes).toEqual([{ field: 'owner', from: 'Workplace', to: 'Messaging' }]);
  });

  it('answers 428 without If-Match', async () => {
    const response = await call(patch({}));
    expect(response.statusCode).toBe(428);
    expectOnlyTenantGateReads();
  });

  it('answers 412 for a stale If-Match and writes nothing', async () => {
    dynamo.on(GetCommand).resolves({ Item: stored });

    const response = await call(patch({ 'if-match': '"2"' }));

    expect(response.statusCode).toBe(412);
    expect(response.json).toMatchObject({ currentVersion: 3 });
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('answers 412 when another write lands between read and write', async () => {
    dynamo.on(GetCommand).resolves({ Item: stored });
    dynamo.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'Transaction cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
      }),
    );

    const response = await call(patch({ 'if-match': '"3"' }));

    expect(response.statusCode).toBe(412);
  });

  it('answers 409 with the allowed statuses for a move the pipeline forbids', async () => {
    dynamo.on(GetCommand).resolves({ Item: { ...stored, status: 'retired' } });

    const response = await call(patch({ 'if-match': '"3"' }, { status: 'live' }));

    expect(response.statusCode).toBe(409);
    expect(response.json).toMatchObject({ allowed: [] });
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('writes nothing when nothing changes', async () => {
    dynamo.on(GetCommand).resolves({ Item: stored });

    const response = await call(patch({ 'if-match': '"3"' }, { owner: 'Workplace' }));

    expect(response.statusCode).toBe(200);
    expect(response.headers?.etag).toBe('"3"');
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });
});
