import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import {
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  type QueryCommandInput,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import type { LocalInvocation } from '#infra/local/cloud.ts';
import { table } from '#shared/platform/table.ts';
import {
  type Item,
  indexWrites,
  itemReadHalfUnits,
  itemSize,
  itemWriteUnits,
  pageReadHalfUnits,
  transactionalReadHalfUnits,
  transactionalWriteUnits,
} from './capacity.ts';

/*
 * Watches the local cloud from inside the benchmark process. The local cloud runs every handler in
 * this process, and all of them share one DynamoDB client (shared/platform/clients.ts) and one
 * EventBridge client; a middleware on each sees every request. The cloud's `aroundInvoke` hook runs
 * each invocation inside an AsyncLocalStorage scope, so a request is attributed to the invocation that
 * made it, whatever else runs at the same time. Handler logs (stdout) are counted per invocation and
 * kept off the terminal.
 */

/** A middleware-stack owner: the SDK clients, without importing their config types here. */
interface StackOwner {
  middlewareStack: {
    add(middleware: unknown, options: { step: 'build'; name: string; priority?: 'high' | 'low' }): void;
  };
}

export type Mode = 'count' | 'capacity';

export interface Capacity {
  /** Read units in halves (eventually consistent reads cost half a unit). */
  readonly readHalfUnits: number;
  /** Base-table write units. */
  readonly writeUnits: number;
  /** Write units of the global indexes the written items project into. */
  readonly indexWriteUnits: number;
  /** How many index entries were put or deleted. */
  readonly indexWrites: number;
  /** Bytes of the items read (reads) or the larger image of each item written (writes). */
  readonly bytes: number;
}

export interface DbRequest {
  readonly operation: string;
  readonly index: string | undefined;
  readonly consistent: boolean;
  /** The tenant gate's read of the tenant record (cached 5 s per container). */
  readonly tenantGate: boolean;
  /** Items in the request (keys read, items written). */
  readonly items: number;
  /** Outbox items written: one event each on the bus. */
  readonly outboxPuts: number;
  readonly startedAt: number;
  endedAt: number;
  failed?: string;
  capacity?: Capacity;
}

export type InvocationKind = 'route' | 'subscription' | 'schedule' | 'stream';

export interface InvocationRecord {
  readonly seq: number;
  readonly processName: string;
  readonly kind: InvocationKind;
  /** Route key, event detail-type or schedule name; a stream batch is `outbox`. */
  readonly name: string;
  /** What the benchmark was doing when the invocation started (set with {@link Recorder.label}). */
  readonly label: string;
  readonly correlationIds: readonly string[];
  readonly startedAt: number;
  endedAt: number;
  readonly requests: DbRequest[];
  eventsPut: number;
  logBytes: number;
  status?: number;
  error?: string;
}

const GATE_KEY = /^t#[a-z0-9-]+#tenant$/;
const INDEX_KEYS = table.globalIndexes;

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function asItem(value: unknown): Item | undefined {
  return isRecord(value) ? (value as Item) : undefined;
}

function str(item: Item | undefined, name: string): string | undefined {
  const value = item?.[name];
  return value && 'S' in value ? value.S : undefined;
}

function keyOf(item: Item): Item {
  const key: Item = {};
  for (const name of [table.partitionKey, table.sortKey]) {
    const value = item[name];
    if (value !== undefined) key[name] = value;
  }
  return key;
}

function describeInvocation(invocation: LocalInvocation): {
  kind: InvocationKind;
  name: string;
  correlationIds: string[];
} {
  const event = isRecord(invocation.event) ? invocation.event : {};
  if (typeof event.routeKey === 'string') {
    const headers = isRecord(event.headers) ? event.headers : {};
    const id = headers['x-correlation-id'];
    return { kind: 'route', name: event.routeKey, correlationIds: typeof id === 'string' ? [id] : [] };
  }
  if (Array.isArray(event.Records)) {
    const ids = event.Records.flatMap((record: unknown) => {
      const image =
        isRecord(record) && isRecord(record.dynamodb) ? asItem(record.dynamodb.NewImage) : undefined;
      const detail = str(image, 'detail');
      if (detail === undefined) return [];
      try {
        const parsed = JSON.parse(detail) as { correlationId?: unknown };
        return typeof parsed.correlationId === 'string' ? [parsed.correlationId] : [];
      } catch {
        return [];
      }
    });
    return { kind: 'stream', name: 'outbox', correlationIds: [...new Set(ids)] };
  }
  const detailType = typeof event['detail-type'] === 'string' ? event['detail-type'] : 'unknown';
  const detail = isRecord(event.detail) ? event.detail : {};
  if (detailType === 'Scheduled Event') {
    return {
      kind: 'schedule',
      name: typeof detail.schedule === 'string' ? detail.schedule : 'schedule',
      correlationIds: [],
    };
  }
  const id = detail.correlationId;
  return { kind: 'subscription', name: detailType, correlationIds: typeof id === 'string' ? [id] : [] };
}

/** The part of an expression's placeholders a reduced request still needs. */
function placeholdersIn(expressions: (string | undefined)[]): Set<string> {
  const found = new Set<string>();
  for (const expression of expressions) {
    for (const match of expression?.matchAll(/[#:][A-Za-z0-9_]+/g) ?? []) found.add(match[0]);
  }
  return found;
}

function pick<T>(map: Record<string, T> | undefined, keep: Set<string>): Record<string, T> | undefined {
  if (map === undefined) return undefined;
  const kept = Object.fromEntries(Object.entries(map).filter(([key]) => keep.has(key)));
  return Object.keys(kept).length > 0 ? kept : undefined;
}

export class Recorder {
  /** Set by the benchmark before what it does next; invocations remember the label they started under. */
  label = 'idle';
  mode: Mode = 'count';
  readonly invocations: InvocationRecord[] = [];
  /** Requests made outside any invocation (the benchmark's own setup reads and writes). */
  outsideRequests = 0;
  /** Log bytes written outside any invocation (the local cloud's own lines are not stdout). */
  outsideLogBytes = 0;
  /** Notification mails the local mail catcher received, by the label they arrived under. */
  readonly mails = new Map<string, number>();

  readonly #scope = new AsyncLocalStorage<InvocationRecord>();
  #seq = 0;
  #raw: DynamoDBClient | undefined;
  #restoreStdout: (() => void) | undefined;

  /** The hook for `startLocalCloud({ aroundInvoke })`. */
  readonly aroundInvoke = async (
    invocation: LocalInvocation,
    run: () => Promise<unknown>,
  ): Promise<unknown> => {
    const described = describeInvocation(invocation);
    const record: InvocationRecord = {
      seq: this.#seq++,
      processName: invocation.processName,
      ...described,
      label: this.label,
      startedAt: performance.now(),
      endedAt: 0,
      requests: [],
      eventsPut: 0,
      logBytes: 0,
    };
    this.invocations.push(record);
    return this.#scope.run(record, async () => {
      try {
        const result = await run();
        if (isRecord(result) && typeof result.statusCode === 'number') record.status = result.statusCode;
        return result;
      } catch (error) {
        record.error = error instanceof Error ? error.message : String(error);
        throw error;
      } finally {
        record.endedAt = performance.now();
      }
    });
  };

  /**
   * Puts the middlewares on the shared clients. `raw` is a client of the same endpoint without them:
   * capacity mode uses it to read the items a request touched, as whole items.
   */
  attach(documentClient: StackOwner, eventBridgeClient: StackOwner, raw: DynamoDBClient): void {
    this.#raw = raw;
    documentClient.middlewareStack.add(
      (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) =>
        async (args: { input: unknown }) =>
          this.#onDynamo(next, context.commandName ?? '', args),
      { step: 'build', name: 'benchDynamoRecorder', priority: 'high' },
    );
    eventBridgeClient.middlewareStack.add(
      (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) =>
        async (args: { input: unknown }) => {
          const record = this.#scope.getStore();
          if (record && context.commandName === 'PutEventsCommand' && isRecord(args.input)) {
            const entries = args.input.Entries;
            record.eventsPut += Array.isArray(entries) ? entries.length : 0;
          }
          return next(args);
        },
      { step: 'build', name: 'benchEventRecorder', priority: 'high' },
    );
  }

  /** Counts what handlers log to stdout, per invocation, and keeps it off the terminal. */
  captureStdout(): void {
    const stdout = process.stdout;
    const original = stdout.write;
    const recorder = this;
    stdout.write = function write(chunk: unknown, ...rest: unknown[]): boolean {
      const bytes =
        typeof chunk === 'string'
          ? Buffer.byteLength(chunk)
          : chunk instanceof Uint8Array
            ? chunk.byteLength
            : 0;
      const record = recorder.#scope.getStore();
      if (record) record.logBytes += bytes;
      else recorder.outsideLogBytes += bytes;
      const callback = rest.find((entry) => typeof entry === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    } as typeof stdout.write;
    this.#restoreStdout = () => {
      stdout.write = original;
    };
  }

  releaseStdout(): void {
    this.#restoreStdout?.();
    this.#restoreStdout = undefined;
  }

  /** The local cloud's line for a captured mail (`mail  <subject> -> <to>`); invitations are not counted. */
  onCloudLine = (line: string): void => {
    if (line.startsWith('mail  ') && !line.startsWith('mail  invitation')) {
      this.mails.set(this.label, (this.mails.get(this.label) ?? 0) + 1);
    }
  };

  /** Invocations started under labels matching `test`, in order. */
  under(test: (label: string) => boolean): InvocationRecord[] {
    return this.invocations.filter((record) => test(record.label));
  }

  /** Forgets what was recorded (keeps the counters of work outside invocations). */
  clear(): void {
    this.invocations.length = 0;
  }

  async #onDynamo(
    next: (args: unknown) => Promise<unknown>,
    commandName: string,
    args: { input: unknown },
  ): Promise<unknown> {
    const record = this.#scope.getStore();
    if (!record) {
      this.outsideRequests += 1;
      return next(args);
    }
    const operation = commandName.replace(/Command$/, '');
    const input = isRecord(args.input) ? args.input : {};
    const request = describeRequest(operation, input);
    record.requests.push(request);
    const measure = this.mode === 'capacity' && this.#raw !== undefined;
    const before = measure ? await this.#imagesBefore(operation, input) : undefined;
    try {
      const output = await next(args);
      request.endedAt = performance.now();
      if (measure) request.capacity = await this.#capacity(operation, input, before ?? new Map());
      return output;
    } catch (error) {
      request.endedAt = performance.now();
      request.failed = error instanceof Error ? error.name : String(error);
      if (measure) request.capacity = await this.#capacity(operation, input, before ?? new Map());
      throw error;
    }
  }

  async #get(tableName: string, key: Item): Promise<Item | undefined> {
    const raw = this.#raw;
    if (!raw) throw new Error('The recorder has no raw client');
    // The SDK's types want binary values as bytes; these keys are strings, passed as they came.
    const found = await raw.send(
      new GetItemCommand({ TableName: tableName, Key: key as never, ConsistentRead: true }),
    );
    return found.Item as Item | undefined;
  }

  /** The items a write is about to change, as they are now (keyed by table and key). */
  async #imagesBefore(
    operation: string,
    input: Record<string, unknown>,
  ): Promise<Map<string, Item | undefined>> {
    const images = new Map<string, Item | undefined>();
    for (const target of writeTargets(operation, input)) {
      images.set(targetId(target), await this.#get(target.tableName, target.key));
    }
    return images;
  }

  async #capacity(
    operation: string,
    input: Record<string, unknown>,
    before: Map<string, Item | undefined>,
  ): Promise<Capacity> {
    switch (operation) {
      case 'GetItem': {
        const item = await this.#get(String(input.TableName), input.Key as Item);
        const size = itemSize(item);
        return reads(itemReadHalfUnits(size, input.ConsistentRead === true), size);
      }
      case 'BatchGetItem': {
        let half = 0;
        let bytes = 0;
        for (const [tableName, request] of Object.entries(
          isRecord(input.RequestItems) ? input.RequestItems : {},
        )) {
          const spec = isRecord(request) ? request : {};
          for (const key of Array.isArray(spec.Keys) ? (spec.Keys as Item[]) : []) {
            const size = itemSize(await this.#get(tableName, key));
            half += itemReadHalfUnits(size, spec.ConsistentRead === true);
            bytes += size;
          }
        }
        return reads(half, bytes);
      }
      case 'TransactGetItems': {
        let half = 0;
        let bytes = 0;
        for (const entry of Array.isArray(input.TransactItems) ? input.TransactItems : []) {
          const get = isRecord(entry) && isRecord(entry.Get) ? entry.Get : {};
          const size = itemSize(await this.#get(String(get.TableName), get.Key as Item));
          half += transactionalReadHalfUnits(size);
          bytes += size;
        }
        return reads(half, bytes);
      }
      case 'Query':
      case 'Scan': {
        const sizes = await this.#pageSizes(operation, input);
        return reads(
          pageReadHalfUnits(sizes, input.ConsistentRead === true),
          sizes.reduce((sum, size) => sum + size, 0),
        );
      }
      default:
        return this.#writeCapacity(operation, input, before);
    }
  }

  /**
   * The sizes of every item the page read: the same key condition, start key and limit, without the
   * filter and projection (DynamoDB charges for items read before filtering, whole).
   */
  async #pageSizes(operation: string, input: Record<string, unknown>): Promise<number[]> {
    const raw = this.#raw;
    if (!raw) throw new Error('The recorder has no raw client');
    if (operation === 'Scan') {
      // Never expected (the report flags every Scan), but sized all the same: the page without filter.
      const scanned = await raw.send(
        new ScanCommand({
          TableName: String(input.TableName),
          ...(typeof input.IndexName === 'string' ? { IndexName: input.IndexName } : {}),
          ...(typeof input.Limit === 'number' ? { Limit: input.Limit } : {}),
          ...(isRecord(input.ExclusiveStartKey)
            ? { ExclusiveStartKey: input.ExclusiveStartKey as never }
            : {}),
          ...(input.ConsistentRead === true ? { ConsistentRead: true } : {}),
        }),
      );
      return (scanned.Items ?? []).map((item) => itemSize(item as Item));
    }
    const keyCondition = typeof input.KeyConditionExpression === 'string' ? input.KeyConditionExpression : '';
    const keep = placeholdersIn([keyCondition]);
    const page: QueryCommandInput = {
      TableName: String(input.TableName),
      KeyConditionExpression: keyCondition,
      ExpressionAttributeNames: pick(input.ExpressionAttributeNames as Record<string, string>, keep),
      ExpressionAttributeValues: pick(input.ExpressionAttributeValues as Record<string, never>, keep),
      ...(typeof input.IndexName === 'string' ? { IndexName: input.IndexName } : {}),
      ...(typeof input.Limit === 'number' ? { Limit: input.Limit } : {}),
      ...(isRecord(input.ExclusiveStartKey) ? { ExclusiveStartKey: input.ExclusiveStartKey as never } : {}),
      ...(typeof input.ScanIndexForward === 'boolean' ? { ScanIndexForward: input.ScanIndexForward } : {}),
      ...(input.ConsistentRead === true ? { ConsistentRead: true } : {}),
    };
    const result = await raw.send(new QueryCommand(page));
    return (result.Items ?? []).map((item) => itemSize(item as Item));
  }

  async #writeCapacity(
    operation: string,
    input: Record<string, unknown>,
    before: Map<string, Item | undefined>,
  ): Promise<Capacity> {
    const transactional = operation === 'TransactWriteItems';
    let writeUnits = 0;
    let indexWriteUnits = 0;
    let indexWriteCount = 0;
    let bytes = 0;
    for (const target of writeTargets(operation, input)) {
      const old = before.get(targetId(target));
      const after =
        target.kind === 'put'
          ? target.item
          : target.kind === 'delete'
            ? undefined
            : await this.#get(target.tableName, target.key);
      const sizeBefore = itemSize(old);
      const sizeAfter = itemSize(after);
      bytes += Math.max(sizeBefore, sizeAfter);
      writeUnits += transactional
        ? transactionalWriteUnits(sizeBefore, sizeAfter)
        : itemWriteUnits(sizeBefore, sizeAfter);
      if (target.kind !== 'check') {
        for (const write of indexWrites(old, after, INDEX_KEYS)) {
          indexWriteUnits += write.units;
          indexWriteCount += 1;
        }
      }
    }
    return { readHalfUnits: 0, writeUnits, indexWriteUnits, indexWrites: indexWriteCount, bytes };
  }
}

