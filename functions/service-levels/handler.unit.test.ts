import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultSettings } from '#shared/domain/tenancy/defaults.ts';
import { detailSchema } from '#shared/events/envelope.ts';
import { ServiceLevelSettingChanged } from '#shared/events/service-levels.ts';
import { type Caller, httpEvent, lambdaContext } from '../../test/support/http-event.ts';
import { mockTenants, tenantItem } from '../../test/support/tenants.ts';
import { handler } from './handler.ts';
import { manifest } from './manifest.ts';

const dynamo = mockClient(DynamoDBDocumentClient);
const routes = manifest.routes;
const admin: Caller = { tenantId: 'acme', userId: 'u-admin', name: 'Ada Admin', roles: ['tenant-admin'] };
const agent: Caller = { tenantId: 'acme', userId: 'u-agent', name: 'Alan Agent', roles: ['agent'] };
const requester: Caller = { tenantId: 'acme', userId: 'u-req', roles: ['requester'] };
const defaults = defaultSettings({ timeZone: 'Europe/Berlin', currency: 'EUR' });

async function call(event: ReturnType<typeof httpEvent>) {
  const result = (await handler(event, lambdaContext())) as APIGatewayProxyStructuredResultV2;
  return { ...result, json: result.body ? (JSON.parse(result.body) as Record<string, unknown>) : undefined };
}

/** Items the mocked table holds, by key, served to GetItem and BatchGetItem alike. */
const rows = new Map<string, Record<string, unknown>>();
const keyOf = (key: Record<string, unknown> | undefined) => `${String(key?.pk)}|${String(key?.sk)}`;
function hold(item: Record<string, unknown>): void {
  rows.set(keyOf(item), item);
}

function settingItem(name: string, value: unknown, version: number) {
  return {
    tenantId: 'acme',
    name,
    value: JSON.stringify(value),
    version,
    updatedAt: '2026-01-01T00:00:00.000Z',
    pk: `t#acme#setting#${name}`,
    sk: 'setting',
    __edb_e__: 'tenantSetting',
    __edb_v__: '1',
  };
}

function record(entity: string, pk: string, sk: string, fields: Record<string, unknown>) {
  return {
    tenantId: 'acme',
    version: 1,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...fields,
    pk,
    sk,
    __edb_e__: entity,
    __edb_v__: '1',
  };
}

const gold = {
  policyId: 'gold',
  name: 'Gold',
  serviceIds: ['svc-mail'],
  priorities: { P1: { responseMinutes: 10, resolutionMinutes: 60 } },
  calendarName: 'business-hours',
};

function transactItems() {
  return dynamo.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
}

function eventOf(items: ReturnType<typeof transactItems>) {
  const outbox = items.find((item) => String(item.Put?.Item?.pk).startsWith('t#acme#outbox#'));
  return detailSchema(ServiceLevelSettingChanged.data).parse(JSON.parse(String(outbox?.Put?.Item?.detail)));
}

/** The tenant gate reads the tenant record; anything else is the route's own work. */
function routeCalls() {
  return dynamo
    .calls()
    .filter((call) => (call.args[0].input as { Key?: { sk?: string } }).Key?.sk !== 'tenant')
    .map((call) => call.args[0].constructor.name);
}

beforeEach(() => {
  dynamo.reset();
  rows.clear();
  hold(settingItem('priority-matrix', defaults['priority-matrix'], 2));
  hold(settingItem('business-hours', defaults['business-hours'], 1));
  hold(settingItem('sla-policy', defaults['sla-policy'], 1));
  hold(
    record('service', 't#acme#service#svc-mail', 'service', {
      serviceId: 'svc-mail',
      name: 'Mail',
      sortName: 'mail',
      description: '',
      owner: 'IT',
      status: 'live',
      createdBy: 'x',
      updatedBy: 'x',
    }),
  );
  hold(
    record('team', 't#acme#team#team-desk', 'team', {
      teamId: 'team-desk',
      name: 'Desk',
      sortName: 'desk',
      description: '',
    }),
  );
  hold(
    record('user', 't#acme#user#u-agent', 'user', {
      userId: 'u-agent',
      email: 'a@acme.example',
      name: 'Alan Agent',
      roles: ['agent'],
      status: 'active',
    }),
  );
  hold(
    record('user', 't#acme#user#u-req', 'user', {
      userId: 'u-req',
      email: 'r@acme.example',
      name: 'Rita Requester',
      roles: ['requester'],
      status: 'active',
    }),
  );
  dynamo
    .on(BatchGetCommand)
    .callsFake((input: { RequestItems: Record<string, { Keys: Record<string, unknown>[] }> }) => {
      const keys = Object.values(input.RequestItems)[0]?.Keys ?? [];
      const found = keys.map((key) => rows.get(keyOf(key))).filter((item) => item !== undefined);
      return { Responses: { itsm: found }, UnprocessedKeys: {} };
    });
  dynamo
    .on(GetCommand)
    .callsFake((input: { Key: Record<string, unknown> }) => ({ Item: rows.get(keyOf(input.Key)) }));
  dynamo.on(TransactWriteCommand).resolves({});
  mockTenants(dynamo, { acme: 'active' });
});
afterEach(() => dynamo.reset());

