import { randomUUID } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { z } from 'zod';
import { findEvent } from '../events/catalogue.ts';
import { type BusEnvelope, type DomainEventDetail, detailSchema } from '../events/envelope.ts';
import { ForbiddenError, HttpError } from './errors.ts';
import { matchesPattern } from './event-pattern-match.ts';
import {
  errorResult,
  etagFor,
  type HttpEvent,
  type HttpResult,
  header,
  jsonResult,
  parseWith,
  readIfMatch,
  readJsonBody,
  textResult,
} from './http.ts';
import { createLogger } from './logger.ts';
import { type ProcessManifest, type RouteDefinition, routeKey } from './manifest.ts';
import { PLATFORM_TENANT_ID } from './roles.ts';
import { systemContextForTenant, type TenantContext, tenantContextFromClaims } from './tenant-context.ts';
import { assertTenantActive } from './tenant-gate.ts';
import { runInTenantScope } from './tenant-scope.ts';

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

/** What a route's code receives: checked input, the caller, and the request's correlation id. */
export interface RouteRequest<R extends RouteDefinition> {
  readonly params: Out<R['params']>;
  readonly query: Out<R['query']>;
  readonly body: Out<R['body']>;
  /** The version from If-Match, for routes that require it. */
  readonly ifMatch: R['requiresIfMatch'] extends true ? number : undefined;
  readonly ctx: TenantContext;
  readonly correlationId: string;
  readonly logger: Logger;
  readonly now: Date;
}

/**
 * A route's answer: the body, and the record version to send as ETag where there is one. A body
 * with a `contentType` is sent as text (e.g. CSV), optionally as a download named `fileName`.
 */
export interface RouteReply<R extends RouteDefinition> {
  readonly body: z.input<R['response']>;
  readonly version?: number;
  readonly contentType?: string;
  readonly fileName?: string;
}

export interface EventRequest {
  readonly envelope: BusEnvelope<DomainEventDetail>;
  readonly detail: DomainEventDetail;
  readonly ctx: TenantContext;
  /** Names the consumer for idempotency: `<process>.<subscription>`. */
  readonly consumer: string;
  readonly logger: Logger;
  readonly now: Date;
}

export interface ScheduleRequest {
  readonly envelope: BusEnvelope<{ schedule: string }>;
  readonly logger: Logger;
  readonly now: Date;
}

export interface ProcessImplementation<M extends ProcessManifest> {
  readonly routes: {
    readonly [K in keyof M['routes']]: (
      request: RouteRequest<M['routes'][K]>,
    ) => Promise<RouteReply<M['routes'][K]>>;
  };
  readonly subscriptions: {
    readonly [K in keyof M['subscriptions']]: (request: EventRequest) => Promise<void>;
  };
  readonly schedules: { readonly [K in keyof M['schedules']]: (request: ScheduleRequest) => Promise<void> };
  readonly tableStream?: (event: DynamoDBStreamEvent, logger: Logger) => Promise<DynamoDBBatchResponse>;
}

export type LambdaEvent = HttpEvent | BusEnvelope | DynamoDBStreamEvent;
export type LambdaResult = HttpResult | DynamoDBBatchResponse | undefined;

function isHttpEvent(event: LambdaEvent): event is HttpEvent {
  return 'routeKey' in event && 'requestContext' in event;
}

function isStreamEvent(event: LambdaEvent): event is DynamoDBStreamEvent {
  return 'Records' in event;
}

function isScheduledEvent(event: BusEnvelope): event is BusEnvelope<{ schedule: string }> {
  return event.source === 'aws.events' && event['detail-type'] === 'Scheduled Event';
}

/**
 * Turns a manifest and its implementation into the process's one Lambda handler. The same function
 * answers HTTP routes, bus events, schedules and (for the outbox) the table stream, telling them
 * apart by the event's shape, exactly as Lambda hands them over in AWS and in the local cloud.
 */
