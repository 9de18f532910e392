import { z } from 'zod';
import { AUDITED_ENTITY_TYPES, auditEntrySchema } from '#shared/domain/audit/audit-entry.ts';
import { ServiceCreated, ServiceUpdated } from '#shared/events/service-catalogue.ts';
import { defineProcess } from '#shared/platform/manifest.ts';
import { pageQuerySchema, pageSchema } from '#shared/platform/pagination.ts';
import { IT_STAFF } from '#shared/platform/roles.ts';

export const manifest = defineProcess({
  name: 'audit',
  description: 'Append-only trail of who changed what, fed by the domain events of every process.',
  access: { table: 'read-write', putEvents: false },
  routes: {
    listRecordAudit: {
      method: 'GET',
      path: '/audit/{entityType}/{entityId}',
      summary: 'The audit trail of one record, newest first',
      roles: IT_STAFF,
      params: z.object({ entityType: z.enum(AUDITED_ENTITY_TYPES), entityId: z.string().min(1).max(64) }),
      query: pageQuerySchema,
      response: pageSchema(auditEntrySchema),
    },
  },
  subscriptions: {
    recordChanges: {
      summary: 'Record every field change announced by a catalogue event',
      pattern: {
        source: [ServiceCreated.source],
        'detail-type': [ServiceCreated.detailType, ServiceUpdated.detailType],
      },
    },
  },
  schedules: {},
});
