import { setTimeout as sleep } from 'node:timers/promises';
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { getDocumentClient } from '../platform/clients.ts';
import { tableName } from '../platform/table.ts';

/** The key of an ElectroDB get, for a raw BatchGetItem that mixes entities. */
export function keyOf(params: { Key?: Record<string, unknown> }): Record<string, unknown> {
  return params.Key as Record<string, unknown>;
}

/**
 * One BatchGetItem of at most 100 keys, raw items back (sort them by `__edb_e__` and parse with each
 * entity). Keys DynamoDB leaves unprocessed under load are asked again, backing off, five times.
 */
export async function batchGetItems(
  keys: readonly Record<string, unknown>[],
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let pending = [...keys];
  for (let attempt = 0; pending.length > 0; attempt += 1) {
    if (attempt === 5) throw new Error(`${pending.length} keys were still unprocessed`);
    if (attempt > 0) await sleep(25 * 2 ** attempt);
    const result = await getDocumentClient().send(
      new BatchGetCommand({ RequestItems: { [tableName()]: { Keys: pending } } }),
    );
    items.push(...(result.Responses?.[tableName()] ?? []));
    pending = result.UnprocessedKeys?.[tableName()]?.Keys ?? [];
  }
  return items;
}
