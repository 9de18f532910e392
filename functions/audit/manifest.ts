import { z } from 'zod';
import {
  AUDITED_ENTITY_TYPES,
  auditEntrySchema,
  auditFilterSchema,
  auditFilterShape,
} from '#shared/domain/audit/audit-entry.ts';
import { auditedEvents } from '#shared/events/catalogue.ts';
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
    listTenantAudit: {
      method: 'GET',
      path: '/audit',
      summary: 'The tenant’s whole trail, newest first, filtered by record type, actor and time',
      roles: ['tenant-admin'],
      query: pageQuerySchema.extend(auditFilterShape),
      response: pageSchema(auditEntrySchema),
    },
    exportTenantAudit: {
      method: 'GET',
      path: '/audit/export',
      summary: 'The filtered trail as CSV (one line per changed field), newest first, at most 10,000 entries',
      roles: ['tenant-admin'],
      query: auditFilterSchema,
      response: z.string(),
    },
  },
  subscriptions: {
    recordChanges: {
      summary: 'Record the field changes announced by every audited event of the catalogue',
      pattern: {
        source: [...new Set(auditedEvents.map((event) => event.source))],
        'detail-type': auditedEvents.map((event) => event.detailType),
      },
    },
  },
  schedules: {},
});
