import type { DynamoDBRecord } from 'aws-lambda';
import {
  type Backend,
  type Failure,
  failure,
  type Item,
  isObject,
  jsonReply,
  keyOf,
  notNull,
  type Outcome,
  type Params,
  type Result,
  type TableInfo,
  validationError,
} from './backend.ts';
import type { ChangeFeed } from './change-feed.ts';

// Both operations run under the database lock (see proxy.ts), which is what makes them atomic.

const WRITE_KINDS = ['Put', 'Update', 'Delete', 'ConditionCheck'] as const;
type WriteKind = (typeof WRITE_KINDS)[number];
const MAX_ITEMS = 100;
// DynamoDB remembers a ClientRequestToken for ten minutes.
const TOKEN_LIFETIME_MS = 10 * 60 * 1000;

interface WriteOperation {
  readonly kind: WriteKind;
  readonly params: Params;
  readonly table: TableInfo;
  readonly key: Item;
}

/** Committed ClientRequestTokens: what the request was, and until when the token counts. */
export type TokenLog = Map<string, { readonly fingerprint: string; readonly expires: number }>;

export interface TransactionContext {
  readonly backend: Backend;
  readonly feed: ChangeFeed;
  readonly tokens: TokenLog;
}

export async function transactWriteItems(
  params: Params,
  { backend, feed, tokens }: TransactionContext,
): Promise<Result> {
  const parsed = await parseWrites(params.TransactItems, backend);
  if (!parsed.ok) return parsed;
  const operations = parsed.data;

  const token = typeof params.ClientRequestToken === 'string' ? params.ClientRequestToken : undefined;
  const fingerprint = JSON.stringify(params.TransactItems);
  const now = Date.now();
  for (const [old, { expires }] of tokens) if (expires <= now) tokens.delete(old);
  const seen = token === undefined ? undefined : tokens.get(token);
  if (seen) {
    // A retry of a committed transaction succeeds without applying it twice.
    if (seen.fingerprint === fingerprint) return { reply: jsonReply(200, {}) };
    return failure(
      jsonReply(400, {
        __type: 'com.amazonaws.dynamodb.v20120810#IdempotentParameterMismatchException',
        message: 'The request uses the same client token as a previous, but non-identical request.',
      }),
    );
  }

  const before: (Item | undefined)[] = [];
  for (const { table, key } of operations) {
    const current = await backend.getItem(table.name, key);
    if (!current.ok) return current;
    before.push(current.data);
  }

  // Every operation is tried, even after a failure, so each item gets its own cancellation reason.
  const applied: { operation: WriteOperation; old: Item | undefined }[] = [];
  const reasons: Params[] = [];
  for (const [index, operation] of operations.entries()) {
    const [action, request] = writeRequest(operation, before[index]);
    const outcome = await backend.call(action, request);
    if (outcome.ok) {
      reasons.push({ Code: 'None' });
      if (operation.kind !== 'ConditionCheck') applied.push({ operation, old: before[index] });
    } else if (outcome.errorType === 'ConditionalCheckFailedException') {
      reasons.push(conditionFailed(operation, before[index]));
    } else {
      await undo(applied, backend);
      return outcome;
    }
  }
  if (reasons.some((reason) => reason.Code !== 'None')) {
    await undo(applied, backend);
    return cancelled(reasons);
  }

  if (token !== undefined) tokens.set(token, { fingerprint, expires: now + TOKEN_LIFETIME_MS });
  const records: (DynamoDBRecord | undefined)[] = [];
  for (const [index, operation] of operations.entries()) {
    if (operation.kind === 'ConditionCheck') continue;
    const after = operation.kind === 'Delete' ? undefined : await mustGet(operation, backend);
    records.push(feed.record(operation.table, before[index], after));
  }
  return { reply: jsonReply(200, {}), records };
}

export async function transactGetItems(params: Params, { backend }: TransactionContext): Promise<Result> {
  const list = checkCount(params.TransactItems);
  if (!list.ok) return list;
  const seen = new Set<string>();
  const reads: Params[] = [];
  for (const entry of list.data) {
    const get = isObject(entry) ? entry.Get : undefined;
    if (!isObject(get)) return notNull('transactItems.member.get');
    if (typeof get.TableName !== 'string') return notNull('transactItems.member.get.tableName');
    if (!isObject(get.Key)) return notNull('transactItems.member.get.key');
    const table = await backend.table(get.TableName);
    if (!table.ok) return table;
    const duplicate = checkUnique(seen, table.data, get.Key as Item);
    if (duplicate) return duplicate;
    reads.push(get);
  }

  const responses: { Item?: Item }[] = [];
  for (const get of reads) {
    const outcome = await backend.call<{ Item?: Item }>('GetItem', {
      TableName: get.TableName,
      Key: get.Key,
      ProjectionExpression: get.ProjectionExpression,
      ExpressionAttributeNames: get.ExpressionAttributeNames,
      ConsistentRead: true,
    });
    if (!outcome.ok) return outcome;
    responses.push(outcome.data.Item ? { Item: outcome.data.Item } : {});
  }
  return { reply: jsonReply(200, { Responses: responses }) };
}