export function createProcessHandler<const M extends ProcessManifest>(
  manifest: M,
  implementation: ProcessImplementation<M>,
  options: { now?: () => Date } = {},
) {
  const logger = createLogger(manifest.name);
  const now = options.now ?? (() => new Date());
  const routesByKey = new Map(
    Object.entries(manifest.routes).map(([name, route]) => [routeKey(route), { name, route }] as const),
  );

  async function handleHttp(event: HttpEvent): Promise<HttpResult> {
    const started = Date.now();
    const correlationId = header(event, 'x-correlation-id') ?? event.requestContext.requestId ?? randomUUID();
    const responseHeaders = { 'x-correlation-id': correlationId };
    const instance = event.rawPath;
    logger.appendKeys({ route: event.routeKey, correlationId });
    try {
      const entry = routesByKey.get(event.routeKey);
      if (!entry) throw new ForbiddenError(`This function does not serve ${event.routeKey}`);
      const { name, route } = entry;
      const ctx = authorise(route, event);
      logger.appendKeys({ tenantId: ctx.tenantId, userId: ctx.userId });
      // In AWS the table is then reached with credentials IAM limits to the caller's tenant (clients.ts);
      // platform operators and public routes act outside any tenant.
      const scoped = <T>(work: () => Promise<T>): Promise<T> =>
        route.public || ctx.tenantId === PLATFORM_TENANT_ID ? work() : runInTenantScope(ctx.tenantId, work);
      if (!route.public) await scoped(() => assertTenantActive(ctx));
      const request = {
        params: route.params ? parseWith(route.params, event.pathParameters ?? {}, 'params') : undefined,
        query: route.query ? parseWith(route.query, event.queryStringParameters ?? {}, 'query') : undefined,
        body: route.body ? parseWith(route.body, readJsonBody(event, route.maxBodyBytes), 'body') : undefined,
        ifMatch: route.requiresIfMatch ? readIfMatch(event) : undefined,
        ctx,
        correlationId,
        logger,
        now: now(),
      };
      const routeImpl = implementation.routes[name as keyof M['routes']] as (
        request: unknown,
      ) => Promise<RouteReply<RouteDefinition>>;
      const reply = await scoped(() => routeImpl(request));
      const headers: Record<string, string> =
        reply.version === undefined ? responseHeaders : { ...responseHeaders, etag: etagFor(reply.version) };
      const status = route.successStatus ?? 200;
      logger.info('request handled', { status, ms: Date.now() - started });
      if (reply.contentType !== undefined && typeof reply.body === 'string') {
        return textResult(status, reply.body, reply.contentType, reply.fileName, headers);
      }
      return jsonResult(status, reply.body, headers);
    } catch (error) {
      const result = errorResult(error, instance, responseHeaders);
      if (error instanceof HttpError) {
        logger.info('request refused', {
          status: result.statusCode,
          detail: error.message,
          ms: Date.now() - started,
        });
      } else {
        logger.error('request failed', error as Error);
      }
      return result;
    }
  }

  function authorise(route: RouteDefinition, event: HttpEvent): TenantContext {
    if (route.public) return systemContextForTenant('public', manifest.name);
    const ctx = tenantContextFromClaims(event.requestContext.authorizer?.jwt?.claims);
    if (!route.roles.some((role) => ctx.roles.includes(role))) {
      throw new ForbiddenError('Your role does not allow this');
    }
    return ctx;
  }

  async function handleBusEvent(envelope: BusEnvelope): Promise<void> {
    if (isScheduledEvent(envelope)) {
      const name = envelope.detail.schedule;
      const schedule = implementation.schedules[name as keyof M['schedules']];
      if (!schedule) throw new Error(`No schedule named ${name} in ${manifest.name}`);
      logger.appendKeys({ schedule: name });
      await schedule({ envelope, logger, now: now() });
      return;
    }
    const definition = findEvent(envelope.source, envelope['detail-type']);
    if (!definition)
      throw new Error(`Event ${envelope.source}/${envelope['detail-type']} is not in the catalogue`);
    // A malformed event is a publisher bug; failing sends it to the dead-letter queue for a person to see.
    const detail = detailSchema(definition.data).parse(envelope.detail) as DomainEventDetail;
    logger.appendKeys({
      tenantId: detail.tenantId,
      correlationId: detail.correlationId,
      event: envelope['detail-type'],
      eventId: detail.eventId,
    });
    const ctx = systemContextForTenant(detail.tenantId, manifest.name);
    const matched = Object.entries(manifest.subscriptions).filter(([, subscription]) =>
      matchesPattern(subscription.pattern, envelope),
    );
    for (const [name] of matched) {
      const subscription = implementation.subscriptions[name as keyof M['subscriptions']];
      const started = Date.now();
      await runInTenantScope(detail.tenantId, () =>
        subscription({
          envelope: envelope as BusEnvelope<DomainEventDetail>,
          detail,
          ctx,
          consumer: `${manifest.name}.${name}`,
          logger,
          now: now(),
        }),
      );
      logger.info('event handled', { subscription: name, ms: Date.now() - started });
    }
  }

  async function dispatch(event: LambdaEvent, _context: Context): Promise<LambdaResult> {
    if (isHttpEvent(event)) return handleHttp(event);
    if (isStreamEvent(event)) {
      if (!implementation.tableStream) throw new Error(`${manifest.name} does not read the table stream`);
      return implementation.tableStream(event, logger);
    }
    await handleBusEvent(event);
    return undefined;
  }

  return middy<LambdaEvent, LambdaResult>(dispatch).use(injectLambdaContext(logger, { resetKeys: true }));
}
