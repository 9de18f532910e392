/**
 * PutEvents over HTTP in the EventBridge JSON protocol (awsJson1_1), so code that publishes with the
 * real `EventBridgeClient` only needs `endpoint` pointed here to publish on the local bus.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type LocalEventBus, type PutEventsRequestEntry, PutEventsValidationError } from './event-bus.ts';

const PUT_EVENTS_TARGET = 'AWSEvents.PutEvents';
const CONTENT_TYPE = 'application/x-amz-json-1.1';
/** Well above the 256 KB PutEvents limit (JSON escaping grows the body), low enough to refuse floods. */
const MAX_BODY_BYTES = 1024 * 1024;

class ProtocolError extends Error {
  readonly status: number;
  readonly type: string;

  constructor(status: number, type: string, message: string) {
    super(message);
    this.status = status;
    this.type = type;
  }
}

export async function handlePutEventsRequest(
  bus: LocalEventBus,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  try {
    const target = req.headers['x-amz-target'];
    if (req.method !== 'POST' || target !== PUT_EVENTS_TARGET) {
      throw new ProtocolError(
        400,
        'UnknownOperationException',
        `Operation ${String(target)} is not supported here`,
      );
    }
    const entries = parseEntries(await readBody(req));
    send(res, 200, bus.putEvents(entries));
  } catch (error) {
    sendError(res, error);
  }
}

export async function startPutEventsServer(
  bus: LocalEventBus,
  port = 0,
): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const server = createServer((req, res) => void handlePutEventsRequest(bus, req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${bound}`,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // The SDK keeps connections alive; without this close() would wait for them to time out.
        server.closeAllConnections();
      }),
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES)
      throw new ProtocolError(413, 'ValidationException', 'Request body is too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseEntries(body: string): PutEventsRequestEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new ProtocolError(400, 'SerializationException', 'Request body is not valid JSON');
  }
  const entries = isRecord(parsed) ? parsed.Entries : undefined;
  if (!Array.isArray(entries)) throw new ProtocolError(400, 'ValidationException', 'Entries must be a list');
  return entries.map(toEntry);
}

/** Keeps the fields PutEvents knows; the SDK sends `Time` as epoch seconds. */
function toEntry(raw: unknown): PutEventsRequestEntry {
  if (!isRecord(raw)) return {};
  const time = raw.Time;
  return {
    ...pickStrings(raw, ['Source', 'DetailType', 'Detail', 'EventBusName']),
    ...(typeof time === 'number'
      ? { Time: new Date(time * 1000) }
      : typeof time === 'string'
        ? { Time: time }
        : {}),
    ...(raw.Resources === undefined ? {} : { Resources: raw.Resources as string[] }), // checked by putEvents
  };
}

function pickStrings(raw: Record<string, unknown>, fields: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    fields.flatMap((field) => (typeof raw[field] === 'string' ? [[field, raw[field]]] : [])),
  );
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': CONTENT_TYPE,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(text);
}

function sendError(res: ServerResponse, error: unknown): void {
  if (error instanceof ProtocolError) {
    send(res, error.status, { __type: error.type, message: error.message });
  } else if (error instanceof PutEventsValidationError) {
    send(res, 400, { __type: 'ValidationException', message: error.message });
  } else {
    send(res, 500, {
      __type: 'InternalException',
      message: error instanceof Error ? error.message : String(error),
    });
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
