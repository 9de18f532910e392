import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTimeToLiveCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { table } from '#shared/platform/table.ts';
import {
  type Connected,
  collectChanges,
  connect,
  failureOf,
  TABLE,
  waitForRecordOf,
} from './test-support.ts';

let db: Connected;
beforeAll(async () => {
  db = await connect();
});
afterAll(async () => {
  await db.close();
});

const describeTtl = (name: string) => db.client.send(new DescribeTimeToLiveCommand({ TableName: name }));
const enableTtl = (name: string, enabled: boolean) =>
  db.client.send(
    new UpdateTimeToLiveCommand({
      TableName: name,
      TimeToLiveSpecification: { Enabled: enabled, AttributeName: 'ttl' },
    }),
  );

describe('time to live settings', () => {
  it('starts disabled, follows UpdateTimeToLive, and refuses redundant changes like DynamoDB', async () => {
    // Prepare
    const name = 'ttl-settings';
    await db.client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    );

    // Act
    const initially = await describeTtl(name);
    const enabled = await enableTtl(name, true);
    const afterEnabling = await describeTtl(name);
    const again = await failureOf(() => enableTtl(name, true));
    await enableTtl(name, false);
    const afterDisabling = await describeTtl(name);
    await enableTtl(name, true);
    await db.client.send(new DeleteTableCommand({ TableName: name }));
    const missing = await failureOf(() => describeTtl(name));

    // Assess
    expect(initially.TimeToLiveDescription).toEqual({ TimeToLiveStatus: 'DISABLED' });
    expect(enabled.TimeToLiveSpecification).toEqual({ Enabled: true, AttributeName: 'ttl' });
    expect(afterEnabling.TimeToLiveDescription).toEqual({
      TimeToLiveStatus: 'ENABLED',
      AttributeName: 'ttl',
    });
    expect(again.name).toBe('ValidationException');
    expect(afterDisabling.TimeToLiveDescription).toEqual({ TimeToLiveStatus: 'DISABLED' });
    expect(missing.name).toBe('ResourceNotFoundException');
  });
});

describe('sweepExpired', () => {
  it('deletes only the expired items and emits REMOVE records from the service', async () => {
    // Prepare
    const now = 2_000_000_000;
    const attribute = table.timeToLiveAttribute;
    const items = [
      { pk: 'ttl-past', sk: 'item', [attribute]: now - 60 },
      { pk: 'ttl-now', sk: 'item', [attribute]: now },
      { pk: 'ttl-future', sk: 'item', [attribute]: now + 1 },
      { pk: 'ttl-none', sk: 'item' },
      { pk: 'ttl-text', sk: 'item', [attribute]: String(now - 60) },
    ];
    for (const item of items) await db.documents.send(new PutCommand({ TableName: TABLE, Item: item }));
    const changes = collectChanges(db.database);

    // Act
    const deleted = await db.database.sweepExpired(now);

    // Assess
    expect(deleted).toBe(2);
    const { Items } = await db.documents.send(new ScanCommand({ TableName: TABLE }));
    expect(Items?.map((item) => item.pk).sort()).toEqual(['ttl-future', 'ttl-none', 'ttl-text']);
    const removed = await waitForRecordOf(changes, 'ttl-past');
    expect(removed).toMatchObject({
      eventName: 'REMOVE',
      userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' },
      dynamodb: { OldImage: { pk: { S: 'ttl-past' }, [attribute]: { N: String(now - 60) } } },
    });
    expect(removed.dynamodb?.NewImage).toBeUndefined();
    expect(
      changes
        .flat()
        .map((record) => record.dynamodb?.Keys?.pk?.S)
        .sort(),
    ).toEqual(['ttl-now', 'ttl-past']);
  });

  it('uses the current time by default and leaves tables without TTL alone', async () => {
    // Prepare
    const past = Math.floor(Date.now() / 1000) - 1;
    await db.client.send(
      new CreateTableCommand({
        TableName: 'no-ttl',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    );
    await db.documents.send(new PutCommand({ TableName: 'no-ttl', Item: { id: 'kept', expiresAt: past } }));
    await db.documents.send(
      new PutCommand({ TableName: TABLE, Item: { pk: 'ttl-default', sk: 'item', expiresAt: past } }),
    );

    // Act
    const deleted = await db.database.sweepExpired();

    // Assess
    expect(deleted).toBe(1);
    const gone = await db.documents.send(
      new GetCommand({ TableName: TABLE, Key: { pk: 'ttl-default', sk: 'item' } }),
    );
    const kept = await db.documents.send(new GetCommand({ TableName: 'no-ttl', Key: { id: 'kept' } }));
    expect(gone.Item).toBeUndefined();
    expect(kept.Item).toEqual({ id: 'kept', expiresAt: past });
  });
});
