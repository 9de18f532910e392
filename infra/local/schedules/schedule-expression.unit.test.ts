import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CronSchedule,
  nextRun,
  nextRunSkippingMissed,
  parseScheduleExpression,
  ScheduleExpressionError,
} from './schedule-expression.ts';

const at = (iso: string) => new Date(iso);

describe('rate expressions', () => {
  it.each([
    ['rate(1 minute)', 60_000],
    ['rate(5 minutes)', 5 * 60_000],
    ['rate(1 hour)', 3_600_000],
    ['rate(12 hours)', 12 * 3_600_000],
    ['rate(1 day)', 86_400_000],
    ['rate(2 days)', 2 * 86_400_000],
  ])('%s runs every %i ms', (expression, periodMs) => {
    expect(parseScheduleExpression(expression)).toEqual({ kind: 'rate', expression, periodMs });
    expect(nextRun(expression, at('2024-05-01T10:00:00.000Z')).getTime()).toBe(
      at('2024-05-01T10:00:00.000Z').getTime() + periodMs,
    );
  });

  it.each([
    ['rate(1 minutes)', 'singular unit for 1'],
    ['rate(5 minute)', 'singular unit for 1'],
    ['rate(0 minutes)', 'expected rate('],
    ['rate(-1 minutes)', 'expected rate('],
    ['rate(1.5 hours)', 'expected rate('],
    ['rate(1 week)', 'expected rate('],
    ['rate(5minutes)', 'expected rate('],
    ['rate(05 minutes)', 'expected rate('],
    ['every 5 minutes', 'neither rate(...) nor cron(...)'],
  ])('refuses %s', (expression, message) => {
    expect(() => parseScheduleExpression(expression)).toThrow(ScheduleExpressionError);
    expect(() => parseScheduleExpression(expression)).toThrow(message);
  });
});

