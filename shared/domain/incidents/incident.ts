import { z } from 'zod';
import type { FieldChange } from '../../events/service-catalogue.ts';
import { changesSchema } from '../common/changes.ts';
import type { SlaClock, SlaClocks, StateChange } from '../sla/clock.ts';
import { LEVELS, PRIORITIES } from '../tenancy/defaults.ts';
import { FINAL_STATES, HOLD_REASONS, INCIDENT_STATES, type IncidentState } from './lifecycle.ts';

/*
 * The incident record as the API shows it, the request bodies that change it, and the pure rules
 * around its SLA snapshot and due moments. The lifecycle is in lifecycle.ts, priorities in priority.ts.
 */

const id = z.string().min(1).max(64);
const text = (max: number) =>
  z.string().trim().min(1, 'This is required').max(max, `Use at most ${max} characters`);

/** States in which work is still to be done: the queues list exactly these. */
export const OPEN_STATES: readonly IncidentState[] = ['new', 'assigned', 'in-progress', 'on-hold'];
export function isOpen(state: IncidentState): boolean {
  return OPEN_STATES.includes(state);
}
export function isFinal(state: IncidentState): boolean {
  return FINAL_STATES.includes(state);
}

export const RESOLUTION_CODES = [
  'solved',
  'workaround',
  'not-reproducible',
  'duplicate',
  'user-error',
  'no-fault-found',
] as const;

const clockStatus = z.enum(['running', 'paused', 'met', 'breached', 'cancelled']);

/** What queues and the record show of the SLA clocks, as of the last write (never recomputed on read). */
export const slaSnapshotSchema = z.object({
  policyId: z.string(),
  policyName: z.string(),
  responseDueAt: z.iso.datetime().nullable(),
  /** When the response clock reaches (or reached) its warning threshold; null like the due time. */
  responseWarningAt: z.iso.datetime().nullable().default(null),
  responseStatus: clockStatus,
  resolutionDueAt: z.iso.datetime().nullable(),
  /** When the resolution clock reaches (or reached) its warning threshold; null like the due time. */
  resolutionWarningAt: z.iso.datetime().nullable().default(null),
  resolutionStatus: clockStatus,
  /** Paused business time of the resolution clock, in minutes. */
  pausedMinutes: z.number().int().nonnegative(),
  computedAt: z.iso.datetime(),
});
export type SlaSnapshot = z.infer<typeof slaSnapshotSchema>;

