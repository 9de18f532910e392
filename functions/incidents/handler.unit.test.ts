import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoredIncident } from '#shared/data/incident-store.ts';
import { defaultSettings } from '#shared/domain/tenancy/defaults.ts';
import { detailSchema } from '#shared/events/envelope.ts';
import { IncidentCreated } from '#shared/events/incidents.ts';
import { type Caller, httpEvent, lambdaContext } from '../../test/support/http-event.ts';
import { mockTenants } from '../../test/support/tenants.ts';
import { handler } from './handler.ts';
import { manifest } from './manifest.ts';

const dynamo = mockClient(DynamoDBDocumentClient);
const routes = manifest.routes;
const requester: Caller = { tenantId: 'acme', userId: 'u-req', name: 'Rita', roles: ['requester'] };
const stranger: Caller = { tenantId: 'acme', userId: 'u-other', name: 'Otto', roles: ['requester'] };
const agent: Caller = { tenantId: 'acme', userId: 'u-agent', name: 'Alan', roles: ['agent'] };

async function call(event: ReturnType<typeof httpEvent>) {
  const result = (await handler(event, lambdaContext())) as APIGatewayProxyStructuredResultV2;
  return { ...result, json: result.body ? (JSON.parse(result.body) as Record<string, unknown>) : undefined };
}

function settingItems() {
  const settings = defaultSettings({ timeZone: 'UTC', currency: 'EUR' });
  return (['priority-matrix', 'sla-policy', 'business-hours'] as const).map((name) => ({
    tenantId: 'acme',
    name,
    value: JSON.stringify(settings[name]),
    version: 1,
    updatedAt: '2026-01-01T00:00:00.000Z',
    pk: `t#acme#setting#${name}`,
    sk: 'setting',
    __edb_e__: 'tenantSetting',
    __edb_v__: '1',
  }));
}

/** An incident as the table holds it, created by the requester, in `state`. */
async function storedIncident(state: 'new' | 'in-progress' | 'resolved', version = 3) {
  dynamo.on(TransactWriteCommand).resolves({});
  const created = await call(
    httpEvent(routes.createIncident, { caller: requester, body: { shortDescription: 'Mail down' } }),
  );
  const item =
    dynamo.commandCalls(TransactWriteCommand).at(-1)?.args[0].input.TransactItems?.[0]?.Put?.Item ?? {};
  const record = JSON.parse(String(item.record)) as StoredIncident;
  record.incident.state = state;
  record.incident.version = version;
  if (state !== 'new') record.history.push({ at: record.incident.createdAt, state });
  dynamo.resetHistory();
  return {
    id: String(created.json?.incidentId),
    item: { ...item, state, version, record: JSON.stringify(record) },
  };
}

/** Items the mocked table holds, by key, served to GetItem and BatchGetItem alike. */
const rows = new Map<string, Record<string, unknown>>();
const keyOf = (key: Record<string, unknown> | undefined) => `${String(key?.pk)}|${String(key?.sk)}`;
function hold(item: Record<string, unknown>): void {
  rows.set(keyOf(item), item);
}

beforeEach(() => {
  dynamo.reset();
  rows.clear();
  for (const setting of settingItems()) hold(setting);
  dynamo
    .on(BatchGetCommand)
    .callsFake((input: { RequestItems: Record<string, { Keys: Record<string, unknown>[] }> }) => {
      const keys = Object.values(input.RequestItems)[0]?.Keys ?? [];
      const found = keys.map((key) => rows.get(keyOf(key))).filter((item) => item !== undefined);
      return { Responses: { itsm: found }, UnprocessedKeys: {} };
    });
  dynamo.on(UpdateCommand).resolves({ Attributes: { value: 1042 } });
  dynamo
    .on(GetCommand)
    .callsFake((input: { Key: Record<string, unknown> }) => ({ Item: rows.get(keyOf(input.Key)) }));
  mockTenants(dynamo, { acme: 'active' });
});
afterEach(() => dynamo.reset());

