import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultSettings } from '../tenancy/defaults.ts';
import { calendarAndInstantArb, ZONES } from './arbitraries.test-support.ts';
import {
  addBusinessMillis,
  alwaysOpenCalendar,
  type BusinessCalendar,
  type BusinessInterval,
  businessCalendarSchema,
  businessMillisBetween,
  calendarFromBusinessHours,
  isBusinessTime,
} from './calendar.ts';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

function weekdays(hours: BusinessInterval[]): BusinessCalendar['weekly'] {
  return { 1: hours, 2: hours, 3: hours, 4: hours, 5: hours };
}
function office(timeZone: string, holidays: string[] = []): BusinessCalendar {
  return { timeZone, weekly: weekdays([{ start: '09:00', end: '17:00' }]), holidays };
}
/** Hours only on Sunday night, where Europe/Berlin changes its clocks. */
function sundayNight(start: string, end: string): BusinessCalendar {
  return { timeZone: 'Europe/Berlin', weekly: { 7: [{ start, end }] }, holidays: [] };
}
const lunchBreak: BusinessCalendar = {
  timeZone: 'UTC',
  weekly: weekdays([
    { start: '08:00', end: '12:00' },
    { start: '13:00', end: '17:00' },
  ]),
  holidays: [],
};
const christmas = office('Europe/Berlin', ['2026-12-24', '2026-12-25']);

// 2026: Berlin changes on 29 March and 25 October, New York on 8 March and 1 November.
describe('businessMillisBetween', () => {
  it.each([
    [
      '24×7 Berlin: the spring-forward day has 23 h',
      alwaysOpenCalendar('Europe/Berlin'),
      '2026-03-28T23:00Z',
      '2026-03-29T22:00Z',
      23,
    ],
    [
      '24×7 Berlin: the fall-back day has 25 h',
      alwaysOpenCalendar('Europe/Berlin'),
      '2026-10-24T22:00Z',
      '2026-10-25T23:00Z',
      25,
    ],
    [
      '01:00-04:00 on the spring-forward Sunday skips 02:00-03:00',
      sundayNight('01:00', '04:00'),
      '2026-03-28T00:00Z',
      '2026-03-30T00:00Z',
      2,
    ],
    [
      '01:00-04:00 on the fall-back Sunday lasts 4 real hours',
      sundayNight('01:00', '04:00'),
      '2026-10-24T00:00Z',
      '2026-10-26T00:00Z',
      4,
    ],
    [
      'opening at a skipped 02:30 opens at the jump (03:00 CEST)',
      sundayNight('02:30', '05:00'),
      '2026-03-28T00:00Z',
      '2026-03-30T00:00Z',
      2,
    ],
    [
      'opening at a repeated 02:30 opens once, at the first one',
      sundayNight('02:30', '05:00'),
      '2026-10-24T00:00Z',
      '2026-10-26T00:00Z',
      3.5,
    ],
    [
      'Berlin office over the spring-forward weekend',
      office('Europe/Berlin'),
      '2026-03-27T08:00Z',
      '2026-03-30T15:00Z',
      16,
    ],
    [
      'New York office over the March change',
      office('America/New_York'),
      '2026-03-06T14:00Z',
      '2026-03-09T21:00Z',
      16,
    ],
    [
      'New York office over the November change',
      office('America/New_York'),
      '2026-10-30T13:00Z',
      '2026-11-02T22:00Z',
      16,
    ],
    ['holidays close whole days', christmas, '2026-12-21T08:00Z', '2026-12-28T08:00Z', 24],
    ['a lunch break does not count', lunchBreak, '2026-06-01T11:00Z', '2026-06-01T14:00Z', 2],
    ['24×7 UTC over three weeks', alwaysOpenCalendar(), '2026-01-01T00:00Z', '2026-01-22T00:00Z', 504],
    [
      'a year of Berlin office hours, both changes included',
      office('Europe/Berlin'),
      '2026-01-05T08:00Z',
      '2027-01-04T08:00Z',
      2080,
    ],
    ['nothing on a weekend', office('Europe/Berlin'), '2026-06-06T00:00Z', '2026-06-08T00:00Z', 0],
  ] as const)('%s', (_, calendar, from, to, hours) => {
    expect(businessMillisBetween(calendar, at(from), at(to))).toBe(hours * HOUR);
  });

  it('is negative backwards, so additivity holds in any order', () => {
    expect(businessMillisBetween(lunchBreak, at('2026-06-01T14:00Z'), at('2026-06-01T11:00Z'))).toBe(
      -2 * HOUR,
    );
    expect(businessMillisBetween(lunchBreak, 0, 0)).toBe(0);
  });
});

