import { z } from 'zod';
import { INCIDENT_STATES } from '../incidents/lifecycle.ts';
import { PRIORITIES, type Priority } from '../tenancy/defaults.ts';
import { addBusinessMillis, type BusinessCalendar, businessMillisBetween } from './calendar.ts';
import type { SlaTarget } from './policy.ts';
import { MINUTE_MS } from './zone.ts';

/*
 * SLA clocks, always computed from the record's whole state history and the target that applies
 * now. Nothing is accumulated between calls, so a priority or policy change recomputes the due time
 * from the start while the elapsed and paused time (which come from the history) stay what they
 * were, and recomputing open records after a policy edit is one call per record.
 *
 * - The resolution clock runs from creation, pauses in the target's pause states, stops at
 *   resolution, resumes on reopening (resolved → anything open) with its elapsed time kept, and ends
 *   for good when the record is closed or cancelled.
 * - The response clock runs the same way until the first response (first assignment or first public
 *   reply); resolution, closure or cancellation before any response end it too. It never resumes.
 * - A clock reaching its target is breached at that instant, also when it stops at that very
 *   instant: 100 % of the target is the breach.
 */

export const stateChangeSchema = z.object({
  at: z.iso.datetime({ offset: true }),
  state: z.enum(INCIDENT_STATES),
  priority: z.enum(PRIORITIES).optional(),
  /** Why: the hold reason when going on hold, otherwise the actor's note. */
  reason: z.string().max(500).optional(),
});
export type StateChange = z.infer<typeof stateChangeSchema>;

/** Oldest first; the first entry is the record's creation. */
export const stateHistorySchema = z
  .array(stateChangeSchema)
  .min(1)
  .refine(
    (history) =>
      history.every((entry, i) => i === 0 || Date.parse(history[i - 1]?.at ?? '') <= Date.parse(entry.at)),
    'List state changes oldest first',
  );

export const DEFAULT_WARNING_THRESHOLD = 0.75;
/** The share of a target after which a clock warns; a tenant setting. */
export const warningThresholdSchema = z.number().gt(0).lte(1).default(DEFAULT_WARNING_THRESHOLD);

export type SlaClockStatus = 'running' | 'paused' | 'met' | 'breached' | 'cancelled';
/** 'stopped' is time between a resolution and a reopening: neither counted nor paused. */
export type SegmentKind = 'running' | 'paused' | 'stopped';
export type StopCause = 'responded' | 'resolved' | 'cancelled';

export type ClockSegment = {
  from: string;
  /** null while the segment is still going on at `now`. */
  to: string | null;
  kind: SegmentKind;
  /** Paused: the hold reason (or the pausing state); stopped: 'resolved'; running: null. */
  reason: string | null;
  /** Business time inside the segment, on the target's calendar. */
  businessMs: number;
};

export type SlaClock = {
  status: SlaClockStatus;
  /** Business time the clock has run. */
  elapsedMs: number;
  /** Business time the clock has spent paused (calendar time shows in the segments). */
  pausedMs: number;
  targetMs: number;
  /** When the target is (or was) reached; null while paused or after stopping short of it. */
  dueAt: string | null;
  /** targetMs − elapsedMs: frozen while paused or stopped, negative once overdue. */
  remainingMs: number;
  /** When the warning threshold is (or was) reached; null like dueAt. */
  warningAt: string | null;
  breachedAt: string | null;
  stoppedAt: string | null;
  stopCause: StopCause | null;
  segments: ClockSegment[];
};

export type SlaClocks = {
  computedAt: string;
  warningThreshold: number;
  /** Which target applied, for the SLA timeline. */
  target: {
    policyId: string;
    name: string;
    calendarName: string;
    timeZone: string;
    responseMinutes: number;
    resolutionMinutes: number;
    pauseStates: string[];
  };
  response: SlaClock;
  resolution: SlaClock;
};

export type SlaClockInput = {
  history: readonly StateChange[];
  /** First assignment or first public reply, if any. */
  firstResponseAt?: string | null;
  target: SlaTarget;
  now: string;
  warningThreshold?: number;
};

type Span = { from: number; to: number; kind: SegmentKind; reason: string | null };
type Stop = { at: number; cause: StopCause };
/** A clock's spans up to now, and why and when it stopped (null: it still goes on). */
type Track = { spans: Span[]; stop: Stop | null };

