import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyStructuredResultV2, DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTable, type LocalDatabase, startLocalDatabase } from '#infra/local/database/index.ts';
import { getDatabase } from '#shared/data/database.ts';
import { defaultSettings, TENANT_SETTING_NAMES, WEEKDAYS } from '#shared/domain/tenancy/defaults.ts';
import type { BusEnvelope, DomainEventDetail } from '#shared/events/envelope.ts';
import type { RouteDefinition } from '#shared/platform/manifest.ts';
import { table } from '#shared/platform/table.ts';
import { type Caller, httpEvent, lambdaContext } from '../support/http-event.ts';
import { createTenantRecords } from '../support/tenants.ts';

/*
 * Service level settings against the local database: versions and conditions on real items, checks
 * against real records, and the rules an incident created afterwards is measured by (the incidents
 * handler reads the same items), with the change in the audit trail.
 */
let database: LocalDatabase;
const changes: DynamoDBRecord[] = [];
/** Every process's handler has this one type (createProcessHandler's), whatever routes it serves. */
type Handler = typeof import('#functions/service-levels/handler.ts').handler;
let serviceLevels: typeof import('#functions/service-levels/manifest.ts').manifest;
let incidents: typeof import('#functions/incidents/manifest.ts').manifest;
let audit: typeof import('#functions/audit/manifest.ts').manifest;
let handlers: Record<'serviceLevels' | 'incidents' | 'audit', Handler>;

const admin: Caller = { tenantId: 'acme', userId: 'u-admin', name: 'Ada Admin', roles: ['tenant-admin'] };
const agent: Caller = { tenantId: 'acme', userId: 'u-agent', name: 'Alan Agent', roles: ['agent'] };
const requester: Caller = { tenantId: 'acme', userId: 'u-req', name: 'Rita Requester', roles: ['requester'] };

interface Answer {
  status: number;
  etag: string | undefined;
  // biome-ignore lint/suspicious/noExplicitAny: answers of several routes, asserted field by field.
  json: any;
}

async function call(
  which: keyof typeof handlers,
  route: RouteDefinition,
  caller: Caller,
  options: { body?: unknown; ifMatch?: string; params?: Record<string, string> } = {},
): Promise<Answer> {
  const event = httpEvent(route, {
    caller,
    ...(options.body === undefined ? {} : { body: options.body }),
    ...(options.params ? { params: options.params } : {}),
    headers: options.ifMatch === undefined ? {} : { 'if-match': options.ifMatch },
  });
  const result = (await handlers[which](
    event as never,
    lambdaContext() as never,
  )) as APIGatewayProxyStructuredResultV2;
  return {
    status: result.statusCode ?? 0,
    etag: result.headers?.etag as string | undefined,
    json: JSON.parse(result.body ?? 'null'),
  };
}

const roundTheClock = {
  calendarId: 'round-the-clock',
  name: 'Round the clock',
  timeZone: 'UTC',
  week: WEEKDAYS.map((day) => ({ day, start: '00:00', end: '24:00' })),
  holidays: [],
};

const gold = {
  policyId: 'gold',
  name: 'Gold mail',
  serviceIds: ['svc-mail'],
  priorities: { P1: { responseMinutes: 10, resolutionMinutes: 60 } },
  calendarName: 'round-the-clock',
  pauseStates: ['on-hold'],
};

const minutesBetween = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 60_000;