describe('addBusinessMillis', () => {
  it.each([
    [
      'New York: Friday 16:00 EST + 2 h is Monday 10:00 EDT',
      office('America/New_York'),
      '2026-03-06T21:00Z',
      2 * HOUR,
      '2026-03-09T14:00:00.000Z',
    ],
    [
      'Berlin: from Saturday, 1 h is Monday 10:00 CEST',
      office('Europe/Berlin'),
      '2026-03-28T12:00Z',
      HOUR,
      '2026-03-30T08:00:00.000Z',
    ],
    [
      'Berlin: Friday 16:00 CEST + 2 h is Monday 10:00 CET',
      office('Europe/Berlin'),
      '2026-10-23T14:00Z',
      2 * HOUR,
      '2026-10-26T09:00:00.000Z',
    ],
    [
      'holidays: 23 December 16:00 + 2 h skips Christmas',
      christmas,
      '2026-12-23T15:00Z',
      2 * HOUR,
      '2026-12-28T09:00:00.000Z',
    ],
    [
      'a lunch break: 11:30 + 1 h is 13:30',
      lunchBreak,
      '2026-06-01T11:30Z',
      HOUR,
      '2026-06-01T13:30:00.000Z',
    ],
    [
      'due at the close of business, not the next morning',
      office('UTC'),
      '2026-06-01T09:00Z',
      8 * HOUR,
      '2026-06-01T17:00:00.000Z',
    ],
    [
      '24×7 Berlin: 4 h over the spring-forward night are 4 real hours',
      alwaysOpenCalendar('Europe/Berlin'),
      '2026-03-28T23:00Z',
      4 * HOUR,
      '2026-03-29T03:00:00.000Z',
    ],
    [
      'five weeks of office hours end on the fifth Friday at 17:00',
      office('Europe/Berlin'),
      '2026-06-01T07:00Z',
      200 * HOUR,
      '2026-07-03T15:00:00.000Z',
    ],
    [
      'a week of office hours from Sunday ends on Friday at 17:00, not on Monday morning',
      office('Europe/Berlin'),
      '2026-05-31T10:00Z',
      40 * HOUR,
      '2026-06-05T15:00:00.000Z',
    ],
    [
      'a skipped opening time opens at the jump',
      sundayNight('02:30', '05:00'),
      '2026-03-28T00:00Z',
      MINUTE,
      '2026-03-29T01:01:00.000Z',
    ],
    [
      'zero is due at once, even when closed',
      office('Europe/Berlin'),
      '2026-06-06T10:00Z',
      0,
      '2026-06-06T10:00:00.000Z',
    ],
  ] as const)('%s', (_, calendar, from, amount, due) => {
    expect(iso(addBusinessMillis(calendar, at(from), amount))).toBe(due);
  });

  it('refuses a negative amount and a calendar that is never open', () => {
    expect(() => addBusinessMillis(lunchBreak, 0, -1)).toThrow(RangeError);
    expect(() => addBusinessMillis({ timeZone: 'UTC', weekly: {}, holidays: [] }, 0, 1)).toThrow(RangeError);
  });

  it('takes a target of a year of office hours without walking it day by day', () => {
    const started = performance.now();
    const due = addBusinessMillis(office('Europe/Berlin'), at('2026-01-05T08:00Z'), 2080 * HOUR);
    expect(iso(due)).toBe('2027-01-01T16:00:00.000Z');
    expect(performance.now() - started).toBeLessThan(50);
  });
});

