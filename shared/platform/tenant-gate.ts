import { getDatabase } from '../data/database.ts';
import { ForbiddenError } from './errors.ts';
import { PLATFORM_TENANT_ID } from './roles.ts';
import type { TenantContext } from './tenant-context.ts';

/*
 * A suspended (or deleted) tenant's users are refused on their next request, whatever their token
 * says. The status is cached per container for a few seconds so the check costs one read per tenant
 * per few seconds, not one per request.
 */
const CACHE_MS = 5_000;
const cache = new Map<string, { status: 'active' | 'suspended' | 'missing'; until: number }>();

async function tenantStatus(tenantId: string, now: number): Promise<'active' | 'suspended' | 'missing'> {
  const cached = cache.get(tenantId);
  if (cached && cached.until > now) return cached.status;
  const found = await getDatabase().entities.tenant.get({ tenantId }).go();
  const status = found.data?.status ?? 'missing';
  cache.set(tenantId, { status, until: now + CACHE_MS });
  return status;
}

export async function assertTenantActive(ctx: TenantContext, now = Date.now()): Promise<void> {
  if (ctx.tenantId === PLATFORM_TENANT_ID) {
    if (!ctx.roles.includes('platform-operator'))
      throw new ForbiddenError('Only platform operators act here');
    return;
  }
  const status = await tenantStatus(ctx.tenantId, now);
  if (status === 'suspended') {
    throw new ForbiddenError('This organisation’s access is suspended; contact your service provider');
  }
  if (status === 'missing') throw new ForbiddenError('This organisation does not exist');
}

/** For tests and for the tenants process after it changes a status. */
export function forgetTenantStatus(tenantId?: string): void {
  if (tenantId) cache.delete(tenantId);
  else cache.clear();
}