describe('cron expressions (UTC)', () => {
  it.each([
    ['cron(0 10 * * ? *)', '2024-05-01T09:59:59Z', '2024-05-01T10:00:00.000Z'],
    ['cron(0 10 * * ? *)', '2024-05-01T10:00:00Z', '2024-05-02T10:00:00.000Z'],
    ['cron(15 12 * * ? *)', '2024-05-01T12:15:30Z', '2024-05-02T12:15:00.000Z'],
    ['cron(0 18 ? * MON-FRI *)', '2024-05-03T18:00:00Z', '2024-05-06T18:00:00.000Z'],
    ['cron(0 8 1 * ? *)', '2024-05-01T08:00:00Z', '2024-06-01T08:00:00.000Z'],
    ['cron(0/15 * * * ? *)', '2024-05-01T10:07:00Z', '2024-05-01T10:15:00.000Z'],
    ['cron(*/15 * * * ? *)', '2024-05-01T10:45:00Z', '2024-05-01T11:00:00.000Z'],
    ['cron(0/10 * ? * MON-FRI *)', '2024-05-03T23:55:00Z', '2024-05-06T00:00:00.000Z'],
    ['cron(0/5 8-17 ? * MON-FRI *)', '2024-05-06T17:55:00Z', '2024-05-07T08:00:00.000Z'],
    ['cron(0,30 9,17 * * ? *)', '2024-05-01T09:30:00Z', '2024-05-01T17:00:00.000Z'],
    ['cron(0 0 1 JAN,JUL ? *)', '2024-02-01T00:00:00Z', '2024-07-01T00:00:00.000Z'],
    ['cron(0 12 ? * 1 *)', '2024-05-01T00:00:00Z', '2024-05-05T12:00:00.000Z'],
    ['cron(0 12 ? * sun *)', '2024-05-01T00:00:00Z', '2024-05-05T12:00:00.000Z'],
    ['cron(0 0 29 2 ? *)', '2024-03-01T00:00:00Z', '2028-02-29T00:00:00.000Z'],
    ['cron(0 0 31 * ? *)', '2024-04-01T00:00:00Z', '2024-05-31T00:00:00.000Z'],
    ['cron(0 0 1 1 ? 2030)', '2024-05-01T00:00:00Z', '2030-01-01T00:00:00.000Z'],
    ['cron(30 23 31 12 ? 2024-2026/2)', '2024-12-31T23:30:00Z', '2026-12-31T23:30:00.000Z'],
    ['cron(5 * * * ? *)', '2024-12-31T23:59:00Z', '2025-01-01T00:05:00.000Z'],
  ])('%s after %s runs at %s', (expression, after, expected) => {
    expect(nextRun(expression, at(after)).toISOString()).toBe(expected);
  });

  it('expands lists, ranges, steps and names into sets', () => {
    const cron = parseScheduleExpression(
      'cron(0/20 8-10,22 ? JAN-MAR/2 MON,WED-FRI 2024-2199)',
    ) as CronSchedule;
    expect([...cron.minutes]).toEqual([0, 20, 40]);
    expect([...cron.hours]).toEqual([8, 9, 10, 22]);
    expect(cron.daysOfMonth).toBeNull();
    expect([...cron.months]).toEqual([1, 3]);
    expect([...(cron.daysOfWeek ?? [])]).toEqual([2, 4, 5, 6]);
    expect(cron.years.size).toBe(2199 - 2024 + 1);
  });

  it.each([
    ['cron(0 10 * * ?)', 'cron needs 6 fields'],
    ['cron(0 10 * * * *)', 'exactly one of day-of-month and day-of-week must be "?"'],
    ['cron(0 10 ? * ? *)', 'exactly one of day-of-month and day-of-week must be "?"'],
    ['cron(60 10 * * ? *)', 'minutes "60" is outside 0-59'],
    ['cron(0 24 * * ? *)', 'hours "24" is outside 0-23'],
    ['cron(0 0 0 * ? *)', 'day-of-month "0" is outside 1-31'],
    ['cron(0 0 * 13 ? *)', 'month "13" is outside 1-12'],
    ['cron(0 0 ? * 8 *)', 'day-of-week "8" is outside 1-7'],
    ['cron(0 0 * * ? 1969)', 'year "1969" is outside 1970-2199'],
    ['cron(30-10 * * * ? *)', 'ends before it starts'],
    ['cron(0/0 * * * ? *)', 'step below 1'],
    ['cron(? 10 * * ? *)', 'cannot be "?"'],
    ['cron(x 10 * * ? *)', 'not a number'],
    ['cron(0 0 L * ? *)', 'the local scheduler does not support'],
    ['cron(0 0 15W * ? *)', 'the local scheduler does not support'],
    ['cron(0 0 ? * 6L *)', 'the local scheduler does not support'],
    ['cron(0 9 ? * 2#1 *)', 'the local scheduler does not support'],
  ])('refuses %s', (expression, message) => {
    expect(() => parseScheduleExpression(expression)).toThrow(ScheduleExpressionError);
    expect(() => parseScheduleExpression(expression)).toThrow(message);
  });

  it('says so when a cron has no run left', () => {
    expect(() => nextRun('cron(0 0 1 1 ? 2030)', at('2030-01-01T00:00:00Z'))).toThrow('has no run after');
    expect(() => nextRun('cron(0 0 30 2 ? *)', at('2024-01-01T00:00:00Z'))).toThrow('has no run after');
  });
});

describe('nextRunSkippingMissed', () => {
  it('keeps the phase of a rate after missed periods', () => {
    const rate = parseScheduleExpression('rate(5 minutes)');
    const due = at('2024-05-01T10:00:00Z');
    expect(nextRunSkippingMissed(rate, due, due).toISOString()).toBe('2024-05-01T10:05:00.000Z');
    expect(nextRunSkippingMissed(rate, due, at('2024-05-01T10:17:00Z')).toISOString()).toBe(
      '2024-05-01T10:20:00.000Z',
    );
    expect(nextRunSkippingMissed(rate, due, at('2024-05-01T10:20:00Z')).toISOString()).toBe(
      '2024-05-01T10:25:00.000Z',
    );
  });

  it('moves a cron to its first slot after now', () => {
    const cron = parseScheduleExpression('cron(0 * * * ? *)');
    expect(
      nextRunSkippingMissed(cron, at('2024-05-01T10:00:00Z'), at('2024-05-01T13:30:00Z')).toISOString(),
    ).toBe('2024-05-01T14:00:00.000Z');
  });
});

