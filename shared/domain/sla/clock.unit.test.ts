import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allowedTransitions, HOLD_REASONS, type IncidentState } from '../incidents/lifecycle.ts';
import { PRIORITIES } from '../tenancy/defaults.ts';
import { calendarAndInstantArb } from './arbitraries.test-support.ts';
import { type BusinessCalendar, businessMillisBetween } from './calendar.ts';
import {
  type ClockSegment,
  computeSlaClocks,
  currentPriority,
  nextSlaMoment,
  type SlaClock,
  type StateChange,
  stateHistorySchema,
} from './clock.ts';
import type { SlaTarget } from './policy.ts';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
const ms = (at: string) => Date.parse(at);

const weekdays = { start: '09:00', end: '17:00' };
const officeUtc: BusinessCalendar = {
  timeZone: 'UTC',
  weekly: { 1: [weekdays], 2: [weekdays], 3: [weekdays], 4: [weekdays], 5: [weekdays] },
  holidays: [],
};
const officeBerlin: BusinessCalendar = { ...officeUtc, timeZone: 'Europe/Berlin' };

function target(overrides: Partial<SlaTarget> = {}): SlaTarget {
  return {
    policyId: 'default',
    name: 'Default SLA',
    calendarName: 'business-hours',
    responseMinutes: 60,
    resolutionMinutes: 480,
    calendar: officeUtc,
    pauseStates: ['on-hold'],
    ...overrides,
  };
}

// 1 June 2026 is a Monday.
const mon = (time: string) => `2026-06-01T${time}:00.000Z`;
const tue = (time: string) => `2026-06-02T${time}:00.000Z`;
const wed = (time: string) => `2026-06-03T${time}:00.000Z`;
function change(at: string, state: IncidentState, reason?: string): StateChange {
  return reason ? { at, state, reason } : { at, state };
}

const created = change(mon('09:00'), 'new');
const assigned = change(mon('09:10'), 'assigned');

