import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { type IncomingHttpHeaders, request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { defineProcess, type ProcessManifest } from '#shared/platform/manifest.ts';
import { type Gateway, type GatewayLogLine, startGateway } from './index.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const NOW = new Date('2020-03-12T19:03:58.123Z');

function route(method: 'GET' | 'POST' | 'PATCH', routePath: string, extra: { public?: boolean } = {}) {
  return {
    method,
    path: routePath,
    summary: `${method} ${routePath}`,
    roles: extra.public === true ? [] : (['agent'] as const),
    response: z.unknown(),
    ...extra,
  };
}

const widgets = defineProcess({
  name: 'widgets',
  description: 'Test process',
  access: { table: 'none', putEvents: false },
  routes: {
    listWidgets: route('GET', '/widgets'),
    createWidget: route('POST', '/widgets'),
    exportWidgets: route('GET', '/widgets/export'),
    getWidget: route('GET', '/widgets/{widgetId}'),
    getPart: route('GET', '/widgets/{widgetId}/parts/{partId}'),
  },
  subscriptions: {},
  schedules: {},
});

const health = defineProcess({
  name: 'health',
  description: 'Test process with a public route',
  access: { table: 'none', putEvents: false },
  routes: { getHealth: route('GET', '/health', { public: true }) },
  subscriptions: {},
  schedules: {},
});

/** Claims as the identity provider verifies them: real JSON types, before API Gateway flattens them. */
const VERIFIED_CLAIMS = {
  iss: 'http://127.0.0.1/auth',
  aud: 'itsm-web',
  sub: '5a1d4c2e-8f3b-4e8a-9c1d-2b3e4f5a6b7c',
  email: 'alice@acme.example',
  email_verified: true,
  token_use: 'id',
  auth_time: 1583107038,
  iat: 1583107038,
  exp: 1583110638,
  'custom:tenantId': 'acme',
  'cognito:groups': ['agent', 'requester'],
};

const FLATTENED_CLAIMS = {
  iss: 'http://127.0.0.1/auth',
  aud: 'itsm-web',
  sub: '5a1d4c2e-8f3b-4e8a-9c1d-2b3e4f5a6b7c',
  email: 'alice@acme.example',
  email_verified: 'true',
  token_use: 'id',
  auth_time: '1583107038',
  iat: '1583107038',
  exp: '1583110638',
  'custom:tenantId': 'acme',
  'cognito:groups': '[agent requester]',
};

interface Invocation {
  readonly processName: string;
  readonly event: APIGatewayProxyEventV2WithJWTAuthorizer;
}

interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

interface RawRequest {
  readonly method?: string;
  readonly path: string;
  /** Name/value pairs sent as they are, repeats included. */
  readonly headers?: readonly (readonly [string, string])[];
  readonly body?: Buffer | string;
  /** Sent as a chunked body without a content-length. */
  readonly chunks?: readonly Buffer[];
}

describe('local API gateway', () => {
  let gateway: Gateway;
  let staticDir: string;
  let invocations: Invocation[];
  let respond: (event: APIGatewayProxyEventV2WithJWTAuthorizer) => Promise<APIGatewayProxyStructuredResultV2>;
  let verifiedTokens: string[];
  let logLines: GatewayLogLine[];
  const logError = vi.fn();

  /** node:http rather than fetch, so that the test controls every header the gateway sees. */
  function send(raw: RawRequest): Promise<RawResponse> {
    const headers: string[] = [];
    const given = raw.headers ?? [];
    if (!given.some(([name]) => name.toLowerCase() === 'host'))
      headers.push('host', `127.0.0.1:${gateway.port}`);
    for (const [name, value] of given) headers.push(name, value);
    if (raw.body !== undefined) headers.push('content-length', String(Buffer.byteLength(raw.body)));
    if (raw.chunks !== undefined) headers.push('transfer-encoding', 'chunked');
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: gateway.port,
          method: raw.method ?? 'GET',
          path: raw.path,
          headers,
          agent: false,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      for (const chunk of raw.chunks ?? []) req.write(chunk);
      req.end(raw.body);
    });
  }

  const json = (response: RawResponse): unknown => JSON.parse(response.body.toString('utf8'));
  const authorized = (...more: (readonly [string, string])[]) => [
    ['authorization', 'Bearer good-token'] as const,
    ...more,
  ];
  const onlyInvocation = (): Invocation => {
    expect(invocations).toHaveLength(1);
    return invocations[0] as Invocation;
  };

  beforeAll(async () => {
    staticDir = await mkdtemp(path.join(tmpdir(), 'itsm-gateway-'));
    const webDir = path.join(staticDir, 'build');
    await mkdir(path.join(webDir, '_app', 'immutable'), { recursive: true });
    await mkdir(path.join(webDir, 'assets'), { recursive: true });
    await writeFile(path.join(webDir, 'index.html'), '<!doctype html><title>ITSM</title>');
    await writeFile(path.join(webDir, '_app', 'immutable', 'entry-abc123.js'), 'export const x = 1;');
    await writeFile(path.join(webDir, 'assets', 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    await writeFile(path.join(webDir, 'robots.txt'), 'User-agent: *\n');
    await writeFile(path.join(webDir, '.env'), 'SECRET=dotfile');
    await writeFile(path.join(staticDir, 'secret.txt'), 'SECRET=outside');
    await symlink(path.join(staticDir, 'secret.txt'), path.join(webDir, 'assets', 'escape.txt'));

    gateway = await startGateway({
      manifests: [widgets, health],
      invoke: async (processName, event) => {
        invocations.push({ processName, event });
        return respond(event);
      },
      verifyToken: async (token) => {
        verifiedTokens.push(token);
        if (token === 'good-token') return structuredClone(VERIFIED_CLAIMS);
        throw new Error(
          token === 'expired-token' ? 'token expired\n    at verify (provider.ts:1:1)' : 'bad signature',
        );
      },
      staticDir: webDir,
      extraHandlers: [
        async (req, res) => {
          if (req.url !== '/config.json') return false;
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"local":true}');
          return true;
        },
        async () => false,
      ],
      log: (line) => logLines.push(line),
      logError,
      maxBodyBytes: 1024,
      now: () => NOW,
    });
  });

  afterAll(async () => {
    await gateway.stop();
    await rm(staticDir, { recursive: true, force: true });
  });

  beforeEach(() => {
    invocations = [];
    verifiedTokens = [];
    logLines = [];
    logError.mockReset();
    respond = async () => ({
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: '{"ok":true}',
    });
  });

  describe('events', () => {
    it('builds the payload 2.0 event for a GET with path parameters, a repeated query key, cookies and headers', async () => {
      const response = await send({
        path: '/api/widgets/w%201/parts/p-2?tag=a&tag=b&q=x%20y&empty=',
        headers: [
          ['User-Agent', 'itsm-test/1.0'],
          ['Accept', 'application/json'],
          ['X-Custom', 'one'],
          ['x-custom', 'two'],
          ['Cookie', 'session=abc; theme=dark'],
          ['Cookie', 'lang=en'],
          ['Authorization', 'Bearer good-token'],
        ],
      });

      expect(response.status).toBe(200);
      const { processName, event } = onlyInvocation();
      expect(processName).toBe('widgets');
      expect(event).toStrictEqual({
        version: '2.0',
        routeKey: 'GET /api/widgets/{widgetId}/parts/{partId}',
        rawPath: '/api/widgets/w%201/parts/p-2',
        rawQueryString: 'tag=a&tag=b&q=x%20y&empty=',
        cookies: ['session=abc', 'theme=dark', 'lang=en'],
        headers: {
          host: `127.0.0.1:${gateway.port}`,
          'user-agent': 'itsm-test/1.0',
          accept: 'application/json',
          'x-custom': 'one,two',
          authorization: 'Bearer good-token',
          'x-forwarded-for': '127.0.0.1',
          'x-forwarded-port': String(gateway.port),
          'x-forwarded-proto': 'http',
          'x-correlation-id': expect.stringMatching(UUID),
        },
        queryStringParameters: { tag: 'a,b', q: 'x y', empty: '' },
        requestContext: {
          accountId: '000000000000',
          apiId: 'local',
          authorizer: { jwt: { claims: FLATTENED_CLAIMS, scopes: null } },
          domainName: '127.0.0.1',
          domainPrefix: '127',
          http: {
            method: 'GET',
            path: '/api/widgets/w%201/parts/p-2',
            protocol: 'HTTP/1.1',
            sourceIp: '127.0.0.1',
            userAgent: 'itsm-test/1.0',
          },
          requestId: expect.stringMatching(UUID),
          routeKey: 'GET /api/widgets/{widgetId}/parts/{partId}',
          stage: '$default',
          time: '12/Mar/2020:19:03:58 +0000',
          timeEpoch: NOW.getTime(),
        },
        pathParameters: { widgetId: 'w 1', partId: 'p-2' },
        isBase64Encoded: false,
      });
      expect(verifiedTokens).toEqual(['good-token']);
    });

    it('leaves out cookies, query and path parameters and body when there are none', async () => {
      await send({ path: '/api/widgets', headers: authorized() });

      const { event } = onlyInvocation();
      for (const absent of ['cookies', 'queryStringParameters', 'pathParameters', 'body']) {
        expect(event).not.toHaveProperty(absent);
      }
      expect(event.rawQueryString).toBe('');
      expect(event.isBase64Encoded).toBe(false);
    });

    it('passes a JSON body of a POST as text', async () => {
      const body = JSON.stringify({ name: 'Widget', price: '12.50', note: 'größer' });

      await send({
        method: 'POST',
        path: '/api/widgets',
        headers: authorized(['content-type', 'application/json; charset=utf-8']),
        body,
      });

      const { event } = onlyInvocation();
      expect(event.routeKey).toBe('POST /api/widgets');
      expect(event.requestContext.http.method).toBe('POST');
      expect(event.body).toBe(body);
      expect(event.isBase64Encoded).toBe(false);
      expect(event.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(event.headers['content-length']).toBe(String(Buffer.byteLength(body)));
    });

    it.each([
      ['application/octet-stream', true],
      ['image/png', true],
      ['multipart/form-data; boundary=x', true],
      ['text/plain', false],
      ['text/csv; charset=utf-8', false],
      ['application/problem+json', false],
      ['application/xml', false],
      ['application/x-www-form-urlencoded', false],
    ])('with content-type %s, base64-encodes the body: %s', async (contentType, base64) => {
      const bytes = Buffer.from([0x68, 0x69, 0x00, 0xff, 0x01]);

      await send({
        method: 'POST',
        path: '/api/widgets',
        headers: authorized(['content-type', contentType]),
        body: bytes,
      });

      const { event } = onlyInvocation();
      expect(event.isBase64Encoded).toBe(base64);
      expect(event.body).toBe(base64 ? 'aGkA/wE=' : bytes.toString('utf8'));
    });

    it('base64-encodes a body without a content-type, and counts a chunked body', async () => {
      await send({
        method: 'POST',
        path: '/api/widgets',
        headers: authorized(),
        chunks: [Buffer.from([1, 2]), Buffer.from([3])],
      });

      const { event } = onlyInvocation();
      expect(event.body).toBe('AQID');
      expect(event.isBase64Encoded).toBe(true);
      expect(event.headers).not.toHaveProperty('transfer-encoding');
      expect(event.headers['content-length']).toBe('3');
    });

    it('prefers a literal segment over a parameter', async () => {
      await send({ path: '/api/widgets/export', headers: authorized() });
      await send({ path: '/api/widgets/exports', headers: authorized() });

      expect(invocations.map((i) => [i.event.routeKey, i.event.pathParameters])).toEqual([
        ['GET /api/widgets/export', undefined],
        ['GET /api/widgets/{widgetId}', { widgetId: 'exports' }],
      ]);
    });

    it('passes the client correlation id through and echoes it', async () => {
      const response = await send({
        path: '/api/widgets',
        headers: authorized(['X-Correlation-Id', 'corr-123']),
      });

      const { event } = onlyInvocation();
      expect(event.headers['x-correlation-id']).toBe('corr-123');
      expect(response.headers['x-correlation-id']).toBe('corr-123');
      expect(response.headers['apigw-requestid']).toBe(event.requestContext.requestId);
    });

    it('makes up a correlation id when the client sent none, and echoes that one', async () => {
      const response = await send({ path: '/api/widgets', headers: authorized() });

      const { event } = onlyInvocation();
      expect(response.headers['x-correlation-id']).toMatch(UUID);
      expect(response.headers['x-correlation-id']).toBe(event.headers['x-correlation-id']);
    });
  });

  describe('authorizer', () => {
    it.each([
      ['no authorization header', []],
      ['another scheme', [['authorization', 'Basic YWxpY2U6c2VjcmV0'] as const]],
      ['an empty bearer', [['authorization', 'Bearer '] as const]],
    ])('answers a request with %s with 401 Missing bearer token', async (_label, headers) => {
      const response = await send({ path: '/api/widgets', headers });

      expect(response.status).toBe(401);
      expect(response.headers['content-type']).toBe('application/problem+json');
      expect(response.headers['www-authenticate']).toBe('Bearer');
      expect(response.headers['apigw-requestid']).toMatch(UUID);
      expect(json(response)).toEqual({
        type: 'about:blank',
        title: 'Unauthorized',
        status: 401,
        detail: 'Missing bearer token',
      });
      expect(invocations).toEqual([]);
    });

    it.each([
      ['bad-token', 'Invalid token: bad signature'],
      ['expired-token', 'Invalid token: token expired'],
    ])('answers token %s with 401 and a short reason, never a stack', async (token, detail) => {
      const response = await send({ path: '/api/widgets', headers: [['authorization', `bearer ${token}`]] });

      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
      expect(json(response)).toEqual({ type: 'about:blank', title: 'Unauthorized', status: 401, detail });
      expect(response.body.toString()).not.toContain('provider.ts');
      expect(invocations).toEqual([]);
    });

    it('lets a public route through without a token, and gives it no authorizer', async () => {
      const response = await send({ path: '/api/health' });

      expect(response.status).toBe(200);
      const { processName, event } = onlyInvocation();
      expect(processName).toBe('health');
      expect(event.requestContext).not.toHaveProperty('authorizer');
    });

    it('does not check a token sent to a public route', async () => {
      await send({ path: '/api/health', headers: [['authorization', 'Bearer bad-token']] });

      expect(verifiedTokens).toEqual([]);
      expect(onlyInvocation().event.requestContext).not.toHaveProperty('authorizer');
    });
  });

  describe('routing errors and limits', () => {
    it.each([
      ['GET', '/api/x'],
      ['GET', '/api'],
      ['PATCH', '/api/widgets'],
      ['POST', '/api/widgets/w1'],
      ['GET', '/api/widgets/'],
      ['GET', '/api/widgets/..'],
      ['GET', '/api/widgets/w1/parts'],
    ])('answers %s %s with 404 problem+json', async (method, requestPath) => {
      const response = await send({ method, path: requestPath, headers: authorized() });

      expect(response.status).toBe(404);
      expect(response.headers['content-type']).toBe('application/problem+json');
      expect(json(response)).toEqual({
        type: 'about:blank',
        title: 'Not Found',
        status: 404,
        detail: `No route for ${method} ${requestPath}`,
      });
      expect(invocations).toEqual([]);
    });

    it('answers a body over maxBodyBytes with 413 before checking the token', async () => {
      const response = await send({
        method: 'POST',
        path: '/api/widgets',
        headers: [['content-type', 'application/json']],
        body: 'x'.repeat(1025),
      });

      expect(response.status).toBe(413);
      expect(json(response)).toMatchObject({ title: 'Payload Too Large', status: 413 });
      expect(verifiedTokens).toEqual([]);
      expect(invocations).toEqual([]);
    });

    it('answers a chunked body that grows over maxBodyBytes with 413', async () => {
      const response = await send({
        method: 'POST',
        path: '/api/widgets',
        headers: authorized(['content-type', 'application/json']),
        chunks: [Buffer.alloc(600, 0x61), Buffer.alloc(600, 0x62)],
      });

      expect(response.status).toBe(413);
      expect(invocations).toEqual([]);
    });

    it('accepts a body of exactly maxBodyBytes', async () => {
      const response = await send({
        method: 'POST',
        path: '/api/widgets',
        headers: authorized(['content-type', 'text/plain']),
        body: 'x'.repeat(1024),
      });

      expect(response.status).toBe(200);
      expect(onlyInvocation().event.body).toHaveLength(1024);
    });

    it('answers 500 without details when the function throws, and logs the error server-side', async () => {
      const failure = new Error('boom: table secret-table not found');
      respond = async () => {
        throw failure;
      };

      const response = await send({ path: '/api/widgets', headers: authorized() });

      expect(response.status).toBe(500);
      expect(json(response)).toEqual({
        type: 'about:blank',
        title: 'Internal Server Error',
        status: 500,
        detail: 'The function failed; see the local cloud log',
      });
      expect(response.body.toString()).not.toContain('secret-table');
      expect(response.headers['apigw-requestid']).toMatch(UUID);
      expect(logError).toHaveBeenCalledWith(failure, {
        method: 'GET',
        path: '/api/widgets',
        route: 'GET /api/widgets',
        requestId: response.headers['apigw-requestid'],
      });
    });

    it.each([
      ['a status code that is not a number', { statusCode: '200' }],
      ['a body that is not a string', { statusCode: 200, body: { ok: true } }],
      ['a header with a line break', { statusCode: 200, headers: { 'x-bad': 'a\r\nb' } }],
    ])('answers 500 when the function returns %s', async (_label, result) => {
      // The cast hands over what a handler could return at run time but the types rule out.
      respond = async () => result as unknown as APIGatewayProxyStructuredResultV2;

      const response = await send({ path: '/api/widgets', headers: authorized() });

      expect(response.status).toBe(500);
      expect(logError).toHaveBeenCalledTimes(1);
    });
  });

  describe('responses', () => {
    it('writes status, headers, multi-value headers and cookies', async () => {
      respond = async () =>
        // multiValueHeaders is not in the 2.0 result type; handlers written for 1.0 still send it.
        ({
          statusCode: 201,
          headers: { 'Content-Type': 'application/json', ETag: '"3"', 'x-count': 5, 'x-flag': true },
          multiValueHeaders: { 'x-multi': ['a', 'b'] },
          cookies: ['session=abc; Path=/; HttpOnly', 'theme=dark'],
          body: '{"id":"w1"}',
        }) as APIGatewayProxyStructuredResultV2;

      const response = await send({ method: 'POST', path: '/api/widgets', headers: authorized() });

      expect(response.status).toBe(201);
      expect(response.headers['content-type']).toBe('application/json');
      expect(response.headers.etag).toBe('"3"');
      expect(response.headers['x-count']).toBe('5');
      expect(response.headers['x-flag']).toBe('true');
      expect(response.headers['x-multi']).toBe('a, b');
      expect(response.headers['set-cookie']).toEqual(['session=abc; Path=/; HttpOnly', 'theme=dark']);
      expect(response.body.toString()).toBe('{"id":"w1"}');
    });

    it('decodes a base64 body', async () => {
      respond = async () => ({
        statusCode: 200,
        headers: { 'content-type': 'image/png' },
        body: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]).toString('base64'),
        isBase64Encoded: true,
      });

      const response = await send({ path: '/api/widgets', headers: authorized() });

      expect([...response.body]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]);
      expect(response.headers['content-length']).toBe('6');
    });

    it('sends no body with a 204', async () => {
      respond = async () => ({ statusCode: 204 });

      const response = await send({ path: '/api/widgets', headers: authorized() });

      expect(response.status).toBe(204);
      expect(response.body).toHaveLength(0);
    });

    it('treats a result without statusCode as a 200 JSON body, as API Gateway does', async () => {
      respond = async () => ({ items: [], nextCursor: null }) as APIGatewayProxyStructuredResultV2;

      const response = await send({ path: '/api/widgets', headers: authorized() });

      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('application/json');
      expect(json(response)).toEqual({ items: [], nextCursor: null });
    });
  });

  describe('web app and other paths', () => {
    it('serves index.html at / without caching', async () => {
      const response = await send({ path: '/' });

      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(response.body.toString()).toBe('<!doctype html><title>ITSM</title>');
    });

    it.each([
      [
        '/_app/immutable/entry-abc123.js',
        'text/javascript; charset=utf-8',
        'public, max-age=31536000, immutable',
      ],
      ['/assets/logo.svg', 'image/svg+xml', 'no-cache'],
      ['/robots.txt', 'text/plain; charset=utf-8', 'no-cache'],
    ])('serves %s as %s', async (requestPath, contentType, cacheControl) => {
      const response = await send({ path: requestPath });

      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe(contentType);
      expect(response.headers['cache-control']).toBe(cacheControl);
    });

    it('answers HEAD with the headers only', async () => {
      const response = await send({ method: 'HEAD', path: '/robots.txt' });

      expect(response.status).toBe(200);
      expect(response.headers['content-length']).toBe('14');
      expect(response.body).toHaveLength(0);
    });

    it('answers a repeated GET with 304 when the ETag still matches', async () => {
      const first = await send({ path: '/robots.txt' });

      const second = await send({
        path: '/robots.txt',
        headers: [['if-none-match', String(first.headers.etag)]],
      });

      expect(second.status).toBe(304);
    });

    it.each(['/tickets/INC0001042', '/admin/users?tab=roles'])(
      'falls back to index.html for the app route %s',
      async (requestPath) => {
        const response = await send({ path: requestPath });

        expect(response.status).toBe(200);
        expect(response.headers['cache-control']).toBe('no-cache');
        expect(response.body.toString()).toBe('<!doctype html><title>ITSM</title>');
      },
    );

    it('answers a missing hashed asset with 404 rather than the app', async () => {
      const response = await send({ path: '/_app/immutable/gone-999.js' });

      expect(response.status).toBe(404);
    });

    it.each([
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/..%5csecret.txt',
      '/.env',
      '/robots.txt%00.html',
    ])('refuses the traversal %s', async (requestPath) => {
      const response = await send({ path: requestPath });

      expect(response.status).toBe(404);
      expect(response.body.toString()).not.toContain('SECRET');
    });

    it('does not follow a symbolic link out of the web app', async () => {
      const response = await send({ path: '/assets/escape.txt' });

      expect(response.body.toString()).not.toContain('SECRET');
      expect(response.body.toString()).toBe('<!doctype html><title>ITSM</title>');
    });

    it('answers other methods on the web app with 405', async () => {
      const response = await send({ method: 'POST', path: '/tickets' });

      expect(response.status).toBe(405);
      expect(response.headers.allow).toBe('GET, HEAD');
    });

    it('lets extra handlers answer before the static files', async () => {
      const response = await send({ path: '/config.json' });

      expect(response.status).toBe(200);
      expect(json(response)).toEqual({ local: true });
    });

    it('answers an unknown /auth path with 404, not the app', async () => {
      const response = await send({ path: '/auth/unknown' });

      expect(response.status).toBe(404);
      expect(response.headers['content-type']).toBe('application/problem+json');
    });
  });

  describe('log', () => {
    it('writes one line per request, with route and tenant', async () => {
      await send({ path: '/api/widgets/w1?x=1', headers: authorized() });
      await send({ path: '/api/health' });
      await send({ path: '/api/nope', headers: authorized() });
      await send({ path: '/tickets' });

      await vi.waitFor(() => expect(logLines).toHaveLength(4));
      expect(logLines.map(({ ms, ...rest }) => rest)).toEqual([
        {
          method: 'GET',
          path: '/api/widgets/w1',
          route: 'GET /api/widgets/{widgetId}',
          status: 200,
          tenantId: 'acme',
        },
        { method: 'GET', path: '/api/health', route: 'GET /api/health', status: 200, tenantId: undefined },
        { method: 'GET', path: '/api/nope', route: undefined, status: 404, tenantId: undefined },
        { method: 'GET', path: '/tickets', route: undefined, status: 200, tenantId: undefined },
      ]);
      for (const line of logLines) expect(line.ms).toBeGreaterThanOrEqual(0);
    });
  });
});

