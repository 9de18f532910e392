import { BatchWriteCommand, DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IncidentRules } from '#shared/data/incident-rules.ts';
import type { ImportDraft } from '#shared/domain/incidents/import.ts';
import { defaultIncidentSettings } from '#shared/domain/incidents/settings.ts';
import { calendarFromBusinessHours } from '#shared/domain/sla/calendar.ts';
import { policyFromTenantSetting } from '#shared/domain/sla/policy.ts';
import { defaultSettings } from '#shared/domain/tenancy/defaults.ts';
import { type Caller, httpEvent, lambdaContext } from '../../test/support/http-event.ts';
import { mockTenants } from '../../test/support/tenants.ts';
import { handler } from './handler.ts';
import { chunked, importedIncident, importedIncidentId } from './imports.ts';
import { manifest } from './manifest.ts';

const settings = defaultSettings({ timeZone: 'UTC', currency: 'EUR' });
/** The seeded defaults: P3 is 120 business minutes to respond, 1440 to resolve, weekdays 09–17 UTC. */
const rules: IncidentRules = {
  matrix: settings['priority-matrix'],
  defaultPolicy: policyFromTenantSetting(settings['sla-policy']),
  policies: [],
  calendars: { 'business-hours': calendarFromBusinessHours(settings['business-hours']) },
  settings: defaultIncidentSettings(),
  timeZone: 'UTC',
};

/** Monday 2 March 2026, 09:00 UTC: the start of a business day. */
const MONDAY = '2026-03-02T09:00:00.000Z';

function draft(changes: Partial<ImportDraft>): ImportDraft {
  return {
    row: 2,
    originalNumber: 'OLD-1',
    shortDescription: 'Mail down',
    description: '',
    category: null,
    caller: { userId: 'u-rita', name: 'Rita' },
    businessUnitId: null,
    serviceId: null,
    teamId: null,
    assignee: null,
    impact: 'medium',
    urgency: 'medium',
    priority: 'P3',
    priorityOverride: null,
    state: 'new',
    holdReason: null,
    createdAt: MONDAY,
    respondedAt: null,
    resolvedAt: null,
    closedAt: null,
    resolutionCode: null,
    resolutionNotes: null,
    ...changes,
  };
}

const identity = { incidentId: 'i-1', number: 'INC0000042' };

describe('importedIncident', () => {
  it('shows a resolution in time as met, with nothing to announce', () => {
    // Act
    const { stored } = importedIncident(
      draft({ state: 'resolved', resolvedAt: '2026-03-02T11:00:00.000Z' }),
      identity,
      rules,
      new Date('2026-05-04T10:00:00.000Z'),
    );

    // Assess
    expect(stored.incident.sla).toMatchObject({ responseStatus: 'met', resolutionStatus: 'met' });
    expect(stored.announced).toEqual([]);
    expect(stored.incident).toMatchObject({
      version: 1,
      createdAt: MONDAY,
      links: ['OLD-1'],
      firstResponseAt: MONDAY,
    });
  });

  it('shows a late resolution as breached, and counts the breach as announced', () => {
    const { stored } = importedIncident(
      draft({
        state: 'closed',
        resolvedAt: '2026-03-09T09:00:00.000Z',
        closedAt: '2026-03-10T09:00:00.000Z',
      }),
      identity,
      rules,
      new Date('2026-05-04T10:00:00.000Z'),
    );

    expect(stored.incident.sla).toMatchObject({
      resolutionStatus: 'breached',
      resolutionDueAt: '2026-03-04T17:00:00.000Z',
    });
    expect(stored.announced).toEqual(['resolution-breach']);
    expect(stored.incident).toMatchObject({
      state: 'closed',
      closeDueAt: null,
      closedAt: '2026-03-10T09:00:00.000Z',
    });
  });

  it('shows an open incident past its due time as breached, announced, so the monitor stays quiet', () => {
    const { stored } = importedIncident(
      draft({ state: 'in-progress' }),
      identity,
      rules,
      new Date('2026-03-20T10:00:00.000Z'),
    );

    expect(stored.incident.sla).toMatchObject({ responseStatus: 'met', resolutionStatus: 'breached' });
    expect(stored.announced).toEqual(['resolution-breach']);
  });

  it('leaves marks still ahead of an open incident to the monitor', () => {
    const { stored } = importedIncident(draft({}), identity, rules, new Date('2026-03-02T10:00:00.000Z'));

    expect(stored.incident.sla).toMatchObject({
      responseStatus: 'running',
      responseWarningAt: '2026-03-02T10:30:00.000Z',
      responseDueAt: '2026-03-02T11:00:00.000Z',
    });
    expect(stored.announced).toEqual([]);
  });

  it('lets a resolved incident whose auto-close time has passed close at the next run', () => {
    const now = new Date('2026-05-04T10:00:00.000Z');

    const { stored } = importedIncident(
      draft({ state: 'resolved', resolvedAt: '2026-03-03T09:00:00.000Z' }),
      identity,
      rules,
      now,
    );

    expect(stored.incident.closeDueAt).toBe(now.toISOString());
  });
});

