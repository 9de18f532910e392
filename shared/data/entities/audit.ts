import { Entity } from 'electrodb';
import { MODEL } from './model.ts';

export function auditEntity() {
  return new Entity({
    model: { ...MODEL, entity: 'audit' },
    attributes: {
      tenantId: { type: 'string', required: true, readOnly: true },
      entityType: { type: 'string', required: true, readOnly: true },
      entityId: { type: 'string', required: true, readOnly: true },
      eventId: { type: 'string', required: true, readOnly: true },
      action: { type: 'string', required: true, readOnly: true },
      at: { type: 'string', required: true, readOnly: true },
      actorId: { type: 'string', required: true, readOnly: true },
      actorName: { type: 'string', required: true, readOnly: true },
      correlationId: { type: 'string', required: true, readOnly: true },
      /** JSON text: old and new values keep their types whatever they are. */
      changes: { type: 'string', required: true, readOnly: true },
    },
    indexes: {
      byRecord: {
        pk: {
          field: 'pk',
          casing: 'none',
          composite: ['tenantId', 'entityType', 'entityId'],
          template: 't#${tenantId}#audit#${entityType}#${entityId}',
        },
        sk: { field: 'sk', casing: 'none', composite: ['at', 'eventId'], template: '${at}#${eventId}' },
      },
      byTenant: {
        index: 'gsi1',
        pk: { field: 'gsi1pk', casing: 'none', composite: ['tenantId'], template: 't#${tenantId}#audit' },
        sk: { field: 'gsi1sk', casing: 'none', composite: ['at', 'eventId'], template: '${at}#${eventId}' },
      },
    },
  });
}
