import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyStructuredResultV2, DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTable, type LocalDatabase, startLocalDatabase } from '#infra/local/database/index.ts';
import { getDatabase } from '#shared/data/database.ts';
import { parseCsv } from '#shared/domain/incidents/import.ts';
import {
  computeMetrics,
  type IncidentMetrics,
  incidentCsvRowSchema,
} from '#shared/domain/incidents/metrics.ts';
import { defaultSettings, TENANT_SETTING_NAMES } from '#shared/domain/tenancy/defaults.ts';
import type { BusEnvelope } from '#shared/events/envelope.ts';
import { table } from '#shared/platform/table.ts';
import { type Caller, httpEvent, lambdaContext } from '../support/http-event.ts';
import { createTenantRecords } from '../support/tenants.ts';

/*
 * Incidents against the local database: the number counter, the queues and their indexes, the record
 * with its timeline from one partition, and the due moments the SLA monitor reads by minute bucket.
 */
let database: LocalDatabase;
const changes: DynamoDBRecord[] = [];
let handler: typeof import('#functions/incidents/handler.ts').handler;
let manifest: typeof import('#functions/incidents/manifest.ts').manifest;
let monitor: typeof import('#functions/sla-monitor/handler.ts').handler;

const requester: Caller = { tenantId: 'acme', userId: 'u-req', name: 'Rita Requester', roles: ['requester'] };
const other: Caller = { tenantId: 'acme', userId: 'u-other', name: 'Otto', roles: ['requester'] };
const agent: Caller = { tenantId: 'acme', userId: 'u-agent', name: 'Alan Agent', roles: ['agent'] };
const globex: Caller = { tenantId: 'globex', userId: 'u-g', name: 'G', roles: ['agent'] };

interface Json {
  [key: string]: unknown;
  incidentId: string;
  number: string;
  version: number;
  state: string;
  items: {
    incidentId: string;
    number: string;
    status: number;
    sla: { resolutionDueAt: string | null; resolutionWarningAt: string | null };
  }[];
  nextCursor: string | null;
  timeline: { kind: string; visibility: string; text: string }[];
  sla: {
    responseDueAt: string | null;
    responseWarningAt: string | null;
    resolutionDueAt: string | null;
    resolutionWarningAt: string | null;
    responseStatus: string;
  };
}

async function call(event: ReturnType<typeof httpEvent>) {
  const result = (await handler(event, lambdaContext())) as APIGatewayProxyStructuredResultV2;
  return {
    status: result.statusCode,
    headers: result.headers ?? {},
    json: JSON.parse(result.body ?? 'null') as Json,
  };
}

const routes = () => manifest.routes;
const report = (caller: Caller, body: Record<string, unknown> = {}) =>
  call(httpEvent(routes().createIncident, { caller, body: { shortDescription: 'Printer jams', ...body } }));

function scheduled(at: Date): BusEnvelope<{ schedule: string }> {
  return {
    version: '0',
    id: `run-${at.getTime()}`,
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '000000000000',
    time: at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: 'local',
    resources: [],
    detail: { schedule: 'slaMoments' },
  };
}

