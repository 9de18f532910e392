/**
 * The only way from the web app to the backend. Every call carries the ID token and a correlation id
 * (the id the backend logs and stamps on events and audit entries), and every failure comes back as
 * an {@link ApiError} built from the API's problem+json answer.
 */
import { goto } from '$app/navigation';
import { currentUser, signOut } from './auth.ts';
import { getConfig } from './config.ts';
import type { AuditEntry, NewService, Service, ServiceChanges, ServiceStatus } from './domain.ts';
import { isRecord } from './json.ts';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface FieldError {
  path: string;
  message: string;
}

/** A refused or failed call. `fieldErrors` maps a top-level body field to its first message. */
export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: number;
  readonly title: string;
  readonly detail: string | undefined;
  readonly errors: readonly FieldError[];
  readonly fieldErrors: Readonly<Record<string, string>>;
  readonly correlationId: string;

  constructor(init: {
    status: number;
    title: string;
    detail?: string | undefined;
    errors?: readonly FieldError[];
    correlationId: string;
  }) {
    super(init.detail ?? init.title);
    this.status = init.status;
    this.title = init.title;
    this.detail = init.detail;
    this.errors = init.errors ?? [];
    this.correlationId = init.correlationId;
    const fieldErrors: Record<string, string> = {};
    for (const error of this.errors) {
      const field = fieldOf(error.path);
      if (field && !(field in fieldErrors)) fieldErrors[field] = error.message;
    }
    this.fieldErrors = fieldErrors;
  }
}

export interface Versioned<T> {
  value: T;
  /** The ETag as sent, quotes included; give it back unchanged in `If-Match`. */
  etag: string;
}

export function listServices(query: {
  limit?: number;
  cursor?: string | null;
  status?: ServiceStatus | null;
}) {
  return call<Page<Service>>('GET', '/services', { query });
}

export function createService(service: NewService) {
  return call<Service>('POST', '/services', { body: service });
}

export async function getService(serviceId: string): Promise<Versioned<Service>> {
  const { body, etag } = await send<Service>('GET', `/services/${encodeURIComponent(serviceId)}`, {});
  return { value: body, etag: etag ?? `"${body.version}"` };
}

export async function updateService(
  serviceId: string,
  etag: string,
  changes: ServiceChanges,
): Promise<Versioned<Service>> {
  const { body, etag: next } = await send<Service>('PATCH', `/services/${encodeURIComponent(serviceId)}`, {
    body: changes,
    headers: { 'if-match': etag },
  });
  return { value: body, etag: next ?? `"${body.version}"` };
}

export function listAudit(
  entityType: AuditEntry['entityType'],
  entityId: string,
  query: { limit?: number; cursor?: string | null },
) {
  return call<Page<AuditEntry>>(
    'GET',
    `/audit/${encodeURIComponent(entityType)}/${encodeURIComponent(entityId)}`,
    { query },
  );
}

type Method = 'GET' | 'POST' | 'PATCH';

interface RequestOptions {
  query?: Record<string, string | number | null | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
}

async function call<T>(method: Method, path: string, options: RequestOptions): Promise<T> {
  return (await send<T>(method, path, options)).body;
}

// The body type is the API's contract (see the process manifests); it is trusted, not re-validated,
// to keep zod out of the browser bundle.
async function send<T>(
  method: Method,
  path: string,
  options: RequestOptions,
): Promise<{ body: T; etag: string | null }> {
  const correlationId = newCorrelationId();
  const user = currentUser();
  if (!user) {
    await toLogin();
    throw new ApiError({ status: 401, title: 'Your session has ended', correlationId });
  }

  const url = new URL(`${getConfig().apiBase}${path}`, window.location.origin);
  for (const [key, value] of Object.entries(options.query ?? {})) {
    if (value !== null && value !== undefined && value !== '') url.searchParams.set(key, String(value));
  }
  const headers: Record<string, string> = {
    accept: 'application/json, application/problem+json',
    authorization: `Bearer ${user.idToken}`,
    'x-correlation-id': correlationId,
    ...options.headers,
  };
  if (options.body !== undefined) headers['content-type'] = 'application/json';

  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: options.body === undefined ? null : JSON.stringify(options.body),
    });
  } catch {
    throw new ApiError({
      status: 0,
      title: 'The server cannot be reached',
      detail: 'Check your connection and try again.',
      correlationId,
    });
  }

  const body: unknown = await response.json().catch(() => null);
  if (response.ok) return { body: body as T, etag: response.headers.get('etag') };

  if (response.status === 401) {
    await toLogin();
    throw new ApiError({ status: 401, title: 'Your session has ended', correlationId });
  }
  throw problemToError(response, body, correlationId);
}

async function toLogin(): Promise<void> {
  signOut();
  const here = `${window.location.pathname}${window.location.search}`;
  await goto(`/login?reason=expired&next=${encodeURIComponent(here)}`, { replace: true });
}

function problemToError(response: Response, body: unknown, correlationId: string): ApiError {
  const problem = isRecord(body) ? body : {};
  const errors = Array.isArray(problem.errors)
    ? problem.errors.filter(
        (error): error is FieldError =>
          isRecord(error) && typeof error.path === 'string' && typeof error.message === 'string',
      )
    : [];
  return new ApiError({
    status: response.status,
    title:
      typeof problem.title === 'string' ? problem.title : response.statusText || `HTTP ${response.status}`,
    detail: typeof problem.detail === 'string' ? problem.detail : undefined,
    errors,
    correlationId: response.headers.get('x-correlation-id') ?? correlationId,
  });
}

/** `body.name`, `name`, `/name` and `body.name.0` all point at the form field `name`. */
function fieldOf(path: string): string | undefined {
  const parts = path.split(/[./]/).filter((part) => part.length > 0);
  return parts[0] === 'body' ? parts[1] : parts[0];
}

/** A v4 UUID; `crypto.randomUUID` exists only in secure contexts, `getRandomValues` everywhere. */
function newCorrelationId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
