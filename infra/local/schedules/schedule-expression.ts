/**
 * EventBridge schedule expressions, `rate(...)` and 6-field `cron(...)`, evaluated in UTC like AWS.
 * Parsing is as strict as AWS where that is cheap, so a manifest AWS would refuse fails locally too.
 */

export interface RateSchedule {
  readonly kind: 'rate';
  readonly expression: string;
  readonly periodMs: number;
}

export interface CronSchedule {
  readonly kind: 'cron';
  readonly expression: string;
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  /** `null` for `?`: the day is chosen by the other day field. */
  readonly daysOfMonth: ReadonlySet<number> | null;
  readonly months: ReadonlySet<number>;
  /** 1 = Sunday … 7 = Saturday, as in AWS; `null` for `?`. */
  readonly daysOfWeek: ReadonlySet<number> | null;
  readonly years: ReadonlySet<number>;
}

export type ParsedSchedule = RateSchedule | CronSchedule;

export class ScheduleExpressionError extends Error {
  override readonly name = 'ScheduleExpressionError';
}

const MINUTE_MS = 60_000;
const UNIT_MS = { minute: MINUTE_MS, hour: 60 * MINUTE_MS, day: 24 * 60 * MINUTE_MS } as const;
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  readonly allowsQuestion?: boolean;
}

const FIELDS: readonly FieldSpec[] = [
  { name: 'minutes', min: 0, max: 59 },
  { name: 'hours', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31, allowsQuestion: true },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day-of-week', min: 1, max: 7, names: DAYS, allowsQuestion: true },
  { name: 'year', min: 1970, max: 2199 },
];

export function parseScheduleExpression(expression: string): ParsedSchedule {
  if (expression.startsWith('rate(') && expression.endsWith(')')) return parseRate(expression);
  if (expression.startsWith('cron(') && expression.endsWith(')')) return parseCron(expression);
  throw new ScheduleExpressionError(`"${expression}" is neither rate(...) nor cron(...)`);
}

/** The first run strictly after `after`. A rate runs one period after the previous run. */
export function nextRun(expression: string | ParsedSchedule, after: Date): Date {
  const schedule = typeof expression === 'string' ? parseScheduleExpression(expression) : expression;
  if (schedule.kind === 'rate') return new Date(after.getTime() + schedule.periodMs);
  return nextCronRun(schedule, after);
}

/**
 * The next run after `now` for a schedule that was due at `due` but fired late (a sleeping laptop):
 * missed periods are skipped, not replayed, and a rate keeps its original phase.
 */
export function nextRunSkippingMissed(schedule: ParsedSchedule, due: Date, now: Date): Date {
  if (schedule.kind === 'cron') return nextCronRun(schedule, now > due ? now : due);
  const periods = Math.max(0, Math.floor((now.getTime() - due.getTime()) / schedule.periodMs)) + 1;
  return new Date(due.getTime() + periods * schedule.periodMs);
}

// rate ---------------------------------------------------------------------------------------------

