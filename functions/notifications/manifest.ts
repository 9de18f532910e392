import { z } from 'zod';
import {
  notificationPreferencesSchema,
  notificationSchema,
} from '#shared/domain/notifications/notification.ts';
import {
  IncidentAssigned,
  IncidentCommented,
  IncidentEscalated,
  IncidentResolved,
  SlaBreached,
  SlaWarning,
} from '#shared/events/incidents.ts';
import { defineProcess } from '#shared/platform/manifest.ts';
import { pageQuerySchema, pageSchema } from '#shared/platform/pagination.ts';
import { TENANT_MEMBERS } from '#shared/platform/roles.ts';

const on = (event: { source: string; detailType: string }) => ({
  source: [event.source],
  'detail-type': [event.detailType],
});

export const manifest = defineProcess({
  name: 'notifications',
  description:
    'In-app notifications and mail for the people an incident event concerns, with each user’s own preferences.',
  access: { table: 'read-write', putEvents: false, sendMail: true },
  routes: {
    listNotifications: {
      method: 'GET',
      path: '/notifications',
      summary: 'The caller’s own notifications, newest first',
      roles: TENANT_MEMBERS,
      query: pageQuerySchema,
      response: pageSchema(notificationSchema),
    },
    markNotificationRead: {
      method: 'POST',
      path: '/notifications/{notificationId}/read',
      summary: 'Mark one of the caller’s own notifications read',
      roles: TENANT_MEMBERS,
      params: z.object({ notificationId: z.string().min(1).max(64) }),
      response: notificationSchema,
    },
    getNotificationPreferences: {
      method: 'GET',
      path: '/notification-preferences',
      summary: 'The caller’s mail preferences per kind (in-app notifications are always on)',
      roles: TENANT_MEMBERS,
      response: notificationPreferencesSchema,
    },
    putNotificationPreferences: {
      method: 'PUT',
      path: '/notification-preferences',
      summary: 'Replace the caller’s mail preferences (every kind, on or off)',
      roles: TENANT_MEMBERS,
      body: notificationPreferencesSchema,
      response: notificationPreferencesSchema,
    },
  },
  subscriptions: {
    incidentAssigned: { summary: 'Tell the new assignee', pattern: on(IncidentAssigned) },
    incidentResolved: {
      summary: 'Ask the caller to confirm the resolution or reopen',
      pattern: on(IncidentResolved),
    },
    incidentCommented: {
      summary: 'Tell the other party (caller ↔ assignee) about a public comment',
      pattern: on(IncidentCommented),
    },
    slaWarning: { summary: 'Tell the assignee and the team lead', pattern: on(SlaWarning) },
    slaBreached: { summary: 'Tell the assignee and the team lead', pattern: on(SlaBreached) },
    incidentEscalated: {
      summary: 'Tell the people and team leads an escalation rule names',
      pattern: on(IncidentEscalated),
    },
  },
  schedules: {},
});
