import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Entity, Service } from 'electrodb';
import { OUTBOX_KIND_VALUE } from '../platform/table.ts';

/*
 * Every item of the one table, as ElectroDB entities. Each key template starts with `t#<tenantId>#`,
 * so every partition belongs to one tenant (and IAM can scope on the leading key). Access patterns:
 * see ARCHITECTURE.md, "Access patterns".
 */
const MODEL = { service: 'itsm', version: '1' } as const;

function serviceEntity() {
  return new Entity({
    model: { ...MODEL, entity: 'service' },
    attributes: {
      tenantId: { type: 'string', required: true, readOnly: true },
      serviceId: { type: 'string', required: true, readOnly: true },
      name: { type: 'string', required: true },
      /** Lower-cased name, kept in step by ElectroDB, so the catalogue lists in name order. */
      sortName: {
        type: 'string',
        watch: ['name'],
        set: (_: unknown, item: { name?: string }) => item.name?.toLocaleLowerCase('en'),
      },
      description: { type: 'string', required: true },
      owner: { type: 'string', required: true },
      status: { type: ['pipeline', 'live', 'retired'] as const, required: true },
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
      byName: {
        index: 'gsi1',
        pk: { field: 'gsi1pk', casing: 'none', composite: ['tenantId'], template: 't#${tenantId}#services' },
        sk: {
          field: 'gsi1sk',
          casing: 'none',
          composite: ['sortName', 'serviceId'],
          template: '${sortName}#${serviceId}',
        },
      },
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

function auditEntity() {
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

function outboxEntity() {
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

function processedEventEntity() {
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

export function createDatabase(client: DynamoDBDocumentClient, table: string) {
  return new Service(
    {
      service: serviceEntity(),
      audit: auditEntity(),
      outbox: outboxEntity(),
      processedEvent: processedEventEntity(),
    },
    { client, table },
  );
}

export type Database = ReturnType<typeof createDatabase>;
