import { publicPath, type RouteDefinition } from '#shared/platform/manifest.ts';

/** What the API answered, with the body as text so it can be searched for data it must not hold. */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON, undefined when it is not JSON. */
  readonly json: unknown;
}

export interface Call {
  /** Bearer token; none sent when undefined. */
  readonly token?: string | undefined;
  readonly params?: Readonly<Record<string, string>>;
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** The path a client calls for a route, its `{name}` parameters filled in. */
export function pathOf(route: RouteDefinition, params: Readonly<Record<string, string>> = {}): string {
  return publicPath(route).replace(/\{([^}]+)\}/g, (_whole, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`No value for {${name}} in ${route.method} ${route.path}`);
    return encodeURIComponent(value);
  });
}

/** The `{name}` parameters of a route's path, in order. */
export function pathParameters(route: RouteDefinition): string[] {
  return [...route.path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] ?? '');
}

/** Calls a manifest route over HTTP, as the web app would. */
export async function callRoute(baseUrl: string, route: RouteDefinition, call: Call = {}): Promise<Answer> {
  const query = new URLSearchParams(call.query ?? {}).toString();
  const url = `${baseUrl}${pathOf(route, call.params)}${query ? `?${query}` : ''}`;
  const response = await fetch(url, {
    method: route.method,
    headers: {
      ...(call.token !== undefined ? { authorization: `Bearer ${call.token}` } : {}),
      ...(call.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...call.headers,
    },
    ...(call.body !== undefined ? { body: JSON.stringify(call.body) } : {}),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** Every header of an answer as one searchable string. */
export function headerText(headers: Headers): string {
  return [...headers.entries()].map(([name, value]) => `${name}: ${value}`).join('\n');
}
