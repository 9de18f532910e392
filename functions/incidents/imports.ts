import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { getDatabase } from '#shared/data/database.ts';
import { type IncidentRules, readIncidentRules, targetFor } from '#shared/data/incident-rules.ts';
import { type NewTimelineEntry, withSla, writeIncident } from '#shared/data/incident-store.ts';
import { processedMarker } from '#shared/data/processed-events.ts';
import {
  type CsvTable,
  checkMapping,
  columnSamples,
  IMPORT_PREVIEW_ROWS,
  type ImportCheck,
  type ImportDirectory,
  type ImportDraft,
  type ImportedIncident,
  type ImportJob,
  type ImportMapping,
  type ImportReport,
  type ImportStart,
  importedCloseDueAt,
  importedFirstResponse,
  importedHistory,
  numberColumnOf,
  originalNumberKey,
  originalNumbersIn,
  parseCsv,
  previewOf,
  type RejectedRow,
  type RowOutcome,
  readRows,
  suggestMapping,
} from '#shared/domain/incidents/import.ts';
import { type Incident, reachedMarks } from '#shared/domain/incidents/incident.ts';
import { incidentNumber } from '#shared/domain/incidents/priority.ts';
import { IncidentImportRequested } from '#shared/events/incident-imports.ts';
import { IncidentCreated } from '#shared/events/incidents.ts';
import type { FieldChange } from '#shared/events/service-catalogue.ts';
import { NotFoundError, ValidationError } from '#shared/platform/errors.ts';
import { outboxRecord } from '#shared/platform/outbox.ts';
import type { EventRequest } from '#shared/platform/process-handler.ts';
import type { TenantContext } from '#shared/platform/tenant-context.ts';

/*
 * Importing incident history from CSV. A dry run reads the file, proposes a column mapping and checks
 * every row against the tenant's directory, catalogue and matrix, writing nothing. The import checks
 * again (the directory may have changed since), stores the valid rows in chunks with a job and
 * announces the job; the subscription then imports one chunk per event, one transaction per incident,
 * and hands on to a new event for the next chunk, counting on the job as it goes.
 *
 * A re-run never creates an incident twice: a row's incident id is derived from the job and the row,
 * and created under a must-not-exist condition; the numbers of a chunk are reserved once and kept on
 * the chunk; a chunk records which incident each row became. An original number is claimed by a
 * reference item before its incident is written, so two imports of one file create it once.
 */

/**
 * Rows per chunk: one event imports one chunk, two transactions per row, well inside the function's
 * 10 s limit. At most this much JSON per chunk item (DynamoDB's item limit is 400 KB).
 */
export const CHUNK_ROWS = 50;
const CHUNK_BYTES = 300_000;
/** Refused rows per item; they are only read back for the report. */
const REJECTED_CHUNK_ROWS = 500;
/** How long the job and its report stay readable after it started. */
const REPORT_DAYS = 30;

export interface Command {
  ctx: TenantContext;
  correlationId: string;
  now: Date;
}

type ChunkResult = ({ ok: true } & ImportedIncident) | ({ ok: false } & RejectedRow);

// ── Reading the file and what it names ─────────────────────────────────────────────────────────

function tableOf(csv: string): CsvTable {
  const parsed = parseCsv(csv);
  if (!parsed.ok) throw new ValidationError([{ path: 'body.csv', message: parsed.message }], parsed.message);
  return parsed.table;
}

function refuseMapping(columns: readonly string[], mapping: ImportMapping): void {
  const problems = checkMapping(columns, mapping);
  if (problems.length > 0) {
    throw new ValidationError(
      problems.map((problem) => ({ path: `body.${problem.path}`, message: problem.message })),
      'The column mapping does not fit the file',
    );
  }
}

function byName(records: readonly { name: string; id: string }[]): Map<string, string[]> {
  const names = new Map<string, string[]>();
  for (const record of records) {
    const key = record.name.toLocaleLowerCase('en');
    names.set(key, [...(names.get(key) ?? []), record.id]);
  }
  return names;
}

