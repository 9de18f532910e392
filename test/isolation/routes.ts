import { manifests } from '#functions/manifests.ts';
import { type DemoUser, demoUsers } from '#infra/local/demo-data.ts';
import { type RouteDefinition, routeKey } from '#shared/platform/manifest.ts';
import { PLATFORM_TENANT_ID } from '#shared/platform/roles.ts';
import { pathParameters } from './http.ts';

/** One route of one manifest, as the walk sees it. */
export interface WalkedRoute {
  readonly process: string;
  readonly name: string;
  readonly route: RouteDefinition;
  /** `GET /api/services/{serviceId}`. */
  readonly key: string;
  readonly params: readonly string[];
}

/** Every route of every manifest listed in functions/manifests.ts: a new route is walked unasked. */
export const everyRoute: readonly WalkedRoute[] = manifests.flatMap((manifest) =>
  Object.entries(manifest.routes).map(([name, route]) => ({
    process: manifest.name,
    name,
    route,
    key: routeKey(route),
    params: pathParameters(route),
  })),
);

export function routeNamed(name: string): WalkedRoute | undefined {
  return everyRoute.find((walked) => walked.name === name);
}

export const isPlatformRoute = (walked: WalkedRoute) => walked.route.path.startsWith('/platform/');
export const isPublicRoute = (walked: WalkedRoute) => walked.route.public === true;
/** A route of a tenant's own users: protected, and not one the platform operator may call. */
export const isTenantRoute = (walked: WalkedRoute) =>
  !isPublicRoute(walked) && !walked.route.roles.includes('platform-operator');

/** A route answering a page of a list (its response has `items` and `nextCursor`). */
export function isListRoute(walked: WalkedRoute): boolean {
  const shape = (walked.route.response as { shape?: Record<string, unknown> }).shape;
  return shape !== undefined && 'items' in shape && 'nextCursor' in shape;
}

export function usersOf(tenantId: string): readonly DemoUser[] {
  return demoUsers.filter((user) => user.tenantId === tenantId);
}

export function demoUser(tenantId: string, local: string): DemoUser {
  const user = usersOf(tenantId).find((candidate) => candidate.email.startsWith(`${local}@`));
  if (user === undefined) throw new Error(`No demo login ${local} in ${tenantId}`);
  return user;
}

export const operator: DemoUser = (() => {
  const found = demoUsers.find((user) => user.tenantId === PLATFORM_TENANT_ID);
  if (found === undefined) throw new Error('No demo platform operator');
  return found;
})();

/**
 * The logins of `tenantId` that call a route in the walk: one for each role the manifest allows on the
 * route (the first demo login holding it), and always the tenant admin, so even a route no tenant
 * role may call is tried by the most powerful tenant user.
 */
export function loginsFor(walked: WalkedRoute, tenantId: string): readonly DemoUser[] {
  const users = usersOf(tenantId);
  const chosen = new Set<DemoUser>([demoUser(tenantId, 'admin')]);
  for (const role of walked.route.roles) {
    const holder = users.find((user) => user.roles.includes(role));
    if (holder !== undefined) chosen.add(holder);
  }
  return [...chosen];
}

/** `admin` of `admin@globex.example`, for test names. */
export const loginName = (user: DemoUser) => user.email.split('@')[0] ?? user.email;
