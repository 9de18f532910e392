import { BatchGetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { table } from '#shared/platform/table.ts';
import type { AttributeValue, Item } from './capacity.ts';

/*
 * Lets the real use-cases (createIncident, assignIncident) build bulk data without a round trip per
 * request: a middleware on the shared DynamoDB client answers their requests itself. Reads come from
 * what was captured so far, else from the emulator (cached: rules, users and teams do not change while
 * loading); writes are applied to an overlay whose items are then written in BatchWriteItem batches.
 * So the items are exactly those the incident store writes, at batch speed. Outbox items are dropped:
 * bulk data is history, not news for the consumers.
 */

interface StackOwner {
  middlewareStack: {
    add(middleware: unknown, options: { step: 'build'; name: string; priority?: 'high' | 'low' }): void;
  };
}

type Names = Record<string, string>;
type Values = Record<string, AttributeValue>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function keyId(key: Item): string {
  const pk = key[table.partitionKey];
  const sk = key[table.sortKey];
  if (!pk || !sk || !('S' in pk) || !('S' in sk)) throw new Error(`Not a table key: ${JSON.stringify(key)}`);
  return `${pk.S}\u0000${sk.S}`;
}

function partitionOf(item: Item): string {
  const pk = item[table.partitionKey];
  return pk && 'S' in pk ? pk.S : '';
}

function keyOf(item: Item): Item {
  const pk = item[table.partitionKey];
  const sk = item[table.sortKey];
  if (!pk || !sk) throw new Error('An item without its table key');
  return { [table.partitionKey]: pk, [table.sortKey]: sk };
}

/** Splits on commas that are not inside parentheses. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '(') depth += 1;
    if (char === ')') depth -= 1;
    if (char === ',' && depth === 0) {
      parts.push(current.trim());
      current = '';
    } else {
      current += char;
    }
  }
  if (current.trim() !== '') parts.push(current.trim());
  return parts;
}

function attributeName(token: string, names: Names): string {
  const trimmed = token.trim();
  if (/[.[]/.test(trimmed))
    throw new Error(`Nested update paths are not supported while loading: ${trimmed}`);
  return trimmed.startsWith('#') ? (names[trimmed] ?? fail(`Unknown name ${trimmed}`)) : trimmed;
}

function fail(message: string): never {
  throw new Error(message);
}

function addNumbers(a: AttributeValue | undefined, b: AttributeValue): AttributeValue {
  if (!('N' in b)) throw new Error('ADD of a non-number while loading');
  const left = a && 'N' in a ? Number(a.N) : 0;
  return { N: String(left + Number(b.N)) };
}

/**
 * Applies the subset of update expressions ElectroDB writes for these entities: `SET a = :v`,
 * `SET a = if_not_exists(a, :v)`, `SET a = a + :v`, `ADD a :v`, `REMOVE a`. Anything else throws, so a
 * change in how the store writes cannot silently load something different.
 */
export function applyUpdate(
  current: Item | undefined,
  key: Item,
  expression: string,
  names: Names,
  values: Values,
): { item: Item; updated: string[] } {
  const item: Item = { ...(current ?? {}), ...key };
  const updated: string[] = [];
  const operand = (token: string): AttributeValue | undefined => {
    const trimmed = token.trim();
    if (trimmed.startsWith(':')) return values[trimmed] ?? fail(`Unknown value ${trimmed}`);
    const ifNotExists = /^if_not_exists\s*\(([^,]+),([^)]+)\)$/.exec(trimmed);
    if (ifNotExists?.[1] && ifNotExists[2]) {
      return item[attributeName(ifNotExists[1], names)] ?? operand(ifNotExists[2]);
    }
    return item[attributeName(trimmed, names)];
  };
  const clauses = expression.split(/\b(SET|ADD|REMOVE|DELETE)\b/i).map((part) => part.trim());
  for (let index = 1; index < clauses.length; index += 2) {
    const keyword = (clauses[index] ?? '').toUpperCase();
    for (const action of splitTopLevel(clauses[index + 1] ?? '')) {
      if (keyword === 'SET') {
        const [left = '', right = ''] = action.split(/=(.*)/s);
        const name = attributeName(left, names);
        const sum = /^(.+?)\s*([+-])\s*(.+)$/.exec(right.trim());
        let value: AttributeValue | undefined;
        if (sum?.[1] && sum[3] && !right.trim().startsWith('if_not_exists')) {
          const b = operand(sum[3]) ?? fail(`Missing operand in ${action}`);
          const negated: AttributeValue = 'N' in b && sum[2] === '-' ? { N: String(-Number(b.N)) } : b;
          value = addNumbers(operand(sum[1]), negated);
        } else {
          value = operand(right) ?? fail(`Missing value in ${action}`);
        }
        item[name] = value;
        updated.push(name);
      } else if (keyword === 'ADD') {
        const [path = '', token = ''] = action.split(/\s+/);
        const name = attributeName(path, names);
        item[name] = addNumbers(item[name], operand(token) ?? fail(`Missing value in ${action}`));
        updated.push(name);
      } else if (keyword === 'REMOVE') {
        delete item[attributeName(action, names)];
      } else {
        throw new Error(`Update clause ${keyword} is not supported while loading`);
      }
    }
  }
  return { item, updated };
}

