import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda';
import { CLAIM } from '#shared/platform/claims.ts';
import { publicPath, type RouteDefinition, routeKey } from '#shared/platform/manifest.ts';
import type { Role } from '#shared/platform/roles.ts';

export interface Caller {
  tenantId: string;
  userId?: string;
  name?: string;
  roles: readonly Role[];
}

/** Claims as API Gateway hands them over: strings, arrays flattened to `[a b]`. */
export function claimsFor(caller: Caller): Record<string, string> {
  return {
    [CLAIM.subject]: caller.userId ?? `user-${caller.tenantId}`,
    [CLAIM.email]: `${caller.userId ?? 'user'}@${caller.tenantId}.example`,
    [CLAIM.name]: caller.name ?? 'Test User',
    [CLAIM.tenantId]: caller.tenantId,
    [CLAIM.roles]: `[${caller.roles.join(' ')}]`,
  };
}

/** A payload 2.0 event for a manifest route, as API Gateway builds it after the JWT authorizer. */
export function httpEvent(
  route: RouteDefinition,
  options: {
    caller?: Caller;
    params?: Record<string, string>;
    query?: Record<string, string>;
    body?: unknown;
    rawBody?: string;
    headers?: Record<string, string>;
  } = {},
): APIGatewayProxyEventV2WithJWTAuthorizer {
  const rawPath = Object.entries(options.params ?? {}).reduce(
    (path, [name, value]) => path.replace(`{${name}}`, encodeURIComponent(value)),
    publicPath(route),
  );
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const headers: Record<string, string> = {
    ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    'x-correlation-id': 'corr-test',
    ...options.headers,
  };
  return {
    version: '2.0',
    routeKey: routeKey(route),
    rawPath,
    rawQueryString: new URLSearchParams(options.query ?? {}).toString(),
    headers,
    ...(options.query ? { queryStringParameters: options.query } : {}),
    ...(options.params ? { pathParameters: options.params } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'test',
      authorizer: {
        principalId: '',
        integrationLatency: 0,
        jwt: { claims: options.caller ? claimsFor(options.caller) : {}, scopes: [] },
      },
      domainName: 'test.local',
      domainPrefix: 'test',
      http: {
        method: route.method,
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'vitest',
      },
      requestId: randomUUID(),
      routeKey: routeKey(route),
      stage: '$default',
      time: '24/Nov/2026:10:00:00 +0000',
      timeEpoch: 1795514400000,
    },
    ...(body !== undefined ? { body } : {}),
    isBase64Encoded: false,
  };
}

export function lambdaContext(): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:test',
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: '/aws/lambda/test',
    logStreamName: 'test',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