describe('isBusinessTime', () => {
  it.each([
    ['New York at 09:00 EDT', office('America/New_York'), '2026-03-09T13:00Z', true],
    ['New York a moment before opening', office('America/New_York'), '2026-03-09T12:59:59.999Z', false],
    ['New York at closing time', office('America/New_York'), '2026-03-09T21:00Z', false],
    ['New York at 09:00 EST, before the change', office('America/New_York'), '2026-03-06T14:00Z', true],
    ['Berlin on a holiday', christmas, '2026-12-24T10:00Z', false],
    ['over lunch', lunchBreak, '2026-06-01T12:30Z', false],
    ['24×7 Berlin at the jump', alwaysOpenCalendar('Europe/Berlin'), '2026-03-29T01:00Z', true],
    ['the second 02:30 of the fall-back night', sundayNight('01:00', '04:00'), '2026-10-25T01:30Z', true],
  ] as const)('%s: %s', (_, calendar, instant, expected) => {
    expect(isBusinessTime(calendar, at(instant))).toBe(expected);
  });
});

describe('businessCalendarSchema', () => {
  const valid = office('Europe/Berlin', ['2026-12-24']);

  it('accepts a calendar, 24:00 as the end of a day, and a lunch break', () => {
    expect(businessCalendarSchema.parse(valid)).toEqual(valid);
    expect(businessCalendarSchema.safeParse(alwaysOpenCalendar('America/New_York')).success).toBe(true);
    expect(businessCalendarSchema.safeParse(lunchBreak).success).toBe(true);
  });

  it.each([
    ['24:30', { ...valid, weekly: { 1: [{ start: '09:00', end: '24:30' }] } }],
    ['9:00', { ...valid, weekly: { 1: [{ start: '9:00', end: '17:00' }] } }],
    ['an empty interval', { ...valid, weekly: { 1: [{ start: '09:00', end: '09:00' }] } }],
    [
      'overlapping intervals',
      {
        ...valid,
        weekly: {
          1: [
            { start: '09:00', end: '13:00' },
            { start: '12:00', end: '17:00' },
          ],
        },
      },
    ],
    [
      'intervals out of order',
      {
        ...valid,
        weekly: {
          1: [
            { start: '13:00', end: '17:00' },
            { start: '08:00', end: '12:00' },
          ],
        },
      },
    ],
    ['weekday 8', { ...valid, weekly: { 8: [{ start: '09:00', end: '17:00' }] } }],
    ['no hours at all', { ...valid, weekly: { 1: [] } }],
    ['an unknown zone', { ...valid, timeZone: 'Mars/Olympus' }],
    ['a holiday that is no date', { ...valid, holidays: ['2026-02-30'] }],
  ])('refuses %s', (_, calendar) => {
    expect(businessCalendarSchema.safeParse(calendar).success).toBe(false);
  });

  it('accepts touching intervals', () => {
    const touching = {
      ...valid,
      weekly: {
        1: [
          { start: '08:00', end: '12:00' },
          { start: '12:00', end: '17:00' },
        ],
      },
    };
    expect(businessCalendarSchema.safeParse(touching).success).toBe(true);
  });

  it('reads the tenant’s default business-hours setting', () => {
    const hours = defaultSettings({ timeZone: 'Europe/Berlin', currency: 'EUR' })['business-hours'];
    expect(
      calendarFromBusinessHours({ ...hours, holidays: [{ date: '2026-12-24', name: 'Christmas Eve' }] }),
    ).toEqual(valid);
  });
});

/** The property tests' instants, ranges and amounts: up to about two months. */
const span = fc.integer({ min: 0, max: 60 * DAY });

