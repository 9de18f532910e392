import { z } from 'zod';
import { IT_STAFF } from '../../platform/roles.ts';
import type { StateChange } from '../sla/clock.ts';
import { instantOfWall } from '../sla/zone.ts';
import { type Level, PRIORITIES, type Priority, type PriorityMatrix } from '../tenancy/defaults.ts';
import { isOpen, RESOLUTION_CODES } from './incident.ts';
import {
  closeDueAt,
  HOLD_REASONS,
  type HoldReason,
  INCIDENT_STATES,
  type IncidentState,
} from './lifecycle.ts';
import { decidePriority } from './priority.ts';

/*
 * Moving a company's incident history in from a CSV file: reading the file (RFC 4180, with the
 * delimiter of the header line: comma, semicolon or tab), proposing which column holds which field,
 * and checking every row against the tenant's directory, catalogue and matrix into a draft of the
 * incident it becomes. A row is taken whole or not at all; every refusal names its row, column and
 * reason. Pure: the lookups come in, nothing is read or written here.
 */

/** A file larger than this is refused before it is read; split it and import the parts one after the other. */
export const IMPORT_MAX_BYTES = 4 * 1024 * 1024;
/** Rows (below the header) one import takes at most. */
export const IMPORT_MAX_ROWS = 10_000;
/** The reason kept with a priority the file gives that differs from the matrix. */
export const IMPORTED_OVERRIDE_REASON = 'Imported';

export const IMPORT_FIELDS = [
  'number',
  'shortDescription',
  'description',
  'callerEmail',
  'state',
  'holdReason',
  'priority',
  'impact',
  'urgency',
  'serviceName',
  'businessUnitName',
  'teamName',
  'assigneeEmail',
  'category',
  'createdAt',
  'respondedAt',
  'resolvedAt',
  'closedAt',
  'resolutionCode',
  'resolutionNotes',
] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];
/** A column mapped to this is left out. */
export const IGNORED_COLUMN = 'ignore';
export type ImportMapping = Record<string, ImportField | typeof IGNORED_COLUMN>;

/** Without these a row cannot become an incident, so a mapping must name a column for each. */
export const REQUIRED_IMPORT_FIELDS: readonly ImportField[] = [
  'shortDescription',
  'callerEmail',
  'createdAt',
];

export const IMPORT_FIELD_LABEL: Record<ImportField, string> = {
  number: 'Original number',
  shortDescription: 'Short description',
  description: 'Description',
  callerEmail: 'Caller email',
  state: 'State',
  holdReason: 'Hold reason',
  priority: 'Priority',
  impact: 'Impact',
  urgency: 'Urgency',
  serviceName: 'Service name',
  businessUnitName: 'Business unit',
  teamName: 'Team',
  assigneeEmail: 'Assignee email',
  category: 'Category',
  createdAt: 'Created',
  respondedAt: 'First response',
  resolvedAt: 'Resolved',
  closedAt: 'Closed',
  resolutionCode: 'Resolution code',
  resolutionNotes: 'Resolution notes',
};

/** Header names (compared without case, spaces or punctuation) that suggest each field. */
const HEADER_NAMES: Record<ImportField, readonly string[]> = {
  number: [
    'number',
    'incident number',
    'incident',
    'ticket',
    'ticket number',
    'id',
    'incident id',
    'reference',
    'ref',
    'key',
  ],
  shortDescription: ['short description', 'title', 'summary', 'subject'],
  description: ['description', 'details', 'long description'],
  callerEmail: ['caller email', 'caller', 'requester email', 'requester', 'reported by', 'caller e-mail'],
  state: ['state', 'status', 'incident state'],
  holdReason: ['hold reason', 'on hold reason', 'pending reason'],
  priority: ['priority'],
  impact: ['impact'],
  urgency: ['urgency'],
  serviceName: ['service name', 'service', 'business service'],
  businessUnitName: ['business unit', 'department', 'unit'],
  teamName: ['team', 'assignment group', 'group', 'assigned team'],
  assigneeEmail: ['assignee email', 'assignee', 'assigned to', 'assigned to email'],
  category: ['category'],
  createdAt: ['created', 'created at', 'created on', 'opened', 'opened at', 'date created', 'reported at'],
  respondedAt: ['first response', 'responded', 'responded at', 'first response at'],
  resolvedAt: ['resolved', 'resolved at', 'resolved on', 'resolution date', 'solved at'],
  closedAt: ['closed', 'closed at', 'closed on', 'close date'],
  resolutionCode: ['resolution code', 'close code', 'resolution'],
  resolutionNotes: ['resolution notes', 'close notes', 'solution', 'resolution description'],
};

const headerKey = (text: string) => text.toLocaleLowerCase('en').replace(/[^\p{L}\p{N}]/gu, '');

// ── Request and report schemas ───────────────────────────────────────────────────────────────