function reads(readHalfUnits: number, bytes: number): Capacity {
  return { readHalfUnits, writeUnits: 0, indexWriteUnits: 0, indexWrites: 0, bytes };
}

interface WriteTarget {
  readonly kind: 'put' | 'update' | 'delete' | 'check';
  readonly tableName: string;
  readonly key: Item;
  readonly item?: Item;
}

function targetId(target: WriteTarget): string {
  return `${target.tableName}|${JSON.stringify(target.key)}`;
}

/** The items a write names, in order. */
function writeTargets(operation: string, input: Record<string, unknown>): WriteTarget[] {
  const tableName = String(input.TableName);
  switch (operation) {
    case 'PutItem': {
      const item = asItem(input.Item) ?? {};
      return [{ kind: 'put', tableName, key: keyOf(item), item }];
    }
    case 'UpdateItem':
      return [{ kind: 'update', tableName, key: asItem(input.Key) ?? {} }];
    case 'DeleteItem':
      return [{ kind: 'delete', tableName, key: asItem(input.Key) ?? {} }];
    case 'BatchWriteItem':
      return Object.entries(isRecord(input.RequestItems) ? input.RequestItems : {}).flatMap(([name, list]) =>
        (Array.isArray(list) ? list : []).map((entry): WriteTarget => {
          const put =
            isRecord(entry) && isRecord(entry.PutRequest) ? asItem(entry.PutRequest.Item) : undefined;
          if (put) return { kind: 'put', tableName: name, key: keyOf(put), item: put };
          const remove = isRecord(entry) && isRecord(entry.DeleteRequest) ? entry.DeleteRequest : {};
          return { kind: 'delete', tableName: name, key: asItem(remove.Key) ?? {} };
        }),
      );
    case 'TransactWriteItems':
      return (Array.isArray(input.TransactItems) ? input.TransactItems : []).map((entry): WriteTarget => {
        const action = isRecord(entry) ? entry : {};
        if (isRecord(action.Put)) {
          const item = asItem(action.Put.Item) ?? {};
          return { kind: 'put', tableName: String(action.Put.TableName), key: keyOf(item), item };
        }
        const [kind, body] = isRecord(action.Update)
          ? (['update', action.Update] as const)
          : isRecord(action.Delete)
            ? (['delete', action.Delete] as const)
            : (['check', isRecord(action.ConditionCheck) ? action.ConditionCheck : {}] as const);
        return { kind, tableName: String(body.TableName), key: asItem(body.Key) ?? {} };
      });
    default:
      return [];
  }
}