describe('POST /api/incidents', () => {
  it('numbers the incident and writes it with its timeline, queue entries, due moment and event at once', async () => {
    dynamo.on(TransactWriteCommand).resolves({});

    const response = await call(
      httpEvent(routes.createIncident, {
        caller: requester,
        body: { shortDescription: 'Mail down', impact: 'high', urgency: 'high' },
      }),
    );

    expect(response.statusCode).toBe(201);
    expect(response.headers?.etag).toBe('"1"');
    expect(response.json).toMatchObject({
      number: 'INC0001042',
      priority: 'P1',
      state: 'new',
      caller: { userId: 'u-req' },
    });
    expect(dynamo.commandCalls(UpdateCommand)[0]?.args[0].input.Key).toEqual({
      pk: 't#acme#counter#incident',
      sk: 'counter',
    });
    const items = dynamo.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    const keys = items.map(
      (entry) => `${String(entry.Put?.Item?.pk)} ${String(entry.Put?.Item?.sk).split('#')[0]}`,
    );
    const id = String(response.json?.incidentId);
    expect(keys).toEqual([
      `t#acme#incident#${id} incident`,
      `t#acme#incident#${id} timeline`,
      `t#acme#incident#${id} queue`,
      `t#acme#incident#${id} queue`,
      `t#acme#incident#${id} due`,
      expect.stringMatching(/^t#acme#outbox#/),
    ]);
    expect(items[0]?.Put?.ConditionExpression).toContain('attribute_not_exists');
    expect(items[2]?.Put?.Item).toMatchObject({
      gsi1pk: 't#acme#incidents#assignee#none',
      gsi2pk: 't#acme#incidents#open#by-due',
    });
    expect(String(items[4]?.Put?.Item?.gsi1pk)).toMatch(/^t#platform#due#/);
    const detail = detailSchema(IncidentCreated.data).parse(JSON.parse(String(items[5]?.Put?.Item?.detail)));
    expect(detail.data).toMatchObject({ number: 'INC0001042', callerId: 'u-req' });
    // Rules and caller in one BatchGetItem, the counter, the transaction (the tenant gate's read aside).
    const requests = dynamo
      .calls()
      .map((entry) => entry.args[0])
      .filter(
        (command) => !(command instanceof GetCommand && String(command.input.Key?.pk).endsWith('#tenant')),
      );
    expect(requests.map((command) => command.constructor.name)).toEqual([
      'BatchGetCommand',
      'UpdateCommand',
      'TransactWriteCommand',
    ]);
  });

  it('answers 400 for a service that is not in the catalogue, writing nothing', async () => {
    const response = await call(
      httpEvent(routes.createIncident, {
        caller: requester,
        body: { shortDescription: 'x', serviceId: 'svc-gone' },
      }),
    );

    expect(response.statusCode).toBe(400);
    expect(response.json?.errors).toEqual([
      { path: 'body.serviceId', message: 'There is no such service in the catalogue' },
    ]);
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('refuses a requester who overrides the priority, and an override without a reason', async () => {
    const override = { shortDescription: 'x', priorityOverride: 'P1', overrideReason: 'CEO' };
    expect(
      (await call(httpEvent(routes.createIncident, { caller: requester, body: override }))).statusCode,
    ).toBe(403);
    const noReason = await call(
      httpEvent(routes.createIncident, {
        caller: agent,
        body: { shortDescription: 'x', priorityOverride: 'P1' },
      }),
    );
    expect(noReason.statusCode).toBe(400);
  });
});

describe('GET /api/incidents/{incidentId}', () => {
  it('answers 404 to a requester for someone else’s incident', async () => {
    const { id, item } = await storedIncident('new');
    dynamo.on(QueryCommand).resolves({ Items: [item] });

    expect(
      (await call(httpEvent(routes.getIncident, { caller: stranger, params: { incidentId: id } })))
        .statusCode,
    ).toBe(404);
    const own = await call(httpEvent(routes.getIncident, { caller: requester, params: { incidentId: id } }));
    expect(own.statusCode).toBe(200);
    expect(own.headers?.etag).toBe('"3"');
    expect(dynamo.commandCalls(QueryCommand).at(-1)?.args[0].input.ExpressionAttributeValues).toEqual({
      ':pk': `t#acme#incident#${id}`,
    });
  });
});

describe('POST /api/incidents/{incidentId}/state', () => {
  const move = (id: string, body: unknown, headers: Record<string, string> = { 'if-match': '"3"' }) =>
    call(httpEvent(routes.changeIncidentState, { caller: agent, params: { incidentId: id }, body, headers }));

  it('answers 409 with the allowed states for a move outside the lifecycle', async () => {
    const { id, item } = await storedIncident('new');
    hold(item);

    const response = await move(id, { to: 'resolved', resolutionCode: 'solved', resolutionNotes: 'done' });

    expect(response.statusCode).toBe(409);
    expect(response.json?.allowed).toEqual(['assigned', 'cancelled']);
  });

  it('answers 412 for a stale version and 428 without If-Match', async () => {
    const { id, item } = await storedIncident('in-progress');
    hold(item);

    expect((await move(id, { to: 'cancelled' }, { 'if-match': '"2"' })).statusCode).toBe(412);
    expect((await move(id, { to: 'cancelled' }, {})).statusCode).toBe(428);
  });

  it('resolves under a version condition, deleting the queue entries and setting the close moment', async () => {
    const { id, item } = await storedIncident('in-progress');
    hold(item);
    dynamo.on(TransactWriteCommand).resolves({});

    const response = await move(id, {
      to: 'resolved',
      resolutionCode: 'solved',
      resolutionNotes: 'Restarted',
    });

    expect(response.statusCode).toBe(200);
    expect(response.headers?.etag).toBe('"4"');
    const items = dynamo.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items[0]?.Update?.ConditionExpression).toContain('#version');
    expect(items.filter((entry) => String(entry.Delete?.Key?.sk).startsWith('queue#'))).toHaveLength(2);
    expect(items.find((entry) => entry.Put?.Item?.sk === 'due#close')).toBeDefined();
    expect(items.some((entry) => entry.Put?.Item?.detailType === 'IncidentResolved')).toBe(true);
  });

  it('answers 412 when the incident changed between the read and the write', async () => {
    const { id, item } = await storedIncident('in-progress');
    hold(item);
    const { TransactionCanceledException } = await import('@aws-sdk/client-dynamodb');
    dynamo.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
      }),
    );

    expect((await move(id, { to: 'cancelled' })).statusCode).toBe(412);
  });
});