describe('the resolution clock', () => {
  it.each<[string, StateChange[], string, Partial<SlaClock>]>([
    [
      'runs from creation',
      [created],
      mon('11:00'),
      {
        status: 'running',
        elapsedMs: 2 * HOUR,
        dueAt: mon('17:00'),
        warningAt: mon('15:00'),
        remainingMs: 6 * HOUR,
      },
    ],
    [
      'pauses on hold: due time unknown, remaining time frozen',
      [
        created,
        assigned,
        change(mon('10:00'), 'in-progress'),
        change(mon('11:00'), 'on-hold', 'awaiting-caller'),
      ],
      tue('10:00'),
      {
        status: 'paused',
        elapsedMs: 2 * HOUR,
        pausedMs: 7 * HOUR,
        dueAt: null,
        warningAt: null,
        remainingMs: 6 * HOUR,
      },
    ],
    [
      'resumes after the hold, the paused time not counted',
      [
        created,
        assigned,
        change(mon('10:00'), 'in-progress'),
        change(mon('11:00'), 'on-hold', 'awaiting-caller'),
        change(tue('10:00'), 'in-progress'),
      ],
      tue('11:00'),
      {
        status: 'running',
        elapsedMs: 3 * HOUR,
        pausedMs: 7 * HOUR,
        dueAt: tue('16:00'),
        warningAt: tue('14:00'),
      },
    ],
    [
      'stops at resolution, in time',
      [created, assigned, change(mon('12:00'), 'resolved')],
      tue('12:00'),
      {
        status: 'met',
        elapsedMs: 3 * HOUR,
        dueAt: null,
        stoppedAt: mon('12:00'),
        stopCause: 'resolved',
        remainingMs: 5 * HOUR,
      },
    ],
    [
      'keeps the resolution as the stop when the record closes later',
      [created, assigned, change(mon('12:00'), 'resolved'), change(wed('12:00'), 'closed')],
      wed('13:00'),
      { status: 'met', elapsedMs: 3 * HOUR, stoppedAt: mon('12:00'), stopCause: 'resolved' },
    ],
    [
      'resumes on reopening with the elapsed time kept',
      [created, assigned, change(mon('12:00'), 'resolved'), change(tue('09:00'), 'in-progress')],
      tue('10:00'),
      {
        status: 'running',
        elapsedMs: 4 * HOUR,
        dueAt: tue('14:00'),
        warningAt: tue('12:00'),
        stoppedAt: null,
      },
    ],
    [
      'is breached when resolved late',
      [created, assigned, change(tue('10:00'), 'resolved')],
      tue('11:00'),
      {
        status: 'breached',
        elapsedMs: 9 * HOUR,
        breachedAt: mon('17:00'),
        dueAt: mon('17:00'),
        remainingMs: -HOUR,
      },
    ],
    [
      'is breached while still running',
      [created, assigned],
      tue('10:00'),
      {
        status: 'breached',
        elapsedMs: 9 * HOUR,
        breachedAt: mon('17:00'),
        stoppedAt: null,
        remainingMs: -HOUR,
      },
    ],
    [
      'is breached when it reaches 100 % at the moment of resolution',
      [created, assigned, change(mon('17:00'), 'resolved')],
      tue('09:00'),
      { status: 'breached', elapsedMs: 8 * HOUR, breachedAt: mon('17:00'), stoppedAt: mon('17:00') },
    ],
    [
      'is cancelled with the record',
      [created, change(mon('10:00'), 'cancelled')],
      mon('11:00'),
      { status: 'cancelled', elapsedMs: HOUR, stoppedAt: mon('10:00'), stopCause: 'cancelled', dueAt: null },
    ],
    [
      'does not know state changes after now yet',
      [created, change(mon('12:00'), 'on-hold', 'awaiting-supplier')],
      mon('11:00'),
      { status: 'running', elapsedMs: 2 * HOUR, dueAt: mon('17:00') },
    ],
    [
      'counts a now before creation as the creation',
      [created],
      mon('08:00'),
      { status: 'running', elapsedMs: 0, dueAt: mon('17:00') },
    ],
  ])('%s', (_, history, now, expected) => {
    const clocks = computeSlaClocks({ history, target: target(), now, firstResponseAt: assigned.at });
    expect(clocks.resolution).toMatchObject(expected);
  });

  it('waits over the weekend in Berlin, across the spring-forward night', () => {
    // Friday 27 March 2026 16:00 CET; 1 h on Friday, 7 h on Monday 30 March (CEST).
    const clocks = computeSlaClocks({
      history: [change('2026-03-27T15:00:00Z', 'new')],
      target: target({ calendar: officeBerlin }),
      now: '2026-03-27T15:30:00Z',
    });
    expect(clocks.resolution.dueAt).toBe('2026-03-30T14:00:00.000Z');
  });

  it('draws the timeline: when it ran, paused (and why) and was stopped', () => {
    const clocks = computeSlaClocks({
      history: [
        created,
        assigned,
        change(mon('10:00'), 'in-progress'),
        change(mon('11:00'), 'on-hold', 'awaiting-supplier'),
        change(mon('12:00'), 'on-hold', 'awaiting-change'),
        change(mon('13:00'), 'in-progress'),
        change(mon('14:00'), 'resolved'),
        change(tue('09:00'), 'in-progress', 'Still broken'),
      ],
      target: target(),
      now: tue('10:00'),
      firstResponseAt: assigned.at,
    });
    expect(clocks.resolution.segments).toEqual<ClockSegment[]>([
      { from: mon('09:00'), to: mon('11:00'), kind: 'running', reason: null, businessMs: 2 * HOUR },
      { from: mon('11:00'), to: mon('12:00'), kind: 'paused', reason: 'awaiting-supplier', businessMs: HOUR },
      { from: mon('12:00'), to: mon('13:00'), kind: 'paused', reason: 'awaiting-change', businessMs: HOUR },
      { from: mon('13:00'), to: mon('14:00'), kind: 'running', reason: null, businessMs: HOUR },
      { from: mon('14:00'), to: tue('09:00'), kind: 'stopped', reason: 'resolved', businessMs: 3 * HOUR },
      { from: tue('09:00'), to: null, kind: 'running', reason: null, businessMs: HOUR },
    ]);
    expect(clocks.target).toEqual({
      policyId: 'default',
      name: 'Default SLA',
      calendarName: 'business-hours',
      timeZone: 'UTC',
      responseMinutes: 60,
      resolutionMinutes: 480,
      pauseStates: ['on-hold'],
    });
    expect(clocks.resolution).toMatchObject({ elapsedMs: 4 * HOUR, pausedMs: 2 * HOUR, dueAt: tue('14:00') });
  });

  it('recomputes from the start on a priority change, keeping elapsed and paused time', () => {
    const history = [
      { ...created, priority: 'P3' as const },
      change(mon('09:30'), 'in-progress'),
      { ...change(mon('10:00'), 'in-progress'), priority: 'P1' as const },
    ];
    const asP3 = computeSlaClocks({ history, target: target(), now: mon('11:00') });
    const asP1 = computeSlaClocks({ history, target: target({ resolutionMinutes: 240 }), now: mon('11:00') });
    expect(currentPriority(history)).toBe('P1');
    expect(asP1.resolution.elapsedMs).toBe(asP3.resolution.elapsedMs);
    expect([asP3.resolution.dueAt, asP1.resolution.dueAt]).toEqual([mon('17:00'), mon('13:00')]);
  });

  it('pauses in every state the policy names', () => {
    const history = [created, change(mon('10:00'), 'assigned'), change(mon('11:00'), 'in-progress')];
    const clocks = computeSlaClocks({
      history,
      target: target({ pauseStates: ['new', 'on-hold'] }),
      now: mon('12:00'),
    });
    expect(clocks.resolution).toMatchObject({ elapsedMs: 2 * HOUR, pausedMs: HOUR });
    expect(clocks.resolution.segments[0]).toMatchObject({ kind: 'paused', reason: 'new' });
  });

  it('warns at the tenant’s threshold', () => {
    const clocks = computeSlaClocks({
      history: [created],
      target: target(),
      now: mon('10:00'),
      warningThreshold: 0.5,
    });
    expect(clocks.resolution.warningAt).toBe(mon('13:00'));
  });
});

