import { Entity } from 'electrodb';
import { byNameIndex, MODEL, NAMED } from './model.ts';

export function serviceEntity() {
  return new Entity({
    model: { ...MODEL, entity: 'service' },
    attributes: {
      tenantId: { type: 'string', required: true, readOnly: true },
      serviceId: { type: 'string', required: true, readOnly: true },
      ...NAMED,
      description: { type: 'string', required: true },
      owner: { type: 'string', required: true },
      status: { type: ['pipeline', 'live', 'retired'] as const, required: true },
      /**
       * Business units that subscribe to the service; empty: every unit. Not required, so an item
       * written before the field existed still reads (the use-case reads it as empty). A list, not a
       * set: DynamoDB cannot store an empty set.
       */
      consumerBusinessUnitIds: { type: 'list', items: { type: 'string' } },
      version: { type: 'number', required: true },
      createdAt: { type: 'string', required: true, readOnly: true },
      createdBy: { type: 'string', required: true, readOnly: true },
      updatedAt: { type: 'string', required: true },
      updatedBy: { type: 'string', required: true },
    },
    indexes: {
      byId: {
        pk: {
          field: 'pk',
          casing: 'none',
          composite: ['tenantId', 'serviceId'],
          template: 't#${tenantId}#service#${serviceId}',
        },
        sk: { field: 'sk', casing: 'none', composite: [], template: 'service' },
      },
      byName: byNameIndex('services', 'serviceId'),
      byStatus: {
        index: 'gsi2',
        pk: {
          field: 'gsi2pk',
          casing: 'none',
          composite: ['tenantId', 'status'],
          template: 't#${tenantId}#services#${status}',
        },
        sk: {
          field: 'gsi2sk',
          casing: 'none',
          composite: ['sortName', 'serviceId'],
          template: '${sortName}#${serviceId}',
        },
      },
    },
  });
}
