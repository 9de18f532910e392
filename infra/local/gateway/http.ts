import type { IncomingMessage, ServerResponse } from 'node:http';

import type { FieldError } from '#shared/platform/errors.ts';

export type { FieldError };

export interface Problem {
  readonly type?: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly errors?: readonly FieldError[];
}

/** Thrown by {@link readBody} when a request body is larger than allowed. */
export class BodyTooLargeError extends Error {
  readonly limit: number;

  constructor(limit: number) {
    super(`The request body is larger than ${limit} bytes`);
    this.name = 'BodyTooLargeError';
    this.limit = limit;
  }
}

/** Writes an `application/problem+json` answer; `type` defaults to `about:blank` as RFC 9457 says. */
export function sendProblem(
  res: ServerResponse,
  problem: Problem,
  headers: Readonly<Record<string, string>> = {},
): void {
  const body = JSON.stringify({ type: 'about:blank', ...problem });
  res.writeHead(problem.status, {
    ...headers,
    'content-type': 'application/problem+json',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(body);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'cache-control': 'no-store',
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

/**
 * Reads the whole request body, refusing more than `limit` bytes. A declared `content-length` over the
 * limit is refused before a byte is read, so a client is not made to upload what will be thrown away.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    // Let the unread body drain so the answer can still be written on this connection.
    req.resume();
    return Promise.reject(new BodyTooLargeError(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    // Plain listeners rather than `for await`: leaving that loop early destroys the socket, and the
    // client would never see the 413.
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!tooLarge) resolve(Buffer.concat(chunks, size));
    });
    req.on('error', reject);
    req.on('close', () => {
      if (!req.complete) reject(new Error('The client went away before sending the whole body'));
    });
  });
}

/** The path of a request without its query string, exactly as the client sent it (still encoded). */
export function requestPath(req: IncomingMessage): string {
  const target = req.url ?? '/';
  // Absolute-form targets (`GET http://host/path`) are legal HTTP/1.1; keep only the path.
  const path = target.startsWith('/') ? target : new URL(target, 'http://localhost').pathname;
  const query = path.indexOf('?');
  return query === -1 ? path : path.slice(0, query);
}

/** The query string of a request without the `?`, exactly as the client sent it. */
export function requestQuery(req: IncomingMessage): string {
  const target = req.url ?? '/';
  const query = target.indexOf('?');
  return query === -1 ? '' : target.slice(query + 1);
}
