import type { NotificationKind } from '#shared/domain/notifications/notification.ts';
import type { DomainEventDetail } from '#shared/events/envelope.ts';
import { createProcessHandler, type EventRequest } from '#shared/platform/process-handler.ts';
import { manifest } from './manifest.ts';
import {
  getPreferences,
  type IncidentEventData,
  listNotifications,
  markRead,
  notifyIncidentEvent,
  putPreferences,
} from './use-cases.ts';

const notify =
  (kind: NotificationKind) =>
  async ({ ctx, consumer, detail, logger, now }: EventRequest): Promise<void> => {
    const deliveries = await notifyIncidentEvent(
      ctx,
      consumer,
      kind,
      detail as DomainEventDetail<IncidentEventData>,
      now,
    );
    logger.info('notified', { kind, deliveries });
  };

export const handler = createProcessHandler(manifest, {
  routes: {
    listNotifications: async ({ ctx, query }) => ({ body: await listNotifications(ctx, query) }),
    markNotificationRead: async ({ ctx, params, now }) => ({
      body: await markRead(ctx, params.notificationId, now),
    }),
    getNotificationPreferences: async ({ ctx }) => ({ body: await getPreferences(ctx) }),
    putNotificationPreferences: async ({ ctx, body, now }) => ({
      body: await putPreferences(ctx, body, now),
    }),
  },
  subscriptions: {
    incidentAssigned: notify('incident-assigned'),
    incidentResolved: notify('incident-resolved'),
    incidentCommented: notify('incident-commented'),
    slaWarning: notify('sla-warning'),
    slaBreached: notify('sla-breached'),
    incidentEscalated: notify('incident-escalated'),
  },
  schedules: {},
});