export class Capture {
  /** Captured items by key; null marks a deletion. */
  readonly #overlay = new Map<string, Item | null>();
  /** Read from the emulator once; null when absent. */
  readonly #cache = new Map<string, Item | null>();
  /** Keys kept in the overlay across drains (counters updated by every create). */
  readonly #pinned = new Set<string>();
  /**
   * Partitions this load wrote into: new incidents' own, whose other keys cannot exist in the table,
   * so deleting one needs no read (the loader only ever makes new incidents).
   */
  readonly #createdPartitions = new Set<string>();
  readonly #raw: DynamoDBClient;
  readonly #tableName: string;
  active = false;

  constructor(raw: DynamoDBClient, tableName: string) {
    this.#raw = raw;
    this.#tableName = tableName;
  }

  attach(documentClient: StackOwner): void {
    documentClient.middlewareStack.add(
      (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) =>
        async (args: { input: unknown }) => {
          if (!this.active) return next(args);
          const operation = (context.commandName ?? '').replace(/Command$/, '');
          const output = await this.#answer(operation, isRecord(args.input) ? args.input : {});
          return { output: { $metadata: {}, ...output }, response: {} };
        },
      { step: 'build', name: 'benchCapture', priority: 'high' },
    );
  }

  /** Keeps the items whose key matches in the overlay until {@link drainAll} (counters). */
  pin(predicate: (key: string) => boolean): void {
    for (const key of this.#overlay.keys()) if (predicate(key)) this.#pinned.add(key);
    this.#pinPredicate = predicate;
  }

  #pinPredicate: (key: string) => boolean = () => false;

  /** The captured puts and deletes so far (except pinned items), leaving the overlay empty of them. */
  drain(): { puts: Item[]; deletes: Item[] } {
    return this.#take((key) => !this.#pinned.has(key));
  }

  drainAll(): { puts: Item[]; deletes: Item[] } {
    const taken = this.#take(() => true);
    this.#pinned.clear();
    return taken;
  }

  #take(which: (key: string) => boolean): { puts: Item[]; deletes: Item[] } {
    const puts: Item[] = [];
    const deletes: Item[] = [];
    for (const [key, item] of this.#overlay) {
      if (!which(key)) continue;
      this.#overlay.delete(key);
      if (item === null) {
        const existed = this.#cache.get(key);
        if (existed) deletes.push(keyOf(existed));
      } else if (!(item.kind && 'S' in item.kind && item.kind.S === 'outbox')) {
        puts.push(item);
      }
    }
    return { puts, deletes };
  }

