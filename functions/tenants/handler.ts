import { createProcessHandler } from '#shared/platform/process-handler.ts';
import { deleteTenantData } from './deletion.ts';
import { manifest } from './manifest.ts';
import {
  administerTenant,
  createTenant,
  deleteTenant,
  exportMyTenant,
  getMyTenant,
  getPublicBranding,
  getTenant,
  listTenants,
  seedDefaults,
  updateMyTenant,
} from './use-cases.ts';

/** Answers a record with its version as ETag, for the next If-Match. */
function versioned<T extends { version: number }>(record: T) {
  return { body: record, version: record.version };
}

export const handler = createProcessHandler(manifest, {
  routes: {
    createTenant: async ({ body, ...command }) => {
      const created = await createTenant(command, body);
      return { body: created, version: created.tenant.version };
    },
    listTenants: async ({ ctx, query }) => ({ body: await listTenants(ctx, query) }),
    getTenant: async ({ params }) => versioned(await getTenant(params.tenantId)),
    administerTenant: async ({ params, body, ifMatch, ...command }) =>
      versioned(await administerTenant(command, params.tenantId, ifMatch, body)),
    deleteTenant: async ({ params, ...command }) => ({ body: await deleteTenant(command, params.tenantId) }),
    getMyTenant: async ({ ctx }) => versioned(await getMyTenant(ctx)),
    updateMyTenant: async ({ body, ifMatch, ...command }) =>
      versioned(await updateMyTenant(command, ifMatch, body)),
    exportMyTenant: async ({ ctx, now }) => ({ body: await exportMyTenant(ctx, now) }),
    getPublicBranding: async ({ params }) => ({ body: await getPublicBranding(params.tenantId) }),
  },
  subscriptions: { seedDefaults, deleteTenantData },
  schedules: {},
});