/** Original numbers imported before, by one BatchGetItem per 100 (keys left unprocessed are asked again). */
async function importedNumbers(tenantId: string, keys: readonly string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  let pending = keys.map((originalKey) => ({ tenantId, originalKey }));
  for (let attempt = 0; pending.length > 0; attempt += 1) {
    if (attempt === 5) throw new Error(`${pending.length} import references were still unprocessed`);
    if (attempt > 0) await sleep(25 * 2 ** attempt);
    const result = await getDatabase().entities.incidentImportRef.get(pending).go({ concurrent: 4 });
    for (const ref of result.data) found.set(ref.originalKey, ref.number);
    pending = result.unprocessed.map((key) => ({ tenantId, originalKey: key.originalKey }));
  }
  return found;
}

/**
 * Everything the rows are checked against: the tenant's zone and rules, and its users, services,
 * teams and business units (each list read whole, in 1 MB pages), and earlier imports of its numbers.
 */
async function readInputs(tenantId: string, originalKeys: readonly string[]) {
  const db = getDatabase().entities;
  const [tenant, rules, users, services, teams, units, imported] = await Promise.all([
    db.tenant.get({ tenantId }).go(),
    readIncidentRules(tenantId),
    db.user.query.byEmail({ tenantId }).go({ pages: 'all' }),
    db.service.query.byName({ tenantId }).go({ pages: 'all' }),
    db.team.query.byName({ tenantId }).go({ pages: 'all' }),
    db.businessUnit.query.byName({ tenantId }).go({ pages: 'all' }),
    importedNumbers(tenantId, originalKeys),
  ]);
  const directory: ImportDirectory = {
    users: new Map(
      users.data.map((user) => [
        user.email.toLocaleLowerCase('en'),
        {
          userId: user.userId,
          name: user.name,
          roles: user.roles,
          status: user.status,
          businessUnitId: user.businessUnitId ?? null,
        },
      ]),
    ),
    services: byName(services.data.map((service) => ({ name: service.name, id: service.serviceId }))),
    teams: byName(teams.data.map((team) => ({ name: team.name, id: team.teamId }))),
    businessUnits: byName(units.data.map((unit) => ({ name: unit.name, id: unit.businessUnitId }))),
    imported,
  };
  return { timeZone: tenant.data?.timeZone ?? 'UTC', rules, directory };
}

async function checkRows(ctx: TenantContext, table: CsvTable, mapping: ImportMapping, now: Date) {
  const { timeZone, rules, directory } = await readInputs(ctx.tenantId, originalNumbersIn(table, mapping));
  const outcomes = readRows(table, mapping, { matrix: rules.matrix, timeZone, now, directory });
  return { timeZone, outcomes };
}

function rejectedOf(outcomes: readonly RowOutcome[]): RejectedRow[] {
  return outcomes.flatMap((outcome) =>
    outcome.ok ? [] : [{ row: outcome.row, problems: outcome.problems }],
  );
}

function draftsOf(outcomes: readonly RowOutcome[]): ImportDraft[] {
  return outcomes.flatMap((outcome) => (outcome.ok ? [outcome.draft] : []));
}

// ── Routes ─────────────────────────────────────────────────────────────────────────────────────

/** The dry run: columns, a suggested mapping, and per row what it would create or why not. Writes nothing. */
export async function checkImport(command: Command, body: ImportCheck): Promise<ImportReport> {
  const { ctx, now } = command;
  const table = tableOf(body.csv);
  const suggestedMapping = suggestMapping(table.header);
  if (body.mapping) refuseMapping(table.header, body.mapping);
  const mapping: ImportMapping = body.mapping ?? suggestedMapping;
  const mappingProblems = checkMapping(table.header, mapping);
  const base = { columns: columnSamples(table), suggestedMapping, mapping, rows: table.records.length };
  if (mappingProblems.length > 0) {
    // Only a suggestion can get here: the person picks the missing columns, then the rows are checked.
    const tenant = await getDatabase().entities.tenant.get({ tenantId: ctx.tenantId }).go();
    return {
      ...base,
      mappingProblems,
      timeZone: tenant.data?.timeZone ?? 'UTC',
      valid: 0,
      rejected: 0,
      rejectedRows: [],
      preview: [],
    };
  }
  const { timeZone, outcomes } = await checkRows(ctx, table, mapping, now);
  const drafts = draftsOf(outcomes);
  const rejectedRows = rejectedOf(outcomes);
  return {
    ...base,
    mappingProblems: [],
    timeZone,
    valid: drafts.length,
    rejected: rejectedRows.length,
    rejectedRows,
    preview: drafts.slice(0, IMPORT_PREVIEW_ROWS).map(previewOf),
  };
}

