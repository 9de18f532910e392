import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { vi } from 'vitest';
import { table } from '#shared/platform/table.ts';
import { ensureTable, type LocalDatabase, type LocalDatabaseOptions, startLocalDatabase } from './index.ts';

export const TABLE = 'itsm';

export interface Connected {
  readonly database: LocalDatabase;
  readonly client: DynamoDBClient;
  readonly documents: DynamoDBDocumentClient;
  close(): Promise<void>;
}

/** A local database with the project's table, reached through the real AWS SDK. */
export async function connect(options?: LocalDatabaseOptions): Promise<Connected> {
  const database = await startLocalDatabase(options);
  const client = new DynamoDBClient({
    endpoint: database.endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await ensureTable(client, TABLE, table);
  return {
    database,
    client,
    documents: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
    async close() {
      client.destroy();
      await database.stop();
    },
  };
}

/** Every batch of change records the database delivers from now on. */
export function collectChanges(database: LocalDatabase): DynamoDBRecord[][] {
  const batches: DynamoDBRecord[][] = [];
  database.onChange((records) => batches.push(records));
  return batches;
}

/** Waits until a batch holds a record of the item with this partition key. */
export async function waitForRecordOf(batches: DynamoDBRecord[][], pk: string): Promise<DynamoDBRecord> {
  return vi.waitFor(() => {
    const found = batches.flat().find((record) => record.dynamodb?.Keys?.pk?.S === pk);
    if (!found) throw new Error(`no change record for ${pk} yet`);
    return found;
  });
}

/** Runs a call expected to fail and returns its error. */
export async function failureOf(call: () => Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await call();
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected the call to fail');
}