/** What a request is, from its (marshalled) input. */
function describeRequest(operation: string, input: Record<string, unknown>): DbRequest {
  const key = asItem(input.Key);
  const targets = writeTargets(operation, input);
  const batchKeys = Object.values(isRecord(input.RequestItems) ? input.RequestItems : {}).reduce(
    (sum: number, spec) => sum + (isRecord(spec) && Array.isArray(spec.Keys) ? spec.Keys.length : 0),
    0,
  );
  const outboxPuts = targets.filter(
    (target) => target.kind === 'put' && str(target.item, 'kind') === 'outbox',
  ).length;
  const consistent =
    input.ConsistentRead === true ||
    Object.values(isRecord(input.RequestItems) ? input.RequestItems : {}).some(
      (spec) => isRecord(spec) && spec.ConsistentRead === true,
    );
  return {
    operation,
    index: typeof input.IndexName === 'string' ? input.IndexName : undefined,
    consistent,
    tenantGate:
      operation === 'GetItem' &&
      GATE_KEY.test(str(key, table.partitionKey) ?? '') &&
      str(key, table.sortKey) === 'tenant',
    items: operation === 'BatchGetItem' ? batchKeys : targets.length > 0 ? targets.length : 1,
    outboxPuts,
    startedAt: performance.now(),
    endedAt: 0,
  };
}