beforeAll(async () => {
  database = await startLocalDatabase();
  process.env.AWS_ENDPOINT_URL_DYNAMODB = database.endpoint;
  await ensureTable(new DynamoDBClient({ endpoint: database.endpoint }), table.logicalName, table);
  await createTenantRecords(['acme', 'globex']);
  // The defaults TenantCreated seeds, with a round-the-clock calendar so due times are easy to state.
  for (const tenantId of ['acme', 'globex']) {
    const settings = defaultSettings({ timeZone: 'UTC', currency: 'EUR' });
    settings['business-hours'].week = settings['business-hours'].week.map((day) => ({
      ...day,
      start: '00:00',
      end: '24:00',
    }));
    settings['business-hours'].week.push(
      { day: 'saturday', start: '00:00', end: '24:00' },
      { day: 'sunday', start: '00:00', end: '24:00' },
    );
    for (const name of TENANT_SETTING_NAMES) {
      await getDatabase()
        .entities.tenantSetting.put({
          tenantId,
          name,
          value: JSON.stringify(settings[name]),
          version: 1,
          updatedAt: '2026-01-01T00:00:00.000Z',
        })
        .go();
    }
  }
  await getDatabase()
    .entities.team.put({
      tenantId: 'acme',
      teamId: 'team-desk',
      name: 'Service Desk',
      description: '',
      version: 1,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    })
    .go();
  await getDatabase()
    .entities.user.put({
      tenantId: 'acme',
      userId: 'u-agent',
      email: 'agent@acme.example',
      name: 'Alan Agent',
      roles: ['agent'],
      status: 'active',
      version: 1,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    })
    .go();
  await getDatabase()
    .entities.user.put({
      tenantId: 'acme',
      userId: 'u-walk-in',
      email: 'walk-in@acme.example',
      name: 'Wanda Walk-in',
      roles: ['requester'],
      businessUnitId: 'bu-sales',
      status: 'active',
      version: 1,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    })
    .go();
  await getDatabase()
    .entities.team.put({
      tenantId: 'acme',
      teamId: 'team-l2',
      name: 'Second line',
      description: '',
      leadUserId: 'u-agent',
      version: 1,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    })
    .go();
  database.onChange((records) => changes.push(...records));
  ({ handler } = await import('#functions/incidents/handler.ts'));
  ({ manifest } = await import('#functions/incidents/manifest.ts'));
  ({ handler: monitor } = await import('#functions/sla-monitor/handler.ts'));
});

afterAll(async () => {
  await database.stop();
});