describe('GET /api/service-levels/*', () => {
  it('answers a saved setting with its version as ETag, in 1 GetItem', async () => {
    const response = await call(httpEvent(routes.getPriorityMatrix, { caller: agent }));

    expect(response.statusCode).toBe(200);
    expect(response.headers?.etag).toBe('"2"');
    expect(response.json).toMatchObject({
      name: 'priority-matrix',
      version: 2,
      value: defaults['priority-matrix'],
    });
    expect(routeCalls()).toEqual(['GetCommand']);
  });

  it('answers a setting never saved as version 0 with its default', async () => {
    const response = await call(httpEvent(routes.getIncidentSettings, { caller: admin }));

    expect(response.statusCode).toBe(200);
    expect(response.headers?.etag).toBe('"0"');
    expect(response.json).toEqual({
      name: 'incidents',
      version: 0,
      updatedAt: null,
      value: { autoCloseDays: 5, warningThreshold: 0.75, escalationRules: [] },
    });
  });

  it('answers a seeded setting not seeded yet with the seed for the tenant’s time zone', async () => {
    rows.delete('t#acme#setting#business-hours|setting');
    hold(tenantItem('acme'));

    const response = await call(httpEvent(routes.getDefaultCalendar, { caller: admin }));

    expect(response.statusCode).toBe(200);
    expect(response.json).toMatchObject({ version: 0, value: { timeZone: 'Europe/Berlin' } });
  });

  it('refuses a requester', async () => {
    const response = await call(httpEvent(routes.getSlaPolicies, { caller: requester }));

    expect(response.statusCode).toBe(403);
    expect(routeCalls()).toEqual([]);
  });
});

describe('PUT /api/service-levels/priority-matrix', () => {
  const raised = {
    cells: defaults['priority-matrix'].cells.map((cell) =>
      cell.impact === 'medium' && cell.urgency === 'high' ? { ...cell, priority: 'P1' } : cell,
    ),
  };
  const put = (headers: Record<string, string>, body: unknown = raised, caller = admin) =>
    call(httpEvent(routes.putPriorityMatrix, { caller, body, headers }));

  it('writes the matrix under its version with its audited event, in one transaction', async () => {
    const response = await put({ 'if-match': '"2"' });

    expect(response.statusCode).toBe(200);
    expect(response.headers?.etag).toBe('"3"');
    expect(response.json).toMatchObject({ version: 3, value: raised });
    const items = transactItems();
    expect(items).toHaveLength(2);
    expect(items[0]?.Update?.Key).toEqual({ pk: 't#acme#setting#priority-matrix', sk: 'setting' });
    expect(Object.values(items[0]?.Update?.ExpressionAttributeValues ?? {})).toContain(2);
    const detail = eventOf(items);
    expect(detail.actor).toEqual({ userId: 'u-admin', name: 'Ada Admin' });
    expect(detail.data).toEqual({
      name: 'priority-matrix',
      recordVersion: 3,
      changes: [{ field: 'cells.impact medium × urgency high.priority', from: 'P2', to: 'P1' }],
    });
    expect(routeCalls()).toEqual(['BatchGetCommand', 'TransactWriteCommand']);
  });

  it('answers 428 without If-Match and 412 for a stale one, writing nothing', async () => {
    expect((await put({})).statusCode).toBe(428);
    const stale = await put({ 'if-match': '"1"' });

    expect(stale.statusCode).toBe(412);
    expect(stale.json).toMatchObject({ currentVersion: 2 });
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('answers 412 when another save lands between read and write', async () => {
    dynamo.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'Transaction cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
      }),
    );

    expect((await put({ 'if-match': '"2"' })).statusCode).toBe(412);
  });

  it('answers 400 for a matrix missing a cell, and 403 for an agent', async () => {
    const missing = await put({ 'if-match': '"2"' }, { cells: raised.cells.slice(1) });
    expect(missing.statusCode).toBe(400);
    expect(missing.json?.errors).toEqual([
      { path: 'body.cells', message: 'Give one priority for every impact and urgency' },
    ]);
    expect((await put({ 'if-match': '"2"' }, raised, agent)).statusCode).toBe(403);
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('writes nothing when nothing changes', async () => {
    const response = await put({ 'if-match': '"2"' }, defaults['priority-matrix']);

    expect(response.statusCode).toBe(200);
    expect(response.headers?.etag).toBe('"2"');
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });
});

describe('PUT /api/service-levels/policies', () => {
  const put = (body: unknown, ifMatch = '"0"') =>
    call(httpEvent(routes.putSlaPolicies, { caller: admin, body, headers: { 'if-match': ifMatch } }));

  it('creates the setting never saved, checking the calendars stay as read', async () => {
    const response = await put({ policies: [gold] });

    expect(response.statusCode).toBe(200);
    expect(response.headers?.etag).toBe('"1"');
    const items = transactItems();
    expect(items[0]?.Put?.ConditionExpression).toContain('attribute_not_exists');
    expect(JSON.parse(String(items[0]?.Put?.Item?.value))).toEqual({
      policies: [{ ...gold, pauseStates: ['on-hold'] }],
    });
    expect(items[2]?.ConditionCheck?.Key).toEqual({ pk: 't#acme#setting#calendars', sk: 'setting' });
    expect(items[2]?.ConditionCheck?.ConditionExpression).toContain('attribute_not_exists');
    expect(eventOf(items).data.changes).toEqual([{ field: 'policies.gold', from: null, to: 'Gold' }]);
    // One BatchGetItem read the setting, the calendars and the named service.
    const keys = dynamo.commandCalls(BatchGetCommand)[0]?.args[0].input.RequestItems?.itsm?.Keys ?? [];
    expect(keys.map((key) => key.pk)).toEqual([
      't#acme#setting#sla-policies',
      't#acme#setting#calendars',
      't#acme#service#svc-mail',
    ]);
  });

  it('answers 400 naming an unknown calendar and service, writing nothing', async () => {
    const response = await put({
      policies: [{ ...gold, calendarName: 'night-shift', serviceIds: ['svc-mail', 'svc-gone'] }],
    });

    expect(response.statusCode).toBe(400);
    expect(response.json?.errors).toEqual([
      {
        path: 'body.policies.0.calendarName',
        message: 'There is no calendar named night-shift; use one of business-hours',
      },
      { path: 'body.policies.0.serviceIds.1', message: 'There is no service svc-gone in the catalogue' },
    ]);
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('answers 409 when the calendars change while the policies are saved', async () => {
    dynamo.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'Transaction cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: 'None' }, { Code: 'None' }, { Code: 'ConditionalCheckFailed' }],
      }),
    );

    const response = await put({ policies: [gold] });

    expect(response.statusCode).toBe(409);
    expect(String(response.json?.detail)).toContain('The calendars changed while this was saved');
  });
});

