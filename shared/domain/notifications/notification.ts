import { createHash } from 'node:crypto';
import { z } from 'zod';

/** What a person can be notified about. In-app notifications are always on; mail is per kind. */
export const NOTIFICATION_KINDS = [
  'incident-assigned',
  'incident-resolved',
  'incident-commented',
  'sla-warning',
  'sla-breached',
  'incident-escalated',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const notificationSchema = z.object({
  notificationId: z.string(),
  kind: z.enum(NOTIFICATION_KINDS),
  incidentId: z.string(),
  subject: z.string(),
  text: z.string(),
  /** A path of the web app, e.g. `/portal/incidents/<id>`. */
  link: z.string(),
  createdAt: z.string(),
  readAt: z.string().nullable(),
  mail: z.enum(['off', 'pending', 'sent', 'unavailable']),
});
export type Notification = z.infer<typeof notificationSchema>;

const mailShape = Object.fromEntries(NOTIFICATION_KINDS.map((kind) => [kind, z.boolean()])) as Record<
  NotificationKind,
  z.ZodBoolean
>;

/** Mail on or off per kind; every kind must be named, so a PUT replaces the whole set. */
export const notificationPreferencesSchema = z.object({ mail: z.strictObject(mailShape) });
export type NotificationPreferences = z.infer<typeof notificationPreferencesSchema>;

/** Until a user says otherwise, every kind is mailed. */
export function defaultPreferences(): NotificationPreferences {
  return {
    mail: Object.fromEntries(NOTIFICATION_KINDS.map((kind) => [kind, true])) as Record<
      NotificationKind,
      boolean
    >,
  };
}

/** Stored preferences over the defaults: a kind added later starts switched on. */
export function preferencesFrom(stored: string | undefined): NotificationPreferences {
  const defaults = defaultPreferences();
  if (stored === undefined) return defaults;
  const parsed = z.record(z.string(), z.boolean()).safeParse(JSON.parse(stored));
  if (!parsed.success) return defaults;
  for (const kind of NOTIFICATION_KINDS) {
    const value = parsed.data[kind];
    if (value !== undefined) defaults.mail[kind] = value;
  }
  return defaults;
}

/**
 * The id of the notification of one event for one recipient: the event's time in fixed-width base 36
 * (sorts like the time) and a hash of event and recipient, so a redelivery names the same item.
 */
export function notificationIdFor(occurredAt: string, eventId: string, userId: string): string {
  const time = Date.parse(occurredAt).toString(36).padStart(10, '0');
  const hash = createHash('sha256').update(`${eventId}\n${userId}`).digest('hex').slice(0, 16);
  return `${time}${hash}`;
}

/** What a notification is about, as the incident events and the record tell it. */
export interface IncidentFacts {
  incidentId: string;
  number: string;
  shortDescription: string;
  priority: string;
  clock?: 'response' | 'resolution' | undefined;
  /** The escalation rules that acted, for an escalation. */
  rules?: readonly string[] | undefined;
}

export interface Message {
  subject: string;
  text: string;
  link: string;
}

export const incidentLink = (incidentId: string) => `/portal/incidents/${encodeURIComponent(incidentId)}`;

/** The subject, text and link of a notification; `appUrl` (when known) makes links in mail absolute. */
export function composeMessage(kind: NotificationKind, facts: IncidentFacts, appUrl = ''): Message {
  const link = incidentLink(facts.incidentId);
  const title = `${facts.number} ${facts.shortDescription}`;
  const open = `Open it: ${appUrl}${link}`;
  switch (kind) {
    case 'incident-assigned':
      return {
        subject: `${facts.number} was assigned to you`,
        text: `${title} (${facts.priority}) is yours now.\n${open}`,
        link,
      };
    case 'incident-resolved':
      return {
        subject: `${facts.number} was resolved`,
        text:
          `${title} was resolved. Please confirm the resolution, or reopen the incident if the problem remains.\n` +
          `Confirm: ${appUrl}${link}?decision=confirm\nReopen: ${appUrl}${link}?decision=reopen`,
        link,
      };
    case 'incident-commented':
      return {
        subject: `New comment on ${facts.number}`,
        text: `${title} has a new comment.\n${open}`,
        link,
      };
    case 'sla-warning':
      return {
        subject: `${facts.number}: ${facts.clock ?? 'SLA'} target is close`,
        text: `The ${facts.clock ?? 'SLA'} target of ${title} (${facts.priority}) will be reached soon.\n${open}`,
        link,
      };
    case 'sla-breached':
      return {
        subject: `${facts.number}: ${facts.clock ?? 'SLA'} target breached`,
        text: `The ${facts.clock ?? 'SLA'} target of ${title} (${facts.priority}) was breached.\n${open}`,
        link,
      };
    case 'incident-escalated':
      return {
        subject: `${facts.number} was escalated`,
        text: `${title} (${facts.priority}) was escalated by ${facts.rules?.join(', ') || 'a rule'} on its ${facts.clock ?? 'SLA'} target.\n${open}`,
        link,
      };
  }
}
