import { z } from 'zod';
import {
  newTenantSchema,
  publicBrandingSchema,
  tenantAdministrationChangesSchema,
  tenantIdSchema,
  tenantSchema,
  tenantSettingsChangesSchema,
} from '#shared/domain/tenancy/tenant.ts';
import { TenantCreated, TenantDeletionRequested } from '#shared/events/tenancy.ts';
import { defineProcess } from '#shared/platform/manifest.ts';
import { pageQuerySchema, pageSchema } from '#shared/platform/pagination.ts';
import { TENANT_MEMBERS } from '#shared/platform/roles.ts';

const tenantParams = z.object({ tenantId: tenantIdSchema });

/** A tenant as the platform console lists it: the record plus usage figures. */
export const tenantOverviewSchema = tenantSchema.extend({
  usage: z.object({
    users: z.number().int(),
    services: z.number().int(),
    lastActivityAt: z.iso.datetime().nullable(),
  }),
  deletion: z
    .object({ jobId: z.string(), status: z.enum(['running', 'done']), itemsDeleted: z.number().int() })
    .nullable(),
});

/**
 * An invitation sent by the identity provider: Cognito mails a temporary password in AWS; the local
 * cloud prints a one-time link and lists it at /_local/invitations. The API never returns the secret.
 */
export const invitationSchema = z.object({
  userId: z.string(),
  email: z.string(),
  status: z.literal('invited'),
});

export const manifest = defineProcess({
  name: 'tenants',
  description: 'Onboarding, settings, branding, suspension, export and deletion of tenants.',
  access: { table: 'read-write', putEvents: false, identityAdmin: true, platformWide: true },
  routes: {
    createTenant: {
      method: 'POST',
      path: '/platform/tenants',
      summary: 'Onboard a company: tenant record, first admin invited, defaults seeded on TenantCreated',
      roles: ['platform-operator'],
      body: newTenantSchema,
      response: z.object({ tenant: tenantSchema, firstAdmin: invitationSchema }),
      successStatus: 201,
    },
    listTenants: {
      method: 'GET',
      path: '/platform/tenants',
      summary: 'Every tenant with status, plan and usage',
      roles: ['platform-operator'],
      query: pageQuerySchema,
      response: pageSchema(tenantOverviewSchema),
    },
    getTenant: {
      method: 'GET',
      path: '/platform/tenants/{tenantId}',
      summary: 'One tenant with usage and deletion progress',
      roles: ['platform-operator'],
      params: tenantParams,
      response: tenantOverviewSchema,
    },
    administerTenant: {
      method: 'PATCH',
      path: '/platform/tenants/{tenantId}',
      summary: 'Change plan, or suspend / resume (suspension stops its users at once, keeps its data)',
      roles: ['platform-operator'],
      params: tenantParams,
      body: tenantAdministrationChangesSchema,
      response: tenantSchema,
      requiresIfMatch: true,
    },
    deleteTenant: {
      method: 'DELETE',
      path: '/platform/tenants/{tenantId}',
      summary: 'Delete a suspended tenant and all of its data; answers at once, progress on getTenant',
      roles: ['platform-operator'],
      params: tenantParams,
      response: z.object({ jobId: z.string(), status: z.literal('running') }),
      successStatus: 202,
    },
    getMyTenant: {
      method: 'GET',
      path: '/tenant',
      summary: 'The caller’s tenant: settings and branding',
      roles: TENANT_MEMBERS,
      response: tenantSchema,
    },
    updateMyTenant: {
      method: 'PATCH',
      path: '/tenant',
      summary: 'Change name, time zone, locale, currency or branding',
      roles: ['tenant-admin'],
      body: tenantSettingsChangesSchema,
      response: tenantSchema,
      requiresIfMatch: true,
    },
    exportMyTenant: {
      method: 'GET',
      path: '/tenant/export',
      summary: 'All of the tenant’s data as one JSON document',
      roles: ['tenant-admin'],
      response: z.object({
        tenant: tenantSchema,
        exportedAt: z.iso.datetime(),
        records: z.record(z.string(), z.array(z.record(z.string(), z.unknown()))),
      }),
    },
    getPublicBranding: {
      method: 'GET',
      path: '/public/tenants/{tenantId}/branding',
      summary: 'What the tenant’s own sign-in page shows (name, logo, colour); nothing else',
      roles: [],
      public: true,
      params: tenantParams,
      response: publicBrandingSchema,
    },
  },
  subscriptions: {
    seedDefaults: {
      summary:
        'Seed a new tenant’s business-hours calendar, priority matrix, default SLA policy and price catalogue',
      pattern: { source: [TenantCreated.source], 'detail-type': [TenantCreated.detailType] },
    },
    deleteTenantData: {
      summary: 'Delete every item of the tenant, in batches, recording progress',
      pattern: {
        source: [TenantDeletionRequested.source],
        'detail-type': [TenantDeletionRequested.detailType],
      },
    },
  },
  schedules: {},
});