describe('calendar properties', () => {
  it('adding x business time and measuring it back gives x', () => {
    fc.assert(
      fc.property(calendarAndInstantArb(), span, ({ calendar, start }, amount) => {
        expect(businessMillisBetween(calendar, start, addBusinessMillis(calendar, start, amount))).toBe(
          amount,
        );
      }),
      { numRuns: 150 },
    );
  });

  it('falls due at the first instant: the millisecond before the due time is business time', () => {
    // Whole weeks of business time are the amounts where skipping a week at once could overshoot.
    const amountArb = (calendar: BusinessCalendar) =>
      fc.oneof(
        fc.integer({ min: 1, max: 30 * DAY }),
        fc.integer({ min: 1, max: 5 }).map((weeks) => weeks * nominalWeek(calendar)),
      );
    fc.assert(
      fc.property(
        calendarAndInstantArb().chain((scenario) =>
          fc.tuple(fc.constant(scenario), amountArb(scenario.calendar)),
        ),
        ([{ calendar, start }, amount]) => {
          const due = addBusinessMillis(calendar, start, amount);
          expect(isBusinessTime(calendar, due - 1)).toBe(true);
          expect(businessMillisBetween(calendar, start, due - 1)).toBe(amount - 1);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('is additive: between(a, b) + between(b, c) = between(a, c), in any order', () => {
    fc.assert(
      fc.property(
        calendarAndInstantArb(),
        span,
        span,
        fc.integer({ min: -30 * DAY, max: 30 * DAY }),
        (scenario, x, y, z) => {
          const { calendar, start: a } = scenario;
          const b = a + x;
          const c = b + y + z;
          expect(businessMillisBetween(calendar, a, b) + businessMillisBetween(calendar, b, c)).toBe(
            businessMillisBetween(calendar, a, c),
          );
        },
      ),
      { numRuns: 100 },
    );
  });

  it('is monotonic in both directions', () => {
    fc.assert(
      fc.property(calendarAndInstantArb(), span, span, ({ calendar, start }, x, y) => {
        const [short, long] = x <= y ? [x, y] : [y, x];
        const near = businessMillisBetween(calendar, start, start + short);
        expect(near).toBeGreaterThanOrEqual(0);
        expect(near).toBeLessThanOrEqual(businessMillisBetween(calendar, start, start + long));
        expect(addBusinessMillis(calendar, start, short)).toBeLessThanOrEqual(
          addBusinessMillis(calendar, start, long),
        );
      }),
      { numRuns: 100 },
    );
  });

  it('counts real time on a 24×7 calendar in every zone, DST nights included', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), calendarAndInstantArb(), span, (zone, { start }, amount) => {
        const calendar = alwaysOpenCalendar(zone);
        expect(businessMillisBetween(calendar, start, start + amount)).toBe(amount);
        expect(addBusinessMillis(calendar, start, amount)).toBe(start + amount);
      }),
      { numRuns: 100 },
    );
  });

  it('agrees with reading the wall clock minute by minute (hours away from the DST night)', () => {
    const step = 15 * MINUTE;
    fc.assert(
      fc.property(
        calendarAndInstantArb({ step: 15, earliest: 5 * 60, latest: 23 * 60 }),
        fc.integer({ min: 0, max: 3 * 7 * 96 }),
        ({ calendar, start }, steps) => {
          const from = Math.floor(start / step) * step;
          let open = 0;
          for (let i = 0; i < steps; i += 1) {
            const expected = openByWallClock(calendar, from + i * step);
            if (expected) open += 1;
            if (i % 7 === 0) expect(isBusinessTime(calendar, from + i * step)).toBe(expected);
          }
          expect(businessMillisBetween(calendar, from, from + steps * step)).toBe(open * step);
        },
      ),
      { numRuns: 40 },
    );
  });
});

function nominalWeek(calendar: BusinessCalendar): number {
  const minutes = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3));
  return Object.values(calendar.weekly)
    .flatMap((hours) => hours ?? [])
    .reduce((sum, interval) => sum + (minutes(interval.end) - minutes(interval.start)) * MINUTE, 0);
}

const wallClocks = new Map<string, Intl.DateTimeFormat>();

/** An independent reading of the rule: the zone's date and time at the instant, looked up in the week. */
function openByWallClock(calendar: BusinessCalendar, ms: number): boolean {
  let format = wallClocks.get(calendar.timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', {
      timeZone: calendar.timeZone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    wallClocks.set(calendar.timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(ms).map((part) => [part.type, part.value]));
  const date = `${parts.year}-${parts.month}-${parts.day}`;
  if (calendar.holidays.includes(date)) return false;
  const weekday = String(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(parts.weekday ?? '') + 1);
  const time = `${parts.hour}:${parts.minute}`;
  const hours = calendar.weekly[weekday as keyof BusinessCalendar['weekly']] ?? [];
  return hours.some((interval) => interval.start <= time && time < interval.end);
}
