/**
 * Local stand-in for EventBridge scheduled rules: calls each target with the `Scheduled Event` envelope
 * AWS sends. Runs on real timers (`start`) or is driven by a test clock (`runDue`).
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { BusEnvelope } from '#shared/events/envelope.ts';
import { toEventTime } from '../bus/event-bus.ts';
import {
  nextRun,
  nextRunSkippingMissed,
  type ParsedSchedule,
  parseScheduleExpression,
  ScheduleExpressionError,
} from './schedule-expression.ts';

export interface ScheduledEventDetail {
  readonly schedule: string;
}

export type ScheduleTarget = (envelope: BusEnvelope<ScheduledEventDetail>) => Promise<void>;

export interface ScheduleRegistration {
  readonly name: string;
  readonly expression: string;
  readonly target: ScheduleTarget;
}

export interface ScheduleLogLine {
  readonly schedule: string;
  readonly expression: string;
  readonly status: 'ok' | 'error';
  readonly ms: number;
  /** When the run was due; the envelope's `time` is when it actually fired. */
  readonly scheduledFor: string;
  readonly error?: string;
}

export interface LocalSchedulerOptions {
  readonly now?: () => Date;
  readonly log?: (line: ScheduleLogLine) => void;
  readonly account?: string;
  readonly region?: string;
}

interface Entry {
  readonly name: string;
  readonly schedule: ParsedSchedule;
  readonly target: ScheduleTarget;
  /** `null` once a cron whose years are over has run for the last time. */
  nextAt: Date | null;
  running: boolean;
  timer?: NodeJS.Timeout;
}

function followingRun(schedule: ParsedSchedule, due: Date, now: Date): Date | null {
  try {
    return nextRunSkippingMissed(schedule, due, now);
  } catch (error) {
    if (error instanceof ScheduleExpressionError) return null; // the cron's last year is over
    throw error;
  }
}

/** setTimeout's ceiling (about 24.8 days); a longer wait is done in several arms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class LocalScheduler {
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => Date;
  readonly #log: (line: ScheduleLogLine) => void;
  readonly #account: string;
  readonly #region: string;
  #started = false;

  constructor(options: LocalSchedulerOptions = {}) {
    this.#now = options.now ?? (() => new Date());
    this.#log = options.log ?? (() => {});
    this.#account = options.account ?? '000000000000';
    this.#region = options.region ?? 'local';
  }

  /** Registers a schedule; its first run is the first one after now. Bad expressions and duplicate names throw. */
  add(registration: ScheduleRegistration): void {
    if (this.#entries.has(registration.name))
      throw new Error(`A schedule named "${registration.name}" already exists`);
    const schedule = parseScheduleExpression(registration.expression);
    const entry: Entry = {
      name: registration.name,
      schedule,
      target: registration.target,
      nextAt: nextRun(schedule, this.#now()),
      running: false,
    };
    this.#entries.set(entry.name, entry);
    if (this.#started) this.#arm(entry);
  }

  /** When each schedule runs next, for a status page or a test. */
  nextRuns(): { name: string; expression: string; nextRunAt: string | null }[] {
    return [...this.#entries.values()].map((entry) => ({
      name: entry.name,
      expression: entry.schedule.expression,
      nextRunAt: entry.nextAt?.toISOString() ?? null,
    }));
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    for (const entry of this.#entries.values()) this.#arm(entry);
  }

  stop(): void {
    this.#started = false;
    for (const entry of this.#entries.values()) {
      clearTimeout(entry.timer);
      entry.timer = undefined;
    }
  }

  /**
   * Fires every schedule due at `now` once, however many periods it missed, and resolves with how many
   * fired. A schedule still running from an earlier firing is left for later.
   */
  async runDue(now: Date): Promise<number> {
    const due = [...this.#entries.values()].filter(
      (entry): entry is Entry & { nextAt: Date } =>
        !entry.running && entry.nextAt !== null && entry.nextAt <= now,
    );
    await Promise.all(due.map((entry) => this.#fire(entry, entry.nextAt, now)));
    return due.length;
  }

  async #fire(entry: Entry, scheduledFor: Date, now: Date): Promise<void> {
    entry.running = true;
    // Moved on before the target runs, so a second runDue meanwhile does not fire the same period again.
    entry.nextAt = followingRun(entry.schedule, scheduledFor, now);
    const started = performance.now();
    let error: string | undefined;
    try {
      await entry.target(this.#envelope(entry.name, now));
    } catch (caught) {
      error = caught instanceof Error ? caught.message : String(caught);
    } finally {
      entry.running = false;
    }
    this.#emit(entry, scheduledFor, Math.round(performance.now() - started), error);
    if (this.#started) this.#arm(entry);
  }

  #arm(entry: Entry): void {
    clearTimeout(entry.timer);
    if (entry.nextAt === null) return;
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, entry.nextAt.getTime() - this.#now().getTime()));
    entry.timer = setTimeout(() => void this.#onTimer(entry), delay);
  }

  async #onTimer(entry: Entry): Promise<void> {
    entry.timer = undefined;
    const now = this.#now();
    if (entry.nextAt === null) return;
    // Timers can fire a little early, and long waits are split: re-arm until the run is really due.
    if (now < entry.nextAt || entry.running) {
      this.#arm(entry);
      return;
    }
    await this.#fire(entry, entry.nextAt, now);
  }

  #envelope(name: string, now: Date): BusEnvelope<ScheduledEventDetail> {
    return {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: this.#account,
      time: toEventTime(now),
      region: this.#region,
      resources: [`arn:aws:events:${this.#region}:${this.#account}:rule/${name}`],
      detail: { schedule: name },
    };
  }

  #emit(entry: Entry, scheduledFor: Date, ms: number, error: string | undefined): void {
    const line: ScheduleLogLine = {
      schedule: entry.name,
      expression: entry.schedule.expression,
      status: error === undefined ? 'ok' : 'error',
      ms,
      scheduledFor: scheduledFor.toISOString(),
      ...(error === undefined ? {} : { error }),
    };
    try {
      this.#log(line);
    } catch {
      // A broken logger must not stop the schedule from being re-armed.
    }
  }
}