export const incidentSchema = z.object({
  incidentId: z.string(),
  number: z.string(),
  state: z.enum(INCIDENT_STATES),
  holdReason: z.enum(HOLD_REASONS).nullable(),
  caller: z.object({ userId: z.string(), name: z.string() }),
  businessUnitId: z.string().nullable(),
  serviceId: z.string().nullable(),
  configurationItem: z.string().nullable(),
  category: z.string().nullable(),
  impact: z.enum(LEVELS),
  urgency: z.enum(LEVELS),
  priority: z.enum(PRIORITIES),
  /** Set while the priority differs from the matrix; the reason is audited. */
  priorityOverride: z
    .object({ from: z.enum(PRIORITIES), to: z.enum(PRIORITIES), reason: z.string() })
    .nullable(),
  teamId: z.string().nullable(),
  assigneeId: z.string().nullable(),
  assigneeName: z.string().nullable(),
  shortDescription: z.string(),
  description: z.string(),
  resolutionCode: z.enum(RESOLUTION_CODES).nullable(),
  resolutionNotes: z.string().nullable(),
  resolvedAt: z.iso.datetime().nullable(),
  resolutionConfirmedAt: z.iso.datetime().nullable(),
  closeDueAt: z.iso.datetime().nullable(),
  closedAt: z.iso.datetime().nullable(),
  major: z.boolean(),
  links: z.array(z.string()),
  satisfaction: z
    .object({ rating: z.number().int().min(1).max(5), comment: z.string().nullable(), at: z.iso.datetime() })
    .nullable(),
  firstResponseAt: z.iso.datetime().nullable(),
  /** How many times a team or assignee was set: 1 for an incident taken on once (first-contact figures). */
  assignmentCount: z.number().int().nonnegative().default(0),
  sla: slaSnapshotSchema,
  version: z.number().int().positive(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Incident = z.infer<typeof incidentSchema>;

/** A line of the queues: enough to pick the next incident without opening it. */
export const incidentSummarySchema = incidentSchema.pick({
  incidentId: true,
  number: true,
  state: true,
  holdReason: true,
  priority: true,
  serviceId: true,
  teamId: true,
  assigneeId: true,
  assigneeName: true,
  shortDescription: true,
  major: true,
  sla: true,
  version: true,
  createdAt: true,
});
export type IncidentSummary = z.infer<typeof incidentSummarySchema>;

export function summaryOf(incident: Incident): IncidentSummary {
  return incidentSummarySchema.parse(incident);
}

export const TIMELINE_KINDS = [
  'created',
  'comment',
  'work-note',
  'state-change',
  'assignment',
  'priority-change',
  'field-change',
  'sla',
  'escalation',
  'resolution-confirmed',
  'satisfaction',
] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

export const timelineEntrySchema = z.object({
  entryId: z.string(),
  at: z.iso.datetime(),
  kind: z.enum(TIMELINE_KINDS),
  /** Internal entries (work notes, priority and SLA detail) are never shown to the caller. */
  visibility: z.enum(['public', 'internal']),
  actor: z.object({ userId: z.string(), name: z.string() }),
  text: z.string(),
  changes: z.array(z.object({ field: z.string(), from: z.unknown(), to: z.unknown() })),
});
export type TimelineEntry = z.infer<typeof timelineEntrySchema>;

export const incidentRecordSchema = incidentSchema.extend({ timeline: z.array(timelineEntrySchema) });

// ── Request bodies ────────────────────────────────────────────────────────────────────────────

export const newIncidentSchema = z
  .strictObject({
    shortDescription: text(160),
    description: z.string().trim().max(8000, 'Use at most 8000 characters').default(''),
    serviceId: id.nullable().default(null),
    configurationItem: z.string().trim().max(200, 'Use at most 200 characters').nullable().default(null),
    category: z.string().trim().max(80, 'Use at most 80 characters').nullable().default(null),
    impact: z.enum(LEVELS).default('medium'),
    urgency: z.enum(LEVELS).default('medium'),
    /** IT staff only; a requester's incident gets the matrix priority. */
    priorityOverride: z.enum(PRIORITIES).optional(),
    overrideReason: z.string().trim().max(500, 'Use at most 500 characters').optional(),
    /** IT staff only: logs the incident for this user (a call or a walk-in), who becomes its caller. */
    callerId: id.optional(),
  })
  .refine((input) => input.priorityOverride === undefined || (input.overrideReason ?? '') !== '', {
    message: 'Give a reason for overriding the priority',
    path: ['overrideReason'],
  });
export type NewIncident = z.infer<typeof newIncidentSchema>;

export const incidentChangesSchema = changesSchema({
  shortDescription: text(160).optional(),
  description: z.string().trim().max(8000, 'Use at most 8000 characters').optional(),
  serviceId: id.nullable().optional(),
  businessUnitId: id.nullable().optional(),
  configurationItem: z.string().trim().max(200, 'Use at most 200 characters').nullable().optional(),
  category: z.string().trim().max(80, 'Use at most 80 characters').nullable().optional(),
  impact: z.enum(LEVELS).optional(),
  urgency: z.enum(LEVELS).optional(),
  /** null returns to the matrix priority. */
  priorityOverride: z.enum(PRIORITIES).nullable().optional(),
  overrideReason: z.string().trim().max(500, 'Use at most 500 characters').optional(),
  major: z.boolean().optional(),
  links: z.array(text(64)).max(50).optional(),
}).refine((input) => !input.priorityOverride || (input.overrideReason ?? '') !== '', {
  message: 'Give a reason for overriding the priority',
  path: ['overrideReason'],
});
export type IncidentChanges = z.infer<typeof incidentChangesSchema>;

export const assignmentSchema = z
  .strictObject({ teamId: id.nullable(), assigneeId: id.nullable().default(null) })
  .refine((input) => input.teamId !== null || input.assigneeId !== null, {
    message: 'Name a team, an assignee or both',
    path: ['teamId'],
  });
export type Assignment = z.infer<typeof assignmentSchema>;

export const stateChangeRequestSchema = z
  .strictObject({
    to: z.enum(INCIDENT_STATES),
    reason: text(500).optional(),
    resolutionCode: z.enum(RESOLUTION_CODES).optional(),
    resolutionNotes: text(4000).optional(),
  })
  .refine((input) => input.to !== 'on-hold' || HOLD_REASONS.some((reason) => reason === input.reason), {
    message: `Going on hold needs a reason: ${HOLD_REASONS.join(', ')}`,
    path: ['reason'],
  })
  .refine(
    (input) => input.to !== 'resolved' || (input.resolutionCode !== undefined && !!input.resolutionNotes),
    { message: 'Resolving needs a resolution code and notes', path: ['resolutionCode'] },
  );
export type StateChangeRequest = z.infer<typeof stateChangeRequestSchema>;

export const noteSchema = z.strictObject({ text: text(8000) });

export const resolutionDecisionSchema = z
  .strictObject({
    decision: z.enum(['confirm', 'reopen']),
    reason: text(500).optional(),
  })
  .refine((input) => input.decision === 'confirm' || input.reason !== undefined, {
    message: 'Say why the incident is not resolved',
    path: ['reason'],
  });

export const satisfactionSchema = z.strictObject({
  rating: z.number().int().min(1, 'Rate from 1 to 5').max(5, 'Rate from 1 to 5'),
  comment: text(2000).nullable().default(null),
});

export const BULK_ASSIGN_LIMIT = 50;
export const bulkAssignmentSchema = z.strictObject({
  teamId: id.nullable(),
  assigneeId: id.nullable().default(null),
  items: z
    .array(z.strictObject({ incidentId: id, ifMatch: z.number().int().positive() }))
    .min(1)
    .max(BULK_ASSIGN_LIMIT),
});

export const bulkResultSchema = z.object({
  items: z.array(
    z.object({
      incidentId: z.string(),
      status: z.number().int(),
      version: z.number().int().nullable(),
      detail: z.string().nullable(),
    }),
  ),
});

export const QUEUES = ['mine', 'my-teams', 'unassigned', 'breaching-soon', 'all-open'] as const;
export type Queue = (typeof QUEUES)[number];

// ── SLA snapshot and due moments ─────────────────────────────────────────────────────────────

const MINUTE_MS = 60_000;

export function slaSnapshot(clocks: SlaClocks): SlaSnapshot {
  return {
    policyId: clocks.target.policyId,
    policyName: clocks.target.name,
    responseDueAt: clocks.response.dueAt,
    responseWarningAt: clocks.response.warningAt,
    responseStatus: clocks.response.status,
    resolutionDueAt: clocks.resolution.dueAt,
    resolutionWarningAt: clocks.resolution.warningAt,
    resolutionStatus: clocks.resolution.status,
    pausedMinutes: Math.floor(clocks.resolution.pausedMs / MINUTE_MS),
    computedAt: clocks.computedAt,
  };
}

/** A threshold of a clock that is announced once: SlaWarning or SlaBreached. */
export const SLA_MARKS = [
  'response-warning',
  'response-breach',
  'resolution-warning',
  'resolution-breach',
] as const;
export type SlaMark = (typeof SLA_MARKS)[number];

function markTime(clock: SlaClock, mark: 'warning' | 'breach'): string | null {
  if (mark === 'breach') return clock.breachedAt ?? (clock.status === 'running' ? clock.dueAt : null);
  // A warning is worth sending only while the clock may still be saved.
  return clock.status === 'running' || clock.status === 'paused' ? clock.warningAt : null;
}

function marksOf(clocks: SlaClocks): { mark: SlaMark; at: string }[] {
  const all: { mark: SlaMark; at: string | null }[] = [
    { mark: 'response-warning', at: markTime(clocks.response, 'warning') },
    { mark: 'response-breach', at: markTime(clocks.response, 'breach') },
    { mark: 'resolution-warning', at: markTime(clocks.resolution, 'warning') },
    { mark: 'resolution-breach', at: markTime(clocks.resolution, 'breach') },
  ];
  return all.flatMap((entry) => (entry.at === null ? [] : [{ mark: entry.mark, at: entry.at }]));
}

/** Marks reached by `clocks.computedAt` and not announced yet, oldest first: each is announced once. */
export function reachedMarks(
  clocks: SlaClocks,
  announced: readonly string[],
): { mark: SlaMark; at: string }[] {
  const now = Date.parse(clocks.computedAt);
  return marksOf(clocks)
    .filter((entry) => !announced.includes(entry.mark) && Date.parse(entry.at) <= now)
    .sort((a, b) => a.at.localeCompare(b.at));
}

/**
 * When the monitor must look at the incident next: the earliest mark not announced yet. A mark
 * already reached (the write happened after it) is due at once, so no breach is skipped because a
 * write came between the moment and the monitor's run. Null when nothing is pending.
 */
export function pendingSlaMoment(clocks: SlaClocks, announced: readonly string[]): string | null {
  const pending = marksOf(clocks).filter((entry) => !announced.includes(entry.mark));
  if (pending.length === 0) return null;
  const earliest = Math.min(...pending.map((entry) => Date.parse(entry.at)));
  return new Date(Math.max(earliest, Date.parse(clocks.computedAt))).toISOString();
}

/** The minute bucket of a due moment (UTC): the monitor reads one bucket per minute. */
export function dueBucket(at: string): string {
  return new Date(Math.floor(Date.parse(at) / MINUTE_MS) * MINUTE_MS).toISOString().slice(0, 16);
}

/** The buckets after `after` up to and including `until`'s, at most `max`. */
export function bucketsBetween(after: string, until: string, max: number): string[] {
  const buckets: string[] = [];
  let at = Date.parse(`${after}:00.000Z`) + MINUTE_MS;
  const last = Date.parse(`${dueBucket(until)}:00.000Z`);
  while (at <= last && buckets.length < max) {
    buckets.push(new Date(at).toISOString().slice(0, 16));
    at += MINUTE_MS;
  }
  return buckets;
}

/** The state history as the clocks read it; the first entry is the creation. */
export type IncidentHistory = StateChange[];

/** Field changes of an edit: only what really changes, with old and new values. */
export function diffIncident(
  current: Incident,
  next: Partial<Incident>,
  fields: readonly (keyof Incident)[],
): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of fields) {
    if (!(field in next)) continue;
    const from = current[field];
    const to = next[field];
    if (JSON.stringify(from) !== JSON.stringify(to)) changes.push({ field, from, to });
  }
  return changes;
}
