import { Entity } from 'electrodb';
import { MODEL } from './model.ts';

/**
 * One notification of one user, in the user's own notifications partition. The id starts with the
 * event's time in fixed-width base 36, so the sort key orders the partition newest last (read with
 * `order: 'desc'`), and it is derived from the event and the recipient, so a redelivery names the
 * same item.
 */
export function notificationEntity() {
  return new Entity({
    model: { ...MODEL, entity: 'notification' },
    attributes: {
      tenantId: { type: 'string', required: true, readOnly: true },
      userId: { type: 'string', required: true, readOnly: true },
      notificationId: { type: 'string', required: true, readOnly: true },
      kind: { type: 'string', required: true, readOnly: true },
      eventId: { type: 'string', required: true, readOnly: true },
      incidentId: { type: 'string', required: true, readOnly: true },
      subject: { type: 'string', required: true, readOnly: true },
      text: { type: 'string', required: true, readOnly: true },
      link: { type: 'string', required: true, readOnly: true },
      createdAt: { type: 'string', required: true, readOnly: true },
      readAt: { type: 'string' },
      /** off (preference), pending (to send), sent, unavailable (no mail transport configured). */
      mailStatus: { type: ['off', 'pending', 'sent', 'unavailable'] as const, required: true },
      mailSentAt: { type: 'string' },
    },
    indexes: {
      byUser: {
        pk: {
          field: 'pk',
          casing: 'none',
          composite: ['tenantId', 'userId'],
          template: 't#${tenantId}#user#${userId}#notifications',
        },
        sk: {
          field: 'sk',
          casing: 'none',
          composite: ['notificationId'],
          template: 'notification#${notificationId}',
        },
      },
    },
  });
}

/** A user's notification preferences (mail on or off per kind; in-app is always on). */
export function notificationPreferencesEntity() {
  return new Entity({
    model: { ...MODEL, entity: 'notificationPreferences' },
    attributes: {
      tenantId: { type: 'string', required: true, readOnly: true },
      userId: { type: 'string', required: true, readOnly: true },
      /** JSON text: `{ [kind]: boolean }`. */
      mail: { type: 'string', required: true },
      updatedAt: { type: 'string', required: true },
    },
    indexes: {
      byUser: {
        pk: {
          field: 'pk',
          casing: 'none',
          composite: ['tenantId', 'userId'],
          template: 't#${tenantId}#user#${userId}#notification-preferences',
        },
        sk: { field: 'sk', casing: 'none', composite: [], template: 'preferences' },
      },
    },
  });
}