function instant(iso: string, name: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`${name} is not a date-time: ${iso}`);
  return ms;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Appends a span, merging it into the previous one when the clock did the same thing for the same reason. */
function append(spans: Span[], span: Span): void {
  const last = spans.at(-1);
  if (last && last.kind === span.kind && last.reason === span.reason) last.to = span.to;
  else spans.push(span);
}

function spanKind(state: string, pauseStates: readonly string[]): SegmentKind {
  if (state === 'resolved') return 'stopped';
  return pauseStates.includes(state) ? 'paused' : 'running';
}

/** The resolution clock's track; state changes after `now` are not known yet. */
function resolutionTrack(
  history: readonly StateChange[],
  pauseStates: readonly string[],
  now: number,
): Track {
  const entries = history.map((entry) => ({ ...entry, ms: instant(entry.at, 'A state change') }));
  entries.forEach((entry, i) => {
    if (i > 0 && entry.ms < (entries[i - 1]?.ms ?? entry.ms)) {
      throw new RangeError('The state history must be oldest first');
    }
  });
  const known = entries.filter((entry) => entry.ms <= now);
  const spans: Span[] = [];
  for (const [i, entry] of known.entries()) {
    if (entry.state === 'closed' || entry.state === 'cancelled') {
      // Closing a resolved record does not move the moment its clock stopped.
      const last = spans.at(-1);
      const resolvedAt = last?.kind === 'stopped' ? (spans.pop()?.from ?? entry.ms) : null;
      const cause: StopCause = entry.state === 'cancelled' ? 'cancelled' : 'resolved';
      return { spans, stop: { at: resolvedAt ?? entry.ms, cause } };
    }
    const next = known[i + 1];
    if (entry.state === 'resolved' && !next) return { spans, stop: { at: entry.ms, cause: 'resolved' } };
    // Two changes at one instant leave nothing between them; only the current state matters then.
    if (next && next.ms === entry.ms) continue;
    const kind = spanKind(entry.state, pauseStates);
    const reason =
      kind === 'running' ? null : kind === 'stopped' ? 'resolved' : (entry.reason ?? entry.state);
    append(spans, { from: entry.ms, to: next?.ms ?? now, kind, reason });
  }
  return { spans, stop: null };
}

/** The response clock: the resolution clock's track, ended for good at the first of its stops. */
function responseTrack(resolution: Track, firstResponse: number | null, now: number): Track {
  const ends: Stop[] = [];
  if (firstResponse !== null && firstResponse <= now) ends.push({ at: firstResponse, cause: 'responded' });
  const firstResolution = resolution.spans.find((span) => span.kind === 'stopped');
  if (firstResolution) ends.push({ at: firstResolution.from, cause: 'resolved' });
  if (resolution.stop) ends.push(resolution.stop);
  const stop = ends.reduce<Stop | null>(
    (earliest, end) => (!earliest || end.at < earliest.at ? end : earliest),
    null,
  );
  if (!stop) return resolution;
  const spans = resolution.spans
    .filter((span) => span.from < stop.at && span.kind !== 'stopped')
    .map((span) => ({ ...span, to: Math.min(span.to, stop.at) }));
  return { spans, stop };
}

/** When a running span takes the clock to `mark`, if it does. */
function crossing(
  calendar: BusinessCalendar,
  span: Span,
  elapsedBefore: number,
  spanBusiness: number,
  mark: number,
): number | null {
  if (elapsedBefore + spanBusiness < mark) return null;
  return addBusinessMillis(calendar, span.from, Math.max(0, mark - elapsedBefore));
}