describe('the response clock', () => {
  it.each<[string, StateChange[], string | null, string, Partial<SlaClock>]>([
    [
      'runs until the first response',
      [created],
      null,
      mon('09:20'),
      { status: 'running', elapsedMs: 20 * MINUTE, dueAt: mon('10:00'), warningAt: mon('09:45') },
    ],
    [
      'stops at the first response',
      [created, assigned],
      mon('09:30'),
      mon('11:00'),
      { status: 'met', elapsedMs: 30 * MINUTE, stoppedAt: mon('09:30'), stopCause: 'responded' },
    ],
    [
      'is breached by a late response',
      [created, change(mon('10:30'), 'assigned')],
      mon('10:30'),
      mon('11:00'),
      { status: 'breached', breachedAt: mon('10:00'), stoppedAt: mon('10:30'), remainingMs: -30 * MINUTE },
    ],
    [
      'ends at a resolution without a response',
      [created, change(mon('09:40'), 'resolved')],
      null,
      mon('11:00'),
      { status: 'met', elapsedMs: 40 * MINUTE, stopCause: 'resolved' },
    ],
    [
      'does not restart on a reopening',
      [created, assigned, change(mon('09:20'), 'resolved'), change(mon('10:00'), 'in-progress')],
      mon('09:10'),
      tue('11:00'),
      { status: 'met', elapsedMs: 10 * MINUTE, stoppedAt: mon('09:10') },
    ],
    [
      'is cancelled with a record nobody answered',
      [created, change(mon('09:30'), 'cancelled')],
      null,
      mon('11:00'),
      { status: 'cancelled', elapsedMs: 30 * MINUTE, stopCause: 'cancelled' },
    ],
  ])('%s', (_, history, firstResponseAt, now, expected) => {
    expect(computeSlaClocks({ history, target: target(), now, firstResponseAt }).response).toMatchObject(
      expected,
    );
  });
});