describe('startGateway configuration', () => {
  const base = { invoke: async () => ({ statusCode: 200 }), verifyToken: async () => ({}) };

  function process(name: string, routes: ProcessManifest['routes']): ProcessManifest {
    return {
      name,
      description: name,
      access: { table: 'none', putEvents: false },
      routes,
      subscriptions: {},
      schedules: {},
    };
  }

  it('refuses two processes declaring the same route key', async () => {
    const manifests = [
      process('a', { one: route('GET', '/things/{id}') }),
      process('b', { two: route('GET', '/things/{id}') }),
    ];

    await expect(startGateway({ ...base, manifests })).rejects.toThrow(
      'Route GET /api/things/{id} is declared twice: by a.one and by b.two',
    );
  });

  it('refuses routes that differ only in parameter names', async () => {
    const manifests = [
      process('a', { one: route('GET', '/things/{id}'), two: route('GET', '/things/{thingId}') }),
    ];

    await expect(startGateway({ ...base, manifests })).rejects.toThrow(/match the same paths/);
  });

  it('refuses greedy parameters it cannot match like API Gateway', async () => {
    const manifests = [process('a', { one: route('GET', '/files/{proxy+}') })];

    await expect(startGateway({ ...base, manifests })).rejects.toThrow(/Unsupported path segment/);
  });

  it('answers 404 outside the API when there is no web app, and stops', async () => {
    const gateway = await startGateway({ ...base, manifests: [] });

    const response = await fetch(`${gateway.url}/`);
    await gateway.stop();

    expect(gateway.url).toBe(`http://127.0.0.1:${gateway.port}`);
    expect(response.status).toBe(404);
    await expect(fetch(`${gateway.url}/`)).rejects.toThrow();
  });
});