beforeAll(async () => {
  database = await startLocalDatabase();
  process.env.AWS_ENDPOINT_URL_DYNAMODB = database.endpoint;
  await ensureTable(new DynamoDBClient({ endpoint: database.endpoint }), table.logicalName, table);
  await createTenantRecords(['acme']);
  const db = getDatabase().entities;
  const settings = defaultSettings({ timeZone: 'Europe/Berlin', currency: 'EUR' });
  for (const name of TENANT_SETTING_NAMES) {
    await db.tenantSetting
      .put({
        tenantId: 'acme',
        name,
        value: JSON.stringify(settings[name]),
        version: 1,
        updatedAt: '2026-01-01T00:00:00.000Z',
      })
      .go();
  }
  const at = '2026-01-01T00:00:00.000Z';
  await db.service
    .put({
      tenantId: 'acme',
      serviceId: 'svc-mail',
      name: 'Mail',
      description: '',
      owner: 'IT',
      status: 'live',
      version: 1,
      createdAt: at,
      createdBy: 'seed',
      updatedAt: at,
      updatedBy: 'seed',
    })
    .go();
  await db.team
    .put({
      tenantId: 'acme',
      teamId: 'team-desk',
      name: 'Service Desk',
      description: '',
      version: 1,
      createdAt: at,
      updatedAt: at,
    })
    .go();
  await db.user
    .put({
      tenantId: 'acme',
      userId: 'u-agent',
      email: 'agent@acme.example',
      name: 'Alan Agent',
      roles: ['agent'],
      status: 'active',
      version: 1,
      createdAt: at,
      updatedAt: at,
    })
    .go();
  database.onChange((records) => changes.push(...records));
  ({ manifest: serviceLevels } = await import('#functions/service-levels/manifest.ts'));
  ({ manifest: incidents } = await import('#functions/incidents/manifest.ts'));
  ({ manifest: audit } = await import('#functions/audit/manifest.ts'));
  handlers = {
    serviceLevels: (await import('#functions/service-levels/handler.ts')).handler,
    incidents: (await import('#functions/incidents/handler.ts')).handler,
    audit: (await import('#functions/audit/handler.ts')).handler,
  };
});

afterAll(async () => {
  await database.stop();
});