describe('nextSlaMoment', () => {
  it.each<[string, StateChange[], string | null, string, string | null]>([
    ['the response warning comes first', [created], null, mon('09:20'), mon('09:45')],
    ['a breached response leaves the resolution warning', [created], null, mon('11:00'), mon('15:00')],
    ['after the warning, the due time', [created, assigned], mon('09:10'), mon('15:30'), mon('17:00')],
    [
      'nothing while paused',
      [created, assigned, change(mon('10:00'), 'on-hold', 'awaiting-caller')],
      mon('09:10'),
      mon('11:00'),
      null,
    ],
    [
      'nothing once resolved',
      [created, assigned, change(mon('10:00'), 'resolved')],
      mon('09:10'),
      mon('11:00'),
      null,
    ],
  ])('%s', (_, history, firstResponseAt, now, expected) => {
    expect(nextSlaMoment(computeSlaClocks({ history, target: target(), now, firstResponseAt }))).toBe(
      expected,
    );
  });
});

describe('input checks', () => {
  it('refuses a history out of order, an empty one and a threshold out of range', () => {
    const backwards = [change(mon('10:00'), 'new'), change(mon('09:00'), 'assigned')];
    expect(() => computeSlaClocks({ history: backwards, target: target(), now: mon('11:00') })).toThrow(
      RangeError,
    );
    expect(() => computeSlaClocks({ history: [], target: target(), now: mon('11:00') })).toThrow(RangeError);
    expect(() =>
      computeSlaClocks({ history: [created], target: target(), now: mon('11:00'), warningThreshold: 0 }),
    ).toThrow(RangeError);
    expect(stateHistorySchema.safeParse(backwards).success).toBe(false);
    expect(stateHistorySchema.safeParse([]).success).toBe(false);
    expect(stateHistorySchema.safeParse([created, assigned]).success).toBe(true);
  });
});

/** A record's life: a random walk through the lifecycle from `start`, with random gaps. */
function historyArb(start: number): fc.Arbitrary<StateChange[]> {
  const step = fc.record({
    gap: fc.integer({ min: 0, max: 2 * DAY }),
    pick: fc.nat(),
    reason: fc.constantFrom(...HOLD_REASONS),
    priority: fc.option(fc.constantFrom(...PRIORITIES), { nil: undefined }),
  });
  return fc.array(step, { maxLength: 10 }).map((steps) => {
    const history: StateChange[] = [{ at: iso(start), state: 'new', priority: 'P3' }];
    let state: IncidentState = 'new';
    let at = start;
    for (const { gap, pick, reason, priority } of steps) {
      const next = allowedTransitions(state);
      const to = next[pick % Math.max(1, next.length)];
      if (!to) break;
      at += gap;
      history.push({
        at: iso(at),
        state: to,
        ...(to === 'on-hold' ? { reason } : {}),
        ...(priority ? { priority } : {}),
      });
      state = to;
    }
    return history;
  });
}

const targetArb = fc
  .record({
    response: fc.integer({ min: 1, max: 3 * 24 * 60 }),
    extra: fc.integer({ min: 0, max: 10 * 24 * 60 }),
    pauseStates: fc.subarray(['on-hold', 'assigned', 'new']),
  })
  .map(({ response, extra, pauseStates }) => ({
    responseMinutes: response,
    resolutionMinutes: response + extra,
    pauseStates,
  }));

/** A calendar, a random history on it, a target, and a now somewhere around the history. */
const recordArb = calendarAndInstantArb().chain(({ calendar, start }) =>
  fc.record({
    calendar: fc.constant(calendar),
    history: historyArb(start),
    minutes: targetArb,
    nowAfter: fc.integer({ min: 0, max: 25 * DAY }),
  }),
);

type RecordScenario = typeof recordArb extends fc.Arbitrary<infer T> ? T : never;

function clocksOf(record: RecordScenario, overrides: Partial<SlaTarget> = {}, now?: number) {
  const { calendar, history, minutes, nowAfter } = record;
  const firstResponse = history.find((entry) => entry.state === 'assigned');
  return computeSlaClocks({
    history,
    firstResponseAt: firstResponse?.at ?? null,
    target: target({ calendar, ...minutes, ...overrides }),
    now: iso(now ?? ms(history[0]?.at ?? '') + nowAfter),
  });
}

