/**
 * The local stand-in for the project's EventBridge bus: validates PutEvents entries like AWS, matches
 * them against rules, and delivers to in-process targets asynchronously with retries and a dead-letter
 * store, so code behaves locally as it will when EventBridge invokes a Lambda.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { BusEnvelope } from '#shared/events/envelope.ts';
import type { EventPattern } from '#shared/platform/event-pattern.ts';
import { matchesPattern, validatePattern } from '#shared/platform/event-pattern-match.ts';
import { type DeadLetter, DeadLetterStore } from './dead-letter-store.ts';

export type { DeadLetter } from './dead-letter-store.ts';

export type BusTarget = (envelope: BusEnvelope) => Promise<void>;

export interface BusRule {
  readonly name: string;
  readonly pattern: EventPattern;
  readonly target: BusTarget;
}

export interface DeliveryLogLine {
  readonly eventId: string;
  readonly detailType: string;
  readonly source: string;
  readonly rule: string;
  /** `retry`: this attempt failed and another is scheduled; `dead-letter`: it failed for the last time. */
  readonly status: 'ok' | 'retry' | 'dead-letter';
  readonly ms: number;
  readonly tenantId?: string;
  readonly attempt: number;
  readonly error?: string;
}

export interface LocalEventBusOptions {
  readonly busName: string;
  /** Where `dead-letters.json` is kept; in memory only when absent. */
  readonly dataDir?: string;
  readonly retry?: { readonly attempts: number; readonly baseDelayMs: number };
  readonly log?: (line: DeliveryLogLine) => void;
  readonly now?: () => Date;
  readonly account?: string;
  readonly region?: string;
}

export interface PutEventsRequestEntry {
  readonly Source?: string;
  readonly DetailType?: string;
  readonly Detail?: string;
  readonly EventBusName?: string;
  readonly Time?: Date | string;
  readonly Resources?: string[];
}

export type PutEventsResultEntry = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

export interface PutEventsResult {
  FailedEntryCount: number;
  Entries: PutEventsResultEntry[];
}

export interface ReplayResult {
  readonly id: string;
  readonly rule: string;
  readonly delivered: boolean;
  readonly error?: string;
}

/** The whole request is refused (AWS answers HTTP 400 `ValidationException`); no entry is accepted. */
export class PutEventsValidationError extends Error {
  override readonly name = 'ValidationException';
}

export const MAX_ENTRIES = 10;
export const MAX_REQUEST_BYTES = 256 * 1024;
const DEFAULT_RETRY = { attempts: 3, baseDelayMs: 200 };

/** EventBridge writes `time` to the second: `2024-05-01T12:00:00Z`. */
export function toEventTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

interface Delivery {
  readonly rule: BusRule;
  readonly envelope: BusEnvelope;
  attempt: number;
  firstFailureAt?: string;
  lastError?: string;
  timer?: NodeJS.Timeout;
}

type AttemptOutcome = { ok: true; ms: number } | { ok: false; ms: number; error: string };

export class LocalEventBus {
  readonly busName: string;
  readonly #rules = new Map<string, BusRule>();
  readonly #deadLetters: DeadLetterStore;
  readonly #retry: { readonly attempts: number; readonly baseDelayMs: number };
  readonly #log: (line: DeliveryLogLine) => void;
  readonly #now: () => Date;
  readonly #account: string;
  readonly #region: string;
  /** Deliveries not finished yet: waiting for their first attempt or a retry, or running. */
  readonly #pending = new Set<Delivery>();
  readonly #replaying = new Set<string>();
  #idleWaiters: (() => void)[] = [];
  #stopped = false;

