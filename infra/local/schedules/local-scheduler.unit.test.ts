import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BusEnvelope } from '#shared/events/envelope.ts';
import { LocalScheduler, type ScheduledEventDetail, type ScheduleLogLine } from './local-scheduler.ts';
import { ScheduleExpressionError } from './schedule-expression.ts';

const START = new Date('2024-05-01T10:00:00.000Z');
const minutes = (n: number) => new Date(START.getTime() + n * 60_000);

/** A scheduler on a clock the test moves by hand. */
function fakeClockScheduler() {
  let clock = START;
  const lines: ScheduleLogLine[] = [];
  const scheduler = new LocalScheduler({ now: () => clock, log: (line) => lines.push(line) });
  const received: BusEnvelope<ScheduledEventDetail>[] = [];
  const target = async (envelope: BusEnvelope<ScheduledEventDetail>) => void received.push(envelope);
  return {
    scheduler,
    lines,
    received,
    target,
    /** Moves the clock and runs what is due, as the timers would. */
    runAt: (date: Date) => {
      clock = date;
      return scheduler.runDue(date);
    },
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('LocalScheduler.runDue', () => {
  it('fires nothing before the first run is due', async () => {
    const { scheduler, received, target, runAt } = fakeClockScheduler();
    scheduler.add({ name: 'sweep', expression: 'rate(5 minutes)', target });

    expect(scheduler.nextRuns()).toEqual([
      { name: 'sweep', expression: 'rate(5 minutes)', nextRunAt: '2024-05-01T10:05:00.000Z' },
    ]);
    expect(await runAt(minutes(4))).toBe(0);
    expect(received).toEqual([]);
  });

  it('fires a due schedule with the Scheduled Event envelope', async () => {
    const { scheduler, received, target, runAt } = fakeClockScheduler();
    scheduler.add({ name: 'sweep', expression: 'rate(5 minutes)', target });

    expect(await runAt(new Date(minutes(5).getTime() + 1234))).toBe(1);

    expect(received).toEqual([
      {
        version: '0',
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        account: '000000000000',
        time: '2024-05-01T10:05:01Z',
        region: 'local',
        resources: ['arn:aws:events:local:000000000000:rule/sweep'],
        detail: { schedule: 'sweep' },
      },
    ]);
  });

  it('fires each period once as the clock moves', async () => {
    const { scheduler, received, target, runAt } = fakeClockScheduler();
    scheduler.add({ name: 'sweep', expression: 'rate(5 minutes)', target });

    for (let minute = 1; minute <= 30; minute += 1) await runAt(minutes(minute));

    expect(received.map((envelope) => envelope.time)).toEqual(
      [5, 10, 15, 20, 25, 30].map((n) => minutes(n).toISOString().replace('.000Z', 'Z')),
    );
  });

  it('fires once after missed periods and keeps the rate phase', async () => {
    const { scheduler, received, lines, target, runAt } = fakeClockScheduler();
    scheduler.add({ name: 'sweep', expression: 'rate(5 minutes)', target });

    expect(await runAt(minutes(52))).toBe(1);

    expect(received).toHaveLength(1);
    expect(lines).toEqual([
      expect.objectContaining({ schedule: 'sweep', status: 'ok', scheduledFor: minutes(5).toISOString() }),
    ]);
    expect(scheduler.nextRuns()[0]?.nextRunAt).toBe(minutes(55).toISOString());
  });

  it('fires only the schedules that are due', async () => {
    const { scheduler, received, target, runAt } = fakeClockScheduler();
    scheduler.add({ name: 'often', expression: 'rate(1 minute)', target });
    scheduler.add({ name: 'hourly', expression: 'cron(0 * * * ? *)', target });

    expect(await runAt(minutes(1))).toBe(1);
    expect(await runAt(minutes(60))).toBe(2);

    expect(received.map((envelope) => envelope.detail.schedule)).toEqual(['often', 'often', 'hourly']);
  });

  it('logs a failing target and keeps the schedule going', async () => {
    const { scheduler, lines, runAt } = fakeClockScheduler();
    let calls = 0;
    scheduler.add({
      name: 'flaky',
      expression: 'rate(1 minute)',
      target: async () => {
        calls += 1;
        if (calls === 1) throw new Error('first run fails');
      },
    });

    await runAt(minutes(1));
    await runAt(minutes(2));

    expect(lines.map((line) => [line.status, line.error])).toEqual([
      ['error', 'first run fails'],
      ['ok', undefined],
    ]);
  });

  it('does not fire a schedule again while its previous run is still going', async () => {
    const { scheduler, runAt } = fakeClockScheduler();
    let release: () => void = () => {};
    let calls = 0;
    scheduler.add({
      name: 'slow',
      expression: 'rate(1 minute)',
      target: () => {
        calls += 1;
        if (calls > 1) return Promise.resolve();
        return new Promise<void>((resolve) => {
          release = resolve;
        });
      },
    });

    const first = runAt(minutes(1));
    expect(await runAt(minutes(3))).toBe(0);
    release();
    await first;

    expect(calls).toBe(1);
    expect(await runAt(minutes(3))).toBe(1);
    expect(calls).toBe(2);
  });

  it('stops a cron whose last year is over', async () => {
    const { scheduler, received, target, runAt } = fakeClockScheduler();
    scheduler.add({ name: 'once', expression: 'cron(0 0 1 1 ? 2030)', target });

    expect(await runAt(new Date('2030-01-01T00:00:00Z'))).toBe(1);
    expect(scheduler.nextRuns()[0]?.nextRunAt).toBeNull();
    expect(await runAt(new Date('2031-01-01T00:00:00Z'))).toBe(0);
    expect(received).toHaveLength(1);
  });

  it('refuses duplicate names and bad expressions', () => {
    const { scheduler, target } = fakeClockScheduler();
    scheduler.add({ name: 'sweep', expression: 'rate(5 minutes)', target });

    expect(() => scheduler.add({ name: 'sweep', expression: 'rate(1 hour)', target })).toThrow(
      'already exists',
    );
    expect(() => scheduler.add({ name: 'bad', expression: 'rate(5 minute)', target })).toThrow(
      ScheduleExpressionError,
    );
    expect(() => scheduler.add({ name: 'last', expression: 'cron(0 0 L * ? *)', target })).toThrow(
      'not support',
    );
  });

  it('uses the account and region it is given', async () => {
    const scheduler = new LocalScheduler({ now: () => START, account: '123456789012', region: 'eu-west-1' });
    const received: BusEnvelope<ScheduledEventDetail>[] = [];
    scheduler.add({
      name: 'sweep',
      expression: 'rate(1 minute)',
      target: async (e) => void received.push(e),
    });

    await scheduler.runDue(minutes(1));

    expect(received[0]).toMatchObject({
      account: '123456789012',
      region: 'eu-west-1',
      resources: ['arn:aws:events:eu-west-1:123456789012:rule/sweep'],
    });
  });
});

describe('LocalScheduler timers', () => {
  it('fires on timers after start and stops after stop', async () => {
    vi.useFakeTimers({ now: START });
    const scheduler = new LocalScheduler();
    const times: string[] = [];
    scheduler.add({
      name: 'tick',
      expression: 'rate(1 minute)',
      target: async (e) => void times.push(e.time),
    });

    scheduler.start();
    await vi.advanceTimersByTimeAsync(59_999);
    expect(times).toEqual([]);
    await vi.advanceTimersByTimeAsync(1 + 2 * 60_000);
    expect(times).toEqual(['2024-05-01T10:01:00Z', '2024-05-01T10:02:00Z', '2024-05-01T10:03:00Z']);

    scheduler.stop();
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(times).toHaveLength(3);
  });

  it('arms a schedule added after start', async () => {
    vi.useFakeTimers({ now: START });
    const scheduler = new LocalScheduler();
    let calls = 0;
    scheduler.start();
    scheduler.add({
      name: 'late',
      expression: 'cron(30 10 * * ? *)',
      target: async () => {
        calls += 1;
      },
    });

    await vi.advanceTimersByTimeAsync(30 * 60_000);

    expect(calls).toBe(1);
    scheduler.stop();
  });

  it('waits longer than one setTimeout can (yearly cron)', async () => {
    vi.useFakeTimers({ now: new Date('2024-01-01T00:00:30Z') });
    const scheduler = new LocalScheduler();
    const times: string[] = [];
    scheduler.add({
      name: 'yearly',
      expression: 'cron(0 0 1 1 ? *)',
      target: async (e) => void times.push(e.time),
    });

    scheduler.start();
    await vi.advanceTimersByTimeAsync(366 * 86_400_000);

    expect(times).toEqual(['2025-01-01T00:00:00Z']);
    scheduler.stop();
  });
});
