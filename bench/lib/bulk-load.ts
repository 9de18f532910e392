import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToIo } from 'node:timers/promises';
import { BatchWriteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { assignIncident, createIncident } from '#functions/incidents/use-cases.ts';
import { newIncidentSchema } from '#shared/domain/incidents/incident.ts';
import { incidentNumber } from '#shared/domain/incidents/priority.ts';
import { getDocumentClient } from '#shared/platform/clients.ts';
import { tableName } from '#shared/platform/table.ts';
import type { TenantContext } from '#shared/platform/tenant-context.ts';
import type { Item } from './capacity.ts';
import { Capture } from './capture.ts';
import { ticker } from './progress.ts';

/*
 * Fills tenants with incidents, straight into the emulator (in its own process) with BatchWriteItem.
 * The items are the incident store's own: the real use-cases run against a capturing client
 * (capture.ts) for the first incidents, and the rest are copies of those (see BulkLoader.load). Each
 * incident is reported by the tenant's requester; every fourth is then assigned to the tenant's agent
 * and team, so the agent's own queue grows with the tenant. All stay open, the hardest case for the
 * queues.
 */

const LEVELS = ['high', 'medium', 'low'] as const;
const WRITERS = 4;
/** Newest bulk incident: a fixed instant, so every run makes the same data (ids aside). */
const NEWEST = Date.parse('2026-11-01T08:00:00.000Z');

export interface LoadTenant {
  readonly tenantId: string;
  readonly requester: TenantContext;
  /** Assigns every fourth incident when present. */
  readonly agent?: { ctx: TenantContext; teamId: string };
  readonly serviceIds: readonly string[];
  readonly incidents: number;
  /**
   * Called every few thousand copies with the copying rate so far (incidents per second); answers the
   * total to load, so a large size can be lowered when the emulator is slower than the budget allows.
   */
  readonly resize?: (copiesPerSecond: number, done: number, elapsedSeconds: number) => number;
}

export interface LoadedTenant {
  readonly tenantId: string;
  readonly incidents: number;
  readonly assigned: number;
  readonly items: number;
  readonly seconds: number;
}

export interface Emulator {
  readonly raw: DynamoDBClient;
  stop(): Promise<void>;
}

/** Starts dynalite on the folder in a child process (the local cloud must be stopped). */
export async function startEmulator(leveldbFolder: string): Promise<Emulator> {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'dynalite-server.ts'), leveldbFolder], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`dynalite exited with ${code} before listening`)));
    child.stdout.once('data', (data: Buffer) => resolve(Number(String(data).trim())));
  });
  const raw = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 8,
  });
  return {
    raw,
    async stop() {
      raw.destroy();
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** BatchWriteItem in batches of 25 with a few requests in flight; unprocessed items are sent again. */
class BatchWriter {
  readonly #raw: DynamoDBClient;
  readonly #table: string;
  readonly #queue: Record<string, unknown>[] = [];
  #inFlight = 0;
  #failure: unknown;
  #drained: (() => void)[] = [];
  written = 0;

  constructor(raw: DynamoDBClient, table: string) {
    this.#raw = raw;
    this.#table = table;
  }

  get backlog(): number {
    return this.#queue.length;
  }

  push(puts: Item[], deletes: Item[]): void {
    for (const item of puts) this.#queue.push({ PutRequest: { Item: item } });
    for (const key of deletes) this.#queue.push({ DeleteRequest: { Key: key } });
    this.#pump();
  }

  #pump(): void {
    while (this.#inFlight < WRITERS && this.#queue.length > 0) {
      const batch = this.#queue.splice(0, 25);
      this.#inFlight += 1;
      void this.#send(batch).finally(() => {
        this.#inFlight -= 1;
        this.#pump();
        if (this.#inFlight === 0 && this.#queue.length === 0) {
          for (const resolve of this.#drained.splice(0)) resolve();
        }
      });
    }
  }

  async #send(batch: Record<string, unknown>[]): Promise<void> {
    try {
      let pending = batch;
      for (let attempt = 0; pending.length > 0; attempt += 1) {
        if (attempt === 10) throw new Error(`${pending.length} items stayed unprocessed`);
        const result = await this.#raw.send(
          new BatchWriteItemCommand({ RequestItems: { [this.#table]: pending as never } }),
        );
        const left = (result.UnprocessedItems?.[this.#table] ?? []) as Record<string, unknown>[];
        this.written += pending.length - left.length;
        pending = left;
      }
    } catch (error) {
      this.#failure ??= error;
    }
  }

  /** Resolves when the backlog is at most `limit` items; throws the first write failure. */
  async waitBelow(limit: number): Promise<void> {
    // At least once: building items never waits for I/O by itself, and the writers' replies need a turn.
    do await yieldToIo();
    while (this.#queue.length > limit);
    if (this.#failure) throw this.#failure;
  }

  async flush(): Promise<void> {
    if (this.#inFlight > 0 || this.#queue.length > 0) {
      await new Promise<void>((resolve) => this.#drained.push(resolve));
    }
    if (this.#failure) throw this.#failure;
  }
}

const WEEK_MS = 7 * 24 * 3_600_000;
/** Copies between two looks at the loading rate (see LoadTenant.resize). */
const RESIZE_EVERY = 5_000;
const TIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{3})?Z)?/g;

/** Every timestamp in the text moved by `offsetMs`, each kept in its own format (ISO or minute bucket). */
function shiftTimes(text: string, offsetMs: number): string {
  return text.replace(TIME, (time) => {
    const full = time.endsWith('Z');
    const at = Date.parse(full ? time : `${time}:00.000Z`);
    if (Number.isNaN(at)) return time;
    const moved = new Date(at + offsetMs).toISOString();
    return full ? moved : moved.slice(0, time.length);
  });
}

interface Template {
  readonly incidentId: string;
  readonly number: string;
  readonly items: string[];
}

export class BulkLoader {
  readonly #capture: Capture;
  readonly #writer: BatchWriter;
  /** Incidents made by the use-cases per tenant; the rest are copies of them. */
  readonly #templates: number;

  constructor(raw: DynamoDBClient, templates: number) {
    this.#templates = templates;
    const table = tableName();
    this.#capture = new Capture(raw, table);
    this.#capture.attach(getDocumentClient());
    // Counters are updated by every create: written once at the end, not once per incident.
    this.#capture.pin((key) => key.includes('#counter#'));
    this.#writer = new BatchWriter(raw, table);
  }

  get itemsWritten(): number {
    return this.#writer.written;
  }

  /**
   * The first incidents (the templates, spread over the week before 1 November 2026) are made by the
   * real use-cases; the others are copies of them with their own id and number, moved back by whole
   * weeks (so weekday and time of day, and with them the business-hours due times, stay as computed;
   * daylight-saving changes are not recomputed). Every item is one the incident store writes.
   */
  async load(tenant: LoadTenant, options: { progress?: boolean } = {}): Promise<LoadedTenant> {
    const started = performance.now();
    const writtenBefore = this.#writer.written;
    let progress = options.progress ? ticker(`load ${tenant.tenantId}`, tenant.incidents) : undefined;
    const templateCount = Math.min(tenant.incidents, this.#templates);
    const step = WEEK_MS / Math.max(1, templateCount);
    const templates: Template[] = [];
    let assigned = 0;
    let templatesAssigned = 0;
    let total = tenant.incidents;
    this.#capture.active = true;
    try {
      for (let index = 0; index < templateCount; index += 1) {
        const at = new Date(NEWEST - (templateCount - 1 - index) * step);
        const input = newIncidentSchema.parse({
          shortDescription: `Bulk incident ${index + 1}: ${['Printer', 'VPN', 'Mail', 'ERP', 'Laptop'][index % 5]} trouble`,
          description: `Reported for the benchmark (${tenant.tenantId}). The user describes what happened, what they tried and since when it fails; this text stands for a typical report of a few lines, about three hundred characters long, so items have a realistic size.`,
          serviceId:
            tenant.serviceIds.length > 0
              ? (tenant.serviceIds[index % tenant.serviceIds.length] ?? null)
              : null,
          impact: LEVELS[index % 3],
          urgency: LEVELS[Math.floor(index / 3) % 3],
        });
        const created = await createIncident(
          { ctx: tenant.requester, correlationId: 'bench-bulk-load', now: at },
          input,
        );
        if (tenant.agent && index % 4 === 0) {
          await assignIncident(
            {
              ctx: tenant.agent.ctx,
              correlationId: 'bench-bulk-load',
              now: new Date(at.getTime() + 600_000),
            },
            created.incidentId,
            created.version,
            { teamId: tenant.agent.teamId, assigneeId: tenant.agent.ctx.userId },
          );
          templatesAssigned += 1;
        }
        const { puts, deletes } = this.#capture.drain();
        if (deletes.length > 0)
          throw new Error('A new incident deleted existing items: the loader cannot copy that');
        templates.push({
          incidentId: created.incidentId,
          number: created.number,
          items: puts.map((item) => JSON.stringify(item)),
        });
        this.#writer.push(puts, []);
        if (index % 50 === 49) {
          await this.#writer.waitBelow(2_000);
          progress?.update(index + 1);
        }
      }
      assigned = templatesAssigned;
      const first = Number((templates[0]?.number ?? 'INC1').slice(3));
      const copyingStarted = performance.now();
      // The size is reconsidered every so many copies, with the rate so far, so a machine that slows
      // down (other work, the store growing) still finishes within the budget.
      let nextCheck = tenant.resize ? templateCount + RESIZE_EVERY : Number.POSITIVE_INFINITY;
      for (let done = templateCount; done < total; done += 1) {
        if (done >= nextCheck) {
          nextCheck += RESIZE_EVERY;
          const rate = (done - templateCount) / Math.max(0.001, (performance.now() - copyingStarted) / 1000);
          const elapsed = (performance.now() - started) / 1000;
          const resized = Math.max(done + 1, tenant.resize?.(rate, done, elapsed) ?? total);
          if (progress && resized !== total) progress = ticker(`load ${tenant.tenantId} (resized)`, resized);
          total = resized;
          if (done >= total) break;
        }
        const template = templates[done % templateCount];
        if (!template) throw new Error('No template incident');
        const copy = Math.floor(done / templateCount);
        const incidentId = randomUUID();
        const number = incidentNumber(first + done);
        const items = template.items.map(
          (text) =>
            JSON.parse(
              shiftTimes(text, -copy * WEEK_MS)
                .replaceAll(template.incidentId, incidentId)
                .replaceAll(template.number, number),
            ) as Item,
        );
        this.#writer.push(items, []);
        if ((done % templateCount) % 4 === 0 && tenant.agent) assigned += 1;
        if (done % 100 === 99) {
          await this.#writer.waitBelow(4_000);
          progress?.update(done + 1);
        }
      }
      const { puts } = this.#capture.drainAll();
      // The counter stands where the copies' numbers end.
      const counters = puts.map((item) =>
        item.pk &&
        'S' in item.pk &&
        item.pk.S === `t#${tenant.tenantId}#counter#incident` &&
        templates.length > 0
          ? { ...item, value: { N: String(first + total - 1) } }
          : item,
      );
      this.#writer.push(counters, []);
      await this.#writer.flush();
    } finally {
      this.#capture.active = false;
    }
    progress?.update(total);
    return {
      tenantId: tenant.tenantId,
      incidents: total,
      assigned,
      items: this.#writer.written - writtenBefore,
      seconds: (performance.now() - started) / 1000,
    };
  }
}

export function describeLoad(loaded: LoadedTenant): string {
  return `${loaded.tenantId}: ${loaded.incidents.toLocaleString('en-US')} incidents (${loaded.assigned.toLocaleString('en-US')} assigned), ${loaded.items.toLocaleString('en-US')} items in ${loaded.seconds.toFixed(1)} s`;
}
