import { AsyncLocalStorage } from 'node:async_hooks';

/*
 * The tenant whose partitions the current invocation may touch. The process runtime sets it from the
 * verified token (routes) or the schema-checked event (subscriptions); the table client reads it to
 * pick credentials that IAM limits to that tenant's keys (see clients.ts). Code that runs outside any
 * scope (platform operator routes, public routes, schedules) uses the function's own credentials.
 */
const scope = new AsyncLocalStorage<string>();

/** Environment variable naming the role a tenant-scoped process assumes to reach the table (AWS only). */
export const TENANT_ACCESS_ROLE_ENV = 'TENANT_ACCESS_ROLE_ARN';
/** Session tag carrying the tenant; the role's policy reads it as `${aws:PrincipalTag/tenantId}`. */
export const TENANT_SESSION_TAG = 'tenantId';
/**
 * What a tenant id may look like before it becomes a session tag. IAM substitutes the tag into a
 * `StringLike` pattern, where `*` or `?` would be wildcards; the id rule of TenantContext never allows
 * them, and this check keeps it so whoever opens a scope.
 */
export const SCOPABLE_TENANT_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Runs `work` with table access limited to `tenantId`; nested calls may not switch tenants. */
export function runInTenantScope<T>(tenantId: string, work: () => Promise<T>): Promise<T> {
  const current = scope.getStore();
  // A switch inside a scope would be a cross-tenant path hiding in one invocation; refuse it loudly.
  if (current !== undefined && current !== tenantId) {
    return Promise.reject(new Error(`Already acting for tenant ${current}; cannot switch to ${tenantId}`));
  }
  if (!SCOPABLE_TENANT_ID.test(tenantId)) {
    return Promise.reject(new Error(`"${tenantId}" is not a tenant id a scope can be opened for`));
  }
  return scope.run(tenantId, work);
}

/** The tenant of the current scope, or undefined outside any. */
export function currentTenantScope(): string | undefined {
  return scope.getStore();
}