/** Splits items into chunks of at most `rows` items and about `bytes` of JSON. */
export function chunked<T>(items: readonly T[], rows: number, bytes: number): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const item of items) {
    const itemSize = Buffer.byteLength(JSON.stringify(item), 'utf8');
    if (current.length > 0 && (current.length >= rows || size + itemSize > bytes)) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(item);
    size += itemSize;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

const chunkIndex = (index: number) => String(index).padStart(4, '0');

/** Puts items in batches of 25, asking again for those DynamoDB left unprocessed under load. */
interface ChunkItem {
  tenantId: string;
  jobId: string;
  kind: 'rows' | 'rejected';
  index: string;
  rows: string;
  expiresAt: number;
}

async function putChunks(items: ChunkItem[]): Promise<void> {
  let pending = items;
  for (let attempt = 0; pending.length > 0; attempt += 1) {
    if (attempt === 5) throw new Error(`${pending.length} import chunks were still unprocessed`);
    if (attempt > 0) await sleep(25 * 2 ** attempt);
    const result = await getDatabase().entities.incidentImportChunk.put(pending).go({ concurrent: 2 });
    const left = new Set(result.unprocessed.map((key) => `${key.kind}#${key.index}`));
    pending = pending.filter((item) => left.has(`${item.kind}#${item.index}`));
  }
}

/**
 * Checks the file again with the mapping and starts the import in the background: the valid rows go
 * into chunk items, then the job and its first event are written in one transaction. 202 at once.
 */
export async function startImport(command: Command, body: ImportStart): Promise<ImportJob> {
  const { ctx, now } = command;
  const table = tableOf(body.csv);
  refuseMapping(table.header, body.mapping);
  const { outcomes } = await checkRows(ctx, table, body.mapping, now);
  const drafts = draftsOf(outcomes);
  const rejectedRows = rejectedOf(outcomes);
  if (drafts.length === 0) {
    throw new ValidationError(
      [
        {
          path: 'body.csv',
          message: `None of the ${table.records.length} rows can be imported; run the check to see why`,
        },
      ],
      'Nothing to import',
    );
  }
  const jobId = randomUUID();
  const at = now.toISOString();
  const expiresAt = Math.floor(now.getTime() / 1000) + REPORT_DAYS * 24 * 60 * 60;
  const rowChunks = chunked(drafts, CHUNK_ROWS, CHUNK_BYTES);
  const rejectedChunks = chunked(rejectedRows, REJECTED_CHUNK_ROWS, CHUNK_BYTES);
  const base = { tenantId: ctx.tenantId, jobId, expiresAt };
  await putChunks([
    ...rowChunks.map((rows, index) => ({
      ...base,
      kind: 'rows' as const,
      index: chunkIndex(index),
      rows: JSON.stringify(rows),
    })),
    ...rejectedChunks.map((rows, index) => ({
      ...base,
      kind: 'rejected' as const,
      index: chunkIndex(index),
      rows: JSON.stringify(rows),
    })),
  ]);
  const numberColumn = numberColumnOf(body.mapping);
  const job = {
    ...base,
    status: 'running' as const,
    rows: table.records.length,
    total: drafts.length,
    done: 0,
    created: 0,
    rejected: rejectedRows.length,
    chunks: rowChunks.length,
    rejectedChunks: rejectedChunks.length,
    ...(numberColumn !== null ? { numberColumn } : {}),
    requestedBy: ctx.userId,
    requestedByName: ctx.userName,
    startedAt: at,
    updatedAt: at,
  };
  const event = outboxRecord(
    ctx,
    IncidentImportRequested,
    { jobId, chunk: 0, doneBefore: 0, createdBefore: 0, rejectedBefore: rejectedRows.length },
    command,
  );
  await getDatabase()
    .transaction.write(({ incidentImport, outbox }) => [
      incidentImport.create(job).commit(),
      outbox.create(event).commit(),
    ])
    .go();
  return jobView(job, null);
}

interface JobItem {
  jobId: string;
  status: 'running' | 'done';
  rows: number;
  total: number;
  done: number;
  created: number;
  rejected: number;
  startedAt: string;
  finishedAt?: string | undefined;
}

function jobView(
  job: JobItem,
  lists: { createdIncidents: ImportedIncident[]; rejectedRows: RejectedRow[] } | null,
): ImportJob {
  return {
    jobId: job.jobId,
    status: job.status,
    rows: job.rows,
    total: job.total,
    done: job.done,
    created: job.created,
    rejected: job.rejected,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt ?? null,
    createdIncidents: lists?.createdIncidents ?? null,
    rejectedRows: lists?.rejectedRows ?? null,
  };
}

/**
 * Progress while it runs (one GetItem); once done, also every incident created and every row not
 * imported (one Query of the job's partition).
 */
export async function getImport(ctx: TenantContext, jobId: string): Promise<ImportJob> {
  const db = getDatabase().entities;
  const job = (await db.incidentImport.get({ tenantId: ctx.tenantId, jobId }).go()).data;
  if (!job) throw new NotFoundError(`No incident import ${jobId}`);
  if (job.status === 'running') return jobView(job, null);
  const chunks = await db.incidentImportChunk.query
    .byJob({ tenantId: ctx.tenantId, jobId })
    .go({ pages: 'all' });
  const createdIncidents: ImportedIncident[] = [];
  const rejectedRows: RejectedRow[] = [];
  for (const chunk of chunks.data) {
    if (chunk.kind === 'rejected') {
      rejectedRows.push(...(JSON.parse(chunk.rows) as RejectedRow[]));
      continue;
    }
    for (const result of JSON.parse(chunk.results ?? '[]') as ChunkResult[]) {
      if (result.ok) {
        const { ok: _ok, ...created } = result;
        createdIncidents.push(created);
      } else {
        rejectedRows.push({ row: result.row, problems: result.problems });
      }
    }
  }
  const byRow = (a: { row: number }, b: { row: number }) => a.row - b.row;
  return jobView(job, {
    createdIncidents: createdIncidents.sort(byRow),
    rejectedRows: rejectedRows.sort(byRow),
  });
}

// ── The background import ────────────────────────────────────────────────────────────────────

/** The id of the incident a row of a job becomes: the same on every run, so a re-run finds it. */
export function importedIncidentId(jobId: string, row: number): string {
  const hex = createHash('sha256').update(`incident-import:${jobId}:${row}`).digest('hex');
  const variant = ((Number.parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The record a draft becomes, with its SLA clocks computed from the file's dates. */
export function importedIncident(
  draft: ImportDraft,
  identity: { incidentId: string; number: string },
  rules: IncidentRules,
  now: Date,
): ReturnType<typeof withSla> {
  const at = now.toISOString();
  const settled = draft.state === 'resolved' || draft.state === 'closed' || draft.state === 'cancelled';
  const incident: Incident = {
    ...identity,
    state: draft.state,
    holdReason: draft.holdReason,
    caller: draft.caller,
    businessUnitId: draft.businessUnitId,
    serviceId: draft.serviceId,
    configurationItem: null,
    category: draft.category,
    impact: draft.impact,
    urgency: draft.urgency,
    priority: draft.priority,
    priorityOverride: draft.priorityOverride,
    teamId: draft.teamId,
    assigneeId: draft.assignee?.userId ?? null,
    assigneeName: draft.assignee?.name ?? null,
    shortDescription: draft.shortDescription,
    description: draft.description,
    resolutionCode: settled ? draft.resolutionCode : null,
    resolutionNotes: settled ? draft.resolutionNotes : null,
    resolvedAt: draft.resolvedAt,
    resolutionConfirmedAt: null,
    closeDueAt:
      draft.state === 'resolved' && draft.resolvedAt !== null
        ? importedCloseDueAt(draft.resolvedAt, rules.settings.autoCloseDays, rules.timeZone, now)
        : null,
    closedAt: draft.state === 'closed' ? draft.closedAt : null,
    major: false,
    // The file's own number stays findable on the record.
    links: draft.originalNumber !== null ? [draft.originalNumber] : [],
    satisfaction: null,
    firstResponseAt: importedFirstResponse(draft),
    // The file tells who has it now, not how often it moved: one assignment where it names anyone.
    assignmentCount: draft.teamId !== null || draft.assignee !== null ? 1 : 0,
    sla: {
      policyId: '',
      policyName: '',
      responseDueAt: null,
      responseWarningAt: null,
      responseStatus: 'running',
      resolutionDueAt: null,
      resolutionWarningAt: null,
      resolutionStatus: 'running',
      pausedMinutes: 0,
      computedAt: at,
    },
    version: 1,
    createdAt: draft.createdAt,
    updatedAt: at,
  };
  const computed = withSla(
    {
      incident,
      history: importedHistory(draft),
      target: targetFor(rules, incident),
      warningThreshold: rules.settings.warningThreshold,
      announced: [],
    },
    now,
  );
  // Warnings and breaches the history already passed are history: counted as announced, so the
  // monitor sends no SlaWarning or SlaBreached (nor escalates) for them. The snapshot still shows a
  // breach; marks still ahead are announced as for any incident.
  const announced = reachedMarks(computed.clocks, []).map((entry) => entry.mark);
  return { stored: { ...computed.stored, announced }, clocks: computed.clocks };
}

const CREATED_FIELDS = [
  'shortDescription',
  'description',
  'serviceId',
  'businessUnitId',
  'impact',
  'urgency',
  'priority',
  'state',
  'holdReason',
  'category',
  'teamId',
  'assigneeId',
  'createdAt',
  'firstResponseAt',
  'resolvedAt',
  'closedAt',
  'resolutionCode',
  'resolutionNotes',
  'links',
] as const;

/** Every field the import set, from nothing to its value, as createIncident's event lists them. */
function createdChanges(incident: Incident): FieldChange[] {
  const changes: FieldChange[] = CREATED_FIELDS.flatMap((field) => {
    const to = incident[field];
    return to === null || (Array.isArray(to) && to.length === 0) ? [] : [{ field, from: null, to }];
  });
  if (incident.priorityOverride)
    changes.push({ field: 'priorityOverride', from: null, to: incident.priorityOverride });
  return changes;
}

interface ChunkRun {
  request: EventRequest;
  job: { jobId: string; requestedBy: string; requestedByName: string; numberColumn?: string | undefined };
  rules: IncidentRules;
}

/** An original number may become one incident only: the import that claims it first creates it. */
async function claimNumber(
  run: ChunkRun,
  draft: ImportDraft & { originalNumber: string },
  incident: { incidentId: string; number: string },
): Promise<string | null> {
  const { ctx, now } = run.request;
  const originalKey = originalNumberKey(draft.originalNumber);
  const result = await getDatabase()
    .transaction.write(({ incidentImportRef }) => [
      incidentImportRef
        .put({
          tenantId: ctx.tenantId,
          originalKey,
          ...incident,
          jobId: run.job.jobId,
          row: draft.row,
          importedAt: now.toISOString(),
        })
        // The same row of the same job may claim again: a re-run after a failure part-way.
        .where(
          ({ incidentId }, { notExists, eq }) =>
            `${notExists(incidentId)} OR ${eq(incidentId, incident.incidentId)}`,
        )
        .commit(),
    ])
    .go();
  if (!result.canceled) return null;
  if (result.data[0]?.code !== 'ConditionalCheckFailed') {
    throw new Error(`The import reference of row ${draft.row} could not be written; the bus will retry`);
  }
  const claimed = await getDatabase()
    .entities.incidentImportRef.get({ tenantId: ctx.tenantId, originalKey })
    .go();
  return claimed.data?.number ?? 'another incident';
}

async function importRow(run: ChunkRun, draft: ImportDraft, sequence: number): Promise<ChunkResult> {
  const { request, job, rules } = run;
  const { ctx, now, detail } = request;
  const identity = { incidentId: importedIncidentId(job.jobId, draft.row), number: incidentNumber(sequence) };
  if (draft.originalNumber !== null) {
    const takenAs = await claimNumber(run, { ...draft, originalNumber: draft.originalNumber }, identity);
    if (takenAs !== null) {
      return {
        ok: false,
        row: draft.row,
        problems: [
          {
            column: job.numberColumn ?? null,
            message: `${draft.originalNumber} was imported by another import meanwhile, as ${takenAs}`,
          },
        ],
      };
    }
  }
  const { stored, clocks } = importedIncident(draft, identity, rules, now);
  const incident = stored.incident;
  // The person who started the import is the actor of what it creates, in the timeline and the audit trail.
  const actor = { userId: job.requestedBy, name: job.requestedByName };
  const importer: TenantContext = { ...ctx, userId: actor.userId, userName: actor.name };
  const timeline: NewTimelineEntry[] = [
    {
      kind: 'created',
      visibility: 'public',
      actor,
      text: `Imported from CSV (row ${draft.row}${draft.originalNumber !== null ? `, original number ${draft.originalNumber}` : ''})`,
      changes: [],
    },
  ];
  if (incident.priorityOverride) {
    timeline.push({
      kind: 'priority-change',
      visibility: 'internal',
      actor,
      text: `Priority set to ${incident.priorityOverride.to} instead of ${incident.priorityOverride.from}: ${incident.priorityOverride.reason}`,
      changes: [
        { field: 'priority', from: incident.priorityOverride.from, to: incident.priorityOverride.to },
      ],
    });
  }
  const event = outboxRecord(
    importer,
    IncidentCreated,
    {
      incidentId: incident.incidentId,
      number: incident.number,
      priority: incident.priority,
      state: incident.state,
      teamId: incident.teamId,
      assigneeId: incident.assigneeId,
      callerId: incident.caller.userId,
      changes: createdChanges(incident),
    },
    { correlationId: detail.correlationId, now },
  );
  const result = await writeIncident({
    tenantId: ctx.tenantId,
    expectedVersion: null,
    next: stored,
    clocks,
    timeline,
    events: [event],
    now,
  });
  // Cancelled on the record's must-not-exist condition: an earlier run created it, with this number.
  if (result.canceled && result.data[0]?.code !== 'ConditionalCheckFailed') {
    throw new Error(`Row ${draft.row} could not be imported; the bus will retry`);
  }
  return { ok: true, row: draft.row, ...identity, originalNumber: draft.originalNumber };
}

/**
 * The first incident number of the chunk: reserved once with one counter update for all its rows and
 * kept on the chunk, so a re-run gives every row the number it had. Numbers reserved by a run that lost
 * a race to another are skipped, never given twice.
 */
async function reserveNumbers(
  tenantId: string,
  jobId: string,
  index: string,
  count: number,
): Promise<number> {
  const db = getDatabase();
  const counted = await db.entities.counter
    .update({ tenantId, name: 'incident' })
    .add({ value: count })
    .go({ response: 'updated_new' });
  const first = (counted.data.value ?? count) - count + 1;
  const result = await db.transaction
    .write(({ incidentImportChunk }) => [
      incidentImportChunk
        .patch({ tenantId, jobId, kind: 'rows', index })
        .set({ firstSequence: first })
        .where(({ firstSequence }, { notExists }) => notExists(firstSequence))
        .commit(),
    ])
    .go();
  if (!result.canceled) return first;
  const chunk = await db.entities.incidentImportChunk.get({ tenantId, jobId, kind: 'rows', index }).go();
  if (chunk.data?.firstSequence === undefined) {
    throw new Error(
      `The numbers of chunk ${index} of import ${jobId} could not be reserved; the bus will retry`,
    );
  }
  return chunk.data.firstSequence;
}

async function importChunk(
  run: ChunkRun,
  chunk: { index: string; rows: string; firstSequence?: number | undefined },
): Promise<ChunkResult[]> {
  const { ctx } = run.request;
  const drafts = JSON.parse(chunk.rows) as ImportDraft[];
  const first =
    chunk.firstSequence ?? (await reserveNumbers(ctx.tenantId, run.job.jobId, chunk.index, drafts.length));
  const results: ChunkResult[] = [];
  for (const [offset, draft] of drafts.entries()) results.push(await importRow(run, draft, first + offset));
  // The drafts are not needed any more; the results are what the report reads.
  await getDatabase()
    .entities.incidentImportChunk.patch({
      tenantId: ctx.tenantId,
      jobId: run.job.jobId,
      kind: 'rows',
      index: chunk.index,
    })
    .set({ results: JSON.stringify(results), rows: '[]' })
    .go();
  return results;
}

/**
 * Imports the chunk the event names (or reads its results, when an earlier delivery imported it), then
 * records the counts on the job and hands on to the event for the next chunk, or marks the job done,
 * in one transaction with this event's processed marker: a redelivered event changes nothing twice.
 */
export async function importIncidents(request: EventRequest): Promise<void> {
  const { ctx, detail, consumer, logger, now } = request;
  const data = IncidentImportRequested.data.parse(detail.data);
  const db = getDatabase();
  const job = (await db.entities.incidentImport.get({ tenantId: ctx.tenantId, jobId: data.jobId }).go()).data;
  if (job?.status !== 'running') {
    logger.info('no running import for this event; nothing to do', { jobId: data.jobId });
    return;
  }
  const index = chunkIndex(data.chunk);
  const chunk = (
    await db.entities.incidentImportChunk
      .get({ tenantId: ctx.tenantId, jobId: data.jobId, kind: 'rows', index })
      .go()
  ).data;
  let results: ChunkResult[] = [];
  if (chunk?.results !== undefined) results = JSON.parse(chunk.results) as ChunkResult[];
  else if (chunk)
    results = await importChunk({ request, job, rules: await readIncidentRules(ctx.tenantId) }, chunk);
  const created = results.filter((result) => result.ok).length;
  const counts = {
    done: data.doneBefore + results.length,
    created: data.createdBefore + created,
    rejected: data.rejectedBefore + results.length - created,
  };
  const next = data.chunk + 1;
  const finished = next >= job.chunks;
  const at = now.toISOString();
  const event = finished
    ? null
    : outboxRecord(
        ctx,
        IncidentImportRequested,
        {
          jobId: data.jobId,
          chunk: next,
          doneBefore: counts.done,
          createdBefore: counts.created,
          rejectedBefore: counts.rejected,
        },
        { correlationId: detail.correlationId, now },
      );
  const result = await db.transaction
    .write(({ processedEvent, incidentImport, outbox }) => [
      processedEvent.create(processedMarker(ctx, consumer, detail.eventId, now)).commit(),
      incidentImport
        .patch({ tenantId: ctx.tenantId, jobId: data.jobId })
        .set({ ...counts, updatedAt: at, ...(finished ? { status: 'done' as const, finishedAt: at } : {}) })
        .where(({ status }, { eq }) => eq(status, 'running'))
        .commit(),
      ...(event ? [outbox.create(event).commit()] : []),
    ])
    .go();
  // Cancelled on the marker (this event was handled before) or on the job (finished meanwhile): done.
  if (result.canceled && !result.data.slice(0, 2).some((item) => item.code === 'ConditionalCheckFailed')) {
    throw new Error(`Import ${data.jobId} could not record chunk ${index}; the bus will retry`);
  }
  logger.info('import chunk handled', {
    jobId: data.jobId,
    chunk: data.chunk,
    consumer,
    ...counts,
    finished,
  });
}
