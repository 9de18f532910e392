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
      /** Platform-wide list for the operator console; the only index key not led by a tenant. */
      all: {
        index: 'gsi1',
        pk: { field: 'gsi1pk', casing: 'none', composite: [], template: 'platform#tenants' },
        sk: { field: 'gsi1sk', casing: 'none', composite: ['tenantId'], template: '${tenantId}' },
      },
    },
  });
}