describe('chunks and ids', () => {
  it('cuts chunks by row count and by size', () => {
    expect(chunked([1, 2, 3, 4, 5], 2, 1000)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunked(['a'.repeat(40), 'b'.repeat(40), 'c'], 10, 50).map((chunk) => chunk.length)).toEqual([
      1, 2,
    ]);
    expect(chunked([], 2, 10)).toEqual([]);
  });

  it('gives a row of a job the same incident id on every run, and another row another', () => {
    const id = importedIncidentId('job-1', 2);

    expect(id).toBe(importedIncidentId('job-1', 2));
    expect(id).not.toBe(importedIncidentId('job-1', 3));
    expect(id).not.toBe(importedIncidentId('job-2', 2));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('import routes', () => {
  const dynamo = mockClient(DynamoDBDocumentClient);
  const admin: Caller = { tenantId: 'acme', userId: 'u-admin', name: 'Ada', roles: ['tenant-admin'] };
  const agent: Caller = { tenantId: 'acme', userId: 'u-agent', name: 'Alan', roles: ['agent'] };
  const routes = manifest.routes;

  async function call(event: ReturnType<typeof httpEvent>) {
    const result = (await handler(event, lambdaContext())) as APIGatewayProxyStructuredResultV2;
    return { status: result.statusCode, json: JSON.parse(result.body ?? 'null') as Record<string, unknown> };
  }

  beforeEach(() => {
    dynamo.reset();
    mockTenants(dynamo, { acme: 'active' });
  });

  afterEach(() => {
    // Every refusal here happens before anything is written.
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(dynamo.commandCalls(BatchWriteCommand)).toHaveLength(0);
  });

  it.each([
    ['checkIncidentImport', { csv: 'Title\nA\n' }, {}],
    ['startIncidentImport', { csv: 'Title\nA\n', mapping: {} }, {}],
    ['getIncidentImport', undefined, { importId: 'job-1' }],
  ] as const)('%s is for tenant admins only', async (name, body, params) => {
    const answer = await call(httpEvent(routes[name], { caller: agent, params, ...(body ? { body } : {}) }));

    expect(answer.status).toBe(403);
  });

  it('refuses a broken file with the reason at body.csv', async () => {
    const answer = await call(
      httpEvent(routes.checkIncidentImport, {
        caller: admin,
        body: { csv: 'Title,Caller\n"Mail down,a@x.example\n' },
      }),
    );

    expect(answer.status).toBe(400);
    expect(answer.json.errors).toEqual([
      {
        path: 'body.csv',
        message:
          'Row 2: a quoted value is never closed; every value that starts with a quote needs a closing quote.',
      },
    ]);
  });

  it('refuses a mapping that does not fit the file, per column', async () => {
    const answer = await call(
      httpEvent(routes.startIncidentImport, {
        caller: admin,
        body: {
          csv: 'Title,Caller\nMail down,a@x.example\n',
          mapping: { Title: 'shortDescription', Who: 'callerEmail' },
        },
      }),
    );

    expect(answer.status).toBe(400);
    expect(answer.json.errors).toEqual([
      { path: 'body.mapping.Who', message: 'The file has no column “Who”' },
      { path: 'body.mapping', message: 'Choose a column for Caller email, Created' },
    ]);
  });

  it('refuses a field name it does not know, and an import without a mapping', async () => {
    const unknown = await call(
      httpEvent(routes.checkIncidentImport, {
        caller: admin,
        body: { csv: 'Title\nA\n', mapping: { Title: 'headline' } },
      }),
    );
    const unmapped = await call(
      httpEvent(routes.startIncidentImport, { caller: admin, body: { csv: 'Title\nA\n' } }),
    );

    expect(unknown.status).toBe(400);
    expect((unknown.json.errors as { path: string }[])[0]?.path).toBe('body.mapping.Title');
    expect(unmapped.status).toBe(400);
    expect((unmapped.json.errors as { path: string }[])[0]?.path).toBe('body.mapping');
  });
});