  constructor(options: LocalEventBusOptions) {
    this.busName = options.busName;
    this.#deadLetters = new DeadLetterStore(options.dataDir);
    this.#retry = options.retry ?? DEFAULT_RETRY;
    if (!(this.#retry.attempts >= 1)) throw new Error('retry.attempts must be at least 1');
    this.#log = options.log ?? (() => {});
    this.#now = options.now ?? (() => new Date());
    this.#account = options.account ?? '000000000000';
    this.#region = options.region ?? 'local';
  }

  addRule(rule: BusRule): void {
    if (this.#rules.has(rule.name))
      throw new Error(`A rule named "${rule.name}" is already on bus ${this.busName}`);
    const problems = validatePattern(rule.pattern);
    if (problems.length > 0)
      throw new Error(`Rule "${rule.name}" has an invalid pattern: ${problems.join('; ')}`);
    this.#rules.set(rule.name, rule);
  }

  /** Accepts or refuses each entry at once; deliveries start only after this returns. */
  putEvents(entries: readonly PutEventsRequestEntry[]): PutEventsResult {
    if (this.#stopped) throw new Error(`Bus ${this.busName} is stopped`);
    checkRequest(entries);
    const results = entries.map((entry) => this.#accept(entry));
    return {
      FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length,
      Entries: results,
    };
  }

  listDeadLetters(): DeadLetter[] {
    return this.#deadLetters.list();
  }

  /** Delivers a dead letter once more to its rule's target; it leaves the store only when that works. */
  async replayDeadLetter(id: string): Promise<ReplayResult> {
    const letter = this.#deadLetters.get(id);
    if (letter === undefined) throw new Error(`No dead letter with id ${id}`);
    const rule = this.#rules.get(letter.rule);
    if (rule === undefined)
      throw new Error(`Dead letter ${id} is for rule "${letter.rule}", which is not on the bus`);
    if (this.#replaying.has(id)) throw new Error(`Dead letter ${id} is already being replayed`);
    this.#replaying.add(id);
    try {
      return await this.#replay(letter, rule);
    } finally {
      this.#replaying.delete(id);
      this.#settle();
    }
  }

  /** Replays every dead letter one after the other; a letter that cannot be replayed is reported, not thrown. */
  async replayAll(): Promise<ReplayResult[]> {
    const results: ReplayResult[] = [];
    for (const letter of this.#deadLetters.list()) {
      try {
        results.push(await this.replayDeadLetter(letter.id));
      } catch (error) {
        results.push({ id: letter.id, rule: letter.rule, delivered: false, error: messageOf(error) });
      }
    }
    return results;
  }

  /** Resolves once nothing is waiting to be delivered, retried or replayed. */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * Cancels every delivery that has not started and every retry timer. Those events go to the
   * dead-letter store instead of vanishing, so they can be replayed after a restart.
   */
  stop(): void {
    this.#stopped = true;
    for (const delivery of [...this.#pending]) {
      if (delivery.timer === undefined) continue; // running now; it dead-letters itself if it fails
      clearTimeout(delivery.timer);
      // The cancelled attempt never ran, so one attempt fewer was made than the counter says.
      this.#deadLetter(delivery, delivery.lastError ?? 'bus stopped before delivery', delivery.attempt - 1);
    }
    this.#settle();
  }

  #accept(entry: PutEventsRequestEntry): PutEventsResultEntry {
    const checked = checkEntry(entry, this.busName);
    if ('ErrorCode' in checked) return checked;
    const envelope: BusEnvelope = {
      version: '0',
      id: randomUUID(),
      'detail-type': checked.detailType,
      source: checked.source,
      account: this.#account,
      time: toEventTime(checked.time ?? this.#now()),
      region: this.#region,
      resources: checked.resources,
      detail: checked.detail,
    };
    for (const rule of this.#rules.values()) {
      if (matchesPattern(rule.pattern, envelope)) this.#schedule({ rule, envelope, attempt: 1 }, 0);
    }
    return { EventId: envelope.id };
  }

  #schedule(delivery: Delivery, delayMs: number): void {
    this.#pending.add(delivery);
    delivery.timer = setTimeout(() => {
      delivery.timer = undefined;
      void this.#attempt(delivery);
    }, delayMs);
  }

  async #attempt(delivery: Delivery): Promise<void> {
    const outcome = await this.#invoke(delivery.rule, delivery.envelope);
    if (outcome.ok) {
      this.#pending.delete(delivery);
      this.#emit(delivery.envelope, delivery.rule.name, 'ok', outcome.ms, delivery.attempt);
    } else {
      this.#failed(delivery, outcome.error, outcome.ms);
    }
    this.#settle();
  }

  #failed(delivery: Delivery, error: string, ms: number): void {
    delivery.firstFailureAt ??= this.#now().toISOString();
    delivery.lastError = error;
    const last = delivery.attempt >= this.#retry.attempts || this.#stopped;
    this.#emit(
      delivery.envelope,
      delivery.rule.name,
      last ? 'dead-letter' : 'retry',
      ms,
      delivery.attempt,
      error,
    );
    if (last) {
      this.#deadLetter(delivery, error, delivery.attempt);
      return;
    }
    const delayMs = this.#retry.baseDelayMs * 2 ** (delivery.attempt - 1);
    delivery.attempt += 1;
    this.#schedule(delivery, delayMs);
  }

  #deadLetter(delivery: Delivery, error: string, attempts: number): void {
    this.#pending.delete(delivery);
    const now = this.#now().toISOString();
    this.#deadLetters.put({
      id: randomUUID(),
      rule: delivery.rule.name,
      envelope: delivery.envelope,
      error,
      attempts,
      firstFailureAt: delivery.firstFailureAt ?? now,
      lastFailureAt: now,
    });
  }