// Properties ----------------------------------------------------------------------------------------

function field(min: number, max: number): fc.Arbitrary<string> {
  const value = fc.integer({ min, max });
  return fc.oneof(
    fc.constant('*'),
    value.map(String),
    fc.tuple(value, fc.integer({ min: 1, max: max - min + 1 })).map(([start, step]) => `${start}/${step}`),
    fc.tuple(value, value).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
    fc.uniqueArray(value, { minLength: 1, maxLength: 4 }).map((values) => values.join(',')),
  );
}

/** Crons that always have a next run: day-of-month at most 28, every year allowed. */
const cronExpression = fc
  .tuple(
    field(0, 59),
    field(0, 23),
    fc.oneof(
      field(1, 28).map((dayOfMonth) => [dayOfMonth, '?']),
      field(1, 7).map((dayOfWeek) => ['?', dayOfWeek]),
    ),
    field(1, 12),
  )
  .map(([minutes, hours, [dom, dow], month]) => `cron(${minutes} ${hours} ${dom} ${month} ${dow} *)`);

const rateExpression = fc
  .tuple(fc.integer({ min: 1, max: 500 }), fc.constantFrom('minute', 'hour', 'day'))
  .map(([value, unit]) => `rate(${value} ${unit}${value === 1 ? '' : 's'})`);

const instant = fc.date({
  min: at('1970-01-01T00:00:00Z'),
  max: at('2150-01-01T00:00:00Z'),
  noInvalidDate: true,
});

describe('nextRun properties', () => {
  it('is strictly after `after`', () => {
    fc.assert(
      fc.property(fc.oneof(rateExpression, cronExpression), instant, (expression, after) => {
        expect(nextRun(expression, after).getTime()).toBeGreaterThan(after.getTime());
      }),
    );
  });

  it('a rate ticked from a start runs exactly one period apart', () => {
    fc.assert(
      fc.property(rateExpression, instant, fc.integer({ min: 1, max: 20 }), (expression, start, ticks) => {
        const { periodMs } = parseScheduleExpression(expression) as { periodMs: number };
        let run = start;
        for (let tick = 1; tick <= ticks; tick += 1) {
          const next = nextRun(expression, run);
          expect(next.getTime() - run.getTime()).toBe(periodMs);
          run = next;
        }
        expect(run.getTime()).toBe(start.getTime() + ticks * periodMs);
      }),
    );
  });

  it('a cron run is on a whole minute that every field allows', () => {
    fc.assert(
      fc.property(cronExpression, instant, (expression, after) => {
        const cron = parseScheduleExpression(expression) as CronSchedule;
        const run = nextRun(cron, after);
        expect(run.getUTCSeconds() + run.getUTCMilliseconds()).toBe(0);
        expect(cron.minutes.has(run.getUTCMinutes())).toBe(true);
        expect(cron.hours.has(run.getUTCHours())).toBe(true);
        expect(cron.months.has(run.getUTCMonth() + 1)).toBe(true);
        if (cron.daysOfMonth) expect(cron.daysOfMonth.has(run.getUTCDate())).toBe(true);
        if (cron.daysOfWeek) expect(cron.daysOfWeek.has(run.getUTCDay() + 1)).toBe(true);
      }),
    );
  });

  it('a daily cron run is the first matching minute (checked minute by minute)', () => {
    const daily = fc.tuple(field(0, 59), field(0, 23)).map(([m, h]) => `cron(${m} ${h} * * ? *)`);
    fc.assert(
      fc.property(daily, instant, (expression, after) => {
        const cron = parseScheduleExpression(expression) as CronSchedule;
        let t = Math.floor(after.getTime() / 60_000) * 60_000 + 60_000;
        while (
          !(cron.minutes.has(new Date(t).getUTCMinutes()) && cron.hours.has(new Date(t).getUTCHours()))
        ) {
          t += 60_000;
        }
        expect(nextRun(cron, after).getTime()).toBe(t);
      }),
      { numRuns: 50 },
    );
  });
});
