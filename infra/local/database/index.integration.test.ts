import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
} from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { table } from '#shared/platform/table.ts';
import { ensureTable, startLocalDatabase } from './index.ts';
import { connect, failureOf, TABLE } from './test-support.ts';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'itsm-local-database-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('startLocalDatabase', () => {
  it('keeps items and TTL settings in dataDir across a restart', async () => {
    // Prepare
    const first = await connect({ dataDir });
    await first.documents.send(new PutCommand({ TableName: TABLE, Item: { pk: 'kept', sk: 'item', n: 1 } }));
    await first.close();

    // Act
    const second = await connect({ dataDir });
    const { Item } = await second.documents.send(
      new GetCommand({ TableName: TABLE, Key: { pk: 'kept', sk: 'item' } }),
    );
    const ttl = await second.client.send(new DescribeTimeToLiveCommand({ TableName: TABLE }));
    await second.close();

    // Assess
    expect(Item).toEqual({ pk: 'kept', sk: 'item', n: 1 });
    expect(ttl.TimeToLiveDescription).toEqual({
      TimeToLiveStatus: 'ENABLED',
      AttributeName: table.timeToLiveAttribute,
    });
  });

  it('refuses a dataDir that a running database uses, and takes over one left behind', async () => {
    // Prepare
    const running = await startLocalDatabase({ dataDir });

    // Act
    const refused = await failureOf(() => startLocalDatabase({ dataDir }));
    await running.stop();
    await writeFile(join(dataDir, 'owner.pid'), '999999999');
    const afterCrash = await startLocalDatabase({ dataDir });
    await afterCrash.stop();

    // Assess
    expect(refused.message).toContain(`is in use by process ${process.pid}`);
  });

  it('keeps nothing without dataDir', async () => {
    // Prepare
    const first = await startLocalDatabase();
    const firstClient = client(first.endpoint);
    await ensureTable(firstClient, TABLE, table);
    firstClient.destroy();
    await first.stop();

    // Act
    const second = await startLocalDatabase();
    const secondClient = client(second.endpoint);
    const { TableNames } = await secondClient.send(new ListTablesCommand({}));
    secondClient.destroy();
    await second.stop();

    // Assess
    expect(TableNames).toEqual([]);
  });

  it('listens on the port it is given and passes dynalite errors through unchanged', async () => {
    // Prepare
    const free = await startLocalDatabase();
    const port = Number(new URL(free.endpoint).port);
    await free.stop();

    // Act
    const database = await startLocalDatabase({ port, host: '127.0.0.1' });
    const sdk = client(database.endpoint);
    const error = await failureOf(() =>
      sdk.send(new GetItemCommand({ TableName: 'missing', Key: { pk: { S: 'x' } } })),
    );
    sdk.destroy();
    await database.stop();
    await database.stop();

    // Assess
    expect(database.endpoint).toBe(`http://127.0.0.1:${port}`);
    expect(error.name).toBe('ResourceNotFoundException');
    expect(error.message).toBe('Requested resource not found');
  });
});

describe('ensureTable', () => {
  it('creates the table from its definition once, and does nothing the second time', async () => {
    // Prepare
    const database = await startLocalDatabase();
    const sdk = client(database.endpoint);

    // Act
    await ensureTable(sdk, TABLE, table);
    await ensureTable(sdk, TABLE, table);
    const { Table } = await sdk.send(new DescribeTableCommand({ TableName: TABLE }));
    const ttl = await sdk.send(new DescribeTimeToLiveCommand({ TableName: TABLE }));
    sdk.destroy();
    await database.stop();

    // Assess
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(
      Table?.GlobalSecondaryIndexes?.map((index) => [
        index.IndexName,
        index.KeySchema?.map((k) => k.AttributeName),
        index.Projection?.ProjectionType,
      ]),
    ).toEqual([
      ['gsi1', ['gsi1pk', 'gsi1sk'], 'ALL'],
      ['gsi2', ['gsi2pk', 'gsi2sk'], 'ALL'],
    ]);
    expect(ttl.TimeToLiveDescription).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' });
  });
});

function client(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}
