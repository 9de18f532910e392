import { CLAIM, readListClaim } from './claims.ts';
import { ForbiddenError, UnauthorizedError } from './errors.ts';
import { isRole, type Role } from './roles.ts';

declare const verified: unique symbol;

/**
 * Who is acting, and for which tenant. Only built from verified token claims or from a verified
 * event's tenant, so the data layer, which asks for one to build any key, can trust it.
 */
export interface TenantContext {
  readonly tenantId: string;
  readonly userId: string;
  readonly userName: string;
  readonly email: string | undefined;
  readonly roles: readonly Role[];
  readonly [verified]: true;
}

const TENANT_ID = /^[a-z0-9][a-z0-9-]{1,62}$/;

function make(fields: Omit<TenantContext, typeof verified>): TenantContext {
  if (!TENANT_ID.test(fields.tenantId)) throw new UnauthorizedError('The token names no valid tenant');
  return Object.freeze(fields) as TenantContext;
}

/** From the claims API Gateway (or the local gateway) verified; values may be flattened strings. */
export function tenantContextFromClaims(claims: Record<string, unknown> | undefined): TenantContext {
  const tenantId = claims?.[CLAIM.tenantId];
  const userId = claims?.[CLAIM.subject];
  if (typeof tenantId !== 'string' || typeof userId !== 'string' || userId.length === 0) {
    throw new UnauthorizedError('The token lacks tenant or subject claims');
  }
  const email = claims?.[CLAIM.email];
  const name = claims?.[CLAIM.name];
  return make({
    tenantId,
    userId,
    email: typeof email === 'string' ? email : undefined,
    userName: typeof name === 'string' && name.length > 0 ? name : typeof email === 'string' ? email : userId,
    roles: readListClaim(claims?.[CLAIM.roles]).filter(isRole),
  });
}

/** For event consumers: the platform acts within the tenant named by a schema-checked event. */
export function systemContextForTenant(tenantId: string, processName: string): TenantContext {
  return make({
    tenantId,
    userId: `system:${processName}`,
    userName: processName,
    email: undefined,
    roles: [],
  });
}

/**
 * The platform operator acting on one tenant (onboarding, suspension): events and records it writes
 * then belong to that tenant, with the operator as the actor. Refused for anyone but an operator.
 */
export function operatorActingOn(ctx: TenantContext, tenantId: string): TenantContext {
  if (!ctx.roles.includes('platform-operator'))
    throw new ForbiddenError('Only platform operators act on tenants');
  return make({ ...ctx, tenantId });
}