const mappingSchema = z.record(
  z.string().max(200, 'Use column names of at most 200 characters'),
  z.enum([...IMPORT_FIELDS, IGNORED_COLUMN], {
    error: `Choose one of ${IMPORT_FIELDS.join(', ')} or ${IGNORED_COLUMN}`,
  }),
);

const csvSchema = z
  .string()
  .min(1, 'Paste the CSV text or choose a file')
  // Characters, not bytes: the byte size is checked when the file is read, with a clearer message.
  .max(IMPORT_MAX_BYTES, `Import at most ${IMPORT_MAX_BYTES / 1024 / 1024} MB at a time; split the file`);

/** A dry run: the mapping may be left out, and the report then proposes one. */
export const importCheckSchema = z.strictObject({ csv: csvSchema, mapping: mappingSchema.optional() });
export type ImportCheck = z.infer<typeof importCheckSchema>;

/** An import: the mapping checked in the dry run is required, so nothing is guessed when it counts. */
export const importStartSchema = z.strictObject({ csv: csvSchema, mapping: mappingSchema });
export type ImportStart = z.infer<typeof importStartSchema>;

const problemSchema = z.object({ column: z.string().nullable(), message: z.string() });
export type RowProblem = z.infer<typeof problemSchema>;

export const rejectedRowSchema = z.object({
  row: z.number().int().positive(),
  problems: z.array(problemSchema),
});
export type RejectedRow = z.infer<typeof rejectedRowSchema>;

/** What a valid row will create: the file's number stays as a reference, with state, priority and dates. */
export const importPreviewSchema = z.object({
  row: z.number().int().positive(),
  originalNumber: z.string().nullable(),
  shortDescription: z.string(),
  callerName: z.string(),
  state: z.enum(INCIDENT_STATES),
  priority: z.enum(PRIORITIES),
  /** The file's priority differs from the matrix: kept as an override with the reason "Imported". */
  priorityOverridden: z.boolean(),
  createdAt: z.iso.datetime(),
  resolvedAt: z.iso.datetime().nullable(),
  closedAt: z.iso.datetime().nullable(),
});
export type ImportPreview = z.infer<typeof importPreviewSchema>;

/** How many valid rows a dry run shows; the rest are counted. */
export const IMPORT_PREVIEW_ROWS = 50;

export const importReportSchema = z.object({
  columns: z.array(z.object({ name: z.string(), sample: z.string() })),
  suggestedMapping: z.record(z.string(), z.enum(IMPORT_FIELDS)),
  /** The mapping the rows were checked with: the one sent, else the suggestion. */
  mapping: z.record(z.string(), z.enum([...IMPORT_FIELDS, IGNORED_COLUMN])),
  /** Why the rows could not be checked with that mapping (a suggestion missing a required field). */
  mappingProblems: z.array(z.object({ path: z.string(), message: z.string() })),
  /** The zone dates without an offset are read in. */
  timeZone: z.string(),
  rows: z.number().int().nonnegative(),
  valid: z.number().int().nonnegative(),
  rejected: z.number().int().nonnegative(),
  rejectedRows: z.array(rejectedRowSchema),
  preview: z.array(importPreviewSchema),
});
export type ImportReport = z.infer<typeof importReportSchema>;

export const importedIncidentSchema = z.object({
  row: z.number().int().positive(),
  incidentId: z.string(),
  number: z.string(),
  originalNumber: z.string().nullable(),
});
export type ImportedIncident = z.infer<typeof importedIncidentSchema>;

export const importJobSchema = z.object({
  jobId: z.string(),
  status: z.enum(['running', 'done']),
  /** Rows below the header in the file. */
  rows: z.number().int().nonnegative(),
  /** Rows to import (valid in the check at the start); `done` counts up to it. */
  total: z.number().int().nonnegative(),
  done: z.number().int().nonnegative(),
  created: z.number().int().nonnegative(),
  /** Rows not imported: refused at the start, or found imported by another import meanwhile. */
  rejected: z.number().int().nonnegative(),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().nullable(),
  /** When done: every incident created, by row. Null while running. */
  createdIncidents: z.array(importedIncidentSchema).nullable(),
  /** When done: every row not imported, with its reasons. Null while running. */
  rejectedRows: z.array(rejectedRowSchema).nullable(),
});
export type ImportJob = z.infer<typeof importJobSchema>;

// ── CSV ──────────────────────────────────────────────────────────────────────────────────────

export interface CsvRecord {
  /** The row as a spreadsheet numbers it: the header is row 1. */
  row: number;
  cells: string[];
}

export interface CsvTable {
  delimiter: ',' | ';' | '\t';
  header: string[];
  /** Rows below the header; blank rows are left out (their numbers stay counted). */
  records: CsvRecord[];
}

export type CsvResult = { ok: true; table: CsvTable } | { ok: false; message: string };

const DELIMITER_NAME = { ',': 'comma', ';': 'semicolon', '\t': 'tab' } as const;