  async #read(keys: Item[]): Promise<(Item | undefined)[]> {
    const missing = keys.filter((key) => {
      const id = keyId(key);
      return !this.#overlay.has(id) && !this.#cache.has(id);
    });
    for (let start = 0; start < missing.length; start += 100) {
      let pending = missing.slice(start, start + 100);
      while (pending.length > 0) {
        const result = await this.#raw.send(
          new BatchGetItemCommand({
            RequestItems: { [this.#tableName]: { Keys: pending as never, ConsistentRead: true } },
          }),
        );
        for (const item of (result.Responses?.[this.#tableName] ?? []) as Item[]) {
          this.#cache.set(keyId(item), item);
        }
        pending = (result.UnprocessedKeys?.[this.#tableName]?.Keys ?? []) as Item[];
      }
      for (const key of missing.slice(start, start + 100)) {
        if (!this.#cache.has(keyId(key))) this.#cache.set(keyId(key), null);
      }
    }
    return keys.map((key) => {
      const id = keyId(key);
      const found = this.#overlay.has(id) ? this.#overlay.get(id) : this.#cache.get(id);
      return found ?? undefined;
    });
  }

  #set(item: Item): void {
    const id = keyId(item);
    this.#createdPartitions.add(partitionOf(item));
    this.#overlay.set(id, item);
    if (this.#pinPredicate(id)) this.#pinned.add(id);
  }

  async #update(update: Record<string, unknown>): Promise<{ item: Item; updated: string[] }> {
    const key = update.Key as Item;
    const [current] = await this.#read([key]);
    const applied = applyUpdate(
      current,
      key,
      String(update.UpdateExpression ?? ''),
      (update.ExpressionAttributeNames ?? {}) as Names,
      (update.ExpressionAttributeValues ?? {}) as Values,
    );
    this.#set(applied.item);
    return applied;
  }

  async #answer(operation: string, input: Record<string, unknown>): Promise<Record<string, unknown>> {
    switch (operation) {
      case 'GetItem': {
        const [item] = await this.#read([input.Key as Item]);
        return item ? { Item: unmarshall(item as never) } : {};
      }
      case 'BatchGetItem': {
        const responses: Record<string, unknown[]> = {};
        for (const [name, spec] of Object.entries(isRecord(input.RequestItems) ? input.RequestItems : {})) {
          const keys = isRecord(spec) && Array.isArray(spec.Keys) ? (spec.Keys as Item[]) : [];
          responses[name] = (await this.#read(keys))
            .filter((item): item is Item => item !== undefined)
            .map((item) => unmarshall(item as never));
        }
        return { Responses: responses, UnprocessedKeys: {} };
      }
      case 'PutItem':
        this.#set(input.Item as Item);
        return {};
      case 'UpdateItem': {
        const { item, updated } = await this.#update(input);
        const returnValues = String(input.ReturnValues ?? 'NONE');
        if (returnValues === 'NONE') return {};
        const attributes =
          returnValues === 'ALL_NEW'
            ? item
            : Object.fromEntries(updated.flatMap((name) => (item[name] ? [[name, item[name]]] : [])));
        return { Attributes: unmarshall(attributes as never) };
      }
      case 'TransactWriteItems': {
        for (const entry of Array.isArray(input.TransactItems) ? input.TransactItems : []) {
          const action = isRecord(entry) ? entry : {};
          if (isRecord(action.Put)) this.#set(action.Put.Item as Item);
          else if (isRecord(action.Update)) await this.#update(action.Update);
          else if (isRecord(action.Delete)) {
            const key = action.Delete.Key as Item;
            // A key in a partition this load created cannot exist in the table: no need to ask.
            if (!this.#createdPartitions.has(partitionOf(key))) await this.#read([key]);
            this.#overlay.set(keyId(key), null);
          }
        }
        return {};
      }
      default:
        throw new Error(`The bulk loader does not answer ${operation}; the use-cases changed how they read`);
    }
  }
}
