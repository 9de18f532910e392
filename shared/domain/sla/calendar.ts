import { z } from 'zod';
import { type BusinessHours, WEEKDAYS } from '../tenancy/defaults.ts';
import { timeZoneSchema } from '../tenancy/tenant.ts';
import { DAY_MS, instantOfWall, MINUTE_MS, steadyOffset, wallDayOf } from './zone.ts';

/*
 * Business-hours calendars: when an SLA clock may run. Hours are wall-clock times in the calendar's
 * zone, so 09:00-17:00 stays 09:00-17:00 across a DST change. Business time is the real time that
 * passes inside those hours: on the day clocks go forward, an interval over the skipped hour is an
 * hour shorter (a boundary inside the skipped hour moves to the jump); on the day they go back, an
 * interval over the repeated hour is an hour longer, and a boundary inside the repeated hour is taken
 * at its first occurrence, so it opens or closes once. A 24-hour calendar therefore counts 23 or 25
 * hours on those days and always equals real elapsed time.
 */

/** ISO weekday numbers as object keys (JSON keys are strings): 1 is Monday, 7 is Sunday. */
export const ISO_WEEKDAYS = ['1', '2', '3', '4', '5', '6', '7'] as const;
export type IsoWeekday = (typeof ISO_WEEKDAYS)[number];

const wallClockTime = z
  .string()
  .regex(/^(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$/, 'Use HH:mm, from 00:00 to 24:00');

export const businessIntervalSchema = z
  .object({ start: wallClockTime, end: wallClockTime })
  .refine((interval) => interval.start < interval.end, {
    message: 'An interval must end after it starts',
    path: ['end'],
  });
export type BusinessInterval = z.infer<typeof businessIntervalSchema>;

const dayHoursSchema = z
  .array(businessIntervalSchema)
  .refine(
    (intervals) =>
      intervals.every((interval, i) => i === 0 || (intervals[i - 1]?.end ?? '') <= interval.start),
    'List a day’s intervals in order, without overlaps',
  );

export const businessCalendarSchema = z
  .object({
    timeZone: timeZoneSchema,
    /** Hours per ISO weekday; a weekday not listed (or listed empty) is closed. */
    weekly: z.partialRecord(z.enum(ISO_WEEKDAYS), dayHoursSchema),
    /** Whole closed days, as dates in the calendar's zone. */
    holidays: z.array(z.iso.date()),
  })
  .refine((calendar) => Object.values(calendar.weekly).some((hours) => (hours?.length ?? 0) > 0), {
    message: 'Open on at least one weekday, or an SLA clock could never fall due',
    path: ['weekly'],
  });
export type BusinessCalendar = z.infer<typeof businessCalendarSchema>;

/** Round the clock, every day: business time equals real time. */
export function alwaysOpenCalendar(timeZone = 'UTC'): BusinessCalendar {
  const allDay = [{ start: '00:00', end: '24:00' }];
  return {
    timeZone,
    weekly: Object.fromEntries(ISO_WEEKDAYS.map((day) => [day, allDay])),
    holidays: [],
  };
}

/** The tenant's `business-hours` setting as a calendar (checked, so overlapping slots are refused). */
export function calendarFromBusinessHours(hours: BusinessHours): BusinessCalendar {
  const weekly: Partial<Record<IsoWeekday, BusinessInterval[]>> = {};
  for (const [index, name] of WEEKDAYS.entries()) {
    const slots = hours.week.filter((slot) => slot.day === name);
    if (slots.length === 0) continue;
    weekly[ISO_WEEKDAYS[index] ?? '1'] = slots
      .map(({ start, end }) => ({ start, end }))
      .sort((a, b) => a.start.localeCompare(b.start));
  }
  return businessCalendarSchema.parse({
    timeZone: hours.timeZone,
    weekly,
    holidays: hours.holidays.map((holiday) => holiday.date),
  });
}

/** A calendar in the shape the arithmetic wants: minutes per weekday, holidays as sorted day numbers. */
type CompiledCalendar = {
  zone: string;
  /** Index 0 is Monday; each interval is [start, end) in minutes of the day. */
  days: ReadonlyArray<ReadonlyArray<readonly [number, number]>>;
  holidays: readonly number[];
  /** Business time of a week without holidays or offset changes. */
  weekMs: number;
};

/** A stretch of business time as real instants, [start, end). */
type Stretch = readonly [start: number, end: number];

function minutesOf(time: string): number {
  return Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
}

function dayNumberOf(date: string): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / DAY_MS;
}

function compile(calendar: BusinessCalendar): CompiledCalendar {
  const days = ISO_WEEKDAYS.map((day) =>
    (calendar.weekly[day] ?? []).map(({ start, end }) => [minutesOf(start), minutesOf(end)] as const),
  );
  const weekMinutes = days.flat().reduce((sum, [start, end]) => sum + end - start, 0);
  return {
    zone: calendar.timeZone,
    days,
    holidays: [...new Set(calendar.holidays.map(dayNumberOf))].sort((a, b) => a - b),
    weekMs: weekMinutes * MINUTE_MS,
  };
}

/** 1970-01-01 (day 0) was a Thursday, index 3 with Monday as 0. */
function weekdayIndex(day: number): number {
  return (((day + 3) % 7) + 7) % 7;
}