/** The delimiter the header line uses most outside quotes; a comma when it uses none. */
function detectDelimiter(text: string): CsvTable['delimiter'] {
  const counts = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === '\n' || char === '\r')) break;
    else if (!quoted && (char === ',' || char === ';' || char === '\t')) counts[char] += 1;
  }
  const best = (Object.keys(counts) as CsvTable['delimiter'][]).reduce((a, b) =>
    counts[b] > counts[a] ? b : a,
  );
  return counts[best] > 0 ? best : ',';
}

/** Every row of the text as cells, or where the quoting breaks. */
function splitRows(text: string, delimiter: string): { rows: string[][] } | { error: string } {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  /** The cell was quoted and its closing quote read: only a delimiter or a line end may follow. */
  let closed = false;
  let quoteStartRow = 0;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (quoted) {
      if (char !== '"') cell += char;
      else if (text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else {
        quoted = false;
        closed = true;
      }
      continue;
    }
    if (char === delimiter) {
      row.push(cell);
      cell = '';
      closed = false;
    } else if (char === '\r' || char === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      closed = false;
      if (char === '\r' && text[i + 1] === '\n') i += 1;
    } else if (closed) {
      return {
        error: `Row ${rows.length + 1}: a quoted value must be followed by a ${DELIMITER_NAME[delimiter as CsvTable['delimiter']]} or the end of the line, not “${char}”. Write a quote inside a quoted value as two quotes ("").`,
      };
    } else if (char === '"' && cell === '') {
      quoted = true;
      quoteStartRow = rows.length + 1;
    } else {
      cell += char;
    }
  }
  if (quoted) {
    return {
      error: `Row ${quoteStartRow}: a quoted value is never closed; every value that starts with a quote needs a closing quote.`,
    };
  }
  if (cell !== '' || row.length > 0 || closed) {
    row.push(cell);
    rows.push(row);
  }
  return { rows };
}

/**
 * Reads a CSV file: a byte order mark is dropped, CRLF, LF and CR all end a row, and quoted values
 * may hold the delimiter, line breaks and doubled quotes. The first row names the columns.
 */
export function parseCsv(text: string): CsvResult {
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > IMPORT_MAX_BYTES) {
    return {
      ok: false,
      message: `The file is ${(bytes / 1024 / 1024).toFixed(1)} MB; import at most ${IMPORT_MAX_BYTES / 1024 / 1024} MB (and ${IMPORT_MAX_ROWS.toLocaleString('en')} rows) at a time. Split it and import the parts one after the other.`,
    };
  }
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (body.trim() === '') return { ok: false, message: 'The file is empty.' };
  const delimiter = detectDelimiter(body);
  const split = splitRows(body, delimiter);
  if ('error' in split) return { ok: false, message: split.error };
  const [first, ...rest] = split.rows;
  const header = (first ?? []).map((name, index) => name.trim() || `Column ${index + 1}`);
  const seen = new Map<string, number>();
  for (const [index, name] of header.entries()) {
    const before = seen.get(name.toLocaleLowerCase('en'));
    if (before !== undefined) {
      return {
        ok: false,
        message: `Columns ${before + 1} and ${index + 1} are both named “${name}”; give each column its own name.`,
      };
    }
    seen.set(name.toLocaleLowerCase('en'), index);
  }
  const records = rest
    .map((cells, index) => ({ row: index + 2, cells }))
    .filter((record) => record.cells.some((cell) => cell.trim() !== ''));
  if (records.length === 0) return { ok: false, message: 'The file has no rows below its header row.' };
  if (records.length > IMPORT_MAX_ROWS) {
    return {
      ok: false,
      message: `The file has ${records.length.toLocaleString('en')} rows; import at most ${IMPORT_MAX_ROWS.toLocaleString('en')} at a time. Split it and import the parts one after the other.`,
    };
  }
  return { ok: true, table: { delimiter, header, records } };
}

/** Each column with its first non-empty value, so a person can tell what the column holds. */
export function columnSamples(table: CsvTable): { name: string; sample: string }[] {
  return table.header.map((name, index) => {
    const found = table.records.find((record) => (record.cells[index] ?? '').trim() !== '');
    const sample = (found?.cells[index] ?? '').trim().replace(/\s+/g, ' ');
    return { name, sample: sample.length > 80 ? `${sample.slice(0, 79)}…` : sample };
  });
}

// ── Mapping ──────────────────────────────────────────────────────────────────────────────────

/** A field for each column whose name says which, each field at most once (the first column wins). */
export function suggestMapping(columns: readonly string[]): Record<string, ImportField> {
  const suggestion: Record<string, ImportField> = {};
  const taken = new Set<ImportField>();
  for (const column of columns) {
    const key = headerKey(column);
    const field = IMPORT_FIELDS.find(
      (candidate) => !taken.has(candidate) && HEADER_NAMES[candidate].some((name) => headerKey(name) === key),
    );
    if (field) {
      suggestion[column] = field;
      taken.add(field);
    }
  }
  return suggestion;
}

