import { Entity } from 'electrodb';
import { MODEL } from './model.ts';

/** The tenant record. Its own partition starts with the tenant; the platform lists tenants through gsi1. */
export function tenantEntity() {
  return new Entity({
    model: { ...MODEL, entity: 'tenant' },
    attributes: {
      tenantId: { type: 'string', required: true, readOnly: true },
      name: { type: 'string', required: true },
      plan: { type: ['trial', 'standard', 'enterprise'] as const, required: true },
      status: { type: ['active', 'suspended'] as const, required: true },
      timeZone: { type: 'string', required: true },
      locale: { type: 'string', required: true },
      currency: { type: 'string', required: true },
      /** JSON text of the branding (display name, logo URL or null, primary colour). */
      branding: { type: 'string', required: true },
      version: { type: 'number', required: true },
      createdAt: { type: 'string', required: true, readOnly: true },
      updatedAt: { type: 'string', required: true },
    },
    indexes: {
      byId: {
        pk: { field: 'pk', casing: 'none', composite: ['tenantId'], template: 't#${tenantId}#tenant' },
        sk: { field: 'sk', casing: 'none', composite: [], template: 'tenant' },
      },
      /** Platform-wide list for the operator console: a platform item, so led by the platform tenant. */
      all: {
        index: 'gsi1',
        pk: { field: 'gsi1pk', casing: 'none', composite: [], template: 't#platform#tenants' },
        sk: { field: 'gsi1sk', casing: 'none', composite: ['tenantId'], template: '${tenantId}' },
      },
    },
  });
}

/**
 * A named setting of a tenant (business hours, priority matrix, SLA policy, price catalogue), seeded
 * on TenantCreated and read by later processes. The value is JSON text checked by the zod schema of
 * its name in `shared/domain/tenancy/defaults.ts`, so the table need not know each shape.
 */
export function tenantSettingEntity() {
  return new Entity({
    model: { ...MODEL, entity: 'tenantSetting' },
    attributes: {
      tenantId: { type: 'string', required: true, readOnly: true },
      name: { type: 'string', required: true, readOnly: true },
      value: { type: 'string', required: true },
      version: { type: 'number', required: true },
      updatedAt: { type: 'string', required: true },
    },
    indexes: {
      byName: {
        pk: {
          field: 'pk',
          casing: 'none',
          composite: ['tenantId', 'name'],
          template: 't#${tenantId}#setting#${name}',
        },
        sk: { field: 'sk', casing: 'none', composite: [], template: 'setting' },
      },
      /** Every setting of a tenant, for the export and for deletion. */
      byTenant: {
        index: 'gsi1',
        pk: { field: 'gsi1pk', casing: 'none', composite: ['tenantId'], template: 't#${tenantId}#settings' },
        sk: { field: 'gsi1sk', casing: 'none', composite: ['name'], template: '${name}' },
      },
    },
  });
}

/**
 * The deletion of a tenant's data: a platform item (it outlives the tenant), one per tenant id, so a
 * second request finds the running job.
 */
export function tenantDeletionEntity() {
  return new Entity({
    model: { ...MODEL, entity: 'tenantDeletion' },
    attributes: {
      deletedTenantId: { type: 'string', required: true, readOnly: true },
      jobId: { type: 'string', required: true },
      status: { type: ['running', 'done'] as const, required: true },
      itemsDeleted: { type: 'number', required: true },
      requestedAt: { type: 'string', required: true },
      requestedBy: { type: 'string', required: true },
      updatedAt: { type: 'string', required: true },
      finishedAt: { type: 'string' },
    },
    indexes: {
      byTenant: {
        pk: {
          field: 'pk',
          casing: 'none',
          composite: ['deletedTenantId'],
          template: 't#platform#deletion#${deletedTenantId}',
        },
        sk: { field: 'sk', casing: 'none', composite: [], template: 'deletion' },
      },
    },
  });
}
