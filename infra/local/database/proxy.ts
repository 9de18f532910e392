import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  type Backend,
  type Item,
  isObject,
  jsonReply,
  keyOf,
  type Outcome,
  type Params,
  type Reply,
  type Result,
  type TableInfo,
} from './backend.ts';
import type { ChangeFeed } from './change-feed.ts';
import type { Lock } from './lock.ts';
import { describeTimeToLive, type TimeToLiveSettings, updateTimeToLive } from './time-to-live.ts';
import { type TokenLog, transactGetItems, transactWriteItems } from './transactions.ts';

export interface ProxyContext {
  readonly backend: Backend;
  readonly feed: ChangeFeed;
  readonly ttl: TimeToLiveSettings;
  readonly tokens: TokenLog;
  readonly lock: Lock;
}

/** What dynalite lacks, answered by the proxy itself. */
const OWN_OPERATIONS = new Map<string, (params: Params, context: ProxyContext) => Promise<Result>>([
  ['TransactWriteItems', transactWriteItems],
  ['TransactGetItems', transactGetItems],
  ['UpdateTimeToLive', updateTimeToLive],
  ['DescribeTimeToLive', describeTimeToLive],
]);

/** Writes that dynalite performs and the proxy watches, to feed the change stream. */
const WATCHED_WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);

const TARGET_PREFIX = 'DynamoDB_20120810.';

/** An HTTP server speaking the DynamoDB JSON protocol, in front of dynalite. */
export function createProxy(context: ProxyContext): Server {
  return createServer((request, response) => {
    handle(request, response, context).catch((error: unknown) => {
      console.error('local database: request failed', error);
      if (response.headersSent) return response.destroy();
      send(
        response,
        jsonReply(500, {
          __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
          message: String(error),
        }),
      );
    });
  });
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  context: ProxyContext,
): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const target = String(request.headers['x-amz-target'] ?? '');
  const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
  const forward = () =>
    context.backend.forward(request.method ?? 'POST', request.url ?? '/', request.headers, body);

  // Every request waits for the lock, so no one ever sees half of a transaction.
  const result = await context.lock(async (): Promise<Result> => {
    const own = OWN_OPERATIONS.get(operation);
    const watched = WATCHED_WRITES.has(operation);
    if (!own && !watched) return { reply: await forwardTableAdmin(operation, body, forward, context) };
    const params = parse(body);
    if (own) return params ? own(params, context) : { reply: serializationError() };
    // Malformed requests go to dynalite untouched, so its error reaches the caller unchanged.
    return params ? watchWrite(operation, params, forward, context) : { reply: await forward() };
  });
  context.feed.publish(result.records);
  send(response, result.reply);
}

/** Performs a write through dynalite and records what it changed, by reading the items before and after. */
async function watchWrite(
  operation: string,
  params: Params,
  forward: () => Promise<Reply>,
  { backend, feed }: ProxyContext,
): Promise<Result> {
  const targets = await writeTargets(operation, params, backend);
  const before = targets && (await readAll(targets, backend));
  const reply = await forward();
  if (!targets || !before || reply.status !== 200) return { reply };
  const after = await readAll(targets, backend);
  if (!after) throw new Error(`local database: could not read back the items of a ${operation}`);
  return {
    reply,
    records: targets.map(({ table }, index) => feed.record(table, before[index], after[index])),
  };
}

interface WriteTarget {
  readonly table: TableInfo;
  readonly key: Item;
}

/** The items a write touches, or undefined when the request is too malformed to tell (dynalite will say why). */
async function writeTargets(
  operation: string,
  params: Params,
  backend: Backend,
): Promise<WriteTarget[] | undefined> {
  // Single writes are read as one-entry batches: PutItem like a PutRequest, the others by their Key.
  const requests: [tableName: unknown, request: unknown][] =
    operation === 'BatchWriteItem'
      ? Object.entries(isObject(params.RequestItems) ? params.RequestItems : {}).flatMap(([name, list]) =>
          (Array.isArray(list) ? list : []).map((entry): [unknown, unknown] => [name, entry]),
        )
      : [[params.TableName, operation === 'PutItem' ? { PutRequest: params } : { DeleteRequest: params }]];
  const targets: WriteTarget[] = [];
  for (const [tableName, request] of requests) {
    if (typeof tableName !== 'string' || !isObject(request)) return undefined;
    const table = await backend.table(tableName);
    if (!table.ok) return undefined;
    const { PutRequest: put, DeleteRequest: remove } = request;
    const key = isObject(put)
      ? keyOf(put.Item, table.data.keyNames)
      : isObject(remove)
        ? remove.Key
        : undefined;
    if (!isObject(key)) return undefined;
    targets.push({ table: table.data, key: key as Item });
  }
  return targets;
}

async function readAll(targets: WriteTarget[], backend: Backend): Promise<(Item | undefined)[] | undefined> {
  const outcomes: Outcome<Item | undefined>[] = await Promise.all(
    targets.map(({ table, key }) => backend.getItem(table.name, key)),
  );
  return outcomes.every((outcome) => outcome.ok) ? outcomes.map((outcome) => outcome.data) : undefined;
}

/** Forwards, and forgets what is cached about tables that were created or deleted. */
async function forwardTableAdmin(
  operation: string,
  body: Buffer,
  forward: () => Promise<Reply>,
  { backend, ttl }: ProxyContext,
): Promise<Reply> {
  const reply = await forward();
  if (operation !== 'CreateTable' && operation !== 'DeleteTable') return reply;
  const tableName = parse(body)?.TableName;
  if (typeof tableName !== 'string') return reply;
  backend.forget(tableName);
  if (operation === 'DeleteTable' && reply.status === 200) await ttl.set(tableName, undefined);
  return reply;
}

function parse(body: Buffer): Params | undefined {
  try {
    const params: unknown = JSON.parse(body.toString('utf8'));
    return isObject(params) ? params : undefined;
  } catch {
    return undefined;
  }
}

function serializationError(): Reply {
  return jsonReply(400, { __type: 'com.amazon.coral.service#SerializationException' });
}

function send(response: ServerResponse, reply: Reply): void {
  response.writeHead(reply.status, { ...reply.headers, 'content-length': Buffer.byteLength(reply.body) });
  response.end(reply.body);
}
