import { Entity } from 'electrodb';
import { OUTBOX_KIND_VALUE } from '../../platform/table.ts';
import { MODEL } from './model.ts';

export function outboxEntity() {
  return new Entity({
    model: { ...MODEL, entity: 'outbox' },
    attributes: {
      /** The stream filter selects on this attribute (see table.ts). */
      kind: {
        type: [OUTBOX_KIND_VALUE] as const,
        required: true,
        default: OUTBOX_KIND_VALUE,
        readOnly: true,
      },
      tenantId: { type: 'string', required: true, readOnly: true },
      eventId: { type: 'string', required: true, readOnly: true },
      source: { type: 'string', required: true, readOnly: true },
      detailType: { type: 'string', required: true, readOnly: true },
      detail: { type: 'string', required: true, readOnly: true },
      createdAt: { type: 'string', required: true, readOnly: true },
      expiresAt: { type: 'number', required: true, readOnly: true },
    },
    indexes: {
      byEvent: {
        pk: {
          field: 'pk',
          casing: 'none',
          composite: ['tenantId', 'eventId'],
          template: 't#${tenantId}#outbox#${eventId}',
        },
        sk: { field: 'sk', casing: 'none', composite: [], template: 'outbox' },
      },
    },
  });
}

export function processedEventEntity() {
  return new Entity({
    model: { ...MODEL, entity: 'processed' },
    attributes: {
      tenantId: { type: 'string', required: true, readOnly: true },
      consumer: { type: 'string', required: true, readOnly: true },
      eventId: { type: 'string', required: true, readOnly: true },
      processedAt: { type: 'string', required: true, readOnly: true },
      expiresAt: { type: 'number', required: true, readOnly: true },
    },
    indexes: {
      byEvent: {
        pk: {
          field: 'pk',
          casing: 'none',
          composite: ['tenantId', 'consumer', 'eventId'],
          template: 't#${tenantId}#processed#${consumer}#${eventId}',
        },
        sk: { field: 'sk', casing: 'none', composite: [], template: 'processed' },
      },
    },
  });
}
