import { ServiceCreated } from '#shared/events/service-catalogue.ts';
import { createProcessHandler } from '#shared/platform/process-handler.ts';
import { manifest } from './manifest.ts';
import { appendAuditEntry, listRecordAudit } from './use-cases.ts';

export const handler = createProcessHandler(manifest, {
  routes: {
    listRecordAudit: async ({ ctx, params, query }) => ({
      body: await listRecordAudit(ctx, params.entityType, params.entityId, query),
    }),
  },
  subscriptions: {
    recordChanges: async ({ ctx, consumer, detail, envelope, logger, now }) => {
      const data = detail.data as {
        serviceId: string;
        changes: { field: string; from: unknown; to: unknown }[];
      };
      const appended = await appendAuditEntry(
        ctx,
        consumer,
        detail,
        {
          entityType: 'service',
          entityId: data.serviceId,
          action: envelope['detail-type'] === ServiceCreated.detailType ? 'created' : 'updated',
          changes: data.changes,
        },
        now,
      );
      if (!appended) logger.info('duplicate delivery ignored');
    },
  },
  schedules: {},
});
