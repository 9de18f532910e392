import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ACTOR_KINDS,
  type Actor,
  allowedTransitions,
  closeDueAt,
  FINAL_STATES,
  HOLD_REASONS,
  type HoldReason,
  INCIDENT_STATES,
  type IncidentState,
  type IncidentStatus,
  incidentTransitionSchema,
  transition,
} from './lifecycle.ts';

const agent: Actor = { kind: 'agent', id: 'u-agent' };
const caller: Actor = { kind: 'caller', id: 'u-caller' };
const system: Actor = { kind: 'system', id: 'auto-close' };
const status = (state: IncidentState, holdReason: HoldReason | null = null): IncidentStatus => ({
  state,
  holdReason,
});

describe('allowedTransitions', () => {
  it.each<[IncidentState, IncidentState[]]>([
    ['new', ['assigned', 'cancelled']],
    ['assigned', ['in-progress', 'on-hold', 'resolved', 'cancelled']],
    ['in-progress', ['on-hold', 'resolved', 'cancelled']],
    ['on-hold', ['in-progress', 'on-hold', 'resolved', 'cancelled']],
    ['resolved', ['in-progress', 'closed']],
    ['closed', []],
    ['cancelled', []],
  ])('from %s: %j', (state, expected) => {
    expect(allowedTransitions(state)).toEqual(expected);
  });

  it.each<[IncidentState, Actor['kind'], IncidentState[]]>([
    ['resolved', 'caller', ['in-progress']],
    ['resolved', 'agent', ['in-progress']],
    ['resolved', 'system', ['closed']],
    ['in-progress', 'caller', []],
    ['in-progress', 'system', []],
  ])('from %s, for the %s: %j', (state, actor, expected) => {
    expect(allowedTransitions(state, actor)).toEqual(expected);
  });
});

describe('transition', () => {
  it.each<[string, IncidentStatus, IncidentState, Actor, string | undefined, string]>([
    ['assigning a new incident', status('new'), 'assigned', agent, undefined, 'assigned'],
    ['starting work', status('assigned'), 'in-progress', agent, undefined, 'started'],
    ['putting it on hold', status('in-progress'), 'on-hold', agent, 'awaiting-supplier', 'put-on-hold'],
    [
      'changing the hold reason',
      status('on-hold', 'awaiting-caller'),
      'on-hold',
      agent,
      'awaiting-change',
      'hold-reason-changed',
    ],
    ['resuming', status('on-hold', 'awaiting-caller'), 'in-progress', agent, undefined, 'resumed'],
    ['resolving', status('in-progress'), 'resolved', agent, undefined, 'resolved'],
    ['reopening by the caller', status('resolved'), 'in-progress', caller, 'Still broken', 'reopened'],
    ['reopening by an agent', status('resolved'), 'in-progress', agent, undefined, 'reopened'],
    ['closing automatically', status('resolved'), 'closed', system, undefined, 'closed'],
    ['cancelling', status('new'), 'cancelled', agent, 'Duplicate of INC0000007', 'cancelled'],
  ])('%s', (_, record, to, actor, reason, kind) => {
    const result = transition(record, to, { reason, actor });
    expect(result).toMatchObject({ ok: true, state: to, kind });
  });

  it('keeps the hold reason while on hold and clears it on leaving', () => {
    expect(
      transition(status('in-progress'), 'on-hold', { actor: agent, reason: 'awaiting-caller' }),
    ).toMatchObject({
      holdReason: 'awaiting-caller',
      reason: 'awaiting-caller',
    });
    expect(transition(status('on-hold', 'awaiting-caller'), 'in-progress', { actor: agent })).toMatchObject({
      holdReason: null,
      reason: null,
    });
  });

  it.each<[string, IncidentStatus, IncidentState, Actor, IncidentState[]]>([
    ['skipping assignment', status('new'), 'in-progress', agent, ['assigned', 'cancelled']],
    ['leaving closed', status('closed'), 'in-progress', agent, []],
    ['reopening a closed incident', status('closed'), 'in-progress', caller, []],
    ['the caller resolving', status('in-progress'), 'resolved', caller, []],
    ['an agent closing (closure is automatic)', status('resolved'), 'closed', agent, ['in-progress']],
    [
      'holding again for the same reason',
      status('on-hold', 'awaiting-caller'),
      'on-hold',
      agent,
      ['in-progress', 'on-hold', 'resolved', 'cancelled'],
    ],
  ])('refuses %s, listing the allowed moves', (_, record, to, actor, allowed) => {
    const reason = to === 'on-hold' ? 'awaiting-caller' : undefined;
    expect(transition(record, to, { actor, reason })).toEqual({
      ok: false,
      error: 'not-allowed',
      from: record.state,
      to,
      allowed,
    });
  });

  it.each([undefined, '', 'lunch'])('refuses going on hold with reason %j', (reason) => {
    expect(transition(status('in-progress'), 'on-hold', { actor: agent, reason })).toEqual({
      ok: false,
      error: 'hold-reason-required',
      allowedReasons: HOLD_REASONS,
    });
  });

  it('never leaves the lifecycle, and closed and cancelled are final', () => {
    const move = fc.record({
      to: fc.constantFrom(...INCIDENT_STATES),
      actor: fc.constantFrom(...ACTOR_KINDS),
      reason: fc.option(fc.constantFrom(...HOLD_REASONS, 'note'), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(move, { maxLength: 30 }), (moves) => {
        let record = status('new');
        for (const { to, actor, reason } of moves) {
          const result = transition(record, to, { actor: { kind: actor, id: 'x' }, reason });
          if (!result.ok) continue;
          expect(FINAL_STATES).not.toContain(record.state);
          expect(allowedTransitions(record.state, actor)).toContain(result.state);
          expect(result.holdReason !== null).toBe(result.state === 'on-hold');
          record = { state: result.state, holdReason: result.holdReason };
        }
      }),
    );
  });
});

describe('incidentTransitionSchema', () => {
  it.each([
    [{ to: 'on-hold', reason: 'awaiting-caller' }, true],
    [{ to: 'on-hold' }, false],
    [{ to: 'on-hold', reason: 'waiting' }, false],
    [{ to: 'resolved' }, true],
    [{ to: 'reopened' }, false],
  ])('%j valid: %s', (input, valid) => {
    expect(incidentTransitionSchema.safeParse(input).success).toBe(valid);
  });
});

describe('closeDueAt', () => {
  it.each([
    ['three days later in UTC', '2026-06-05T10:00:00.000Z', 3, 'UTC', '2026-06-08T10:00:00.000Z'],
    ['at once with zero days', '2026-06-05T10:00:00.000Z', 0, 'UTC', '2026-06-05T10:00:00.000Z'],
    [
      'same Berlin wall-clock time across the October change (73 h)',
      '2026-10-23T10:00:00.000Z',
      3,
      'Europe/Berlin',
      '2026-10-26T11:00:00.000Z',
    ],
    [
      'same New York wall-clock time across the March change (71 h)',
      '2026-03-06T15:00:00.000Z',
      3,
      'America/New_York',
      '2026-03-09T14:00:00.000Z',
    ],
  ])('%s', (_, resolvedAt, days, zone, expected) => {
    expect(closeDueAt(resolvedAt, days, zone)).toBe(expected);
  });

  it('refuses negative or fractional days and a bad date', () => {
    expect(() => closeDueAt('2026-06-05T10:00:00Z', -1)).toThrow(RangeError);
    expect(() => closeDueAt('2026-06-05T10:00:00Z', 1.5)).toThrow(RangeError);
    expect(() => closeDueAt('yesterday', 1)).toThrow(RangeError);
  });
});