describe('requester actions', () => {
  it('lets only the caller confirm, and refuses a rating before resolution', async () => {
    const { id, item } = await storedIncident('in-progress');
    hold(item);
    const headers = { 'if-match': '"3"' };

    const foreign = await call(
      httpEvent(routes.decideIncidentResolution, {
        caller: stranger,
        params: { incidentId: id },
        body: { decision: 'confirm' },
        headers,
      }),
    );
    expect(foreign.statusCode).toBe(404);
    const early = await call(
      httpEvent(routes.rateIncident, {
        caller: requester,
        params: { incidentId: id },
        body: { rating: 5 },
        headers,
      }),
    );
    expect(early.statusCode).toBe(409);
    const workNote = await call(
      httpEvent(routes.addIncidentWorkNote, {
        caller: requester,
        params: { incidentId: id },
        body: { text: 'x' },
        headers,
      }),
    );
    expect(workNote.statusCode).toBe(403);
  });
});

describe('queues', () => {
  it('reads the unassigned queue with one Query on its index and seals the cursor', async () => {
    dynamo
      .on(QueryCommand)
      .resolves({ Items: [], LastEvaluatedKey: { pk: 'a', sk: 'b', gsi1pk: 'c', gsi1sk: 'd' } });

    const response = await call(
      httpEvent(routes.listIncidentQueue, { caller: agent, query: { queue: 'unassigned', priority: 'P1' } }),
    );

    expect(response.statusCode).toBe(200);
    const queries = dynamo.commandCalls(QueryCommand);
    expect(queries).toHaveLength(1);
    expect(queries[0]?.args[0].input).toMatchObject({ IndexName: 'gsi1', Limit: 25 });
    expect(queries[0]?.args[0].input.ExpressionAttributeValues?.[':pk']).toBe(
      't#acme#incidents#assignee#none',
    );
    expect(queries[0]?.args[0].input.FilterExpression).toContain('#priority');
    expect(String(response.json?.nextCursor)).toMatch(/^[\w-]+\.[\w-]+$/);
  });

  it('is refused to requesters', async () => {
    expect(
      (await call(httpEvent(routes.listIncidentQueue, { caller: requester, query: {} }))).statusCode,
    ).toBe(403);
  });
});

describe('POST /api/incidents/bulk-assignment', () => {
  it('answers one result per incident', async () => {
    const { id, item } = await storedIncident('new', 1);
    hold(item);
    hold({
      pk: 't#acme#team#desk',
      sk: 'team',
      tenantId: 'acme',
      teamId: 'desk',
      name: 'Desk',
      sortName: 'desk',
      description: '',
      version: 1,
      createdAt: 'x',
      updatedAt: 'x',
      __edb_e__: 'team',
      __edb_v__: '1',
    });
    dynamo.on(TransactWriteCommand).resolves({});

    const response = await call(
      httpEvent(routes.bulkAssignIncidents, {
        caller: agent,
        body: {
          teamId: 'desk',
          items: [
            { incidentId: id, ifMatch: 1 },
            { incidentId: id, ifMatch: 7 },
            { incidentId: 'gone', ifMatch: 1 },
          ],
        },
      }),
    );

    expect(response.statusCode).toBe(200);
    expect(((response.json?.items ?? []) as { status: number }[]).map((entry) => entry.status)).toEqual([
      200, 412, 404,
    ]);
  });

  it('answers 400 for a team that does not exist', async () => {
    const response = await call(
      httpEvent(routes.bulkAssignIncidents, {
        caller: agent,
        body: { teamId: 'nope', items: [{ incidentId: 'a', ifMatch: 1 }] },
      }),
    );
    expect(response.statusCode).toBe(400);
  });
});
