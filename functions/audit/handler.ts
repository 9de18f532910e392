import { auditCsv } from '#shared/domain/audit/audit-entry.ts';
import { findEvent } from '#shared/events/catalogue.ts';
import { createProcessHandler } from '#shared/platform/process-handler.ts';
import { manifest } from './manifest.ts';
import {
  appendAuditEntry,
  auditedChange,
  exportTenantAudit,
  listRecordAudit,
  listTenantAudit,
} from './use-cases.ts';

export const handler = createProcessHandler(manifest, {
  routes: {
    listRecordAudit: async ({ ctx, params, query }) => ({
      body: await listRecordAudit(ctx, params.entityType, params.entityId, query),
    }),
    listTenantAudit: async ({ ctx, query: { limit, cursor, ...filter } }) => ({
      body: await listTenantAudit(ctx, filter, { limit, cursor }),
    }),
    exportTenantAudit: async ({ ctx, query, now }) => ({
      body: auditCsv(await exportTenantAudit(ctx, query)),
      contentType: 'text/csv; charset=utf-8',
      fileName: `audit-${ctx.tenantId}-${now.toISOString().slice(0, 10)}.csv`,
    }),
  },
  subscriptions: {
    recordChanges: async ({ ctx, consumer, detail, envelope, logger, now }) => {
      const definition = findEvent(envelope.source, envelope['detail-type']);
      const change = definition ? auditedChange(definition, detail.data) : undefined;
      if (!change) {
        logger.warn('event has no audited record; nothing recorded');
        return;
      }
      const appended = await appendAuditEntry(ctx, consumer, detail, change, now);
      if (!appended) logger.info('duplicate delivery ignored');
    },
  },
  schedules: {},
});