export interface MappingProblem {
  /** `mapping.<column>` for one column, `mapping` for the mapping as a whole. */
  path: string;
  message: string;
}

/** Columns the file lacks, fields mapped twice, required fields not mapped: each with its own message. */
export function checkMapping(columns: readonly string[], mapping: ImportMapping): MappingProblem[] {
  const problems: MappingProblem[] = [];
  const byField = new Map<ImportField, string>();
  for (const [column, field] of Object.entries(mapping)) {
    if (!columns.includes(column)) {
      problems.push({ path: `mapping.${column}`, message: `The file has no column “${column}”` });
      continue;
    }
    if (field === IGNORED_COLUMN) continue;
    const before = byField.get(field);
    if (before !== undefined) {
      problems.push({
        path: `mapping.${column}`,
        message: `${IMPORT_FIELD_LABEL[field]} is already read from the column “${before}”`,
      });
    } else {
      byField.set(field, column);
    }
  }
  const missing = REQUIRED_IMPORT_FIELDS.filter((field) => !byField.has(field));
  if (missing.length > 0) {
    problems.push({
      path: 'mapping',
      message: `Choose a column for ${missing.map((field) => IMPORT_FIELD_LABEL[field]).join(', ')}`,
    });
  }
  return problems;
}

// ── Values ───────────────────────────────────────────────────────────────────────────────────