describe('PUT /api/service-levels/calendars', () => {
  it('refuses to remove a calendar a policy still uses', async () => {
    const night = { ...defaults['business-hours'], name: 'Night', calendarId: 'night' };
    hold(settingItem('calendars', { calendars: [night] }, 4));
    hold(settingItem('sla-policies', { policies: [{ ...gold, calendarName: 'night' }] }, 1));

    const response = await call(
      httpEvent(routes.putCalendars, {
        caller: admin,
        body: { calendars: [] },
        headers: { 'if-match': '"4"' },
      }),
    );

    expect(response.statusCode).toBe(400);
    expect(response.json?.errors).toEqual([
      {
        path: 'body.calendars',
        message: 'The calendar night is still used by the policy “Gold”; give it another calendar first',
      },
    ]);
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });
});

describe('PUT /api/service-levels/incident-settings', () => {
  const rule = {
    ruleId: 'r1',
    name: 'Breach to the desk',
    on: 'breach',
    clock: 'resolution',
    notifyUserIds: ['u-agent'],
    reassignTeamId: 'team-desk',
  };
  const put = (body: unknown) =>
    call(httpEvent(routes.putIncidentSettings, { caller: admin, body, headers: { 'if-match': '"0"' } }));

  it('saves rules naming IT staff and teams of the tenant', async () => {
    const response = await put({ autoCloseDays: 3, warningThreshold: 0.5, escalationRules: [rule] });

    expect(response.statusCode).toBe(200);
    expect(response.json).toMatchObject({
      version: 1,
      value: { escalationRules: [{ ...rule, notifyTeamIds: [], raisePriority: false }] },
    });
    expect(eventOf(transactItems()).data.changes).toEqual([
      { field: 'autoCloseDays', from: 5, to: 3 },
      { field: 'warningThreshold', from: 0.75, to: 0.5 },
      { field: 'escalationRules.r1', from: null, to: 'Breach to the desk' },
    ]);
  });

  it('answers 400 for an unknown team and a user who is not IT staff', async () => {
    const response = await put({
      autoCloseDays: 3,
      warningThreshold: 0.5,
      escalationRules: [{ ...rule, notifyUserIds: ['u-req'], notifyTeamIds: ['team-gone'] }],
    });

    expect(response.statusCode).toBe(400);
    expect(response.json?.errors).toEqual([
      { path: 'body.escalationRules.0.notifyTeamIds.0', message: 'There is no team team-gone' },
      {
        path: 'body.escalationRules.0.notifyUserIds.0',
        message: 'Rita Requester is not IT staff; escalations notify only people who work incidents',
      },
    ]);
  });

  it('answers 400 for a threshold outside 0–1', async () => {
    const response = await put({ autoCloseDays: 3, warningThreshold: 75, escalationRules: [] });

    expect(response.statusCode).toBe(400);
    expect(((response.json?.errors ?? []) as { path: string }[]).map((error) => error.path)).toEqual([
      'body.warningThreshold',
    ]);
  });
});
