import {
  BatchWriteCommand,
  DeleteCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Connected, connect, failureOf, TABLE, waitForRecordOf } from './test-support.ts';

let db: Connected;
let batches: DynamoDBRecord[][];
let unsubscribe: () => void;
beforeAll(async () => {
  db = await connect();
});
afterAll(async () => {
  await db.close();
});
beforeEach(() => {
  batches = [];
  unsubscribe = db.database.onChange((records) => batches.push(records));
  return () => unsubscribe();
});

const key = (pk: string) => ({ pk, sk: 'item' });
const put = (item: Record<string, unknown>) =>
  db.documents.send(new PutCommand({ TableName: TABLE, Item: item }));

/** Writes a marker and waits for its record: every record of earlier writes has been delivered by then. */
async function settle(): Promise<DynamoDBRecord[]> {
  const marker = `marker-${Math.random()}`;
  await put(key(marker));
  await waitForRecordOf(batches, marker);
  return batches.flat().filter((record) => record.dynamodb?.Keys?.pk?.S !== marker);
}

describe('change feed', () => {
  it('emits INSERT, MODIFY and REMOVE with keys and images', async () => {
    // Act
    await put({ ...key('life'), status: 'new' });
    await db.documents.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: key('life'),
        UpdateExpression: 'SET #s = :open',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':open': 'open' },
      }),
    );
    await db.documents.send(new DeleteCommand({ TableName: TABLE, Key: key('life') }));
    const records = await settle();

    // Assess
    const keys = { pk: { S: 'life' }, sk: { S: 'item' } };
    expect(
      records.map((record) => [record.eventName, record.dynamodb?.OldImage, record.dynamodb?.NewImage]),
    ).toEqual([
      ['INSERT', undefined, { ...keys, status: { S: 'new' } }],
      ['MODIFY', { ...keys, status: { S: 'new' } }, { ...keys, status: { S: 'open' } }],
      ['REMOVE', { ...keys, status: { S: 'open' } }, undefined],
    ]);
    for (const record of records) {
      expect(record).toMatchObject({
        eventVersion: '1.1',
        eventSource: 'aws:dynamodb',
        awsRegion: 'local',
        eventSourceARN: expect.stringMatching(
          /^arn:aws:dynamodb:local:000000000000:table\/itsm\/stream\/\d{4}-\d\d-\d\dT/,
        ),
        dynamodb: { Keys: keys, StreamViewType: 'NEW_AND_OLD_IMAGES', SizeBytes: expect.any(Number) },
      });
      expect(record.dynamodb?.ApproximateCreationDateTime).toBeCloseTo(Date.now() / 1000, -1);
      expect(record.userIdentity).toBeUndefined();
    }
    const sequence = records.map((record) => BigInt(record.dynamodb?.SequenceNumber ?? '0'));
    expect(sequence[0]).toBeLessThan(sequence[1] ?? 0n);
    expect(sequence[1]).toBeLessThan(sequence[2] ?? 0n);
    expect(new Set(records.map((record) => record.eventID)).size).toBe(3);
  });

  it('emits nothing for a write that changed nothing', async () => {
    // Prepare
    await put({ ...key('quiet'), n: 1 });
    await settle();
    batches.length = 0;

    // Act
    const failed = await failureOf(() =>
      db.documents.send(
        new PutCommand({
          TableName: TABLE,
          Item: key('quiet'),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    await put({ ...key('quiet'), n: 1 });
    await db.documents.send(new DeleteCommand({ TableName: TABLE, Key: key('never-there') }));

    // Assess
    expect(failed.name).toBe('ConditionalCheckFailedException');
    expect(await settle()).toEqual([]);
  });

  it('emits the records of a transaction together, after it commits, and none for a cancelled one', async () => {
    // Prepare
    await put({ ...key('tx-old'), n: 1 });
    await settle();
    batches.length = 0;

    // Act
    await db.documents.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: TABLE, Item: { ...key('tx-new'), kind: 'outbox' } } },
          {
            Update: {
              TableName: TABLE,
              Key: key('tx-old'),
              UpdateExpression: 'ADD n :one',
              ExpressionAttributeValues: { ':one': 1 },
            },
          },
          {
            ConditionCheck: {
              TableName: TABLE,
              Key: key('tx-checked'),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
      }),
    );
    await failureOf(() =>
      db.documents.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: TABLE, Item: key('tx-cancelled') } },
            {
              ConditionCheck: {
                TableName: TABLE,
                Key: key('tx-old'),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      ),
    );
    await settle();

    // Assess
    const [transaction] = batches;
    expect(transaction?.map((record) => [record.eventName, record.dynamodb?.Keys?.pk?.S])).toEqual([
      ['INSERT', 'tx-new'],
      ['MODIFY', 'tx-old'],
    ]);
    expect(transaction?.[1]?.dynamodb?.NewImage?.n).toEqual({ N: '2' });
    expect(batches.flat().some((record) => record.dynamodb?.Keys?.pk?.S === 'tx-cancelled')).toBe(false);
  });

  it('emits a record for each item a BatchWriteItem changed', async () => {
    // Prepare
    await put({ ...key('batch-delete'), n: 1 });
    await settle();
    batches.length = 0;

    // Act
    await db.documents.send(
      new BatchWriteCommand({
        RequestItems: {
          [TABLE]: [
            { PutRequest: { Item: { ...key('batch-put'), n: 2 } } },
            { DeleteRequest: { Key: key('batch-delete') } },
            { DeleteRequest: { Key: key('batch-never-there') } },
          ],
        },
      }),
    );
    await settle();

    // Assess
    expect(batches[0]?.map((record) => [record.eventName, record.dynamodb?.Keys?.pk?.S])).toEqual([
      ['INSERT', 'batch-put'],
      ['REMOVE', 'batch-delete'],
    ]);
  });

  it('keeps writing when a listener throws, and stops calling a listener that unsubscribed', async () => {
    // Prepare
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const failing = db.database.onChange(() => {
      throw new Error('listener broke');
    });
    const rejecting = db.database.onChange(async () => Promise.reject(new Error('async listener broke')));
    const gone = vi.fn();
    db.database.onChange(gone)();

    // Act
    await put(key('despite-listener'));
    const record = await waitForRecordOf(batches, 'despite-listener');
    failing();
    rejecting();

    // Assess
    expect(record.eventName).toBe('INSERT');
    await vi.waitFor(() => expect(errors).toHaveBeenCalledTimes(2));
    expect(gone).not.toHaveBeenCalled();
  });

  it('calls listeners outside the lock, so they may write to the database', async () => {
    // Prepare
    const echo = db.database.onChange((records) => {
      for (const record of records) {
        const pk = record.dynamodb?.Keys?.pk?.S;
        if (pk === 'echo-source') void put(key('echo-copy'));
      }
    });

    // Act
    await put(key('echo-source'));

    // Assess
    expect((await waitForRecordOf(batches, 'echo-copy')).eventName).toBe('INSERT');
    echo();
  });
});