function parseRate(expression: string): RateSchedule {
  const match = /^rate\(([1-9]\d*) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (match === null) {
    throw new ScheduleExpressionError(
      `"${expression}": expected rate(<positive integer> <minute|hour|day>[s])`,
    );
  }
  const value = Number(match[1]);
  const unit = match[2] as string;
  const singular = !unit.endsWith('s');
  // AWS refuses both `rate(1 minutes)` and `rate(5 minute)`.
  if (singular !== (value === 1)) {
    throw new ScheduleExpressionError(
      `"${expression}": use the singular unit for 1 and the plural otherwise`,
    );
  }
  const unitMs = UNIT_MS[(singular ? unit : unit.slice(0, -1)) as keyof typeof UNIT_MS];
  return { kind: 'rate', expression, periodMs: value * unitMs };
}

// cron ---------------------------------------------------------------------------------------------

function parseCron(expression: string): CronSchedule {
  const fields = expression.slice('cron('.length, -1).trim().split(/\s+/);
  if (fields.length !== 6) {
    throw new ScheduleExpressionError(
      `"${expression}": cron needs 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length}`,
    );
  }
  const [minutes, hours, daysOfMonth, months, daysOfWeek, years] = FIELDS.map((spec, index) =>
    parseField(fields[index] as string, spec, expression),
  );
  if ((daysOfMonth === null) === (daysOfWeek === null)) {
    throw new ScheduleExpressionError(
      `"${expression}": exactly one of day-of-month and day-of-week must be "?" (AWS does not combine them)`,
    );
  }
  return {
    kind: 'cron',
    expression,
    minutes: required(minutes),
    hours: required(hours),
    daysOfMonth: daysOfMonth ?? null,
    months: required(months),
    daysOfWeek: daysOfWeek ?? null,
    years: required(years),
  };
}

/** Only the day fields may be `?`; `parseField` already refused it elsewhere. */
function required(values: ReadonlySet<number> | null | undefined): ReadonlySet<number> {
  return values ?? new Set();
}

function parseField(text: string, spec: FieldSpec, expression: string): ReadonlySet<number> | null {
  const fail = (reason: string) =>
    new ScheduleExpressionError(`"${expression}": ${spec.name} "${text}" ${reason}`);
  if (text === '?') {
    if (spec.allowsQuestion) return null;
    throw fail('cannot be "?"; only day-of-month and day-of-week can');
  }
  const values = new Set<number>();
  for (const part of text.split(',')) {
    for (const value of expandPart(part, spec, fail)) values.add(value);
  }
  return values;
}

function expandPart(part: string, spec: FieldSpec, fail: (reason: string) => Error): number[] {
  const [base = '', stepText, ...extra] = part.split('/');
  if (extra.length > 0) throw fail('has more than one "/"');
  const step = stepText === undefined ? 1 : parseNumber(stepText, fail);
  if (step < 1) throw fail('has a step below 1');
  const [start, end] = rangeOf(base, spec, fail, stepText !== undefined);
  if (start < spec.min || end > spec.max) throw fail(`is outside ${spec.min}-${spec.max}`);
  if (start > end) throw fail('has a range that ends before it starts');
  const values: number[] = [];
  for (let value = start; value <= end; value += step) values.push(value);
  return values;
}

/** `*` is the whole field; `a/step` (no end) runs to the end of the field, as in AWS. */
function rangeOf(
  base: string,
  spec: FieldSpec,
  fail: (reason: string) => Error,
  stepped: boolean,
): [number, number] {
  if (base === '*') return [spec.min, spec.max];
  const bounds = base.split('-');
  if (bounds.length > 2) throw fail('has a malformed range');
  const start = parseValue(bounds[0] ?? '', spec, fail);
  if (bounds.length === 2) return [start, parseValue(bounds[1] ?? '', spec, fail)];
  return [start, stepped ? spec.max : start];
}

function parseValue(text: string, spec: FieldSpec, fail: (reason: string) => Error): number {
  const named = spec.names?.indexOf(text.toUpperCase()) ?? -1;
  if (named >= 0) return named + 1;
  if (/^(L|LW|\d+L|\d+W|\d+#\d+)$/i.test(text)) {
    throw fail('uses L, W or #, which the local scheduler does not support');
  }
  return parseNumber(text, fail);
}

function parseNumber(text: string, fail: (reason: string) => Error): number {
  if (!/^\d+$/.test(text)) throw fail(`has "${text}", which is not a number`);
  return Number(text);
}

function nextCronRun(cron: CronSchedule, after: Date): Date {
  let t = new Date(Math.floor(after.getTime() / MINUTE_MS) * MINUTE_MS + MINUTE_MS);
  // Each step jumps to the start of the next year, month, day, hour or minute, so even an impossible
  // date (30 February) ends after a few thousand steps at the last allowed year.
  for (;;) {
    const year = t.getUTCFullYear();
    const month = t.getUTCMonth();
    const day = t.getUTCDate();
    const hour = t.getUTCHours();
    if (!cron.years.has(year)) {
      const next = [...cron.years].filter((candidate) => candidate > year).sort((a, b) => a - b)[0];
      if (next === undefined)
        throw new ScheduleExpressionError(`"${cron.expression}" has no run after ${after.toISOString()}`);
      t = utc(next, 0, 1);
    } else if (!cron.months.has(month + 1)) t = utc(year, month + 1, 1);
    else if (!dayMatches(cron, t)) t = utc(year, month, day + 1);
    else if (!cron.hours.has(hour)) t = utc(year, month, day, hour + 1);
    else if (!cron.minutes.has(t.getUTCMinutes())) t = new Date(t.getTime() + MINUTE_MS);
    else return t;
  }
}

function dayMatches(cron: CronSchedule, t: Date): boolean {
  if (cron.daysOfMonth !== null) return cron.daysOfMonth.has(t.getUTCDate());
  return cron.daysOfWeek?.has(t.getUTCDay() + 1) ?? true;
}

function utc(year: number, month: number, day: number, hour = 0): Date {
  return new Date(Date.UTC(year, month, day, hour));
}