function evaluate(
  track: Track,
  targetMs: number,
  calendar: BusinessCalendar,
  now: number,
  threshold: number,
): SlaClock {
  const warnMs = Math.ceil(targetMs * threshold);
  let elapsed = 0;
  let paused = 0;
  let warningAt: number | null = null;
  let dueAt: number | null = null;
  const segments: ClockSegment[] = [];
  const lastSpan = track.spans.at(-1);
  for (const span of track.spans) {
    const business = businessMillisBetween(calendar, span.from, span.to);
    if (span.kind === 'running') {
      warningAt ??= crossing(calendar, span, elapsed, business, warnMs);
      dueAt ??= crossing(calendar, span, elapsed, business, targetMs);
      elapsed += business;
    } else if (span.kind === 'paused') {
      paused += business;
    }
    const open = !track.stop && span === lastSpan;
    segments.push({
      from: iso(span.from),
      to: open ? null : iso(span.to),
      kind: span.kind,
      reason: span.reason,
      businessMs: business,
    });
  }
  const running = !track.stop && lastSpan?.kind === 'running';
  if (running) {
    warningAt ??= addBusinessMillis(calendar, now, warnMs - elapsed);
    dueAt ??= addBusinessMillis(calendar, now, targetMs - elapsed);
  }
  const breached = dueAt !== null && dueAt <= now;
  return {
    status: statusOf(track, breached, lastSpan),
    elapsedMs: elapsed,
    pausedMs: paused,
    targetMs,
    dueAt: dueAt === null ? null : iso(dueAt),
    remainingMs: targetMs - elapsed,
    warningAt: warningAt === null ? null : iso(warningAt),
    breachedAt: breached && dueAt !== null ? iso(dueAt) : null,
    stoppedAt: track.stop ? iso(track.stop.at) : null,
    stopCause: track.stop?.cause ?? null,
    segments,
  };
}

function statusOf(track: Track, breached: boolean, lastSpan: Span | undefined): SlaClockStatus {
  if (track.stop?.cause === 'cancelled') return 'cancelled';
  if (breached) return 'breached';
  if (track.stop) return 'met';
  return lastSpan?.kind === 'paused' ? 'paused' : 'running';
}

/**
 * The response and resolution clocks of a record at `now`: status, elapsed, paused and remaining
 * business time, due and warning moments, and the segments of the SLA timeline. The one function
 * for all of these, so the list, the record, the timeline and the scheduler never disagree. A `now`
 * before the record's creation counts as its creation.
 */
export function computeSlaClocks(input: SlaClockInput): SlaClocks {
  const threshold = input.warningThreshold ?? DEFAULT_WARNING_THRESHOLD;
  if (!(threshold > 0 && threshold <= 1)) throw new RangeError('The warning threshold must be in (0, 1]');
  const first = input.history[0];
  if (!first) throw new RangeError('The state history needs at least the creation');
  const created = instant(first.at, 'The creation');
  const now = Math.max(instant(input.now, 'now'), created);
  const firstResponse =
    input.firstResponseAt == null
      ? null
      : Math.max(instant(input.firstResponseAt, 'The first response'), created);
  const { target } = input;
  const resolution = resolutionTrack(input.history, target.pauseStates, now);
  const response = responseTrack(resolution, firstResponse, now);
  return {
    computedAt: iso(now),
    warningThreshold: threshold,
    target: {
      policyId: target.policyId,
      name: target.name,
      calendarName: target.calendarName,
      timeZone: target.calendar.timeZone,
      responseMinutes: target.responseMinutes,
      resolutionMinutes: target.resolutionMinutes,
      pauseStates: [...target.pauseStates],
    },
    response: evaluate(response, target.responseMinutes * MINUTE_MS, target.calendar, now, threshold),
    resolution: evaluate(resolution, target.resolutionMinutes * MINUTE_MS, target.calendar, now, threshold),
  };
}

/**
 * The next moment a scheduler should look at the record again: the earliest warning or due time
 * still ahead of a running clock. Null when nothing is pending (paused or stopped clocks change only
 * with the record, which recomputes them).
 */
export function nextSlaMoment(result: SlaClocks): string | null {
  const now = Date.parse(result.computedAt);
  const pending = [result.response, result.resolution]
    .filter((clock) => clock.status === 'running')
    .flatMap((clock) => [clock.warningAt, clock.dueAt])
    .flatMap((moment) => (moment === null ? [] : [Date.parse(moment)]))
    .filter((moment) => moment > now);
  return pending.length === 0 ? null : iso(Math.min(...pending));
}

/** The record's priority now: the last one the history names. */
export function currentPriority(history: readonly StateChange[]): Priority | null {
  for (let i = history.length - 1; i >= 0; i -= 1) {
    const priority = history[i]?.priority;
    if (priority) return priority;
  }
  return null;
}
