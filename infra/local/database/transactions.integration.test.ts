import {
  GetCommand,
  PutCommand,
  ScanCommand,
  TransactGetCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Connected, connect, failureOf, TABLE } from './test-support.ts';

let db: Connected;
beforeAll(async () => {
  db = await connect();
});
afterAll(async () => {
  await db.close();
});

const key = (pk: string) => ({ pk, sk: 'item' });
const get = async (pk: string) =>
  (await db.documents.send(new GetCommand({ TableName: TABLE, Key: key(pk) }))).Item;
const put = (item: Record<string, unknown>) =>
  db.documents.send(new PutCommand({ TableName: TABLE, Item: item }));
type TransactItems = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>;
const transact = (items: TransactItems) =>
  db.documents.send(new TransactWriteCommand({ TransactItems: items }));

describe('TransactWriteItems', () => {
  it('commits every item', async () => {
    // Prepare
    await put({ ...key('commit-2'), count: 1 });
    await put({ ...key('commit-3'), gone: false });

    // Act
    await transact([
      { Put: { TableName: TABLE, Item: { ...key('commit-1'), name: 'one' } } },
      {
        Update: {
          TableName: TABLE,
          Key: key('commit-2'),
          UpdateExpression: 'SET #c = #c + :one',
          ExpressionAttributeNames: { '#c': 'count' },
          ExpressionAttributeValues: { ':one': 1 },
        },
      },
      { Delete: { TableName: TABLE, Key: key('commit-3'), ConditionExpression: 'attribute_exists(pk)' } },
    ]);

    // Assess
    expect(await get('commit-1')).toEqual({ ...key('commit-1'), name: 'one' });
    expect(await get('commit-2')).toEqual({ ...key('commit-2'), count: 2 });
    expect(await get('commit-3')).toBeUndefined();
  });

  it.each([
    {
      returnOld: true,
      reason: {
        Code: 'ConditionalCheckFailed',
        Message: 'The conditional request failed',
        Item: { pk: { S: 'fail-3' }, sk: { S: 'item' }, state: { S: 'taken' } },
      },
    },
    {
      returnOld: false,
      reason: { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' },
    },
  ])(
    'cancels everything when item 3 of 3 fails its condition (ALL_OLD: $returnOld)',
    async ({ returnOld, reason }) => {
      // Prepare
      await put({ ...key('fail-1'), count: 1 });
      await put({ ...key('fail-3'), state: 'taken' });

      // Act
      const error = await failureOf(() =>
        transact([
          {
            Update: {
              TableName: TABLE,
              Key: key('fail-1'),
              UpdateExpression: 'SET #c = :two',
              ExpressionAttributeNames: { '#c': 'count' },
              ExpressionAttributeValues: { ':two': 2 },
            },
          },
          { Put: { TableName: TABLE, Item: { ...key('fail-2'), fresh: true } } },
          {
            Put: {
              TableName: TABLE,
              Item: { ...key('fail-3'), state: 'mine' },
              ConditionExpression: 'attribute_not_exists(pk)',
              ...(returnOld && { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const }),
            },
          },
        ]),
      );

      // Assess
      expect(error.name).toBe('TransactionCanceledException');
      expect(error.message).toBe(
        'Transaction cancelled, please refer cancellation reasons for specific reasons [None, None, ConditionalCheckFailed]',
      );
      expect(error.CancellationReasons).toEqual([{ Code: 'None' }, { Code: 'None' }, reason]);
      expect(await get('fail-1')).toEqual({ ...key('fail-1'), count: 1 });
      expect(await get('fail-2')).toBeUndefined();
      expect(await get('fail-3')).toEqual({ ...key('fail-3'), state: 'taken' });
    },
  );

  it('reports every failed condition, not only the first', async () => {
    // Prepare
    await put({ ...key('both-1'), n: 1 });
    await put({ ...key('both-2'), n: 1 });

    // Act
    const error = await failureOf(() =>
      transact([
        { Put: { TableName: TABLE, Item: key('both-1'), ConditionExpression: 'attribute_not_exists(pk)' } },
        {
          Delete: {
            TableName: TABLE,
            Key: key('both-2'),
            ConditionExpression: 'n = :two',
            ExpressionAttributeValues: { ':two': 2 },
          },
        },
      ]),
    );

    // Assess
    expect((error.CancellationReasons as { Code: string }[]).map((reason) => reason.Code)).toEqual([
      'ConditionalCheckFailed',
      'ConditionalCheckFailed',
    ]);
    expect(await get('both-1')).toEqual({ ...key('both-1'), n: 1 });
    expect(await get('both-2')).toEqual({ ...key('both-2'), n: 1 });
  });

  it('cancels when a ConditionCheck fails, on an item that exists or not', async () => {
    // Prepare
    await put({ ...key('check-fail-1'), status: 'closed' });

    // Act
    const error = await failureOf(() =>
      transact([
        {
          ConditionCheck: {
            TableName: TABLE,
            Key: key('check-fail-1'),
            ConditionExpression: '#s = :open',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':open': 'open' },
          },
        },
        {
          ConditionCheck: {
            TableName: TABLE,
            Key: key('check-fail-missing'),
            ConditionExpression: 'attribute_exists(pk)',
          },
        },
        { Put: { TableName: TABLE, Item: { ...key('check-fail-2'), written: true } } },
      ]),
    );

    // Assess
    expect((error.CancellationReasons as { Code: string }[]).map((reason) => reason.Code)).toEqual([
      'ConditionalCheckFailed',
      'ConditionalCheckFailed',
      'None',
    ]);
    expect(await get('check-fail-1')).toEqual({ ...key('check-fail-1'), status: 'closed' });
    expect(await get('check-fail-missing')).toBeUndefined();
    expect(await get('check-fail-2')).toBeUndefined();
  });

  it('leaves the checked items unchanged when ConditionChecks pass', async () => {
    // Prepare
    const checked = { ...key('check-pass-1'), status: 'open', tags: ['a', 'b'], nested: { deep: [1, 2] } };
    await put(checked);

    // Act
    await transact([
      {
        ConditionCheck: {
          TableName: TABLE,
          Key: key('check-pass-1'),
          ConditionExpression: '#s = :open',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':open': 'open' },
        },
      },
      {
        ConditionCheck: {
          TableName: TABLE,
          Key: key('check-pass-missing'),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      { Put: { TableName: TABLE, Item: { ...key('check-pass-2'), written: true } } },
    ]);

    // Assess
    expect(await get('check-pass-1')).toEqual(checked);
    expect(await get('check-pass-missing')).toBeUndefined();
    expect(await get('check-pass-2')).toEqual({ ...key('check-pass-2'), written: true });
  });

  it('applies ADD with a condition on the version, and refuses a stale version', async () => {
    // Prepare
    await put({ ...key('versioned'), version: 1, title: 'first' });
    const update = (expected: number, title: string): TransactItems => [
      {
        Update: {
          TableName: TABLE,
          Key: key('versioned'),
          UpdateExpression: 'SET title = :title ADD version :one',
          ConditionExpression: 'version = :expected',
          ExpressionAttributeValues: { ':title': title, ':one': 1, ':expected': expected },
        },
      },
    ];

    // Act
    await transact(update(1, 'second'));
    const stale = await failureOf(() => transact(update(1, 'lost')));

    // Assess
    expect(stale.name).toBe('TransactionCanceledException');
    expect(await get('versioned')).toEqual({ ...key('versioned'), version: 2, title: 'second' });
  });

  it('refuses two operations on one item', async () => {
    // Act
    const error = await failureOf(() =>
      transact([
        { Put: { TableName: TABLE, Item: { ...key('twice'), n: 1 } } },
        {
          ConditionCheck: {
            TableName: TABLE,
            Key: key('twice'),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      ]),
    );

    // Assess
    expect(error.name).toBe('ValidationException');
    expect(error.message).toBe('Transaction request cannot include multiple operations on one item');
    expect(await get('twice')).toBeUndefined();
  });

  it.each([0, 101])('refuses %i items', async (count) => {
    // Act
    const error = await failureOf(() =>
      transact(
        Array.from({ length: count }, (_, index) => ({
          Put: { TableName: TABLE, Item: key(`many-${index}`) },
        })),
      ),
    );

    // Assess
    expect(error.name).toBe('ValidationException');
    expect(await get('many-0')).toBeUndefined();
  });

  it('accepts 100 items', async () => {
    // Act
    await transact(
      Array.from({ length: 100 }, (_, index) => ({
        Put: { TableName: TABLE, Item: key(`hundred-${index}`) },
      })),
    );

    // Assess
    expect(await get('hundred-99')).toEqual(key('hundred-99'));
  });

  it('passes dynalite errors through and leaves nothing applied', async () => {
    // Act
    const badExpression = await failureOf(() =>
      transact([
        { Put: { TableName: TABLE, Item: key('invalid-1') } },
        { Update: { TableName: TABLE, Key: key('invalid-2'), UpdateExpression: 'SET = nonsense' } },
      ]),
    );
    const missingTable = await failureOf(() => transact([{ Put: { TableName: 'missing', Item: key('x') } }]));

    // Assess
    expect(badExpression.name).toBe('ValidationException');
    expect(missingTable.name).toBe('ResourceNotFoundException');
    expect(await get('invalid-1')).toBeUndefined();
  });

  it('applies a transaction once when a client retries it with the same ClientRequestToken', async () => {
    // Prepare
    const command = new TransactWriteCommand({
      ClientRequestToken: 'retry-token',
      TransactItems: [
        {
          Update: {
            TableName: TABLE,
            Key: key('idempotent'),
            UpdateExpression: 'ADD hits :one',
            ExpressionAttributeValues: { ':one': 1 },
          },
        },
      ],
    });

    // Act
    await db.documents.send(command);
    await db.documents.send(command);
    const mismatch = await failureOf(() =>
      db.documents.send(
        new TransactWriteCommand({
          ClientRequestToken: 'retry-token',
          TransactItems: [{ Put: { TableName: TABLE, Item: key('other') } }],
        }),
      ),
    );

    // Assess
    expect(await get('idempotent')).toEqual({ ...key('idempotent'), hits: 1 });
    expect(mismatch.name).toBe('IdempotentParameterMismatchException');
  });

  it('counts exactly the committed ones of concurrent transactions on one counter', async () => {
    // Prepare
    await put({ ...key('counter'), value: 0, version: 0 });
    let committed = 0;
    let cancelled = 0;
    const attempt = async (worker: number, round: number): Promise<void> => {
      const current = await get('counter');
      try {
        await transact([
          // Written before the version check, so every cancelled transaction has to roll it back.
          {
            Update: {
              TableName: TABLE,
              Key: key('tally'),
              UpdateExpression: 'ADD hits :one',
              ExpressionAttributeValues: { ':one': 1 },
            },
          },
          {
            Update: {
              TableName: TABLE,
              Key: key('counter'),
              UpdateExpression: 'SET #v = #v + :one ADD version :one',
              ConditionExpression: 'version = :seen',
              ExpressionAttributeNames: { '#v': 'value' },
              ExpressionAttributeValues: { ':one': 1, ':seen': current?.version },
            },
          },
          {
            Put: {
              TableName: TABLE,
              Item: { ...key(`ledger-${worker}-${round}`), version: current?.version },
            },
          },
        ]);
        committed += 1;
      } catch (error) {
        if ((error as Error).name !== 'TransactionCanceledException') throw error;
        cancelled += 1;
      }
    };
    const worker = async (id: number) => {
      for (let round = 0; round < 5; round += 1) await attempt(id, round);
    };

    // Act
    await Promise.all(Array.from({ length: 20 }, (_, id) => worker(id)));

    // Assess
    expect(committed + cancelled).toBe(100);
    expect(committed).toBeGreaterThan(0);
    expect(await get('counter')).toEqual({ ...key('counter'), value: committed, version: committed });
    expect(await get('tally')).toEqual({ ...key('tally'), hits: committed });
    const { Items = [] } = await db.documents.send(
      new ScanCommand({
        TableName: TABLE,
        FilterExpression: 'begins_with(pk, :ledger)',
        ExpressionAttributeValues: { ':ledger': 'ledger-' },
      }),
    );
    expect(Items).toHaveLength(committed);
    // Each committed transaction saw a distinct version: no two won the same race.
    expect(new Set(Items.map((item) => item.version)).size).toBe(committed);
  });
});

describe('TransactGetItems', () => {
  it('reads the items in order, with an empty response for a missing one', async () => {
    // Prepare
    await put({ ...key('read-1'), name: 'one', secret: 's' });
    await put({ ...key('read-2'), name: 'two' });

    // Act
    const { Responses } = await db.documents.send(
      new TransactGetCommand({
        TransactItems: [
          { Get: { TableName: TABLE, Key: key('read-2') } },
          { Get: { TableName: TABLE, Key: key('read-missing') } },
          {
            Get: {
              TableName: TABLE,
              Key: key('read-1'),
              ProjectionExpression: '#n',
              ExpressionAttributeNames: { '#n': 'name' },
            },
          },
        ],
      }),
    );

    // Assess
    expect(Responses).toEqual([{ Item: { ...key('read-2'), name: 'two' } }, {}, { Item: { name: 'one' } }]);
  });

  it('refuses two reads of one item', async () => {
    // Act
    const error = await failureOf(() =>
      db.documents.send(
        new TransactGetCommand({
          TransactItems: [
            { Get: { TableName: TABLE, Key: key('read-1') } },
            { Get: { TableName: TABLE, Key: key('read-1') } },
          ],
        }),
      ),
    );

    // Assess
    expect(error.name).toBe('ValidationException');
  });
});
