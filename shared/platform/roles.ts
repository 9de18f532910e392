/** Every role a token can carry. The role matrix in ARCHITECTURE.md is written against this list. */
export const ROLES = [
  'platform-operator',
  'tenant-admin',
  'agent',
  'change-manager',
  'problem-manager',
  'service-owner',
  'business-unit-viewer',
  'requester',
] as const;

export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** Roles that work records inside a tenant (IT staff). */
export const IT_STAFF: readonly Role[] = [
  'tenant-admin',
  'agent',
  'change-manager',
  'problem-manager',
  'service-owner',
];

/** Every role that belongs to a tenant (everyone but the platform operator). */
export const TENANT_MEMBERS: readonly Role[] = [...IT_STAFF, 'business-unit-viewer', 'requester'];

/** Tenant id that platform operators carry; it owns platform-wide items, never a company's records. */
export const PLATFORM_TENANT_ID = 'platform';
