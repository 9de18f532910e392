import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { crc32 } from 'node:zlib';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';

/** An item in DynamoDB JSON, as on the wire. */
export type Item = Record<string, AttributeValue>;
/** A request body of the DynamoDB JSON protocol, not yet validated. */
export type Params = Record<string, unknown>;

/** An HTTP answer in the DynamoDB JSON protocol, ready to send or to pass through. */
export interface Reply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** What an operation answers, and the changes it made for the change feed (undefined: item unchanged). */
export interface Result {
  readonly reply: Reply;
  readonly records?: readonly (DynamoDBRecord | undefined)[];
}

/** A failed call: the reply that explains it, to pass on unchanged, and the error's short name. */
export interface Failure {
  readonly ok: false;
  readonly reply: Reply;
  readonly errorType: string;
}

/** Either the data of a successful call or the reply that explains the failure. */
export type Outcome<T> = { readonly ok: true; readonly data: T } | Failure;

/** What the local database needs to know about a table. */
export interface TableInfo {
  readonly name: string;
  readonly keyNames: readonly string[];
  readonly streamArn: string;
}

export const ACCOUNT = '000000000000';
export const REGION = 'local';

export function jsonReply(status: number, data: unknown): Reply {
  const body = JSON.stringify(data);
  return {
    status,
    body,
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amzn-requestid': randomUUID(),
      'x-amz-crc32': String(crc32(body)),
    },
  };
}

export function failure(reply: Reply): Failure {
  const type = (() => {
    try {
      return String((JSON.parse(reply.body) as Params).__type ?? '');
    } catch {
      return '';
    }
  })();
  return { ok: false, reply, errorType: type.slice(type.indexOf('#') + 1) };
}

export function validationError(message: string): Failure {
  return failure(jsonReply(400, { __type: 'com.amazon.coral.validate#ValidationException', message }));
}

export function notNull(member: string): Failure {
  return validationError(
    `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`,
  );
}

export function isObject(value: unknown): value is Params {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The key of an item, or undefined when the item lacks a key attribute. */
export function keyOf(item: unknown, keyNames: readonly string[]): Item | undefined {
  if (!isObject(item)) return undefined;
  const key: Item = {};
  for (const name of keyNames) {
    const value = item[name];
    if (!isObject(value)) return undefined;
    key[name] = value as AttributeValue;
  }
  return key;
}

// Hop-by-hop headers belong to one connection, never to the message being forwarded.
const HOP_BY_HOP = new Set([
  'connection',
  'content-length',
  'expect',
  'host',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

// dynalite insists on the shape of a SigV4 header but never checks the signature.
const INTERNAL_HEADERS = {
  authorization:
    'AWS4-HMAC-SHA256 Credential=local/20000101/local/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
  'content-type': 'application/x-amz-json-1.0',
  'x-amz-date': '20000101T000000Z',
};

/** The dynalite server behind the proxy, called over HTTP like any DynamoDB client would. */
export class Backend {
  readonly #url: string;
  readonly #tables = new Map<string, TableInfo>();

  constructor(url: string) {
    this.#url = url;
  }

  /** Sends a client's request on unchanged and returns dynalite's answer unchanged. */
  async forward(method: string, path: string, headers: IncomingHttpHeaders, body: Buffer): Promise<Reply> {
    const forwarded = new Headers();
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined || HOP_BY_HOP.has(name)) continue;
      for (const one of Array.isArray(value) ? value : [value]) forwarded.append(name, one);
    }
    const hasBody = method !== 'GET' && method !== 'HEAD';
    return this.#send(method, path, forwarded, hasBody ? body : undefined);
  }

  async call<T = Params>(operation: string, params: Params): Promise<Outcome<T>> {
    const headers = new Headers({ ...INTERNAL_HEADERS, 'x-amz-target': `DynamoDB_20120810.${operation}` });
    const reply = await this.#send('POST', '/', headers, Buffer.from(JSON.stringify(params)));
    return reply.status === 200 ? { ok: true, data: JSON.parse(reply.body) as T } : failure(reply);
  }

  async getItem(tableName: string, key: Item): Promise<Outcome<Item | undefined>> {
    const outcome = await this.call<{ Item?: Item }>('GetItem', {
      TableName: tableName,
      Key: key,
      ConsistentRead: true,
    });
    return outcome.ok ? { ok: true, data: outcome.data.Item } : outcome;
  }

  /** Key attributes and stream ARN of a table; cached because a table's key schema never changes. */
  async table(name: string): Promise<Outcome<TableInfo>> {
    const cached = this.#tables.get(name);
    if (cached) return { ok: true, data: cached };
    const outcome = await this.call<{
      Table: { KeySchema: { AttributeName: string; KeyType: string }[]; CreationDateTime: number };
    }>('DescribeTable', { TableName: name });
    if (!outcome.ok) return outcome;
    const { KeySchema, CreationDateTime } = outcome.data.Table;
    const label = new Date(CreationDateTime * 1000).toISOString().slice(0, -1);
    const info: TableInfo = {
      name,
      // HASH before RANGE, as DynamoDB lists keys.
      keyNames: [...KeySchema].sort((a, b) => a.KeyType.localeCompare(b.KeyType)).map((k) => k.AttributeName),
      streamArn: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}/stream/${label}`,
    };
    this.#tables.set(name, info);
    return { ok: true, data: info };
  }

  /** Drops what is cached about a table that was created or deleted. */
  forget(name: string): void {
    this.#tables.delete(name);
  }

  async #send(method: string, path: string, headers: Headers, body: Buffer | undefined): Promise<Reply> {
    const response = await fetch(new URL(path, this.#url), { method, headers, body });
    const replyHeaders: Record<string, string> = {};
    for (const [name, value] of response.headers) {
      if (!HOP_BY_HOP.has(name)) replyHeaders[name] = value;
    }
    return { status: response.status, headers: replyHeaders, body: await response.text() };
  }
}
