import { describe, expect, it } from 'vitest';
import { alwaysOpenCalendar } from '../sla/calendar.ts';
import { computeSlaClocks } from '../sla/clock.ts';
import type { SlaTarget } from '../sla/policy.ts';
import {
  assignmentSchema,
  bucketsBetween,
  dueBucket,
  pendingSlaMoment,
  reachedMarks,
  stateChangeRequestSchema,
} from './incident.ts';

const target: SlaTarget = {
  policyId: 'default',
  name: 'Default',
  calendarName: 'always',
  responseMinutes: 20,
  resolutionMinutes: 100,
  calendar: alwaysOpenCalendar(),
  pauseStates: ['on-hold'],
};
const clocksAt = (now: string, firstResponseAt: string | null = null) =>
  computeSlaClocks({
    history: [{ at: '2026-06-01T10:00:00.000Z', state: 'new' }],
    firstResponseAt,
    target,
    now,
  });

describe('SLA moments', () => {
  it('is next due at the first warning not yet announced', () => {
    expect(pendingSlaMoment(clocksAt('2026-06-01T10:01:00.000Z'), [])).toBe('2026-06-01T10:15:00.000Z');
    expect(pendingSlaMoment(clocksAt('2026-06-01T10:16:00.000Z'), ['response-warning'])).toBe(
      '2026-06-01T10:20:00.000Z',
    );
  });

  it('is due at once for a mark reached but not announced, so a write cannot skip a breach', () => {
    const clocks = clocksAt('2026-06-01T10:30:00.000Z');
    expect(pendingSlaMoment(clocks, [])).toBe('2026-06-01T10:30:00.000Z');
    expect(reachedMarks(clocks, []).map((entry) => entry.mark)).toEqual(['response-breach']);
  });

  it('has nothing pending once the response came and everything else was announced', () => {
    const clocks = clocksAt('2026-06-01T10:05:00.000Z', '2026-06-01T10:02:00.000Z');
    expect(pendingSlaMoment(clocks, ['resolution-warning', 'resolution-breach'])).toBeNull();
  });
});

describe('minute buckets', () => {
  it('names the UTC minute and lists the buckets after a checkpoint, bounded', () => {
    expect(dueBucket('2026-06-01T10:15:59.999Z')).toBe('2026-06-01T10:15');
    expect(bucketsBetween('2026-06-01T23:58', '2026-06-02T00:01:10Z', 60)).toEqual([
      '2026-06-01T23:59',
      '2026-06-02T00:00',
      '2026-06-02T00:01',
    ]);
    expect(bucketsBetween('2026-06-01T00:00', '2026-06-03T00:00:00Z', 60)).toHaveLength(60);
  });
});

describe('request schemas', () => {
  it.each([
    [{ to: 'resolved' }, false],
    [{ to: 'resolved', resolutionCode: 'solved', resolutionNotes: 'Done' }, true],
    [{ to: 'on-hold' }, false],
    [{ to: 'on-hold', reason: 'awaiting-supplier' }, true],
  ])('state change %j valid: %s', (input, valid) => {
    expect(stateChangeRequestSchema.safeParse(input).success).toBe(valid);
  });

  it('wants a team or an assignee', () => {
    expect(assignmentSchema.safeParse({ teamId: null }).success).toBe(false);
    expect(assignmentSchema.safeParse({ teamId: 't1' }).success).toBe(true);
  });
});