describe('incidents on the local database', () => {
  it('numbers incidents from a per-tenant counter, one after the other', async () => {
    const first = await report(requester);
    const second = await report(requester);
    const elsewhere = await report({ ...globex, roles: ['requester'] });

    expect(first.status).toBe(201);
    expect(first.json.number).toMatch(/^INC\d{7}$/);
    expect(Number(second.json.number.slice(3))).toBe(Number(first.json.number.slice(3)) + 1);
    expect(elsewhere.json.number).toBe('INC0000001');
    expect(first.headers.etag).toBe('"1"');
    expect(first.json.sla.responseDueAt).not.toBeNull();
    // The warning moments of both clocks come with the snapshot, before their due times.
    const { responseWarningAt, responseDueAt, resolutionWarningAt, resolutionDueAt } = first.json.sla;
    expect(responseWarningAt).not.toBeNull();
    expect(resolutionWarningAt).not.toBeNull();
    expect(Date.parse(responseWarningAt ?? '')).toBeLessThan(Date.parse(responseDueAt ?? ''));
    expect(Date.parse(resolutionWarningAt ?? '')).toBeLessThan(Date.parse(resolutionDueAt ?? ''));
  });

  it('lists unassigned and breaching-soon by resolution due time, and mine after assignment', async () => {
    const p1 = await report(requester, { impact: 'high', urgency: 'high' });
    const p5 = await report(requester, { impact: 'low', urgency: 'low' });

    const breaching = await call(
      httpEvent(routes().listIncidentQueue, {
        caller: agent,
        query: { queue: 'breaching-soon', limit: '100' },
      }),
    );
    expect(breaching.status).toBe(200);
    const dues = breaching.json.items.map((item) => item.sla.resolutionDueAt ?? '');
    expect(dues).toEqual([...dues].sort());
    // Queue entries carry the warning moment too.
    for (const item of breaching.json.items) expect(item.sla.resolutionWarningAt).not.toBeNull();
    const ids = breaching.json.items.map((item) => item.incidentId);
    expect(ids.indexOf(p1.json.incidentId)).toBeLessThan(ids.indexOf(p5.json.incidentId));

    const assigned = await call(
      httpEvent(routes().assignIncident, {
        caller: agent,
        params: { incidentId: p1.json.incidentId },
        body: { teamId: 'team-desk', assigneeId: 'u-agent' },
        headers: { 'if-match': '"1"' },
      }),
    );
    expect(assigned.status).toBe(200);
    expect(assigned.json.state).toBe('assigned');

    const mine = await call(
      httpEvent(routes().listIncidentQueue, { caller: agent, query: { queue: 'mine' } }),
    );
    expect(mine.json.items.map((item) => item.incidentId)).toEqual([p1.json.incidentId]);
    const unassigned = await call(
      httpEvent(routes().listIncidentQueue, { caller: agent, query: { queue: 'unassigned', limit: '100' } }),
    );
    expect(unassigned.json.items.map((item) => item.incidentId)).not.toContain(p1.json.incidentId);
    expect(unassigned.json.items.map((item) => item.incidentId)).toContain(p5.json.incidentId);
    const p5Only = await call(
      httpEvent(routes().listIncidentQueue, {
        caller: agent,
        query: { queue: 'all-open', priority: 'P5', limit: '100' },
      }),
    );
    expect(p5Only.json.items.map((item) => item.incidentId)).toEqual([p5.json.incidentId]);
    const theirs = await call(
      httpEvent(routes().listIncidentQueue, { caller: globex, query: { queue: 'all-open' } }),
    );
    expect(theirs.json.items.map((item) => item.incidentId)).not.toContain(p1.json.incidentId);
  });

  it('pages a queue with signed cursors', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await call(
        httpEvent(routes().listIncidentQueue, {
          caller: agent,
          query: { queue: 'all-open', limit: '2', ...(cursor ? { cursor } : {}) },
        }),
      );
      expect(page.status).toBe(200);
      seen.push(...page.json.items.map((item) => item.incidentId));
      cursor = page.json.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(4);
  });

  it('gives the record with its timeline; the caller sees comments but not work notes, others see nothing', async () => {
    const created = await report(requester);
    const id = created.json.incidentId;
    const noted = await call(
      httpEvent(routes().addIncidentWorkNote, {
        caller: agent,
        params: { incidentId: id },
        body: { text: 'Checked the spooler' },
        headers: { 'if-match': '"1"' },
      }),
    );
    expect(noted.status).toBe(200);
    const commented = await call(
      httpEvent(routes().addIncidentComment, {
        caller: agent,
        params: { incidentId: id },
        body: { text: 'Looking into it' },
        headers: { 'if-match': '"2"' },
      }),
    );
    expect(commented.status).toBe(200);

    const staffView = await call(
      httpEvent(routes().getIncident, { caller: agent, params: { incidentId: id } }),
    );
    expect(staffView.json.timeline.map((entry) => entry.kind)).toEqual(['created', 'work-note', 'comment']);
    expect(staffView.headers.etag).toBe('"3"');
    const callerView = await call(
      httpEvent(routes().getIncident, { caller: requester, params: { incidentId: id } }),
    );
    expect(callerView.json.timeline.map((entry) => entry.kind)).toEqual(['created', 'comment']);
    expect(
      (await call(httpEvent(routes().getIncident, { caller: other, params: { incidentId: id } }))).status,
    ).toBe(404);
    expect(
      (await call(httpEvent(routes().getIncident, { caller: globex, params: { incidentId: id } }))).status,
    ).toBe(404);
    const stale = await call(
      httpEvent(routes().addIncidentComment, {
        caller: requester,
        params: { incidentId: id },
        body: { text: 'Hello?' },
        headers: { 'if-match': '"1"' },
      }),
    );
    expect(stale.status).toBe(412);
  });

  it('writes a due moment into the platform minute bucket, and the monitor announces a breach once', async () => {
    const created = await report(requester, { impact: 'high', urgency: 'high' });
    const id = created.json.incidentId;
    const responseDue = created.json.sla.responseDueAt ?? '';
    const moments = changes
      .map((record) => record.dynamodb?.NewImage)
      .filter((image) => image?.pk?.S === `t#acme#incident#${id}` && image.sk?.S === 'due#sla');
    expect(moments.at(-1)?.gsi1pk?.S).toMatch(/^t#platform#due#\d{4}-\d\d-\d\dT\d\d:\d\d$/);

    // The warning (75 % of 15 minutes) comes 3¾ minutes before the breach.
    await monitor(scheduled(new Date(Date.parse(responseDue) - 90_000)), lambdaContext());
    const later = new Date(Date.parse(responseDue) + 60_000);
    await monitor(scheduled(later), lambdaContext());
    await monitor(scheduled(new Date(later.getTime() + 60_000)), lambdaContext());

    const record = await call(httpEvent(routes().getIncident, { caller: agent, params: { incidentId: id } }));
    const sla = record.json.timeline.filter((entry) => entry.kind === 'sla').map((entry) => entry.text);
    expect(sla.filter((text) => text.startsWith('SLA breached: the response'))).toHaveLength(1);
    expect(sla.filter((text) => text.startsWith('SLA warning: the response'))).toHaveLength(1);
    expect(record.json.sla.responseStatus).toBe('breached');
    const outbox = changes
      .map((change) => change.dynamodb?.NewImage)
      .filter((image) => image?.detailType?.S === 'SlaBreached' && String(image.detail?.S).includes(id));
    expect(outbox).toHaveLength(1);
  });

  it('lets an agent log an incident for a caller, who then finds it among their own', async () => {
    const logged = await report(agent, { callerId: 'u-walk-in' });
    expect(logged.status).toBe(201);
    expect(logged.json.caller).toEqual({ userId: 'u-walk-in', name: 'Wanda Walk-in' });
    expect(logged.json.businessUnitId).toBe('bu-sales');
    const walkIn: Caller = {
      tenantId: 'acme',
      userId: 'u-walk-in',
      name: 'Wanda Walk-in',
      roles: ['requester'],
    };
    const own = await call(httpEvent(routes().listReportedIncidents, { caller: walkIn }));
    expect(own.json.items.map((item) => item.incidentId)).toContain(logged.json.incidentId);
    const record = await call(
      httpEvent(routes().getIncident, { caller: walkIn, params: { incidentId: logged.json.incidentId } }),
    );
    expect(record.json.timeline[0]?.text).toBe(`${logged.json.number} logged for Wanda Walk-in`);

    expect((await report(requester, { callerId: 'u-walk-in' })).status).toBe(403);
    const unknown = await report(agent, { callerId: 'u-nobody' });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.json)).toContain('body.callerId');
  });

  it('escalates on a breach by the tenant’s rules: new team, raised priority, timeline entry and event', async () => {
    await getDatabase()
      .entities.tenantSetting.put({
        tenantId: 'acme',
        name: 'incidents',
        value: JSON.stringify({
          autoCloseDays: 5,
          warningThreshold: 0.75,
          escalationRules: [
            {
              ruleId: 'response-breach',
              name: 'Late first response',
              on: 'breach',
              clock: 'response',
              priorities: ['P3'],
              notifyUserIds: ['u-agent'],
              reassignTeamId: 'team-l2',
              raisePriority: true,
            },
          ],
        }),
        version: 1,
        updatedAt: '2026-01-01T00:00:00.000Z',
      })
      .go();
    try {
      const created = await report(requester); // medium × medium: P3, response within 120 minutes
      const id = created.json.incidentId;
      const responseDue = Date.parse(created.json.sla.responseDueAt ?? '');
      // A run reads at most an hour of buckets after the checkpoint earlier tests left: catch up.
      for (let run = 0; run < 3; run += 1) {
        await monitor(scheduled(new Date(responseDue + 30_000)), lambdaContext());
      }

      const record = await call(
        httpEvent(routes().getIncident, { caller: agent, params: { incidentId: id } }),
      );
      expect(record.json).toMatchObject({
        teamId: 'team-l2',
        priority: 'P2',
        priorityOverride: { from: 'P3', to: 'P2', reason: 'Escalation: Late first response' },
      });
      const escalation = record.json.timeline.find((entry) => entry.kind === 'escalation');
      expect(escalation?.text).toBe(
        'Escalated by Late first response: handed to another team, priority raised to P2, people notified',
      );
      // A P2 resolution target (480 minutes) replaces the P3 one (1440), counted from creation.
      const resolutionDue = Date.parse(String(record.json.sla.resolutionDueAt));
      expect(resolutionDue - Date.parse(String(created.json.createdAt))).toBe(480 * 60_000);
      const events = changes
        .map((change) => change.dynamodb?.NewImage)
        .filter(
          (image) => image?.detailType?.S === 'IncidentEscalated' && String(image.detail?.S).includes(id),
        );
      expect(events).toHaveLength(1);
      expect(JSON.parse(String(events[0]?.detail?.S)).data).toMatchObject({
        clock: 'response',
        level: 'breach',
        notifyUserIds: ['u-agent'],
        rules: [{ ruleId: 'response-breach', name: 'Late first response' }],
      });
    } finally {
      await getDatabase().entities.tenantSetting.delete({ tenantId: 'acme', name: 'incidents' }).go();
    }
  });

  it('recomputes open incidents under a new policy in the background, counting progress on the job', async () => {
    const admin: Caller = { tenantId: 'acme', userId: 'u-admin', name: 'Ada Admin', roles: ['tenant-admin'] };
    const first = await report(requester, { impact: 'low', urgency: 'low' });
    const second = await report(requester, { impact: 'low', urgency: 'low' });
    expect(first.json.sla).toMatchObject({ policyId: 'default' });
    await getDatabase()
      .entities.tenantSetting.put({
        tenantId: 'acme',
        name: 'sla-policies',
        value: JSON.stringify({
          policies: [
            {
              policyId: 'fast-p5',
              name: 'Fast P5',
              priorities: { P5: { responseMinutes: 30, resolutionMinutes: 90 } },
              calendarName: 'business-hours',
              pauseStates: ['on-hold'],
            },
          ],
        }),
        version: 1,
        updatedAt: '2026-01-01T00:00:00.000Z',
      })
      .go();
    try {
      expect((await call(httpEvent(routes().startSlaRecomputation, { caller: agent }))).status).toBe(403);
      const started = await call(httpEvent(routes().startSlaRecomputation, { caller: admin }));
      expect(started.status).toBe(202);
      const jobId = String(started.json.jobId);
      expect(started.json).toMatchObject({ status: 'running', done: 0 });
      const open = Number(started.json.total);
      expect(open).toBeGreaterThanOrEqual(2);

      const requested = changes
        .map((change) => change.dynamodb?.NewImage)
        .find((image) => image?.detailType?.S === 'SlaRecomputationRequested');
      const envelope: BusEnvelope = {
        version: '0',
        id: 'bus-recompute',
        'detail-type': 'SlaRecomputationRequested',
        source: 'itsm.incidents',
        account: '000000000000',
        time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
        region: 'local',
        resources: [],
        detail: JSON.parse(String(requested?.detail?.S)),
      };
      await handler(envelope, lambdaContext());

      const job = await call(
        httpEvent(routes().getSlaRecomputation, { caller: admin, params: { recomputationId: jobId } }),
      );
      expect(job.json).toMatchObject({ status: 'done', done: open, total: open });
      expect(Number(job.json.changed)).toBeGreaterThanOrEqual(2);
      for (const created of [first, second]) {
        const record = await call(
          httpEvent(routes().getIncident, { caller: agent, params: { incidentId: created.json.incidentId } }),
        );
        expect(record.json.sla).toMatchObject({ policyId: 'fast-p5', policyName: 'Fast P5' });
        expect(
          Date.parse(String(record.json.sla.resolutionDueAt)) - Date.parse(String(created.json.createdAt)),
        ).toBe(90 * 60_000);
        expect(record.json.timeline.at(-1)?.text).toMatch(/^SLA recomputed under Fast P5/);
      }
      const missing = await call(
        httpEvent(routes().getSlaRecomputation, {
          caller: admin,
          params: { recomputationId: 'no-such-job' },
        }),
      );
      expect(missing.status).toBe(404);
    } finally {
      await getDatabase().entities.tenantSetting.delete({ tenantId: 'acme', name: 'sla-policies' }).go();
    }
  });

  it('gives the dashboard’s figures and the same incidents as CSV, from which they can be recomputed', async () => {
    // Today in acme's zone (Europe/Berlin), whatever the machine's.
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin' }).format(new Date());
    const before = await call(
      httpEvent(routes().getIncidentMetrics, { caller: agent, query: { from: today, to: today } }),
    );
    expect(before.status).toBe(200);
    const reported = await report(requester, { impact: 'high', urgency: 'high' });
    const id = reported.json.incidentId;
    const assign = await call(
      httpEvent(routes().assignIncident, {
        caller: agent,
        params: { incidentId: id },
        body: { teamId: 'team-desk', assigneeId: 'u-agent' },
        headers: { 'if-match': '"1"' },
      }),
    );
    const resolved = await call(
      httpEvent(routes().changeIncidentState, {
        caller: agent,
        params: { incidentId: id },
        body: { to: 'resolved', resolutionCode: 'solved', resolutionNotes: 'Restarted the spooler' },
        headers: { 'if-match': `"${assign.json.version}"` },
      }),
    );
    await call(
      httpEvent(routes().rateIncident, {
        caller: requester,
        params: { incidentId: id },
        body: { rating: 5, comment: null },
        headers: { 'if-match': `"${resolved.json.version}"` },
      }),
    );

    const metrics = await call(
      httpEvent(routes().getIncidentMetrics, { caller: agent, query: { from: today, to: today } }),
    );
    const figures = metrics.json as unknown as IncidentMetrics;
    const earlier = before.json as unknown as IncidentMetrics;
    expect(figures.opened).toBe(earlier.opened + 1);
    expect(figures.perDay[0]?.resolved).toBe((earlier.perDay[0]?.resolved ?? 0) + 1);
    expect(figures.firstContactResolution.numerator).toBe(earlier.firstContactResolution.numerator + 1);
    expect(figures.satisfaction.distribution[4]).toBe(earlier.satisfaction.distribution[4] + 1);

    const exported = await handler(
      httpEvent(routes().exportIncidents, { caller: agent, query: { from: today, to: today } }),
      lambdaContext(),
    );
    const csv = (exported as APIGatewayProxyStructuredResultV2).body ?? '';
    expect((exported as APIGatewayProxyStructuredResultV2).headers?.['content-type']).toContain('text/csv');
    const table = parseCsv(csv);
    if (!table.ok) throw new Error(table.message);
    const rows = table.table.records.map((record) =>
      incidentCsvRowSchema.parse(
        Object.fromEntries(table.table.header.map((column, i) => [column, record.cells[i] ?? ''])),
      ),
    );
    expect(rows.find((row) => row.incidentId === id)).toMatchObject({
      state: 'resolved',
      satisfaction: 5,
      assignments: 1,
    });
    const { backlog: _backlog, ...fromRoute } = figures as IncidentMetrics & { backlog: unknown };
    expect(computeMetrics(rows, fromRoute.period, fromRoute.period.timeZone)).toEqual(fromRoute);

    const bad = await call(httpEvent(routes().getIncidentMetrics, { caller: agent, query: { from: today } }));
    expect(bad.status).toBe(400);
    expect(
      (await call(httpEvent(routes().getIncidentMetrics, { caller: requester, query: {} }))).status,
    ).toBe(403);
  });

  it('lets a requester report only against services their unit uses; IT staff log against any', async () => {
    const service = (serviceId: string, consumerBusinessUnitIds: string[]) =>
      getDatabase()
        .entities.service.put({
          tenantId: 'acme',
          serviceId,
          name: serviceId,
          description: '',
          owner: 'IT',
          status: 'live',
          consumerBusinessUnitIds,
          version: 1,
          createdAt: '2026-01-01T00:00:00.000Z',
          createdBy: 'seed',
          updatedAt: '2026-01-01T00:00:00.000Z',
          updatedBy: 'seed',
        })
        .go();
    await service('svc-finance-only', ['bu-finance']);
    await service('svc-sales', ['bu-sales']);
    await service('svc-everyone', []);
    const walkIn: Caller = {
      tenantId: 'acme',
      userId: 'u-walk-in',
      name: 'Wanda Walk-in',
      roles: ['requester'],
    };

    const refused = await report(walkIn, { serviceId: 'svc-finance-only' });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.json)).toContain('Your business unit does not use this service');
    expect((await report(walkIn, { serviceId: 'svc-sales' })).status).toBe(201);
    expect((await report(walkIn, { serviceId: 'svc-everyone' })).status).toBe(201);
    expect((await report(agent, { serviceId: 'svc-finance-only', callerId: 'u-walk-in' })).status).toBe(201);
  });
});
