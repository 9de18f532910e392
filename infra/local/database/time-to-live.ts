import { readFile, rename, writeFile } from 'node:fs/promises';
import type { DynamoDBRecord } from 'aws-lambda';
import {
  type Backend,
  type Item,
  isObject,
  jsonReply,
  keyOf,
  notNull,
  type Params,
  type Result,
  validationError,
} from './backend.ts';
import type { ChangeFeed } from './change-feed.ts';
import type { Lock } from './lock.ts';

/** TTL attribute per table; dynalite has no notion of TTL, so the proxy keeps it, on disk when asked. */
export class TimeToLiveSettings {
  readonly #file: string | undefined;
  readonly #attributes: Map<string, string>;

  private constructor(file: string | undefined, attributes: Map<string, string>) {
    this.#file = file;
    this.#attributes = attributes;
  }

  static async load(file?: string): Promise<TimeToLiveSettings> {
    const saved = file ? await readFile(file, 'utf8').catch(() => '{}') : '{}';
    return new TimeToLiveSettings(file, new Map(Object.entries(JSON.parse(saved) as Record<string, string>)));
  }

  attribute(tableName: string): string | undefined {
    return this.#attributes.get(tableName);
  }

  tables(): [tableName: string, attribute: string][] {
    return [...this.#attributes];
  }

  async set(tableName: string, attribute: string | undefined): Promise<void> {
    if (attribute === undefined) this.#attributes.delete(tableName);
    else this.#attributes.set(tableName, attribute);
    if (!this.#file) return;
    // Write then rename, so a crash never leaves half a file behind.
    await writeFile(`${this.#file}.tmp`, JSON.stringify(Object.fromEntries(this.#attributes), null, 2));
    await rename(`${this.#file}.tmp`, this.#file);
  }
}

export interface TimeToLiveContext {
  readonly backend: Backend;
  readonly ttl: TimeToLiveSettings;
}

export async function updateTimeToLive(params: Params, { backend, ttl }: TimeToLiveContext): Promise<Result> {
  const spec = params.TimeToLiveSpecification;
  if (typeof params.TableName !== 'string') return notNull('tableName');
  if (!isObject(spec) || typeof spec.Enabled !== 'boolean') return notNull('timeToLiveSpecification.enabled');
  if (typeof spec.AttributeName !== 'string' || spec.AttributeName === '') {
    return notNull('timeToLiveSpecification.attributeName');
  }
  const table = await backend.table(params.TableName);
  if (!table.ok) return table;
  const current = ttl.attribute(params.TableName);
  if (spec.Enabled && current !== undefined) return validationError('TimeToLive is already enabled');
  if (!spec.Enabled && current === undefined) return validationError('TimeToLive is already disabled');
  if (!spec.Enabled && current !== spec.AttributeName) {
    return validationError(
      `TimeToLive is active on a different AttributeName: current AttributeName is ${current}`,
    );
  }
  await ttl.set(params.TableName, spec.Enabled ? spec.AttributeName : undefined);
  return {
    reply: jsonReply(200, {
      TimeToLiveSpecification: { AttributeName: spec.AttributeName, Enabled: spec.Enabled },
    }),
  };
}

export async function describeTimeToLive(
  params: Params,
  { backend, ttl }: TimeToLiveContext,
): Promise<Result> {
  if (typeof params.TableName !== 'string') return notNull('tableName');
  const table = await backend.table(params.TableName);
  if (!table.ok) return table;
  const attribute = ttl.attribute(params.TableName);
  const description =
    attribute === undefined
      ? { TimeToLiveStatus: 'DISABLED' }
      : { TimeToLiveStatus: 'ENABLED', AttributeName: attribute };
  return { reply: jsonReply(200, { TimeToLiveDescription: description }) };
}

export interface SweepContext extends TimeToLiveContext {
  readonly feed: ChangeFeed;
  readonly lock: Lock;
}

/** Deletes every item whose TTL attribute (epoch seconds) is at or before `now`; returns how many. */
export async function sweepExpired(now: number, { backend, ttl, feed, lock }: SweepContext): Promise<number> {
  let deleted = 0;
  for (const [tableName, attribute] of ttl.tables()) {
    const table = await backend.table(tableName);
    if (!table.ok) continue;
    const expired = {
      ConditionExpression: '#ttl <= :now',
      ExpressionAttributeNames: { '#ttl': attribute },
      ExpressionAttributeValues: { ':now': { N: String(now) } },
    };
    let startKey: Item | undefined;
    do {
      // The scan runs unlocked to keep the database responsive; each delete re-checks expiry under the lock.
      const page = await backend.call<{ Items: Item[]; LastEvaluatedKey?: Item }>('Scan', {
        TableName: tableName,
        FilterExpression: expired.ConditionExpression,
        ExpressionAttributeNames: expired.ExpressionAttributeNames,
        ExpressionAttributeValues: expired.ExpressionAttributeValues,
        ...(startKey && { ExclusiveStartKey: startKey }),
      });
      if (!page.ok) break;
      const records: (DynamoDBRecord | undefined)[] = [];
      for (const item of page.data.Items) {
        const removed = await lock(() =>
          backend.call<{ Attributes?: Item }>('DeleteItem', {
            TableName: tableName,
            Key: keyOf(item, table.data.keyNames),
            ReturnValues: 'ALL_OLD',
            ...expired,
          }),
        );
        if (!removed.ok || !removed.data.Attributes) continue;
        deleted += 1;
        records.push(feed.record(table.data, removed.data.Attributes, undefined, true));
      }
      feed.publish(records);
      startKey = page.data.LastEvaluatedKey;
    } while (startKey);
  }
  return deleted;
}