describe('service levels on the local database', () => {
  it('reads the seeded settings at their version, and unsaved ones as version 0 defaults', async () => {
    const matrix = await call('serviceLevels', serviceLevels.routes.getPriorityMatrix, agent);
    const policies = await call('serviceLevels', serviceLevels.routes.getSlaPolicies, agent);
    const incidentSettings = await call('serviceLevels', serviceLevels.routes.getIncidentSettings, admin);

    expect(matrix).toMatchObject({ status: 200, etag: '"1"' });
    expect(matrix.json.value.cells).toHaveLength(9);
    expect(policies).toMatchObject({
      status: 200,
      etag: '"0"',
      json: { version: 0, value: { policies: [] } },
    });
    expect(incidentSettings.json.value).toEqual({
      autoCloseDays: 5,
      warningThreshold: 0.75,
      escalationRules: [],
    });
  });

  it('saves with If-Match, refuses a stale version with 412 and a missing one with 428', async () => {
    const created = await call('serviceLevels', serviceLevels.routes.putCalendars, admin, {
      body: { calendars: [roundTheClock] },
      ifMatch: '"0"',
    });
    expect(created).toMatchObject({ status: 200, etag: '"1"' });

    const again = await call('serviceLevels', serviceLevels.routes.putCalendars, admin, {
      body: { calendars: [roundTheClock] },
      ifMatch: '"0"',
    });
    expect(again.status).toBe(412);
    expect(again.json.currentVersion).toBe(1);
    const none = await call('serviceLevels', serviceLevels.routes.putCalendars, admin, {
      body: { calendars: [] },
    });
    expect(none.status).toBe(428);

    const read = await call('serviceLevels', serviceLevels.routes.getCalendars, agent);
    expect(read).toMatchObject({
      etag: '"1"',
      json: { value: { calendars: [{ calendarId: 'round-the-clock' }] } },
    });
  });

  it('refuses unknown calendars, services and teams with field errors, saving nothing', async () => {
    const before = changes.length;

    const policy = await call('serviceLevels', serviceLevels.routes.putSlaPolicies, admin, {
      body: { policies: [{ ...gold, calendarName: 'night-shift', serviceIds: ['svc-gone'] }] },
      ifMatch: '"0"',
    });
    const rules = await call('serviceLevels', serviceLevels.routes.putIncidentSettings, admin, {
      body: {
        autoCloseDays: 5,
        warningThreshold: 0.8,
        escalationRules: [
          { ruleId: 'r1', name: 'To L2', on: 'breach', clock: 'resolution', reassignTeamId: 'team-gone' },
        ],
      },
      ifMatch: '"0"',
    });

    expect(policy.status).toBe(400);
    expect(policy.json.errors).toEqual([
      {
        path: 'body.policies.0.calendarName',
        message: 'There is no calendar named night-shift; use one of business-hours, round-the-clock',
      },
      { path: 'body.policies.0.serviceIds.0', message: 'There is no service svc-gone in the catalogue' },
    ]);
    expect(rules.status).toBe(400);
    expect(rules.json.errors).toEqual([
      { path: 'body.escalationRules.0.reassignTeamId', message: 'There is no team team-gone' },
    ]);
    expect(changes.length).toBe(before);
  });

  it('measures an incident created afterwards by the matching policy, and keeps its calendar', async () => {
    const saved = await call('serviceLevels', serviceLevels.routes.putSlaPolicies, admin, {
      body: { policies: [gold] },
      ifMatch: '"0"',
    });
    expect(saved).toMatchObject({ status: 200, etag: '"1"' });

    const onMail = await call('incidents', incidents.routes.createIncident, requester, {
      body: {
        shortDescription: 'Mail is down for everyone',
        serviceId: 'svc-mail',
        impact: 'high',
        urgency: 'high',
      },
    });
    const elsewhere = await call('incidents', incidents.routes.createIncident, requester, {
      body: { shortDescription: 'Printer jams', impact: 'high', urgency: 'high' },
    });

    expect(onMail.status).toBe(201);
    expect(onMail.json.priority).toBe('P1');
    expect(onMail.json.sla.policyId).toBe('gold');
    // A calendar open round the clock (to 24:00): the targets' minutes are wall-clock minutes.
    const { createdAt } = onMail.json;
    expect(minutesBetween(createdAt, onMail.json.sla.responseDueAt)).toBe(10);
    expect(minutesBetween(createdAt, onMail.json.sla.resolutionDueAt)).toBe(60);
    expect(elsewhere.json.sla.policyId).toBe('default');

    const removal = await call('serviceLevels', serviceLevels.routes.putCalendars, admin, {
      body: { calendars: [] },
      ifMatch: '"1"',
    });
    expect(removal.status).toBe(400);
    expect(removal.json.errors[0].message).toContain('still used by the policy “Gold mail”');
  });

  it('announces each save through the outbox, and the audit trail shows who changed what', async () => {
    const outbox = changes
      .map((record) => record.dynamodb?.NewImage)
      .filter((image) => image?.detailType?.S === 'ServiceLevelSettingChanged')
      .map((image) => JSON.parse(image?.detail?.S ?? '{}') as DomainEventDetail<{ name: string }>);
    expect(outbox.map((detail) => detail.data.name)).toEqual(['calendars', 'sla-policies']);

    for (const detail of outbox) {
      const envelope: BusEnvelope = {
        version: '0',
        id: detail.eventId,
        'detail-type': 'ServiceLevelSettingChanged',
        source: 'itsm.service-levels',
        account: '000000000000',
        time: detail.occurredAt,
        region: 'local',
        resources: [],
        detail,
      };
      await handlers.audit(envelope, lambdaContext());
    }
    const trail = await call('audit', audit.routes.listRecordAudit, admin, {
      params: { entityType: 'service-level', entityId: 'sla-policies' },
    });

    expect(trail.status).toBe(200);
    expect(trail.json.items).toEqual([
      expect.objectContaining({
        entityType: 'service-level',
        entityId: 'sla-policies',
        action: 'updated',
        actor: { userId: 'u-admin', name: 'Ada Admin' },
        changes: [{ field: 'policies.gold', from: null, to: 'Gold mail' }],
      }),
    ]);
  });
});
