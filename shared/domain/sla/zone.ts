/*
 * Time-zone arithmetic for business calendars: the UTC offset of an instant, the wall-clock day of an
 * instant, and the instant of a wall-clock time. Everything goes through `Intl.DateTimeFormat` with
 * an explicit zone (the runtime's own tz database), so no result depends on the process's own
 * time zone. Wall-clock times are carried as "wall milliseconds": the wall-clock reading encoded as
 * if it were UTC, which makes day and minute arithmetic plain integer arithmetic.
 *
 * Assumption, true of every zone in the tz database since 1970: a zone changes its offset at most
 * once within any three days, so comparing the offset a day before and a day after a stretch tells
 * whether the stretch crosses a change.
 */

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    // h23: some locales answer midnight as hour 24 with `hour12: false`.
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

function isUtc(zone: string): boolean {
  return zone === 'UTC' || zone === 'Etc/UTC';
}

/** Milliseconds to add to an instant to read the zone's wall clock (+3 600 000 for CET). */
export function offsetAt(zone: string, ms: number): number {
  if (isUtc(zone)) return 0;
  const fields: Record<string, number> = {};
  for (const part of formatterFor(zone).formatToParts(ms)) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  const wall = Date.UTC(
    fields.year ?? 1970,
    (fields.month ?? 1) - 1,
    fields.day ?? 1,
    fields.hour ?? 0,
    fields.minute ?? 0,
    fields.second ?? 0,
  );
  // Intl reads whole seconds; offsets are whole seconds too, so drop the instant's milliseconds.
  return wall - (ms - mod(ms, 1000));
}

/** The wall-clock reading of an instant, as wall milliseconds. */
export function wallOf(zone: string, ms: number): number {
  return ms + offsetAt(zone, ms);
}

/** Days since 1970-01-01 of the zone's calendar date at an instant. */
export function wallDayOf(zone: string, ms: number): number {
  return Math.floor(wallOf(zone, ms) / DAY_MS);
}

/** The zone's offset over a stretch of wall time, or null when the offset changes within it. */
export function steadyOffset(zone: string, fromWall: number, toWall: number): number | null {
  // A day either side covers every offset a zone uses (at most 14 h), so both probes lie outside.
  const before = offsetAt(zone, fromWall - DAY_MS);
  const after = offsetAt(zone, toWall + DAY_MS);
  return before === after ? before : null;
}

/**
 * The instant a wall-clock reading happens. A reading that happens twice (clocks going back) gives
 * its first occurrence; one that never happens (clocks going forward) gives the moment of the jump,
 * so everything between the skipped reading and the jump is treated as not there.
 */
export function instantOfWall(zone: string, wall: number): number {
  const before = offsetAt(zone, wall - DAY_MS);
  const after = offsetAt(zone, wall + DAY_MS);
  if (before === after) return wall - before;
  const early = wall - Math.max(before, after);
  const late = wall - Math.min(before, after);
  const earlyHolds = offsetAt(zone, early) === wall - early;
  const lateHolds = offsetAt(zone, late) === wall - late;
  if (earlyHolds) return early;
  if (lateHolds) return late;
  return jumpBetween(zone, early, late, after);
}

/** The first whole second in (from, to] at which the zone already uses `offset`. */
function jumpBetween(zone: string, from: number, to: number, offset: number): number {
  // Offsets change on whole seconds, so searching whole seconds finds the change exactly.
  let low = Math.floor(from / 1000) * 1000;
  let high = Math.ceil(to / 1000) * 1000;
  while (high - low > 1000) {
    const middle = low + Math.floor((high - low) / 2000) * 1000;
    if (offsetAt(zone, middle) === offset) high = middle;
    else low = middle;
  }
  return high;
}

function mod(value: number, divisor: number): number {
  return ((value % divisor) + divisor) % divisor;
}
