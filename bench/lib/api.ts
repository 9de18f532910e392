import { performance } from 'node:perf_hooks';
import { isOfferedTo } from '#shared/domain/service-catalogue/service.ts';

/*
 * The API as the web app calls it: HTTP to the local gateway with a bearer token. Every call carries an
 * `x-correlation-id`, so the events it causes can be traced back to it, and is timed from sending the
 * request to having read the whole answer.
 */

export interface Answer {
  readonly status: number;
  readonly etag: string;
  readonly json: Record<string, unknown>;
  readonly ms: number;
}

export interface CallOptions {
  readonly body?: unknown;
  /** The version the change was made on; sent as `If-Match: "<n>"`. */
  readonly ifMatch?: number | string;
  readonly correlationId?: string;
}

let calls = 0;

export class Api {
  readonly url: string;

  constructor(url: string) {
    this.url = url;
  }

  async call(token: string, method: string, path: string, options: CallOptions = {}): Promise<Answer> {
    calls += 1;
    const headers: Record<string, string> = {
      authorization: `Bearer ${token}`,
      'x-correlation-id': options.correlationId ?? `bench-${calls}`,
    };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.ifMatch !== undefined) {
      const version = String(options.ifMatch);
      headers['if-match'] = version.startsWith('"') ? version : `"${version}"`;
    }
    const started = performance.now();
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    const text = await response.text();
    const ms = performance.now() - started;
    let json: Record<string, unknown> = {};
    if (text !== '') {
      try {
        json = JSON.parse(text) as Record<string, unknown>;
      } catch {
        json = { text };
      }
    }
    return { status: response.status, etag: response.headers.get('etag') ?? '', json, ms };
  }

  /** Like {@link call}, but any answer other than 2xx is an error naming the route and the answer. */
  async expect(token: string, method: string, path: string, options: CallOptions = {}): Promise<Answer> {
    const answer = await this.call(token, method, path, options);
    if (answer.status < 200 || answer.status >= 300) {
      throw new Error(
        `${method} ${path} answered ${answer.status}: ${JSON.stringify(answer.json).slice(0, 400)}`,
      );
    }
    return answer;
  }
}

/** A string field of an answer, or an error saying which one was missing. */
export function field(answer: Answer, name: string): string {
  const value = answer.json[name];
  if (typeof value !== 'string') {
    throw new Error(`Expected "${name}" in the answer, got ${JSON.stringify(answer.json).slice(0, 300)}`);
  }
  return value;
}

/** The version from an answer's ETag (`"3"` → 3). */
export function versionOf(answer: Answer): number {
  const version = Number(answer.etag.replaceAll('"', ''));
  if (!Number.isInteger(version)) throw new Error(`Expected an ETag with a version, got "${answer.etag}"`);
  return version;
}

/**
 * The services the requester may report against: those offered to their business unit (the catalogue's
 * rule, isOfferedTo), read as the tenant admin sees the catalogue.
 */
export async function requesterServices(
  api: Api,
  adminToken: string,
  requesterToken: string,
): Promise<string[]> {
  const me = await api.expect(requesterToken, 'GET', '/api/me');
  const unit = typeof me.json.businessUnitId === 'string' ? me.json.businessUnitId : null;
  const services = (await api.expect(adminToken, 'GET', '/api/services?limit=100')).json.items as {
    serviceId: string;
    consumerBusinessUnitIds?: string[];
  }[];
  return services
    .filter((service) =>
      isOfferedTo({ consumerBusinessUnitIds: service.consumerBusinessUnitIds ?? [] }, unit),
    )
    .map((service) => service.serviceId);
}