  async #replay(letter: DeadLetter, rule: BusRule): Promise<ReplayResult> {
    const attempt = letter.attempts + 1;
    const outcome = await this.#invoke(rule, letter.envelope);
    if (outcome.ok) {
      this.#deadLetters.delete(letter.id);
      this.#emit(letter.envelope, rule.name, 'ok', outcome.ms, attempt);
      return { id: letter.id, rule: rule.name, delivered: true };
    }
    const lastFailureAt = this.#now().toISOString();
    this.#deadLetters.put({ ...letter, error: outcome.error, attempts: attempt, lastFailureAt });
    this.#emit(letter.envelope, rule.name, 'dead-letter', outcome.ms, attempt, outcome.error);
    return { id: letter.id, rule: rule.name, delivered: false, error: outcome.error };
  }

  async #invoke(rule: BusRule, envelope: BusEnvelope): Promise<AttemptOutcome> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      // Each target gets its own copy, as each Lambda gets its own JSON, so one cannot alter another's event.
      await rule.target(structuredClone(envelope));
      return { ok: true, ms: elapsed() };
    } catch (error) {
      return { ok: false, ms: elapsed(), error: messageOf(error) };
    }
  }

  #emit(
    envelope: BusEnvelope,
    rule: string,
    status: DeliveryLogLine['status'],
    ms: number,
    attempt: number,
    error?: string,
  ): void {
    const tenantId = tenantIdOf(envelope.detail);
    const line: DeliveryLogLine = {
      eventId: envelope.id,
      detailType: envelope['detail-type'],
      source: envelope.source,
      rule,
      status,
      ms,
      attempt,
      ...(tenantId === undefined ? {} : { tenantId }),
      ...(error === undefined ? {} : { error }),
    };
    try {
      this.#log(line);
    } catch {
      // A broken logger must not stop deliveries or their bookkeeping.
    }
  }

  #isIdle(): boolean {
    return this.#pending.size === 0 && this.#replaying.size === 0;
  }

  #settle(): void {
    if (!this.#isIdle()) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

// Request checks, mirroring EventBridge's answers ------------------------------------------------------

type CheckedEntry = {
  source: string;
  detailType: string;
  detail: Record<string, unknown>;
  time: Date | undefined;
  resources: string[];
};

type EntryError = { ErrorCode: string; ErrorMessage: string };

function checkRequest(entries: readonly PutEventsRequestEntry[]): void {
  if (!Array.isArray(entries) || entries.length < 1 || entries.length > MAX_ENTRIES) {
    const count = Array.isArray(entries) ? entries.length : 0;
    throw new PutEventsValidationError(
      `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length ` +
        `between 1 and ${MAX_ENTRIES} (got ${count})`,
    );
  }
  const bytes = entries.reduce((sum, entry) => sum + entrySize(entry), 0);
  if (bytes > MAX_REQUEST_BYTES) {
    throw new PutEventsValidationError('Total size of the entries in the request is over the limit.');
  }
}

/** EventBridge's own size formula: UTF-8 bytes of the text fields, 14 bytes for a Time. */
export function entrySize(entry: PutEventsRequestEntry): number {
  const bytes = (text: unknown) => (typeof text === 'string' ? Buffer.byteLength(text, 'utf8') : 0);
  const resources = Array.isArray(entry.Resources) ? entry.Resources : [];
  return (
    (entry.Time === undefined ? 0 : 14) +
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    resources.reduce((sum, resource) => sum + bytes(resource), 0)
  );
}

function checkEntry(entry: PutEventsRequestEntry, busName: string): CheckedEntry | EntryError {
  const missing = (['Source', 'DetailType', 'Detail'] as const).find(
    (field) => !isNonEmptyString(entry[field]),
  );
  if (missing !== undefined) {
    return invalid(missing, `${missing} is a required argument.`);
  }
  const source = entry.Source as string;
  if (source.startsWith('aws.')) {
    return { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' };
  }
  if (entry.EventBusName !== undefined && !namesBus(entry.EventBusName, busName)) {
    return {
      ErrorCode: 'ResourceNotFoundException',
      ErrorMessage: `Event bus ${entry.EventBusName} does not exist.`,
    };
  }
  const detail = parseDetail(entry.Detail as string);
  if (detail === undefined) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  const time = parseTime(entry.Time);
  if (time === null) return invalid('Time', 'Time is not a valid timestamp.');
  const resources = entry.Resources ?? [];
  if (!Array.isArray(resources) || !resources.every((resource) => typeof resource === 'string')) {
    return invalid('Resources', 'Resources must be a list of strings.');
  }
  return { source, detailType: entry.DetailType as string, detail, time, resources: [...resources] };
}

function invalid(field: string, reason: string): EntryError {
  return { ErrorCode: 'InvalidArgument', ErrorMessage: `Parameter ${field} is not valid. Reason: ${reason}` };
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

/** The bus may be named by name or by ARN, as in AWS. */
function namesBus(name: string, busName: string): boolean {
  return name === busName || name.endsWith(`:event-bus/${busName}`);
}

function parseDetail(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** `undefined` when absent, `null` when unusable. */
function parseTime(time: Date | string | undefined): Date | undefined | null {
  if (time === undefined) return undefined;
  const date = time instanceof Date ? time : new Date(time);
  return Number.isNaN(date.getTime()) ? null : date;
}

function tenantIdOf(detail: unknown): string | undefined {
  if (typeof detail !== 'object' || detail === null) return undefined;
  const tenantId = (detail as { tenantId?: unknown }).tenantId;
  return typeof tenantId === 'string' ? tenantId : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