const words = (text: string) =>
  text
    .toLocaleLowerCase('en')
    .replace(/[-_/()]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

const STATE_WORDS: Record<string, IncidentState | 'open'> = {
  new: 'new',
  open: 'open',
  logged: 'new',
  registered: 'new',
  submitted: 'new',
  assigned: 'assigned',
  queued: 'assigned',
  'in progress': 'in-progress',
  'work in progress': 'in-progress',
  wip: 'in-progress',
  active: 'in-progress',
  'in work': 'in-progress',
  working: 'in-progress',
  'on hold': 'on-hold',
  onhold: 'on-hold',
  hold: 'on-hold',
  suspended: 'on-hold',
  resolved: 'resolved',
  solved: 'resolved',
  fixed: 'resolved',
  done: 'resolved',
  completed: 'resolved',
  complete: 'resolved',
  closed: 'closed',
  archived: 'closed',
  cancelled: 'cancelled',
  canceled: 'cancelled',
  withdrawn: 'cancelled',
  void: 'cancelled',
};

/** A state word of another tool as ours; 'open' is decided by the row (assigned when it names someone). */
export function readState(text: string): IncidentState | 'open' | undefined {
  const key = words(text);
  return STATE_WORDS[key] ?? (/^(awaiting|waiting|pending)\b/.test(key) ? 'on-hold' : undefined);
}

/** High, medium, low; also "1 - High", 2, Moderate and the like. */
export function readLevel(text: string): Level | undefined {
  const key = words(text);
  const digit = /^([1-3])\b/.exec(key)?.[1];
  if (digit) return (['high', 'medium', 'low'] as const)[Number(digit) - 1];
  if (/\b(high|critical|extensive|widespread)\b/.test(key)) return 'high';
  if (/\b(medium|moderate|significant)\b/.test(key)) return 'medium';
  if (/\b(low|minor)\b/.test(key)) return 'low';
  return undefined;
}

/** P1 to P5; also "1 - Critical", 3 and the usual names of the five levels. */
export function readPriority(text: string): Priority | undefined {
  const key = words(text);
  const digit = /^p?\s?([1-5])\b/.exec(key)?.[1];
  if (digit) return `P${digit}` as Priority;
  if (/\bcritical\b/.test(key)) return 'P1';
  if (/\bhigh\b/.test(key)) return 'P2';
  if (/\b(moderate|medium)\b/.test(key)) return 'P3';
  if (/\blow\b/.test(key)) return 'P4';
  if (/\bplanning\b/.test(key)) return 'P5';
  return undefined;
}

type ResolutionCode = (typeof RESOLUTION_CODES)[number];

/** Our resolution codes, and the wording other tools use for them ("Solved (Work Around)"). */
export function readResolutionCode(text: string): ResolutionCode | undefined {
  const key = words(text);
  const exact = RESOLUTION_CODES.find((code) => code === key.replaceAll(' ', '-'));
  if (exact) return exact;
  if (/work ?around/.test(key)) return 'workaround';
  if (/reproduc/.test(key)) return 'not-reproducible';
  if (/duplicate/.test(key)) return 'duplicate';
  if (/user error/.test(key)) return 'user-error';
  if (/no fault/.test(key)) return 'no-fault-found';
  if (/\b(solved|fixed|resolved|permanently)\b/.test(key)) return 'solved';
  return undefined;
}

export function readHoldReason(text: string): HoldReason | undefined {
  const key = words(text);
  const exact = HOLD_REASONS.find((reason) => reason === key.replaceAll(' ', '-'));
  if (exact) return exact;
  if (/\b(caller|user|customer|requester)\b/.test(key)) return 'awaiting-caller';
  if (/\b(supplier|vendor|third party)\b/.test(key)) return 'awaiting-supplier';
  if (/\b(change|rfc)\b/.test(key)) return 'awaiting-change';
  return undefined;
}

const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/;
const ZONED_DATE =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** The wall-clock reading as UTC milliseconds, or null for a date that does not exist (31 April). */
function wallMillis(parts: readonly (string | undefined)[]): number | null {
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = parts.map((part) =>
    Number(part ?? 0),
  );
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return null;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const back = new Date(ms);
  return back.getUTCFullYear() === year && back.getUTCMonth() === month - 1 && back.getUTCDate() === day
    ? ms
    : null;
}

/**
 * A date of the file as a UTC instant: ISO 8601 with an offset as written, or `YYYY-MM-DD HH:MM`
 * (also `T`, seconds, or the date alone for midnight) as a wall-clock time in the tenant's zone.
 */
export function readDate(text: string, timeZone: string): string | undefined {
  const zoned = ZONED_DATE.exec(text);
  if (zoned) {
    const wall = wallMillis(zoned.slice(1, 7));
    if (wall === null) return undefined;
    const fraction = Number((zoned[7] ?? '').padEnd(3, '0').slice(0, 3));
    const offsetText = zoned[8] ?? 'Z';
    const offset = /^z$/i.test(offsetText)
      ? 0
      : (offsetText.startsWith('-') ? -1 : 1) *
        (Number(offsetText.slice(1, 3)) * 60 + Number(offsetText.slice(-2))) *
        60_000;
    return new Date(wall + fraction - offset).toISOString();
  }
  const local = LOCAL_DATE.exec(text);
  if (!local) return undefined;
  const wall = wallMillis(local.slice(1, 7));
  return wall === null ? undefined : new Date(instantOfWall(timeZone, wall)).toISOString();
}

// ── Rows ─────────────────────────────────────────────────────────────────────────────────────

export interface ImportUser {
  userId: string;
  name: string;
  roles: readonly string[];
  status: string;
  businessUnitId: string | null;
}

/** The tenant's records a row may name, keyed by lower-cased email or name. */
export interface ImportDirectory {
  users: ReadonlyMap<string, ImportUser>;
  /** Several ids under one name make the name ambiguous. */
  services: ReadonlyMap<string, readonly string[]>;
  teams: ReadonlyMap<string, readonly string[]>;
  businessUnits: ReadonlyMap<string, readonly string[]>;
  /** Original numbers imported before (see {@link originalNumberKey}) and the number each became. */
  imported: ReadonlyMap<string, string>;
}

export interface ImportRules {
  matrix: PriorityMatrix;
  /** The tenant's zone, for dates written without an offset. */
  timeZone: string;
  now: Date;
  directory: ImportDirectory;
}

/** Everything an incident is built from; stored with the job between the check and the import. */
export interface ImportDraft {
  row: number;
  originalNumber: string | null;
  shortDescription: string;
  description: string;
  category: string | null;
  caller: { userId: string; name: string };
  businessUnitId: string | null;
  serviceId: string | null;
  teamId: string | null;
  assignee: { userId: string; name: string } | null;
  impact: Level;
  urgency: Level;
  priority: Priority;
  priorityOverride: { from: Priority; to: Priority; reason: string } | null;
  state: IncidentState;
  holdReason: HoldReason | null;
  createdAt: string;
  respondedAt: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
  resolutionCode: ResolutionCode | null;
  resolutionNotes: string | null;
}

export type RowOutcome = { row: number; ok: true; draft: ImportDraft } | ({ ok: false } & RejectedRow);

/** Original numbers are compared without case or surrounding space: INC-1 and inc-1 are one incident. */
export function originalNumberKey(number: string): string {
  return number.trim().toLocaleUpperCase('en');
}

/** "An in-progress", "A new": states start sentences in refusals. */
const withArticle = (state: IncidentState) => `${/^[aeiou]/.test(state) ? 'An' : 'A'} ${state}`;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const isItStaff = (user: ImportUser) =>
  user.roles.some((role) => (IT_STAFF as readonly string[]).includes(role));

/** One row against the mapping and the tenant's records. */
class RowReader {
  readonly problems: RowProblem[] = [];
  readonly #cells: readonly string[];
  readonly #columnOf: ReadonlyMap<ImportField, { name: string; index: number }>;

  constructor(cells: readonly string[], columnOf: ReadonlyMap<ImportField, { name: string; index: number }>) {
    this.#cells = cells;
    this.#columnOf = columnOf;
  }

  column(field: ImportField): string | null {
    return this.#columnOf.get(field)?.name ?? null;
  }

  /** The trimmed value of the field's column; '' when not mapped or empty. */
  value(field: ImportField): string {
    const column = this.#columnOf.get(field);
    return column ? (this.#cells[column.index] ?? '').trim() : '';
  }

  refuse(field: ImportField | null, message: string): undefined {
    this.problems.push({ column: field ? this.column(field) : null, message });
    return undefined;
  }

  text(field: ImportField, max: number): string | null {
    const value = this.value(field);
    if (value === '') return null;
    if (value.length > max) {
      return this.refuse(field, `Use at most ${max} characters (this value has ${value.length})`) ?? null;
    }
    return value;
  }

  date(field: ImportField, rules: ImportRules): string | null {
    const value = this.value(field);
    if (value === '') return null;
    const at = readDate(value, rules.timeZone);
    if (at === undefined) {
      return (
        this.refuse(
          field,
          `“${value}” is not a date: write 2024-03-01T09:30:00Z (ISO with an offset) or 2024-03-01 09:30 (${rules.timeZone} time)`,
        ) ?? null
      );
    }
    if (Date.parse(at) > rules.now.getTime()) {
      return this.refuse(field, `${value} lies in the future; the import takes history only`) ?? null;
    }
    return at;
  }

  /** A name looked up among several records of the same kind. */
  named(field: ImportField, records: ReadonlyMap<string, readonly string[]>, what: string): string | null {
    const value = this.value(field);
    if (value === '') return null;
    const ids = records.get(value.toLocaleLowerCase('en')) ?? [];
    if (ids.length === 1) return ids[0] ?? null;
    return (
      this.refuse(
        field,
        ids.length === 0
          ? `There is no ${what} named “${value}”`
          : `${ids.length} ${what}s are named “${value}”; give them different names first`,
      ) ?? null
    );
  }

  user(field: ImportField, users: ReadonlyMap<string, ImportUser>): ImportUser | null {
    const value = this.value(field);
    if (value === '') return null;
    if (!EMAIL.test(value)) return this.refuse(field, `“${value}” is not an email address`) ?? null;
    const user = users.get(value.toLocaleLowerCase('en'));
    if (!user) {
      return (
        this.refuse(field, `Nobody in your organisation has the email ${value}; invite them first`) ?? null
      );
    }
    return user;
  }
}

function columnsOf(header: readonly string[], mapping: ImportMapping) {
  const columns = new Map<ImportField, { name: string; index: number }>();
  for (const [name, field] of Object.entries(mapping)) {
    const index = header.indexOf(name);
    if (field !== IGNORED_COLUMN && index >= 0 && !columns.has(field)) columns.set(field, { name, index });
  }
  return columns;
}

/** The state a row says, or the one its dates imply when it says none. */
function stateOf(reader: RowReader, dates: { resolvedAt: string | null; closedAt: string | null }) {
  const value = reader.value('state');
  if (value === '') return dates.closedAt ? 'closed' : dates.resolvedAt ? 'resolved' : 'open';
  const state = readState(value);
  if (state === undefined) {
    return reader.refuse(
      'state',
      `“${value}” is not a state: use ${INCIDENT_STATES.join(', ')} (or Open, Solved, Pending and the like)`,
    );
  }
  return state;
}

function readRow(
  record: CsvRecord,
  width: number,
  columns: ReadonlyMap<ImportField, { name: string; index: number }>,
  rules: ImportRules,
  seen: Map<string, number>,
): RowOutcome {
  const reader = new RowReader(record.cells, columns);
  const { directory } = rules;
  const extra = record.cells.slice(width).filter((cell) => cell.trim() !== '');
  if (extra.length > 0) {
    reader.refuse(
      null,
      `This row has ${record.cells.length} values but the header names ${width} columns; a value holding the delimiter or a line break needs quotes around it`,
    );
  }

  const originalNumber = reader.text('number', 64);
  if (originalNumber !== null) {
    const key = originalNumberKey(originalNumber);
    const earlier = seen.get(key);
    const imported = directory.imported.get(key);
    if (earlier !== undefined) reader.refuse('number', `${originalNumber} is also in row ${earlier}`);
    else if (imported !== undefined) {
      reader.refuse('number', `${originalNumber} was imported before, as ${imported}`);
    }
    if (earlier === undefined) seen.set(key, record.row);
  }

  const shortDescription = reader.text('shortDescription', 160);
  if (shortDescription === null && reader.value('shortDescription') === '') {
    reader.refuse('shortDescription', 'The short description is empty');
  }
  const description = reader.text('description', 8000) ?? '';
  const category = reader.text('category', 80);
  const resolutionNotes = reader.text('resolutionNotes', 4000);

  const caller = reader.user('callerEmail', directory.users);
  if (caller === null && reader.value('callerEmail') === '')
    reader.refuse('callerEmail', 'The caller’s email is empty');
  const assignee = reader.user('assigneeEmail', directory.users);
  if (assignee && !isItStaff(assignee)) {
    reader.refuse(
      'assigneeEmail',
      `${reader.value('assigneeEmail')} is not IT staff, so cannot be the assignee`,
    );
  }
  const serviceId = reader.named('serviceName', directory.services, 'service in the catalogue');
  const teamId = reader.named('teamName', directory.teams, 'team');
  const unitId = reader.named('businessUnitName', directory.businessUnits, 'business unit');

  const level = (field: 'impact' | 'urgency'): Level => {
    const value = reader.value(field);
    if (value === '') return 'medium';
    return (
      readLevel(value) ??
      reader.refuse(field, `“${value}” is not a level: use high, medium or low (or 1, 2, 3)`) ??
      'medium'
    );
  };
  const impact = level('impact');
  const urgency = level('urgency');
  const priorityText = reader.value('priority');
  const givenPriority = priorityText === '' ? undefined : readPriority(priorityText);
  if (priorityText !== '' && givenPriority === undefined) {
    reader.refuse('priority', `“${priorityText}” is not a priority: use P1 to P5 (or 1 to 5)`);
  }

  const createdAt = reader.date('createdAt', rules);
  if (createdAt === null && reader.value('createdAt') === '')
    reader.refuse('createdAt', 'The created date is empty');
  const respondedAt = reader.date('respondedAt', rules);
  const resolvedAt = reader.date('resolvedAt', rules);
  const closedAt = reader.date('closedAt', rules);

  const said = stateOf(reader, { resolvedAt, closedAt });
  const state: IncidentState | undefined = said === 'open' ? (assignee || teamId ? 'assigned' : 'new') : said;

  let holdReason: HoldReason | null = null;
  const holdText = reader.value('holdReason');
  if (state === 'on-hold') {
    holdReason = holdText === '' ? null : (readHoldReason(holdText) ?? null);
    if (holdReason === null) {
      reader.refuse(
        holdText === '' ? 'state' : 'holdReason',
        `An on-hold incident needs a hold reason: ${HOLD_REASONS.join(', ')}${holdText === '' ? ' (map a column to Hold reason)' : `, not “${holdText}”`}`,
      );
    }
  }

  const codeText = reader.value('resolutionCode');
  const resolutionCode = codeText === '' ? null : (readResolutionCode(codeText) ?? null);
  if (codeText !== '' && resolutionCode === null) {
    reader.refuse(
      'resolutionCode',
      `“${codeText}” is not a resolution code: use ${RESOLUTION_CODES.join(', ')}`,
    );
  }

  if (state !== undefined) {
    const settled = state === 'resolved' || state === 'closed';
    if (state === 'resolved' && resolvedAt === null && reader.value('resolvedAt') === '') {
      reader.refuse('resolvedAt', 'A resolved incident needs its resolved date');
    }
    if (state === 'closed' && resolvedAt === null && closedAt === null && reader.value('closedAt') === '') {
      reader.refuse('closedAt', 'A closed incident needs its closed or resolved date');
    }
    if (isOpen(state) && resolvedAt !== null) {
      reader.refuse(
        'resolvedAt',
        `${withArticle(state)} incident has no resolved date; leave it empty or give the state resolved`,
      );
    }
    if (state === 'cancelled' && resolvedAt !== null) {
      reader.refuse(
        'resolvedAt',
        'A cancelled incident has no resolved date; give the cancellation time as the closed date',
      );
    }
    if ((isOpen(state) || state === 'resolved') && closedAt !== null) {
      reader.refuse(
        'closedAt',
        `${withArticle(state)} incident has no closed date; leave it empty or give the state closed`,
      );
    }
    if (!settled && state !== 'cancelled' && (resolutionCode !== null || resolutionNotes !== null)) {
      reader.refuse(
        resolutionCode !== null ? 'resolutionCode' : 'resolutionNotes',
        `${withArticle(state)} incident has no resolution yet; leave the resolution empty`,
      );
    }
    if (isOpen(state) && assignee && assignee.status === 'deactivated') {
      reader.refuse(
        'assigneeEmail',
        `${reader.value('assigneeEmail')} is deactivated, so cannot work an open incident`,
      );
    }
  }

  if (createdAt !== null) {
    const order: [ImportField, string | null][] = [
      ['respondedAt', respondedAt],
      ['resolvedAt', resolvedAt],
      ['closedAt', closedAt],
    ];
    let previous: { field: ImportField; at: string } = { field: 'createdAt', at: createdAt };
    for (const [field, at] of order) {
      if (at === null) continue;
      if (Date.parse(at) < Date.parse(previous.at)) {
        reader.refuse(
          field,
          `${IMPORT_FIELD_LABEL[field]} lies before ${IMPORT_FIELD_LABEL[previous.field].toLocaleLowerCase('en')}`,
        );
      }
      // The clocks read these dates as one history, oldest first.
      previous = { field, at };
    }
  }

  if (reader.problems.length > 0 || !caller || shortDescription === null || createdAt === null || !state) {
    return { row: record.row, ok: false, problems: reader.problems };
  }
  const decision = decidePriority(rules.matrix, {
    impact,
    urgency,
    ...(givenPriority !== undefined
      ? { priorityOverride: givenPriority, overrideReason: IMPORTED_OVERRIDE_REASON }
      : {}),
  });
  const settledAt = resolvedAt ?? closedAt;
  return {
    row: record.row,
    ok: true,
    draft: {
      row: record.row,
      originalNumber,
      shortDescription,
      description,
      category,
      caller: { userId: caller.userId, name: caller.name },
      businessUnitId: unitId ?? caller.businessUnitId,
      serviceId,
      teamId,
      assignee: assignee ? { userId: assignee.userId, name: assignee.name } : null,
      impact,
      urgency,
      priority: decision.priority,
      priorityOverride: decision.override,
      state,
      holdReason,
      createdAt,
      respondedAt,
      resolvedAt: state === 'resolved' || state === 'closed' ? settledAt : null,
      closedAt: state === 'closed' ? (closedAt ?? resolvedAt) : state === 'cancelled' ? closedAt : null,
      resolutionCode,
      resolutionNotes,
    },
  };
}

/** The original numbers of the file (as {@link originalNumberKey}), to look up earlier imports of. */
export function originalNumbersIn(table: CsvTable, mapping: ImportMapping): string[] {
  const number = columnsOf(table.header, mapping).get('number');
  if (!number) return [];
  const keys = table.records.map((record) => originalNumberKey(record.cells[number.index] ?? ''));
  return [...new Set(keys.filter((key) => key !== '' && key.length <= 64))];
}

/** The column the original numbers are read from, if any. */
export function numberColumnOf(mapping: ImportMapping): string | null {
  return Object.entries(mapping).find(([, field]) => field === 'number')?.[0] ?? null;
}

/**
 * Checks every row with the mapping; a row with any problem is refused whole, listing each problem
 * with its column. The mapping must have passed {@link checkMapping}.
 */
export function readRows(table: CsvTable, mapping: ImportMapping, rules: ImportRules): RowOutcome[] {
  const columns = columnsOf(table.header, mapping);
  const seen = new Map<string, number>();
  return table.records.map((record) => readRow(record, table.header.length, columns, rules, seen));
}

export function previewOf(draft: ImportDraft): ImportPreview {
  return {
    row: draft.row,
    originalNumber: draft.originalNumber,
    shortDescription: draft.shortDescription,
    callerName: draft.caller.name,
    state: draft.state,
    priority: draft.priority,
    priorityOverridden: draft.priorityOverride !== null,
    createdAt: draft.createdAt,
    resolvedAt: draft.resolvedAt,
    closedAt: draft.closedAt,
  };
}

// ── The incident a draft becomes ─────────────────────────────────────────────────────────────

/**
 * When the incident was first responded to. The file rarely says; an incident past `new` was taken on,
 * and without a date for it, it counts as taken on when it was logged (so its response clock is met).
 * A cancelled incident without a response date was never responded to.
 */
export function importedFirstResponse(draft: ImportDraft): string | null {
  if (draft.respondedAt !== null) return draft.respondedAt;
  return draft.state === 'new' || draft.state === 'cancelled' ? null : draft.createdAt;
}

/**
 * The state history the SLA clocks read, from the file's dates: created as new, taken on at the first
 * response, then resolved, closed or cancelled at their dates. When the incident went on hold is not
 * known; it is taken to have waited since it was taken on.
 */
export function importedHistory(draft: ImportDraft): StateChange[] {
  const created: StateChange = { at: draft.createdAt, state: 'new', priority: draft.priority };
  const takenOn = importedFirstResponse(draft) ?? draft.createdAt;
  switch (draft.state) {
    case 'new':
      return [created];
    case 'assigned':
    case 'in-progress':
      return [created, { at: takenOn, state: draft.state }];
    case 'on-hold':
      return [
        created,
        { at: takenOn, state: 'on-hold', ...(draft.holdReason ? { reason: draft.holdReason } : {}) },
      ];
    case 'resolved':
    case 'closed': {
      const resolvedAt = draft.resolvedAt ?? draft.createdAt;
      const worked: StateChange[] = [
        created,
        { at: takenOn, state: 'in-progress' },
        { at: resolvedAt, state: 'resolved' },
      ];
      return draft.state === 'closed'
        ? [...worked, { at: draft.closedAt ?? resolvedAt, state: 'closed' }]
        : worked;
    }
    case 'cancelled':
      return [created, { at: draft.closedAt ?? draft.createdAt, state: 'cancelled' }];
  }
}

/**
 * When an imported resolved incident closes by itself: the tenant's auto-close days after its
 * resolution, but never before the import, so one whose time has passed closes at the monitor's next run
 * (the monitor reads due moments from where it stopped, not from the past).
 */
export function importedCloseDueAt(
  resolvedAt: string,
  autoCloseDays: number,
  timeZone: string,
  now: Date,
): string {
  const due = closeDueAt(resolvedAt, autoCloseDays, timeZone);
  return Date.parse(due) > now.getTime() ? due : now.toISOString();
}
