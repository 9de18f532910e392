import { z } from 'zod';
import { ROLES } from '../../platform/roles.ts';
import { changesSchema } from '../common/changes.ts';

/** Roles a tenant admin can hand out; the platform operator role is not a tenant's to give. */
export const TENANT_ROLES = ROLES.filter((role) => role !== 'platform-operator');
export type TenantRole = (typeof TENANT_ROLES)[number];
export const USER_STATUSES = ['invited', 'active', 'deactivated'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

export function isTenantRole(role: string): role is TenantRole {
  return (TENANT_ROLES as readonly string[]).includes(role);
}

const id = z.string().min(1).max(64);
const name = z.string().trim().min(1, 'Name is required').max(120);

export const userSchema = z.object({
  userId: z.string(),
  email: z.string(),
  name: z.string(),
  roles: z.array(z.enum(TENANT_ROLES)),
  status: z.enum(USER_STATUSES),
  businessUnitId: z.string().nullable(),
  version: z.number().int().positive(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type User = z.infer<typeof userSchema>;

export const inviteUserSchema = z.strictObject({
  email: z.email('Give a valid email address').max(254),
  name,
  roles: z.array(z.enum(TENANT_ROLES)).min(1, 'Give at least one role'),
  businessUnitId: id.nullable().default(null),
});
export type InviteUser = z.infer<typeof inviteUserSchema>;

export const userChangesSchema = changesSchema({
  name: name.optional(),
  roles: z.array(z.enum(TENANT_ROLES)).min(1, 'Give at least one role').optional(),
  businessUnitId: id.nullable().optional(),
  status: z.enum(['active', 'deactivated']).optional(),
});
export type UserChanges = z.infer<typeof userChangesSchema>;

export const teamSchema = z.object({
  teamId: z.string(),
  name: z.string(),
  description: z.string(),
  leadUserId: z.string().nullable(),
  version: z.number().int().positive(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Team = z.infer<typeof teamSchema>;

export const newTeamSchema = z.strictObject({
  name,
  description: z.string().trim().max(2000).default(''),
  leadUserId: id.nullable().default(null),
});
export type NewTeam = z.infer<typeof newTeamSchema>;

export const teamChangesSchema = changesSchema({
  name: name.optional(),
  description: z.string().trim().max(2000).optional(),
  leadUserId: id.nullable().optional(),
});
export type TeamChanges = z.infer<typeof teamChangesSchema>;

export const membershipSchema = z.object({
  teamId: z.string(),
  userId: z.string(),
  addedAt: z.iso.datetime(),
});
export type Membership = z.infer<typeof membershipSchema>;

export const businessUnitSchema = z.object({
  businessUnitId: z.string(),
  name: z.string(),
  costCentre: z.string(),
  parentId: z.string().nullable(),
  version: z.number().int().positive(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type BusinessUnit = z.infer<typeof businessUnitSchema>;

export const newBusinessUnitSchema = z.strictObject({
  name,
  costCentre: z.string().trim().min(1, 'Cost centre is required').max(40),
  parentId: id.nullable().default(null),
});
export type NewBusinessUnit = z.infer<typeof newBusinessUnitSchema>;

export const businessUnitChangesSchema = changesSchema({
  name: name.optional(),
  costCentre: z.string().trim().min(1).max(40).optional(),
  parentId: id.nullable().optional(),
});
export type BusinessUnitChanges = z.infer<typeof businessUnitChangesSchema>;
