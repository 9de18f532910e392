import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyStructuredResultV2, DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTable, type LocalDatabase, startLocalDatabase } from '#infra/local/database/index.ts';
import { getDatabase } from '#shared/data/database.ts';
import { defaultSettings, TENANT_SETTING_NAMES } from '#shared/domain/tenancy/defaults.ts';
import type { BusEnvelope, DomainEventDetail } from '#shared/events/envelope.ts';
import { table } from '#shared/platform/table.ts';
import { type Caller, httpEvent, lambdaContext } from '../support/http-event.ts';
import { createTenantRecords } from '../support/tenants.ts';

/*
 * Importing incident history from CSV against the local database: the dry run's report, the import
 * of a mix of valid and refused rows in the background (events taken from the outbox as the stream
 * would and handed to the subscription, one of them twice at once), the progress on the job, and
 * the incidents it created read back through the API with the file's dates, state and priority.
 */
let database: LocalDatabase;
const changes: DynamoDBRecord[] = [];
let handler: typeof import('#functions/incidents/handler.ts').handler;
let manifest: typeof import('#functions/incidents/manifest.ts').manifest;

const admin: Caller = { tenantId: 'acme', userId: 'u-admin', name: 'Ada Admin', roles: ['tenant-admin'] };
const agent: Caller = { tenantId: 'acme', userId: 'u-agent', name: 'Alan Agent', roles: ['agent'] };

interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: answers of several routes, asserted field by field.
  json: any;
}

async function call(event: ReturnType<typeof httpEvent>): Promise<Answer> {
  const result = (await handler(event, lambdaContext())) as APIGatewayProxyStructuredResultV2;
  return { status: result.statusCode ?? 0, json: JSON.parse(result.body ?? 'null') };
}

const routes = () => manifest.routes;
const AT = '2026-01-01T00:00:00.000Z';

const HEADER =
  'Number,Short description,Caller email,Status,Priority,Impact,Urgency,Service,Assignment group,Assigned to,Opened,Resolved,Closed,Close code,Close notes';
const MAPPING = {
  Number: 'number',
  'Short description': 'shortDescription',
  'Caller email': 'callerEmail',
  Status: 'state',
  Priority: 'priority',
  Impact: 'impact',
  Urgency: 'urgency',
  Service: 'serviceName',
  'Assignment group': 'teamName',
  'Assigned to': 'assigneeEmail',
  Opened: 'createdAt',
  Resolved: 'resolvedAt',
  Closed: 'closedAt',
  'Close code': 'resolutionCode',
  'Close notes': 'resolutionNotes',
};

/** 50 open incidents after the hand-picked rows below: two chunks of 50 and 2, so the import hands on once. */
const bulk = Array.from(
  { length: 50 },
  (_, i) =>
    `OLD-${1000 + i},"Bulk, part ${i}",rita@acme.example,New,,,,,,,2025-06-01 08:${String(i % 60).padStart(2, '0')},,,,`,
);

const CSV = [
  HEADER,
  // Row 2: resolved in time, priority from the matrix (high × high), dates in Berlin time.
  'OLD-1,"Mail down, all floors",rita@acme.example,Solved,,1 - High,1 - High,Mail,Service Desk,agent@acme.example,2025-03-03 09:00,2025-03-03 10:30,,Solved (Permanently),"Restarted the relay\nand the queue"',
  // Row 3 (rows are counted as a spreadsheet shows them, not by line): an unknown caller.
  'OLD-2,Printer jams,nobody@acme.example,Open,,,,,,,2025-03-04 09:00,,,,',
  // Row 4: closed, with a priority from the file that differs from the matrix.
  'OLD-3,VPN slow,rita@acme.example,Closed,P1,Low,Low,,,,2025-03-05T08:00:00Z,2025-03-06T08:00:00Z,2025-03-08T08:00:00Z,,',
  // Row 5: a date in a format the import does not read.
  'OLD-4,Laptop broken,rita@acme.example,New,,,,,,,03/05/2025,,,,',
  // Row 6: the same number as row 2.
  'old-1,Mail down again,rita@acme.example,New,,,,,,,2025-03-07 09:00,,,,',
  ...bulk,
].join('\r\n');

