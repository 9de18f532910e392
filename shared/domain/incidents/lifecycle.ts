import { z } from 'zod';
import { DAY_MS, instantOfWall, wallOf } from '../sla/zone.ts';

/*
 * The incident lifecycle. Reopening is not a state of its own: it is the move resolved → in-progress,
 * reported with the kind 'reopened'. A separate state would need its own outgoing moves (all the
 * same as in-progress) and its own meaning for the SLA clock (also the same); the kind keeps the
 * event and the audit explicit without doubling the state machine.
 */

export const INCIDENT_STATES = [
  'new',
  'assigned',
  'in-progress',
  'on-hold',
  'resolved',
  'closed',
  'cancelled',
] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];

/** Why work waits; required when an incident goes on hold. */
export const HOLD_REASONS = ['awaiting-caller', 'awaiting-supplier', 'awaiting-change'] as const;
export type HoldReason = (typeof HOLD_REASONS)[number];

/** Who moves the incident: the caller may only reopen, only the system closes (after N days). */
export const ACTOR_KINDS = ['agent', 'caller', 'system'] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];
export type Actor = { kind: ActorKind; id: string };

/** States in which nothing happens any more. */
export const FINAL_STATES: readonly IncidentState[] = ['closed', 'cancelled'];

const NEXT_STATES: Record<IncidentState, readonly IncidentState[]> = {
  new: ['assigned', 'cancelled'],
  assigned: ['in-progress', 'on-hold', 'resolved', 'cancelled'],
  'in-progress': ['on-hold', 'resolved', 'cancelled'],
  // on-hold → on-hold changes the reason (awaiting the caller, then a supplier).
  'on-hold': ['in-progress', 'on-hold', 'resolved', 'cancelled'],
  resolved: ['in-progress', 'closed'],
  closed: [],
  cancelled: [],
};

function actorMay(kind: ActorKind, from: IncidentState, to: IncidentState): boolean {
  if (kind === 'caller') return from === 'resolved' && to === 'in-progress';
  if (kind === 'system') return from === 'resolved' && to === 'closed';
  return to !== 'closed';
}

/** The states the incident may move to from `state`; with an actor, only the moves that actor may make. */
export function allowedTransitions(state: IncidentState, actor?: ActorKind): readonly IncidentState[] {
  const next = NEXT_STATES[state];
  return actor ? next.filter((to) => actorMay(actor, state, to)) : next;
}

export type TransitionKind =
  | 'assigned'
  | 'started'
  | 'put-on-hold'
  | 'hold-reason-changed'
  | 'resumed'
  | 'resolved'
  | 'reopened'
  | 'closed'
  | 'cancelled';

function kindOf(from: IncidentState, to: IncidentState): TransitionKind {
  switch (to) {
    case 'in-progress':
      if (from === 'resolved') return 'reopened';
      return from === 'on-hold' ? 'resumed' : 'started';
    case 'on-hold':
      return from === 'on-hold' ? 'hold-reason-changed' : 'put-on-hold';
    case 'assigned':
    case 'resolved':
    case 'closed':
    case 'cancelled':
      return to;
    case 'new':
      throw new Error('Nothing moves back to new');
  }
}

/** The part of an incident the lifecycle looks at. */
export type IncidentStatus = { state: IncidentState; holdReason: HoldReason | null };

export type TransitionResult =
  | {
      ok: true;
      state: IncidentState;
      kind: TransitionKind;
      holdReason: HoldReason | null;
      /** What to keep with the state change in the history (the hold reason, or the actor's note). */
      reason: string | null;
    }
  | {
      ok: false;
      error: 'not-allowed';
      from: IncidentState;
      to: IncidentState;
      allowed: readonly IncidentState[];
    }
  | { ok: false; error: 'hold-reason-required'; allowedReasons: readonly HoldReason[] };

function isHoldReason(reason: string | undefined): reason is HoldReason {
  return (HOLD_REASONS as readonly string[]).includes(reason ?? '');
}

/**
 * Moves an incident, or says why not: a move outside the lifecycle (or not this actor's to make)
 * lists the allowed ones, for a 409; going on hold without a known reason lists the reasons.
 */
export function transition(
  record: IncidentStatus,
  to: IncidentState,
  options: { reason?: string; actor: Actor },
): TransitionResult {
  const allowed = allowedTransitions(record.state, options.actor.kind);
  const sameHold = to === 'on-hold' && record.state === 'on-hold' && options.reason === record.holdReason;
  if (!allowed.includes(to) || sameHold) {
    return { ok: false, error: 'not-allowed', from: record.state, to, allowed };
  }
  const reason = options.reason?.trim() || null;
  if (to === 'on-hold') {
    if (!isHoldReason(options.reason)) {
      return { ok: false, error: 'hold-reason-required', allowedReasons: HOLD_REASONS };
    }
    return { ok: true, state: to, kind: kindOf(record.state, to), holdReason: options.reason, reason };
  }
  return { ok: true, state: to, kind: kindOf(record.state, to), holdReason: null, reason };
}

/** A state change as a request body: going on hold needs one of the hold reasons. */
export const incidentTransitionSchema = z
  .object({
    to: z.enum(INCIDENT_STATES),
    reason: z.string().trim().min(1).max(500).optional(),
  })
  .refine((input) => input.to !== 'on-hold' || isHoldReason(input.reason), {
    message: `Going on hold needs a reason: ${HOLD_REASONS.join(', ')}`,
    path: ['reason'],
  });
export type IncidentTransition = z.infer<typeof incidentTransitionSchema>;

/**
 * When a resolved incident closes by itself: `days` calendar days after resolution, at the same
 * wall-clock time in the tenant's zone (so a DST change does not shift it by an hour).
 */
export function closeDueAt(resolvedAt: string, days: number, timeZone = 'UTC'): string {
  if (!Number.isInteger(days) || days < 0) throw new RangeError('days must be a whole number, 0 or more');
  const resolved = Date.parse(resolvedAt);
  if (Number.isNaN(resolved)) throw new RangeError(`Not a date-time: ${resolvedAt}`);
  return new Date(instantOfWall(timeZone, wallOf(timeZone, resolved) + days * DAY_MS)).toISOString();
}