describe('clock properties', () => {
  it('never reports negative or more than the business time since creation', () => {
    fc.assert(
      fc.property(recordArb, (record) => {
        const clocks = clocksOf(record);
        const sinceCreation = businessMillisBetween(
          record.calendar,
          ms(record.history[0]?.at ?? ''),
          ms(clocks.computedAt),
        );
        for (const clock of [clocks.response, clocks.resolution]) {
          expect(clock.elapsedMs).toBeGreaterThanOrEqual(0);
          expect(clock.pausedMs).toBeGreaterThanOrEqual(0);
          expect(clock.elapsedMs + clock.pausedMs).toBeLessThanOrEqual(sinceCreation);
          const sum = (kind: string) =>
            clock.segments.filter((s) => s.kind === kind).reduce((total, s) => total + s.businessMs, 0);
          expect([sum('running'), sum('paused')]).toEqual([clock.elapsedMs, clock.pausedMs]);
        }
        expect(clocks.response.elapsedMs).toBeLessThanOrEqual(clocks.resolution.elapsedMs);
      }),
      { numRuns: 150 },
    );
  });

  it('accounts for every business millisecond since creation, by the state the record was in', () => {
    fc.assert(
      fc.property(recordArb, (record) => {
        const clocks = clocksOf(record);
        const { resolution } = clocks;
        const stateAt = (at: number) => record.history.filter((entry) => ms(entry.at) <= at).at(-1)?.state;
        for (const segment of resolution.segments) {
          const state = stateAt(ms(segment.from)) ?? 'new';
          const expected =
            state === 'resolved'
              ? 'stopped'
              : record.minutes.pauseStates.includes(state)
                ? 'paused'
                : 'running';
          expect(segment.kind).toBe(expected);
        }
        const end = ms(resolution.stoppedAt ?? clocks.computedAt);
        const total = resolution.segments.reduce((sum, segment) => sum + segment.businessMs, 0);
        expect(total).toBe(businessMillisBetween(record.calendar, ms(record.history[0]?.at ?? ''), end));
      }),
      { numRuns: 100 },
    );
  });

  it('reports a status that agrees with its numbers', () => {
    fc.assert(
      fc.property(recordArb, (record) => {
        const clocks = clocksOf(record);
        const now = ms(clocks.computedAt);
        for (const clock of [clocks.response, clocks.resolution]) {
          const due = clock.dueAt === null ? null : ms(clock.dueAt);
          switch (clock.status) {
            case 'running':
              expect(due).toBeGreaterThan(now);
              expect(businessMillisBetween(record.calendar, now, due ?? now)).toBe(clock.remainingMs);
              break;
            case 'paused':
            case 'met':
              expect([due, clock.breachedAt]).toEqual([null, null]);
              expect(clock.remainingMs).toBeGreaterThan(0);
              break;
            case 'breached':
              expect(clock.breachedAt).toBe(clock.dueAt);
              expect(due).toBeLessThanOrEqual(now);
              expect(clock.remainingMs).toBeLessThanOrEqual(0);
              break;
            case 'cancelled':
              expect(clock.stopCause).toBe('cancelled');
              break;
          }
          expect(clock.elapsedMs + clock.remainingMs).toBe(clock.targetMs);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('keeps elapsed and paused time when the target changes, and moves the due time by the difference', () => {
    fc.assert(
      fc.property(recordArb, fc.integer({ min: 1, max: 5 * 24 * 60 }), (record, longer) => {
        const before = clocksOf(record).resolution;
        const after = clocksOf(record, {
          resolutionMinutes: record.minutes.resolutionMinutes + longer,
        }).resolution;
        expect([after.elapsedMs, after.pausedMs, after.segments]).toEqual([
          before.elapsedMs,
          before.pausedMs,
          before.segments,
        ]);
        if (before.status === 'running' && before.dueAt && after.dueAt) {
          expect(businessMillisBetween(record.calendar, ms(before.dueAt), ms(after.dueAt))).toBe(
            longer * MINUTE,
          );
        }
      }),
      { numRuns: 100 },
    );
  });

  it('moves the due time by exactly the business time of an inserted pause', () => {
    const scenario = calendarAndInstantArb().chain(({ calendar, start }) =>
      fc.record({
        calendar: fc.constant(calendar),
        start: fc.constant(start),
        gaps: fc.array(fc.integer({ min: 0, max: 3 * DAY }), { minLength: 5, maxLength: 5 }),
        resolutionMinutes: fc.integer({ min: 1, max: 15 * 24 * 60 }),
        reason: fc.constantFrom(...HOLD_REASONS),
      }),
    );
    fc.assert(
      fc.property(
        scenario,
        ({ calendar, start, gaps: [g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0], resolutionMinutes, reason }) => {
          const [assignedAt, startedAt] = [start + g1, start + g1 + g2];
          const [holdAt, resumeAt] = [startedAt + g3, startedAt + g3 + g4];
          const now = iso(resumeAt + g5);
          const base = [
            change(iso(start), 'new'),
            change(iso(assignedAt), 'assigned'),
            change(iso(startedAt), 'in-progress'),
          ];
          const paused = [
            ...base,
            change(iso(holdAt), 'on-hold', reason),
            change(iso(resumeAt), 'in-progress'),
          ];
          const sla = target({ calendar, resolutionMinutes });
          const without = computeSlaClocks({ history: base, target: sla, now }).resolution;
          const withPause = computeSlaClocks({ history: paused, target: sla, now }).resolution;
          const pause = businessMillisBetween(calendar, holdAt, resumeAt);
          const [dueBefore, dueAfter] = [ms(without.dueAt ?? ''), ms(withPause.dueAt ?? '')];
          if (dueBefore > holdAt) {
            expect(businessMillisBetween(calendar, dueBefore, dueAfter)).toBe(pause);
            expect(withPause.elapsedMs).toBe(without.elapsedMs - pause);
            expect(withPause.pausedMs).toBe(pause);
          } else {
            // Breached before the hold: the breach stays where it was.
            expect(dueAfter).toBe(dueBefore);
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('falls due exactly when it said it would', () => {
    fc.assert(
      fc.property(recordArb, (record) => {
        const clocks = clocksOf(record);
        const last = ms(record.history.at(-1)?.at ?? '');
        const { resolution } = clocks;
        fc.pre(resolution.status === 'running' && ms(clocks.computedAt) >= last);
        const due = ms(resolution.dueAt ?? '');
        expect(clocksOf(record, {}, due).resolution).toMatchObject({
          status: 'breached',
          breachedAt: resolution.dueAt,
        });
        expect(clocksOf(record, {}, due - 1).resolution).toMatchObject({ status: 'running', remainingMs: 1 });
      }),
      { numRuns: 60 },
    );
  });

  it('only grows as time passes', () => {
    fc.assert(
      fc.property(recordArb, fc.integer({ min: 0, max: 10 * DAY }), (record, later) => {
        const now = ms(record.history[0]?.at ?? '') + record.nowAfter;
        const early = clocksOf(record, {}, now);
        const late = clocksOf(record, {}, now + later);
        expect(late.resolution.elapsedMs).toBeGreaterThanOrEqual(early.resolution.elapsedMs);
        expect(late.response.elapsedMs).toBeGreaterThanOrEqual(early.response.elapsedMs);
      }),
      { numRuns: 100 },
    );
  });

  it('gives the same answer whatever the process’s own time zone', () => {
    const original = process.env.TZ;
    try {
      fc.assert(
        fc.property(recordArb, (record) => {
          process.env.TZ = 'UTC';
          const inUtc = clocksOf(record);
          process.env.TZ = 'Pacific/Kiritimati';
          // Proof the change took effect: local Date methods now read UTC+14.
          expect(new Date(Date.UTC(2026, 0, 1)).getTimezoneOffset()).toBe(-14 * 60);
          const farEast = clocksOf(record);
          process.env.TZ = 'America/St_Johns';
          expect(clocksOf(record)).toEqual(inUtc);
          expect(farEast).toEqual(inUtc);
        }),
        { numRuns: 30 },
      );
    } finally {
      if (original === undefined) delete process.env.TZ;
      else process.env.TZ = original;
    }
  });
});