async function parseWrites(list: unknown, backend: Backend): Promise<Outcome<WriteOperation[]>> {
  const entries = checkCount(list);
  if (!entries.ok) return entries;
  const seen = new Set<string>();
  const operations: WriteOperation[] = [];
  for (const entry of entries.data) {
    const present = isObject(entry) ? WRITE_KINDS.filter((kind) => entry[kind] != null) : [];
    const [kind] = present;
    const params = kind && isObject(entry) ? entry[kind] : undefined;
    if (present.length !== 1 || kind === undefined || !isObject(params)) {
      return validationError('TransactItems can only contain one of Check, Put, Update or Delete');
    }
    const member = `transactItems.member.${kind[0]?.toLowerCase()}${kind.slice(1)}`;
    if (typeof params.TableName !== 'string') return notNull(`${member}.tableName`);
    if (kind === 'Update' && typeof params.UpdateExpression !== 'string')
      return notNull(`${member}.updateExpression`);
    if (kind === 'ConditionCheck' && typeof params.ConditionExpression !== 'string') {
      return notNull(`${member}.conditionExpression`);
    }
    if (kind === 'Put' ? !isObject(params.Item) : !isObject(params.Key)) {
      return notNull(`${member}.${kind === 'Put' ? 'item' : 'key'}`);
    }
    const table = await backend.table(params.TableName);
    if (!table.ok) return table;
    const key = kind === 'Put' ? keyOf(params.Item, table.data.keyNames) : (params.Key as Item);
    if (!key) {
      const missing = table.data.keyNames.find((name) => !isObject((params.Item as Params)[name]));
      return validationError(
        `One or more parameter values were invalid: Missing the key ${missing} in the item`,
      );
    }
    const duplicate = checkUnique(seen, table.data, key);
    if (duplicate) return duplicate;
    operations.push({ kind, params, table: table.data, key });
  }
  return { ok: true, data: operations };
}

/** The dynalite call that performs one operation with its condition. */
function writeRequest(
  operation: WriteOperation,
  current: Item | undefined,
): [action: string, request: Params] {
  const { params, table, key } = operation;
  const conditional = {
    TableName: table.name,
    ConditionExpression: params.ConditionExpression,
    ExpressionAttributeNames: params.ExpressionAttributeNames,
    ExpressionAttributeValues: params.ExpressionAttributeValues,
  };
  switch (operation.kind) {
    case 'Put':
      return ['PutItem', { ...conditional, Item: params.Item }];
    case 'Update':
      return ['UpdateItem', { ...conditional, Key: key, UpdateExpression: params.UpdateExpression }];
    case 'Delete':
      return ['DeleteItem', { ...conditional, Key: key }];
    case 'ConditionCheck':
      // dynalite evaluates conditions only on writes; writing back what is there (or deleting what is
      // not) evaluates the condition and leaves the item exactly as it was.
      return current
        ? ['PutItem', { ...conditional, Item: current }]
        : ['DeleteItem', { ...conditional, Key: key }];
  }
}

function conditionFailed(operation: WriteOperation, current: Item | undefined): Params {
  const returnOld = operation.params.ReturnValuesOnConditionCheckFailure === 'ALL_OLD';
  return {
    Code: 'ConditionalCheckFailed',
    Message: 'The conditional request failed',
    ...(returnOld && current && { Item: current }),
  };
}

function cancelled(reasons: Params[]): Failure {
  const codes = reasons.map((reason) => reason.Code).join(', ');
  return failure(
    jsonReply(400, {
      __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
      Message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes}]`,
      CancellationReasons: reasons,
    }),
  );
}

/** Puts back the items a cancelled transaction had already written, newest first. */
async function undo(applied: { operation: WriteOperation; old: Item | undefined }[], backend: Backend) {
  for (const { operation, old } of applied.reverse()) {
    const { name } = operation.table;
    const outcome = old
      ? await backend.call('PutItem', { TableName: name, Item: old })
      : await backend.call('DeleteItem', { TableName: name, Key: operation.key });
    if (!outcome.ok)
      throw new Error(`local database: could not roll back a transaction on ${name}: ${outcome.reply.body}`);
  }
}

async function mustGet(operation: WriteOperation, backend: Backend): Promise<Item | undefined> {
  const outcome = await backend.getItem(operation.table.name, operation.key);
  if (!outcome.ok)
    throw new Error(`local database: could not read back ${operation.table.name}: ${outcome.reply.body}`);
  return outcome.data;
}

function checkCount(list: unknown): Outcome<unknown[]> {
  if (!Array.isArray(list)) return notNull('transactItems');
  if (list.length >= 1 && list.length <= MAX_ITEMS) return { ok: true, data: list };
  const bound = list.length === 0 ? 'greater than or equal to 1' : `less than or equal to ${MAX_ITEMS}`;
  return validationError(
    `1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length ${bound}`,
  );
}

function checkUnique(seen: Set<string>, table: TableInfo, key: Item): Failure | undefined {
  const identity = JSON.stringify([table.name, ...table.keyNames.map((name) => key[name])]);
  if (seen.has(identity))
    return validationError('Transaction request cannot include multiple operations on one item');
  seen.add(identity);
  return undefined;
}