async function waitFor<T>(find: () => T | undefined): Promise<T> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error('Nothing turned up in the change feed');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The outbox events of a type, as the stream hands them to the publisher. */
function outboxEvents(detailType: string): BusEnvelope<DomainEventDetail>[] {
  return changes
    .map((change) => change.dynamodb?.NewImage)
    .filter((image) => image?.kind?.S === 'outbox' && image.detailType?.S === detailType)
    .map((image) => ({
      version: '0',
      id: `bus-${image?.eventId?.S}`,
      'detail-type': detailType,
      source: String(image?.source?.S),
      account: '000000000000',
      time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: 'local',
      resources: [],
      detail: JSON.parse(String(image?.detail?.S)) as DomainEventDetail,
    }));
}

async function importedIncidents() {
  const all = await getDatabase().entities.incident.query.byTenant({ tenantId: 'acme' }).go({ pages: 'all' });
  return all.data;
}

beforeAll(async () => {
  database = await startLocalDatabase();
  process.env.AWS_ENDPOINT_URL_DYNAMODB = database.endpoint;
  await ensureTable(new DynamoDBClient({ endpoint: database.endpoint }), table.logicalName, table);
  await createTenantRecords(['acme']);
  const db = getDatabase().entities;
  const settings = defaultSettings({ timeZone: 'Europe/Berlin', currency: 'EUR' });
  for (const name of TENANT_SETTING_NAMES) {
    await db.tenantSetting
      .put({ tenantId: 'acme', name, value: JSON.stringify(settings[name]), version: 1, updatedAt: AT })
      .go();
  }
  const person = (userId: string, email: string, name: string, roles: string[]) =>
    db.user
      .put({
        tenantId: 'acme',
        userId,
        email,
        name,
        roles,
        status: 'active',
        version: 1,
        createdAt: AT,
        updatedAt: AT,
      })
      .go();
  await person('u-rita', 'Rita@acme.example', 'Rita Requester', ['requester']);
  await person('u-agent', 'agent@acme.example', 'Alan Agent', ['agent']);
  await db.team
    .put({
      tenantId: 'acme',
      teamId: 'team-desk',
      name: 'Service Desk',
      description: '',
      version: 1,
      createdAt: AT,
      updatedAt: AT,
    })
    .go();
  await db.service
    .put({
      tenantId: 'acme',
      serviceId: 'svc-mail',
      name: 'Mail',
      description: '',
      owner: 'IT',
      status: 'live',
      version: 1,
      createdAt: AT,
      createdBy: 'seed',
      updatedAt: AT,
      updatedBy: 'seed',
    })
    .go();
  database.onChange((records) => changes.push(...records));
  ({ handler } = await import('#functions/incidents/handler.ts'));
  ({ manifest } = await import('#functions/incidents/manifest.ts'));
});

afterAll(async () => {
  await database?.stop();
});

