import type { z } from 'zod';
import type { FieldChange } from '../../events/service-catalogue.ts';
import type { Tenant, tenantAdministrationChangesSchema, tenantSettingsChangesSchema } from './tenant.ts';

export type TenantSettingsChanges = z.infer<typeof tenantSettingsChangesSchema>;
export type TenantAdministrationChanges = z.infer<typeof tenantAdministrationChangesSchema>;

const SCALAR_FIELDS = ['name', 'plan', 'status', 'timeZone', 'locale', 'currency'] as const;
const BRANDING_FIELDS = ['displayName', 'logoUrl', 'primaryColour'] as const;

/**
 * Field by field, from one state of a tenant (or none, at onboarding) to another. Branding is
 * reported per field (`branding.logoUrl`), so the audit trail says what changed on the sign-in page
 * instead of repeating the whole object.
 */
export function tenantChanges(from: Tenant | null, to: Tenant): FieldChange[] {
  const scalars = SCALAR_FIELDS.filter((field) => from?.[field] !== to[field]).map((field) => ({
    field,
    from: from ? from[field] : null,
    to: to[field],
  }));
  const branding = BRANDING_FIELDS.filter((field) => from?.branding[field] !== to.branding[field]).map(
    (field) => ({
      field: `branding.${field}`,
      from: from ? from.branding[field] : null,
      to: to.branding[field],
    }),
  );
  return [...scalars, ...branding];
}

/**
 * The tenant after a change request, one version on, and what actually changed. Fields sent with
 * their current value are no change; when nothing changes the tenant comes back as it was. Branding
 * is replaced as a whole, as its schema fills the fields left out with their defaults.
 */
export function changeTenant(
  current: Tenant,
  changes: TenantSettingsChanges | TenantAdministrationChanges,
  at: string,
): { next: Tenant; diff: FieldChange[] } {
  const given = Object.fromEntries(
    Object.entries(changes).filter(([, value]) => value !== undefined),
  ) as Partial<Tenant>;
  const candidate: Tenant = { ...current, ...given };
  const diff = tenantChanges(current, candidate);
  if (diff.length === 0) return { next: current, diff };
  return { next: { ...candidate, version: current.version + 1, updatedAt: at }, diff };
}