/** Whether a holiday falls on a day in [fromDay, toDay). */
function hasHoliday(calendar: CompiledCalendar, fromDay: number, toDay: number): boolean {
  const { holidays } = calendar;
  let low = 0;
  let high = holidays.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((holidays[middle] ?? Number.POSITIVE_INFINITY) < fromDay) low = middle + 1;
    else high = middle;
  }
  return low < holidays.length && (holidays[low] ?? Number.POSITIVE_INFINITY) < toDay;
}

/**
 * A day's business stretches as instants. They lie between the day's first instant and the next
 * day's, so consecutive days never overlap.
 */
function dayStretches(calendar: CompiledCalendar, day: number): Stretch[] {
  const hours = calendar.days[weekdayIndex(day)] ?? [];
  if (hours.length === 0 || hasHoliday(calendar, day, day + 1)) return [];
  const midnight = day * DAY_MS;
  const offset = steadyOffset(calendar.zone, midnight, midnight + DAY_MS);
  // Only a day near an offset change needs the careful (and slower) wall-clock lookup per boundary.
  const instant = (minutes: number) =>
    offset === null
      ? instantOfWall(calendar.zone, midnight + minutes * MINUTE_MS)
      : midnight + minutes * MINUTE_MS - offset;
  const stretches: Stretch[] = [];
  for (const [startMinute, endMinute] of hours) {
    const start = instant(startMinute);
    const end = instant(endMinute);
    if (end > start) stretches.push([start, end]);
  }
  return stretches;
}

/**
 * The seven days from `day` as one stretch of real time holding exactly `weekMs` of business time,
 * or null when a holiday or an offset change makes that week different.
 */
function plainWeek(calendar: CompiledCalendar, day: number): Stretch | null {
  if (hasHoliday(calendar, day, day + 7)) return null;
  const midnight = day * DAY_MS;
  const offset = steadyOffset(calendar.zone, midnight, midnight + 7 * DAY_MS);
  return offset === null ? null : [midnight - offset, midnight + 7 * DAY_MS - offset];
}

function assertInstant(ms: number, name: string): void {
  if (!Number.isFinite(ms)) throw new RangeError(`${name} must be a finite epoch millisecond value`);
}

/**
 * Business time between two instants. Negative when `toMs` is earlier, so that
 * between(a, b) + between(b, c) = between(a, c) for any three instants.
 */
export function businessMillisBetween(calendar: BusinessCalendar, fromMs: number, toMs: number): number {
  assertInstant(fromMs, 'fromMs');
  assertInstant(toMs, 'toMs');
  if (toMs < fromMs) return 0 - businessMillisBetween(calendar, toMs, fromMs);
  const compiled = compile(calendar);
  const firstDay = wallDayOf(compiled.zone, fromMs);
  const lastDay = wallDayOf(compiled.zone, toMs);
  let total = 0;
  // One day either side: the first instant of a day and its date can disagree on a day that starts
  // in a repeated or skipped hour.
  let day = firstDay - 1;
  while (day <= lastDay + 1) {
    const week = day > firstDay && day + 7 <= lastDay ? plainWeek(compiled, day) : null;
    if (week && week[0] >= fromMs && week[1] <= toMs) {
      total += compiled.weekMs;
      day += 7;
      continue;
    }
    for (const [start, end] of dayStretches(compiled, day)) {
      total += Math.max(0, Math.min(end, toMs) - Math.max(start, fromMs));
    }
    day += 1;
  }
  return total;
}

/**
 * The first instant at which `amountMs` of business time has passed since `fromMs`. An amount of 0
 * is due at once, even outside business hours; any other amount falls due inside business hours or
 * exactly at the end of a stretch, never in closed time.
 */
export function addBusinessMillis(calendar: BusinessCalendar, fromMs: number, amountMs: number): number {
  assertInstant(fromMs, 'fromMs');
  if (!Number.isFinite(amountMs) || amountMs < 0) {
    throw new RangeError('amountMs must be a finite, non-negative number of milliseconds');
  }
  if (amountMs === 0) return fromMs;
  const compiled = compile(calendar);
  if (compiled.weekMs === 0) throw new RangeError('The calendar has no business hours');
  const firstDay = wallDayOf(compiled.zone, fromMs);
  // Generous bound (every holiday may close a whole week, and a week may lose an hour to DST), so
  // that a calendar whose hours never happen fails instead of looping forever.
  const lastDay = firstDay + 8 * (Math.ceil(amountMs / compiled.weekMs) + compiled.holidays.length + 4);
  let remaining = amountMs;
  let day = firstDay - 1;
  while (day <= lastDay) {
    const week = day > firstDay && remaining > compiled.weekMs ? plainWeek(compiled, day) : null;
    if (week && week[0] >= fromMs) {
      remaining -= compiled.weekMs;
      day += 7;
      continue;
    }
    for (const [start, end] of dayStretches(compiled, day)) {
      const from = Math.max(start, fromMs);
      if (end <= from) continue;
      if (remaining <= end - from) return from + remaining;
      remaining -= end - from;
    }
    day += 1;
  }
  throw new RangeError('The calendar has no business hours that ever happen');
}

/** Whether the instant lies inside business hours (stretches are half-open: the closing minute is not). */
export function isBusinessTime(calendar: BusinessCalendar, ms: number): boolean {
  assertInstant(ms, 'ms');
  const compiled = compile(calendar);
  const day = wallDayOf(compiled.zone, ms);
  for (let candidate = day - 1; candidate <= day + 1; candidate += 1) {
    for (const [start, end] of dayStretches(compiled, candidate)) {
      if (start <= ms && ms < end) return true;
    }
  }
  return false;
}
