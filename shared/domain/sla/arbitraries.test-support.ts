import fc from 'fast-check';
import type { BusinessCalendar, BusinessInterval } from './calendar.ts';
import { DAY_MS } from './zone.ts';

/*
 * Random calendars and instants for the property tests of the calendar and the clocks. The zones
 * are picked for their awkward changes: Lord Howe moves by 30 minutes, Santiago changes at midnight
 * (so whole days start in a skipped or repeated hour), Chatham and St John's have quarter- and
 * half-hour offsets, Kolkata never changes.
 */
export const ZONES = [
  'UTC',
  'Europe/Berlin',
  'America/New_York',
  'Europe/London',
  'Australia/Lord_Howe',
  'America/Santiago',
  'Pacific/Chatham',
  'America/St_Johns',
  'Asia/Kolkata',
] as const;

/** 2024-01-01 to 2028-12-31, so both changes of several years are in reach. */
const FIRST_DAY = Date.UTC(2024, 0, 1) / DAY_MS;
const LAST_DAY = Date.UTC(2028, 11, 31) / DAY_MS;

function hhmm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** Up to three ordered, non-overlapping intervals on a grid of `step` minutes within [min, max]. */
function dayHours(step: number, min: number, max: number): fc.Arbitrary<BusinessInterval[]> {
  return fc.uniqueArray(fc.integer({ min: min / step, max: max / step }), { maxLength: 6 }).map((points) => {
    const sorted = points.map((point) => point * step).sort((a, b) => a - b);
    const intervals: BusinessInterval[] = [];
    for (let i = 0; i + 1 < sorted.length; i += 2) {
      intervals.push({ start: hhmm(sorted[i] ?? 0), end: hhmm(sorted[i + 1] ?? 0) });
    }
    return intervals;
  });
}

/** An instant in the test years, half the time in a month where some zone changes its offset. */
export const instantArb: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: FIRST_DAY * DAY_MS, max: LAST_DAY * DAY_MS }),
  fc
    .record({
      year: fc.integer({ min: 2024, max: 2028 }),
      month: fc.constantFrom(2, 3, 8, 9, 10), // March, April, September, October, November
      offset: fc.integer({ min: 0, max: 31 * DAY_MS }),
    })
    .map(({ year, month, offset }) => Date.UTC(year, month, 1) + offset),
);

type CalendarOptions = {
  /** Minutes between possible interval boundaries. */
  step?: number;
  /** Earliest and latest boundary; keeping them away from the night avoids DST-ambiguous boundaries. */
  earliest?: number;
  latest?: number;
  zones?: readonly string[];
};

/**
 * A calendar open at least once a week, with holidays near `near` (so they fall in the tested ranges).
 */
export function calendarArb(near: number, options: CalendarOptions = {}): fc.Arbitrary<BusinessCalendar> {
  const { step = 1, earliest = 0, latest = 1440, zones = ZONES } = options;
  const nearDay = Math.floor(near / DAY_MS);
  return fc
    .record({
      timeZone: fc.constantFrom(...zones),
      week: fc.array(dayHours(step, earliest, latest), { minLength: 7, maxLength: 7 }),
      holidays: fc.uniqueArray(fc.integer({ min: nearDay - 7, max: nearDay + 60 }), { maxLength: 8 }),
    })
    .filter(({ week }) => week.some((hours) => hours.length > 0))
    .map(({ timeZone, week, holidays }) => ({
      timeZone,
      weekly: Object.fromEntries(week.map((hours, i) => [String(i + 1), hours])),
      holidays: holidays.map((day) => new Date(day * DAY_MS).toISOString().slice(0, 10)),
    }));
}

/** An instant with a calendar whose holidays lie around it. */
export function calendarAndInstantArb(
  options: CalendarOptions = {},
): fc.Arbitrary<{ calendar: BusinessCalendar; start: number }> {
  return instantArb.chain((start) => calendarArb(start, options).map((calendar) => ({ calendar, start })));
}
