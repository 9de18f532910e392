import type { IncomingMessage } from 'node:http';
import type {
  APIGatewayEventRequestContextJWTAuthorizer,
  APIGatewayEventRequestContextV2,
  APIGatewayEventRequestContextV2WithAuthorizer,
  APIGatewayProxyEventV2,
  APIGatewayProxyEventV2WithJWTAuthorizer,
} from 'aws-lambda';

/** What the gateway knows about a request once it has matched and authorised it. */
export interface EventInput {
  readonly req: IncomingMessage;
  readonly routeKey: string;
  /** The path as sent, still percent-encoded. */
  readonly rawPath: string;
  /** The query string as sent, without `?`. */
  readonly rawQueryString: string;
  readonly pathParameters: Readonly<Record<string, string>>;
  /** Verified token claims; undefined on a public route, which then carries no authorizer. */
  readonly claims: Readonly<Record<string, unknown>> | undefined;
  readonly body: Buffer;
  readonly requestId: string;
  /** Used when the client sent no `x-correlation-id`. */
  readonly correlationId: string;
  readonly now: Date;
}

/** Hop-by-hop headers end at API Gateway's edge and never reach the function. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `requestContext.time` as API Gateway writes it: `12/Mar/2020:19:03:58 +0000`. */
export function formatRequestTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}

/**
 * One claim value as the HTTP API JWT authorizer hands it to the function: always a string; arrays as
 * `[a b c]`, objects as Go prints a map (`map[k:v]`, keys sorted), since the authorizer is written in Go.
 */
export function flattenClaim(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return `[${value.map(flattenClaim).join(' ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `map[${entries.map(([key, inner]) => `${key}:${flattenClaim(inner)}`).join(' ')}]`;
  }
  return '';
}

export function flattenClaims(claims: Readonly<Record<string, unknown>>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(claims)) {
    if (value !== undefined) flat[name] = flattenClaim(value);
  }
  return flat;
}

/** Bodies API Gateway passes as text; everything else reaches the function base64-encoded. */
export function isTextContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const mime = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  return (
    mime.startsWith('text/') ||
    mime === 'application/json' ||
    mime.endsWith('+json') ||
    mime === 'application/xml' ||
    mime.endsWith('+xml') ||
    mime === 'application/x-www-form-urlencoded'
  );
}

function collectHeaders(req: IncomingMessage): { headers: Record<string, string>; cookies: string[] } {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  // rawHeaders keeps every repetition; `req.headers` silently drops repeats of some names.
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = (req.rawHeaders[i] as string).toLowerCase();
    const value = req.rawHeaders[i + 1] as string;
    if (name === 'cookie') {
      for (const cookie of value.split(';')) {
        const trimmed = cookie.trim();
        if (trimmed.length > 0) cookies.push(trimmed);
      }
      continue;
    }
    if (HOP_BY_HOP.has(name)) continue;
    const previous = headers[name];
    headers[name] = previous === undefined ? value : `${previous},${value}`;
  }
  return { headers, cookies };
}

function queryParameters(rawQueryString: string): Record<string, string> | undefined {
  if (rawQueryString.length === 0) return undefined;
  const parameters: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(rawQueryString)) {
    const previous = parameters[key];
    parameters[key] = previous === undefined ? value : `${previous},${value}`;
  }
  return Object.keys(parameters).length > 0 ? parameters : undefined;
}

function sourceIp(req: IncomingMessage): string {
  const address = req.socket.remoteAddress ?? '127.0.0.1';
  return address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
}

function domainName(host: string | undefined): string {
  if (host === undefined || host.length === 0) return 'localhost';
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  return host.split(':')[0] ?? host;
}

/** Builds the API Gateway HTTP API payload 2.0 event that a Lambda behind the route would receive. */
export function buildEvent(input: EventInput): APIGatewayProxyEventV2WithJWTAuthorizer {
  const { req, body } = input;
  const { headers, cookies } = collectHeaders(req);
  const ip = sourceIp(req);

  // What API Gateway adds on its way in.
  headers['x-forwarded-for'] =
    headers['x-forwarded-for'] === undefined ? ip : `${headers['x-forwarded-for']}, ${ip}`;
  headers['x-forwarded-port'] = String(req.socket.localPort ?? 80);
  headers['x-forwarded-proto'] = 'http';
  if (body.length > 0 && headers['content-length'] === undefined) {
    headers['content-length'] = String(body.length);
  }
  if (headers['x-correlation-id'] === undefined) headers['x-correlation-id'] = input.correlationId;

  const domain = domainName(headers.host);
  const requestContext: APIGatewayEventRequestContextV2 = {
    accountId: '000000000000',
    apiId: 'local',
    domainName: domain,
    domainPrefix: domain.split('.')[0] ?? domain,
    http: {
      method: req.method ?? 'GET',
      path: input.rawPath,
      protocol: `HTTP/${req.httpVersion}`,
      sourceIp: ip,
      userAgent: headers['user-agent'] ?? '',
    },
    requestId: input.requestId,
    routeKey: input.routeKey,
    stage: '$default',
    time: formatRequestTime(input.now),
    timeEpoch: input.now.getTime(),
  };

  const withAuthorizer: APIGatewayEventRequestContextV2WithAuthorizer<APIGatewayEventRequestContextJWTAuthorizer> =
    {
      ...requestContext,
      authorizer: { jwt: { claims: flattenClaims(input.claims ?? {}), scopes: null } },
    };
  const query = queryParameters(input.rawQueryString);
  const hasPathParameters = Object.keys(input.pathParameters).length > 0;
  const text = isTextContentType(headers['content-type']);

  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: input.routeKey,
    rawPath: input.rawPath,
    rawQueryString: input.rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(query !== undefined ? { queryStringParameters: query } : {}),
    requestContext: input.claims === undefined ? requestContext : withAuthorizer,
    ...(body.length > 0 ? { body: text ? body.toString('utf8') : body.toString('base64') } : {}),
    ...(hasPathParameters ? { pathParameters: { ...input.pathParameters } } : {}),
    isBase64Encoded: body.length > 0 && !text,
  };
  // A public route has no authorizer, exactly as in AWS; the declared type of `invoke` cannot say that
  // the field is sometimes absent, so the event is widened here and handlers must not assume it.
  return event as APIGatewayProxyEventV2WithJWTAuthorizer;
}
