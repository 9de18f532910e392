import { createHmac, timingSafeEqual } from 'node:crypto';
import { ValidationError } from './errors.ts';
import type { TenantContext } from './tenant-context.ts';

/*
 * Pagination cursors are opaque to clients and signed: a cursor only works for the tenant, user and
 * query it was made for, so it can neither be forged nor replayed across tenants.
 */
function signingKey(): string {
  const key = process.env.CURSOR_SIGNING_KEY;
  if (!key || key.length < 32) throw new Error('CURSOR_SIGNING_KEY must be set (32+ characters)');
  return key;
}

function signature(payload: string): Buffer {
  return createHmac('sha256', signingKey()).update(payload).digest();
}

interface CursorPayload {
  t: string;
  u: string;
  q: string;
  c: string;
}

/** Wraps the data layer's own cursor; `query` names the list and its filters. */
export function sealCursor(ctx: TenantContext, query: string, inner: string | null): string | null {
  if (inner === null) return null;
  const payload = Buffer.from(
    JSON.stringify({ t: ctx.tenantId, u: ctx.userId, q: query, c: inner } satisfies CursorPayload),
  ).toString('base64url');
  return `${payload}.${signature(payload).toString('base64url')}`;
}

export function openCursor(ctx: TenantContext, query: string, cursor: string | undefined): string | null {
  if (cursor === undefined || cursor === '') return null;
  const invalid = new ValidationError(
    [{ path: 'query.cursor', message: 'This cursor is not valid here' }],
    'The cursor is not valid for this list; start again from the first page',
  );
  const [payload, mac] = cursor.split('.');
  if (!payload || !mac) throw invalid;
  const expected = signature(payload);
  const given = Buffer.from(mac, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid;
  let parsed: Partial<CursorPayload>;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Partial<CursorPayload>;
  } catch {
    throw invalid;
  }
  if (
    parsed.t !== ctx.tenantId ||
    parsed.u !== ctx.userId ||
    parsed.q !== query ||
    typeof parsed.c !== 'string'
  ) {
    throw invalid;
  }
  return parsed.c;
}