describe('importing incidents from CSV on the local database', () => {
  let jobId = '';

  it('answers a dry run with the columns, a suggested mapping, and per row what it would do', async () => {
    // Act: first without a mapping, as the page does when the file is chosen
    const first = await call(httpEvent(routes().checkIncidentImport, { caller: admin, body: { csv: CSV } }));

    // Assess
    expect(first.status).toBe(200);
    expect(first.json.columns[0]).toEqual({ name: 'Number', sample: 'OLD-1' });
    expect(first.json.suggestedMapping).toEqual(MAPPING);
    expect(first.json).toMatchObject({ rows: 55, valid: 52, rejected: 3, timeZone: 'Europe/Berlin' });
    expect(first.json.rejectedRows).toEqual([
      {
        row: 3,
        problems: [
          {
            column: 'Caller email',
            message: 'Nobody in your organisation has the email nobody@acme.example; invite them first',
          },
        ],
      },
      {
        row: 5,
        problems: [
          {
            column: 'Opened',
            message:
              '“03/05/2025” is not a date: write 2024-03-01T09:30:00Z (ISO with an offset) or 2024-03-01 09:30 (Europe/Berlin time)',
          },
        ],
      },
      { row: 6, problems: [{ column: 'Number', message: 'old-1 is also in row 2' }] },
    ]);
    expect(first.json.preview[0]).toEqual({
      row: 2,
      originalNumber: 'OLD-1',
      shortDescription: 'Mail down, all floors',
      callerName: 'Rita Requester',
      state: 'resolved',
      priority: 'P1',
      priorityOverridden: false,
      createdAt: '2025-03-03T08:00:00.000Z',
      resolvedAt: '2025-03-03T09:30:00.000Z',
      closedAt: null,
    });
    expect(first.json.preview[1]).toMatchObject({
      row: 4,
      state: 'closed',
      priority: 'P1',
      priorityOverridden: true,
    });
    expect(first.json.preview).toHaveLength(50);
    // A dry run writes nothing.
    expect(await importedIncidents()).toEqual([]);
  });

  it('starts the import at once with the job, counting the refused rows', async () => {
    const started = await call(
      httpEvent(routes().startIncidentImport, { caller: admin, body: { csv: CSV, mapping: MAPPING } }),
    );

    expect(started.status).toBe(202);
    expect(started.json).toMatchObject({
      status: 'running',
      rows: 55,
      total: 52,
      done: 0,
      created: 0,
      rejected: 3,
    });
    jobId = started.json.jobId;
    const running = await call(
      httpEvent(routes().getIncidentImport, { caller: admin, params: { importId: jobId } }),
    );
    expect(running.json).toMatchObject({
      status: 'running',
      done: 0,
      createdIncidents: null,
      rejectedRows: null,
    });
  });

  it('imports in the background chunk by chunk, with no duplicates when an event comes twice at once', async () => {
    // Act: the first chunk's event delivered twice at the same time, as a retry racing the first try
    const [first] = await waitFor(() => {
      const found = outboxEvents('IncidentImportRequested');
      return found.length > 0 ? found : undefined;
    });
    if (!first) throw new Error('No IncidentImportRequested');
    await Promise.all([handler(first, lambdaContext()), handler(first, lambdaContext())]);

    // Assess: one chunk of 50 in, counted, and one event for the next chunk
    const midway = await call(
      httpEvent(routes().getIncidentImport, { caller: admin, params: { importId: jobId } }),
    );
    expect(midway.json).toMatchObject({
      status: 'running',
      total: 52,
      done: 50,
      created: 50,
      rejected: 3,
    });
    expect(await importedIncidents()).toHaveLength(50);
    const handedOn = outboxEvents('IncidentImportRequested').filter(
      (event) => event.detail.eventId !== first.detail.eventId,
    );
    expect(handedOn.map((event) => event.detail.data)).toEqual([
      { jobId, chunk: 1, doneBefore: 50, createdBefore: 50, rejectedBefore: 3 },
    ]);

    // Act: the next chunk, then both events once more after the end
    const [second] = handedOn;
    if (!second) throw new Error('The import did not hand on');
    await handler(second, lambdaContext());
    await handler(first, lambdaContext());
    await handler(second, lambdaContext());

    // Assess
    const done = await call(
      httpEvent(routes().getIncidentImport, { caller: admin, params: { importId: jobId } }),
    );
    expect(done.json).toMatchObject({ status: 'done', total: 52, done: 52, created: 52, rejected: 3 });
    expect(done.json.createdIncidents).toHaveLength(52);
    expect(done.json.rejectedRows.map((row: { row: number }) => row.row)).toEqual([3, 5, 6]);
    const incidents = await importedIncidents();
    expect(incidents).toHaveLength(52);
    expect(new Set(incidents.map((incident) => incident.number)).size).toBe(52);
    expect(outboxEvents('IncidentImportRequested')).toHaveLength(2);
  });

  it('keeps the file’s dates, state and priority, with the SLA measured on them', async () => {
    const done = await call(
      httpEvent(routes().getIncidentImport, { caller: admin, params: { importId: jobId } }),
    );
    const byRow = new Map(
      done.json.createdIncidents.map((entry: { row: number; incidentId: string }) => [entry.row, entry]),
    );
    const mail = byRow.get(2) as { incidentId: string; number: string; originalNumber: string };
    const vpn = byRow.get(4) as { incidentId: string };
    expect(mail).toMatchObject({ originalNumber: 'OLD-1', number: expect.stringMatching(/^INC\d{7}$/) });

    const record = await call(
      httpEvent(routes().getIncident, { caller: agent, params: { incidentId: mail.incidentId } }),
    );
    expect(record.status).toBe(200);
    expect(record.json).toMatchObject({
      number: mail.number,
      state: 'resolved',
      priority: 'P1',
      priorityOverride: null,
      serviceId: 'svc-mail',
      teamId: 'team-desk',
      assigneeId: 'u-agent',
      caller: { userId: 'u-rita', name: 'Rita Requester' },
      createdAt: '2025-03-03T08:00:00.000Z',
      resolvedAt: '2025-03-03T09:30:00.000Z',
      resolutionCode: 'solved',
      resolutionNotes: 'Restarted the relay\nand the queue',
      links: ['OLD-1'],
      version: 1,
      sla: { responseStatus: 'met', resolutionStatus: 'met' },
    });
    expect(record.json.timeline).toEqual([
      expect.objectContaining({
        kind: 'created',
        visibility: 'public',
        actor: { userId: 'u-admin', name: 'Ada Admin' },
        text: 'Imported from CSV (row 2, original number OLD-1)',
      }),
    ]);

    const closed = await call(
      httpEvent(routes().getIncident, { caller: agent, params: { incidentId: vpn.incidentId } }),
    );
    expect(closed.json).toMatchObject({
      state: 'closed',
      priority: 'P1',
      priorityOverride: { from: 'P5', to: 'P1', reason: 'Imported' },
      closedAt: '2025-03-08T08:00:00.000Z',
      closeDueAt: null,
      // P1 is 4 business hours: a day later is a breach, shown, never announced.
      sla: { resolutionStatus: 'breached' },
    });
    expect(closed.json.timeline.map((entry: { kind: string }) => entry.kind)).toEqual([
      'created',
      'priority-change',
    ]);
  });

  it('announces each imported incident as created, by the admin, for the audit trail', async () => {
    const done = await call(
      httpEvent(routes().getIncidentImport, { caller: admin, params: { importId: jobId } }),
    );
    const row2 = done.json.createdIncidents.find((entry: { row: number }) => entry.row === 2);
    const created = outboxEvents('IncidentCreated');

    expect(created).toHaveLength(52);
    const mail = created.find(
      (event) => (event.detail.data as { incidentId: string }).incidentId === row2.incidentId,
    );
    expect(mail?.detail.actor).toEqual({ userId: 'u-admin', name: 'Ada Admin' });
    expect(mail?.detail.data).toMatchObject({
      number: row2.number,
      state: 'resolved',
      priority: 'P1',
      callerId: 'u-rita',
      assigneeId: 'u-agent',
    });
    expect((mail?.detail.data as { changes?: unknown[] } | undefined)?.changes).toEqual(
      expect.arrayContaining([
        { field: 'state', from: null, to: 'resolved' },
        { field: 'createdAt', from: null, to: '2025-03-03T08:00:00.000Z' },
        { field: 'resolvedAt', from: null, to: '2025-03-03T09:30:00.000Z' },
        { field: 'links', from: null, to: ['OLD-1'] },
      ]),
    );
  });

  it('refuses the same rows in a second import of the file, naming the incident each became', async () => {
    const again = await call(
      httpEvent(routes().checkIncidentImport, { caller: admin, body: { csv: CSV, mapping: MAPPING } }),
    );

    expect(again.json).toMatchObject({ valid: 0, rejected: 55 });
    const done = await call(
      httpEvent(routes().getIncidentImport, { caller: admin, params: { importId: jobId } }),
    );
    const number = done.json.createdIncidents.find((entry: { row: number }) => entry.row === 2).number;
    expect(again.json.rejectedRows[0]).toEqual({
      row: 2,
      problems: [{ column: 'Number', message: `OLD-1 was imported before, as ${number}` }],
    });
    const refused = await call(
      httpEvent(routes().startIncidentImport, { caller: admin, body: { csv: CSV, mapping: MAPPING } }),
    );
    expect(refused.status).toBe(400);
    expect(refused.json.errors).toEqual([
      { path: 'body.csv', message: 'None of the 55 rows can be imported; run the check to see why' },
    ]);
  });

  it('answers 404 for an import that does not exist', async () => {
    const missing = await call(
      httpEvent(routes().getIncidentImport, { caller: admin, params: { importId: 'no-such-import' } }),
    );

    expect(missing.status).toBe(404);
  });
});
