import { randomUUID } from 'node:crypto';
import { realpath } from 'node:fs/promises';
import {
  createServer,
  type IncomingMessage,
  type OutgoingHttpHeader,
  type ServerResponse,
  validateHeaderName,
  validateHeaderValue,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { API_PREFIX, type ProcessManifest } from '#shared/platform/manifest.ts';
import { buildEvent } from './event.ts';
import { BodyTooLargeError, readBody, requestPath, requestQuery, sendProblem } from './http.ts';
import { compileRoutes, type RouteTable } from './routes.ts';
import { serveStatic } from './static.ts';

/** One line per request, written when the answer has gone out (or the client went away). */
export interface GatewayLogLine {
  readonly method: string;
  readonly path: string;
  /** The matched route key, e.g. `GET /api/services/{serviceId}`; undefined outside the API. */
  readonly route: string | undefined;
  readonly status: number;
  readonly ms: number;
  /** From the verified token; undefined on public routes and outside the API. */
  readonly tenantId: string | undefined;
}

/** Where a failure happened, for {@link GatewayOptions.logError}. */
export interface GatewayErrorContext {
  readonly method: string;
  readonly path: string;
  readonly route: string | undefined;
  readonly requestId: string | undefined;
}

export type ExtraHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

export interface GatewayOptions {
  /** 0 (the default) lets the system pick a free port. */
  readonly port?: number;
  /** Defaults to 127.0.0.1, so the local cloud is not reachable from the network unless asked. */
  readonly host?: string;
  readonly manifests: readonly ProcessManifest[];
  /** Runs the process's handler with the event, as Lambda would. */
  readonly invoke: (
    processName: string,
    event: APIGatewayProxyEventV2WithJWTAuthorizer,
  ) => Promise<APIGatewayProxyStructuredResultV2>;
  /** Returns the verified claims of a token; throws when the token is not acceptable. */
  readonly verifyToken: (token: string) => Promise<Record<string, unknown>>;
  /** The built web app; any GET that is not a file gets its index.html. */
  readonly staticDir?: string;
  /** Tried in order for every path outside `/api`, before the static files; true means answered. */
  readonly extraHandlers?: readonly ExtraHandler[];
  readonly log?: (line: GatewayLogLine) => void;
  /** Where failures of functions and handlers go; they never reach the client. Default: console.error. */
  readonly logError?: (error: unknown, context: GatewayErrorContext) => void;
  /** API Gateway's payload limit, 10 MiB, unless said. */
  readonly maxBodyBytes?: number;
  /** The clock stamped into events; tests pin it. */
  readonly now?: () => Date;
}

export interface Gateway {
  /** e.g. `http://127.0.0.1:40123`, without a trailing slash. */
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

const TEN_MIB = 10 * 1024 * 1024;
const FUNCTION_FAILED = {
  title: 'Internal Server Error',
  status: 500,
  detail: 'The function failed; see the local cloud log',
} as const;

interface RequestState {
  route: string | undefined;
  tenantId: string | undefined;
  requestId: string | undefined;
}

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(header ?? '');
  return match?.[1];
}

/** The first line of an error's message, short: enough for a client to act on, never a stack. */
function shortReason(error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  const line = message.split('\n')[0]?.trim() ?? '';
  if (line.length === 0) return 'rejected';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

type HeaderValue = string | number | boolean;

function isHeaderValue(value: unknown): value is HeaderValue {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

interface Answer {
  readonly status: number;
  readonly headers: ReadonlyMap<string, OutgoingHttpHeader>;
  readonly body: Buffer;
}

/**
 * Turns what the function returned into an HTTP answer the way API Gateway reads payload 2.0 results:
 * a result without `statusCode` (or a bare string) is a 200 JSON body. Throws on a malformed result,
 * which API Gateway also answers with a 500.
 */
function toAnswer(result: unknown): Answer {
  if (typeof result === 'string' || (isRecord(result) && result.statusCode === undefined)) {
    const body = typeof result === 'string' ? result : JSON.stringify(result);
    return {
      status: 200,
      headers: new Map([['content-type', 'application/json']]),
      body: Buffer.from(body, 'utf8'),
    };
  }
  if (!isRecord(result)) throw new Error('The function returned neither an object nor a string');
  const { statusCode, headers, multiValueHeaders, cookies, body, isBase64Encoded } = result;
  if (
    typeof statusCode !== 'number' ||
    !Number.isInteger(statusCode) ||
    statusCode < 100 ||
    statusCode > 599
  ) {
    throw new Error(`The function returned an invalid statusCode: ${String(statusCode)}`);
  }
  if (body !== undefined && body !== null && typeof body !== 'string') {
    throw new Error('The function returned a body that is not a string');
  }
  const out = new Map<string, OutgoingHttpHeader>();
  const add = (name: string, value: HeaderValue) => {
    const key = name.toLowerCase();
    validateHeaderName(key);
    validateHeaderValue(key, String(value));
    const previous = out.get(key);
    if (previous === undefined) out.set(key, String(value));
    else out.set(key, [...(Array.isArray(previous) ? previous : [String(previous)]), String(value)]);
  };
  if (headers !== undefined && headers !== null) {
    if (!isRecord(headers)) throw new Error('The function returned headers that are not an object');
    for (const [name, value] of Object.entries(headers)) {
      if (!isHeaderValue(value)) throw new Error(`The function returned a bad value for header ${name}`);
      add(name, value);
    }
  }
  // Not part of payload 2.0, but handlers written for 1.0 return it; honour it rather than drop headers.
  if (multiValueHeaders !== undefined && multiValueHeaders !== null) {
    if (!isRecord(multiValueHeaders))
      throw new Error('The function returned multiValueHeaders that are not an object');
    for (const [name, values] of Object.entries(multiValueHeaders)) {
      if (!Array.isArray(values) || !values.every(isHeaderValue)) {
        throw new Error(`The function returned bad values for header ${name}`);
      }
      for (const value of values) add(name, value);
    }
  }
  if (cookies !== undefined && cookies !== null) {
    if (!Array.isArray(cookies) || !cookies.every((c) => typeof c === 'string')) {
      throw new Error('The function returned cookies that are not a list of strings');
    }
    for (const cookie of cookies) add('set-cookie', cookie);
  }
  const text = typeof body === 'string' ? body : '';
  return {
    status: statusCode,
    headers: out,
    body: isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8'),
  };
}

function writeAnswer(
  req: IncomingMessage,
  res: ServerResponse,
  answer: Answer,
  gatewayHeaders: Readonly<Record<string, string>>,
): void {
  for (const [name, value] of answer.headers) res.setHeader(name, value);
  for (const [name, value] of Object.entries(gatewayHeaders)) {
    if (name === 'apigw-requestid' || !res.hasHeader(name)) res.setHeader(name, value);
  }
  const bodiless = answer.status === 204 || answer.status === 304 || req.method === 'HEAD';
  if (!bodiless) res.setHeader('content-length', answer.body.length);
  res.writeHead(answer.status);
  res.end(bodiless ? undefined : answer.body);
}

interface Context {
  readonly table: RouteTable;
  readonly options: GatewayOptions;
  readonly staticRoot: string | undefined;
  readonly maxBodyBytes: number;
  readonly now: () => Date;
  readonly logError: (error: unknown, context: GatewayErrorContext) => void;
}

async function handleApi(
  ctx: Context,
  req: IncomingMessage,
  res: ServerResponse,
  rawPath: string,
  state: RequestState,
): Promise<void> {
  const method = req.method ?? 'GET';
  const requestId = randomUUID();
  state.requestId = requestId;
  const sentCorrelation = req.headers['x-correlation-id'];
  const correlationId =
    typeof sentCorrelation === 'string' && sentCorrelation.length > 0 ? sentCorrelation : randomUUID();
  const gatewayHeaders = { 'apigw-requestid': requestId, 'x-correlation-id': correlationId };

  // Like API Gateway, a known path with another method is simply no route: 404, not 405.
  const match = ctx.table.match(method, rawPath);
  if (match === undefined) {
    sendProblem(
      res,
      { title: 'Not Found', status: 404, detail: `No route for ${method} ${rawPath}` },
      gatewayHeaders,
    );
    return;
  }
  const { compiled } = match;
  state.route = compiled.routeKey;

  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > ctx.maxBodyBytes) {
    req.resume();
    sendProblem(res, tooLarge(ctx.maxBodyBytes), gatewayHeaders);
    return;
  }

  let claims: Record<string, unknown> | undefined;
  if (compiled.route.public !== true) {
    const token = bearerToken(req.headers.authorization);
    if (token === undefined) {
      sendProblem(
        res,
        { title: 'Unauthorized', status: 401, detail: 'Missing bearer token' },
        {
          ...gatewayHeaders,
          'www-authenticate': 'Bearer',
        },
      );
      return;
    }
    try {
      claims = await ctx.options.verifyToken(token);
    } catch (error) {
      sendProblem(
        res,
        { title: 'Unauthorized', status: 401, detail: `Invalid token: ${shortReason(error)}` },
        {
          ...gatewayHeaders,
          'www-authenticate': 'Bearer error="invalid_token"',
        },
      );
      return;
    }
    const tenantId = claims['custom:tenantId'];
    state.tenantId = typeof tenantId === 'string' ? tenantId : undefined;
  }

  let body: Buffer;
  try {
    body = await readBody(req, ctx.maxBodyBytes);
  } catch (error) {
    if (error instanceof BodyTooLargeError) sendProblem(res, tooLarge(ctx.maxBodyBytes), gatewayHeaders);
    // Otherwise the client went away mid-body; there is no one left to answer.
    else res.destroy();
    return;
  }

  const event = buildEvent({
    req,
    routeKey: compiled.routeKey,
    rawPath,
    rawQueryString: requestQuery(req),
    pathParameters: match.pathParameters,
    claims,
    body,
    requestId,
    correlationId,
    now: ctx.now(),
  });

  let answer: Answer;
  try {
    answer = toAnswer(await ctx.options.invoke(compiled.processName, event));
  } catch (error) {
    ctx.logError(error, { method, path: rawPath, route: compiled.routeKey, requestId });
    sendProblem(res, FUNCTION_FAILED, gatewayHeaders);
    return;
  }
  writeAnswer(req, res, answer, gatewayHeaders);
}

function tooLarge(limit: number) {
  return {
    title: 'Payload Too Large',
    status: 413,
    detail: `The request body is larger than ${limit} bytes`,
  };
}

function isUnder(rawPath: string, prefix: string): boolean {
  return rawPath === prefix || rawPath.startsWith(`${prefix}/`);
}

async function handleRequest(
  ctx: Context,
  req: IncomingMessage,
  res: ServerResponse,
  rawPath: string,
  state: RequestState,
): Promise<void> {
  if (isUnder(rawPath, API_PREFIX)) {
    await handleApi(ctx, req, res, rawPath, state);
    return;
  }
  for (const extra of ctx.options.extraHandlers ?? []) {
    if (await extra(req, res)) return;
  }
  if (isUnder(rawPath, '/auth') || ctx.staticRoot === undefined) {
    sendProblem(res, {
      title: 'Not Found',
      status: 404,
      detail: `Nothing at ${req.method ?? 'GET'} ${rawPath}`,
    });
    return;
  }
  await serveStatic(req, res, ctx.staticRoot, rawPath);
}

function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Starts the local stand-in for API Gateway's HTTP API with its JWT authorizer: routes from the
 * manifests, tokens checked before any function runs, payload 2.0 events, and the web app beside it.
 * Role checks stay with the handlers, as in AWS.
 */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const table = compileRoutes(options.manifests);
  let staticRoot: string | undefined;
  if (options.staticDir !== undefined) {
    const resolved = path.resolve(options.staticDir);
    // The real path, so that the containment check in serveStatic compares like with like.
    staticRoot = await realpath(resolved).catch(() => resolved);
  }
  const ctx: Context = {
    table,
    options,
    staticRoot,
    maxBodyBytes: options.maxBodyBytes ?? TEN_MIB,
    now: options.now ?? (() => new Date()),
    logError:
      options.logError ??
      ((error, context) => {
        console.error(`local gateway: ${context.method} ${context.path} failed`, error);
      }),
  };

  const server = createServer((req, res) => {
    const started = performance.now();
    const method = req.method ?? 'GET';
    const rawPath = requestPath(req);
    const state: RequestState = { route: undefined, tenantId: undefined, requestId: undefined };
    res.once('close', () => {
      options.log?.({
        method,
        path: rawPath,
        route: state.route,
        status: res.statusCode,
        ms: Math.round(performance.now() - started),
        tenantId: state.tenantId,
      });
    });
    handleRequest(ctx, req, res, rawPath, state).catch((error: unknown) => {
      ctx.logError(error, { method, path: rawPath, route: state.route, requestId: state.requestId });
      if (res.headersSent) res.destroy();
      else
        sendProblem(res, { title: 'Internal Server Error', status: 500, detail: 'See the local cloud log' });
    });
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${urlHost(host)}:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive connections would otherwise hold close() open until they time out.
        server.closeAllConnections();
      }),
  };
}
