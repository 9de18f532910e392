/**
 * The one door from the web app into `shared/`: the domain's types (erased at build time) and the few
 * dependency-free constants the screens need. The rest of the app imports `#lib/domain.ts`, so the
 * relative path lives here only. Nothing here may pull zod into the bundle.
 */
import type { ServiceStatus } from '../../../shared/domain/service-catalogue/service.ts';
import type { Role } from '../../../shared/platform/roles.ts';

export type { AuditEntry } from '../../../shared/domain/audit/audit-entry.ts';
export type {
  NewService,
  Service,
  ServiceChanges,
  ServiceStatus,
} from '../../../shared/domain/service-catalogue/service.ts';
export { CLAIM, readListClaim } from '../../../shared/platform/claims.ts';
export { IT_STAFF, type Role } from '../../../shared/platform/roles.ts';

export const SERVICE_STATUSES: readonly ServiceStatus[] = ['pipeline', 'live', 'retired'];

/**
 * Mirror of the status rule in `shared/domain/service-catalogue/service.ts`. That module builds zod
 * schemas when it loads, so importing its function would ship zod to the browser; the `Record` type
 * makes a new status fail to compile here until it is given its moves. The API stays the judge.
 */
const NEXT_STATUSES: Record<ServiceStatus, readonly ServiceStatus[]> = {
  pipeline: ['live', 'retired'],
  live: ['retired'],
  retired: [],
};

/** The statuses an edit form may offer: the current one and the moves allowed from it. */
export function statusChoices(current: ServiceStatus): ServiceStatus[] {
  return [current, ...NEXT_STATUSES[current]];
}

export const STATUS_LABEL: Record<ServiceStatus, string> = {
  pipeline: 'Pipeline',
  live: 'Live',
  retired: 'Retired',
};

/** Roles the API lets add and change catalogue services (see `functions/service-catalogue/manifest.ts`). */
export const CATALOGUE_EDITORS: readonly Role[] = ['tenant-admin', 'service-owner'];
