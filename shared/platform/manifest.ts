import type { z } from 'zod';
import type { EventPattern } from './event-pattern.ts';
import type { Role } from './roles.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Prefix under which every route is served, in AWS (CloudFront `/api/*`) and locally. */
export const API_PREFIX = '/api';

/** One HTTP route of a process. `path` is relative to {@link API_PREFIX}, with `{name}` parameters. */
export interface RouteDefinition {
  readonly method: HttpMethod;
  readonly path: string;
  readonly summary: string;
  /** Roles allowed to call the route; checked before the route's code runs. */
  readonly roles: readonly Role[];
  /** Served without a token (only for documentation); `roles` must then be empty. */
  readonly public?: boolean;
  readonly params?: z.ZodObject;
  readonly query?: z.ZodObject;
  readonly body?: z.ZodType;
  /** Schema of a successful response body (documents the route in OpenAPI). */
  readonly response: z.ZodType;
  /** Status of a successful answer; 200 unless said. */
  readonly successStatus?: 200 | 201 | 202 | 204;
  /** The route changes a record guarded by optimistic concurrency and needs `If-Match`. */
  readonly requiresIfMatch?: boolean;
  /**
   * The largest JSON body the route takes, when it needs more than the usual 256 KiB (a file's
   * content); at most 5 MiB, which with JSON's escaping stays inside Lambda's 6 MB request payload.
   */
  readonly maxBodyBytes?: number;
}

/** An EventBridge rule on the project's bus feeding the process. */
export interface SubscriptionDefinition {
  readonly summary: string;
  readonly pattern: EventPattern;
}

/** A timer; `expression` is an EventBridge schedule expression: `rate(5 minutes)` or `cron(...)`. */
export interface ScheduleDefinition {
  readonly summary: string;
  readonly expression: string;
}

/** What a process's function may touch; the CDK stack grants exactly this and nothing more. */
export interface ProcessAccess {
  readonly table: 'none' | 'read' | 'read-write';
  /** May put events on the project's bus directly (only the outbox publisher does). */
  readonly putEvents: boolean;
  /** Creates, changes and disables users in the identity provider (Cognito; locally the local one). */
  readonly identityAdmin?: boolean;
  /** Sends mail (SES in AWS, from the stack's `mailFrom` address; locally the mail catcher). */
  readonly sendMail?: boolean;
  /** Reads the table's change stream (only the outbox publisher does). */
  readonly tableStream?: { readonly summary: string };
  /**
   * The process reaches items of every tenant, so its table rights cannot be limited to one tenant's
   * keys. Without this flag, a process with table access reaches the table in AWS only through a role
   * whose IAM policy allows the keys of the tenant it acts for (`dynamodb:LeadingKeys`), and its own
   * role has no table rights. Set it only where an access pattern truly spans tenants (the tenants
   * process: the operator's list of every tenant, the deletion sweep); ARCHITECTURE.md, "Tenant
   * isolation", lists each such process and why.
   */
  readonly platformWide?: boolean;
}

export interface ProcessManifest {
  /** Folder name under `functions/`, kebab-case; also the function's logical name. */
  readonly name: string;
  readonly description: string;
  readonly access: ProcessAccess;
  readonly routes: Readonly<Record<string, RouteDefinition>>;
  readonly subscriptions: Readonly<Record<string, SubscriptionDefinition>>;
  readonly schedules: Readonly<Record<string, ScheduleDefinition>>;
}

/** Identity helper that keeps the literal keys of a manifest for the handler's exhaustiveness check. */
export function defineProcess<const M extends ProcessManifest>(manifest: M): M {
  return manifest;
}

/** The path a client calls, e.g. `/api/services/{serviceId}`. */
export function publicPath(route: RouteDefinition): string {
  return `${API_PREFIX}${route.path}`;
}

/** API Gateway's route key for the route, e.g. `GET /api/services/{serviceId}`. */
export function routeKey(route: RouteDefinition): string {
  return `${route.method} ${publicPath(route)}`;
}
