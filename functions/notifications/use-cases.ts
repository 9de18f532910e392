import { getDatabase } from '#shared/data/database.ts';
import { readIncident } from '#shared/data/incident-store.ts';
import { processedMarker, wasAlreadyProcessed } from '#shared/data/processed-events.ts';
import {
  composeMessage,
  type IncidentFacts,
  type Notification,
  type NotificationKind,
  type NotificationPreferences,
  notificationIdFor,
  preferencesFrom,
} from '#shared/domain/notifications/notification.ts';
import type { DomainEventDetail } from '#shared/events/envelope.ts';
import { openCursor, sealCursor } from '#shared/platform/cursor.ts';
import { NotFoundError } from '#shared/platform/errors.ts';
import { getMailer } from '#shared/platform/mailer.ts';
import type { TenantContext } from '#shared/platform/tenant-context.ts';

/** What every incident event carries (see shared/events/incidents.ts). */
export interface IncidentEventData {
  incidentId: string;
  number: string;
  priority: string;
  teamId: string | null;
  assigneeId: string | null;
  clock?: 'response' | 'resolution';
  /** Escalations only: whom the rules name, and the rules. */
  notifyUserIds?: string[];
  notifyTeamIds?: string[];
  rules?: { ruleId: string; name: string }[];
}

/** Where mail links point; the local cloud sets it to its own address. Unset: links stay paths. */
const appUrl = () => process.env.APP_URL ?? '';

// ── Who is told ──────────────────────────────────────────────────────────────────────────────

async function teamLead(ctx: TenantContext, teamId: string | null): Promise<string | null> {
  if (teamId === null) return null;
  const team = await getDatabase().entities.team.get({ tenantId: ctx.tenantId, teamId }).go();
  return team.data?.leadUserId ?? null;
}

/**
 * The recipients of an event: assignment → the assignee; resolution → the caller; public comment →
 * the other party (caller ↔ assignee); SLA warning or breach → the assignee and the team's lead;
 * escalation → the people its rules name and the leads of the teams they name.
 * Nobody is told about what they did themselves.
 */
export async function recipientsOf(
  ctx: TenantContext,
  kind: NotificationKind,
  data: IncidentEventData,
  callerId: string,
  actorId: string,
): Promise<string[]> {
  const candidates: (string | null)[] = [];
  switch (kind) {
    case 'incident-assigned':
      candidates.push(data.assigneeId);
      break;
    case 'incident-resolved':
      candidates.push(callerId);
      break;
    case 'incident-commented':
      candidates.push(callerId, data.assigneeId);
      break;
    case 'sla-warning':
    case 'sla-breached':
      candidates.push(data.assigneeId, await teamLead(ctx, data.teamId));
      break;
    case 'incident-escalated':
      candidates.push(
        ...(data.notifyUserIds ?? []),
        ...(await Promise.all((data.notifyTeamIds ?? []).map((teamId) => teamLead(ctx, teamId)))),
      );
      break;
  }
  return [...new Set(candidates.filter((id): id is string => id !== null && id !== actorId))];
}

// ── Delivering one event ─────────────────────────────────────────────────────────────────────

export interface Delivery {
  userId: string;
  outcome: 'created' | 'duplicate' | 'skipped';
  mail: Notification['mail'] | 'none';
}

async function readPreferences(ctx: TenantContext, userId: string): Promise<NotificationPreferences> {
  const found = await getDatabase()
    .entities.notificationPreferences.get({ tenantId: ctx.tenantId, userId })
    .go();
  return preferencesFrom(found.data?.mail);
}

/**
 * Notifies everyone an incident event concerns: per recipient, the in-app notification and the
 * processed marker (per event and recipient) in one transaction, then the mail if the recipient wants
 * it. A redelivery finds the marker and only retries a mail still pending, so each person gets one
 * notification and (at least) one mail per event.
 */
export async function notifyIncidentEvent(
  ctx: TenantContext,
  consumer: string,
  kind: NotificationKind,
  detail: DomainEventDetail<IncidentEventData>,
  now: Date,
): Promise<Delivery[]> {
  const data = detail.data;
  const stored = await readIncident(ctx.tenantId, data.incidentId);
  if (!stored) return [];
  const incident = stored.incident;
  const facts: IncidentFacts = {
    incidentId: data.incidentId,
    number: data.number,
    shortDescription: incident.shortDescription,
    priority: data.priority,
    clock: data.clock,
    rules: data.rules?.map((rule) => rule.name),
  };
  const recipients = await recipientsOf(ctx, kind, data, incident.caller.userId, detail.actor.userId);
  const deliveries: Delivery[] = [];
  for (const userId of recipients)
    deliveries.push(await deliver(ctx, consumer, kind, detail, facts, userId, now));
  return deliveries;
}

async function deliver(
  ctx: TenantContext,
  consumer: string,
  kind: NotificationKind,
  detail: DomainEventDetail,
  facts: IncidentFacts,
  userId: string,
  now: Date,
): Promise<Delivery> {
  const db = getDatabase();
  const user = (await db.entities.user.get({ tenantId: ctx.tenantId, userId }).go()).data;
  if (!user || user.status === 'deactivated') return { userId, outcome: 'skipped', mail: 'none' };
  const preferences = await readPreferences(ctx, userId);
  const mailer = getMailer();
  const mailStatus: Notification['mail'] = !preferences.mail[kind]
    ? 'off'
    : mailer === null
      ? 'unavailable'
      : 'pending';
  const message = composeMessage(kind, facts);
  const notificationId = notificationIdFor(detail.occurredAt, detail.eventId, userId);
  const key = { tenantId: ctx.tenantId, userId, notificationId };
  const result = await db.transaction
    .write(({ processedEvent, notification }) => [
      processedEvent.create(processedMarker(ctx, consumer, `${detail.eventId}:${userId}`, now)).commit(),
      notification
        .create({
          ...key,
          kind,
          eventId: detail.eventId,
          incidentId: facts.incidentId,
          subject: message.subject,
          text: message.text,
          link: message.link,
          createdAt: detail.occurredAt,
          mailStatus,
        })
        .commit(),
    ])
    .go();
  const duplicate = wasAlreadyProcessed(result, 0);
  if (result.canceled && !duplicate) {
    throw new Error(`Notification of ${detail.eventId} for ${userId} was not written; the bus will retry`);
  }
  let pending = mailStatus === 'pending';
  if (duplicate) {
    const existing = (await db.entities.notification.get(key).go()).data;
    pending = existing?.mailStatus === 'pending';
  }
  if (!pending || mailer === null) {
    return { userId, outcome: duplicate ? 'duplicate' : 'created', mail: duplicate ? 'none' : mailStatus };
  }
  // A failure here fails the delivery; the bus retries and the duplicate path above sends it again.
  const mail = composeMessage(kind, facts, appUrl());
  await mailer.send({ to: user.email, subject: mail.subject, text: mail.text });
  await db.entities.notification
    .patch(key)
    .set({ mailStatus: 'sent', mailSentAt: new Date().toISOString() })
    .go();
  return { userId, outcome: duplicate ? 'duplicate' : 'created', mail: 'sent' };
}

// ── The user's own notifications and preferences ─────────────────────────────────────────────

interface StoredNotification {
  notificationId: string;
  kind: string;
  incidentId: string;
  subject: string;
  text: string;
  link: string;
  createdAt: string;
  readAt?: string | undefined;
  mailStatus: Notification['mail'];
}

function toNotification(item: StoredNotification): Notification {
  return {
    notificationId: item.notificationId,
    kind: item.kind as NotificationKind,
    incidentId: item.incidentId,
    subject: item.subject,
    text: item.text,
    link: item.link,
    createdAt: item.createdAt,
    readAt: item.readAt ?? null,
    mail: item.mailStatus,
  };
}

export async function listNotifications(
  ctx: TenantContext,
  page: { limit: number; cursor?: string | undefined },
): Promise<{ items: Notification[]; nextCursor: string | null }> {
  const scope = 'notifications';
  const result = await getDatabase()
    .entities.notification.query.byUser({ tenantId: ctx.tenantId, userId: ctx.userId })
    .go({ order: 'desc', limit: page.limit, cursor: openCursor(ctx, scope, page.cursor) });
  return { items: result.data.map(toNotification), nextCursor: sealCursor(ctx, scope, result.cursor) };
}

/** Marks one of the caller's own notifications read (again: keeps the first time). */
export async function markRead(ctx: TenantContext, notificationId: string, now: Date): Promise<Notification> {
  const key = { tenantId: ctx.tenantId, userId: ctx.userId, notificationId };
  const notifications = getDatabase().entities.notification;
  const found = (await notifications.get(key).go()).data;
  if (!found) throw new NotFoundError('You have no such notification');
  if (found.readAt !== undefined) return toNotification(found);
  const readAt = now.toISOString();
  await notifications.patch(key).set({ readAt }).go();
  return toNotification({ ...found, readAt });
}

export async function getPreferences(ctx: TenantContext): Promise<NotificationPreferences> {
  return readPreferences(ctx, ctx.userId);
}

/** Replaces the caller's own preferences (last write wins: nobody else writes them). */
export async function putPreferences(
  ctx: TenantContext,
  preferences: NotificationPreferences,
  now: Date,
): Promise<NotificationPreferences> {
  await getDatabase()
    .entities.notificationPreferences.put({
      tenantId: ctx.tenantId,
      userId: ctx.userId,
      mail: JSON.stringify(preferences.mail),
      updatedAt: now.toISOString(),
    })
    .go();
  return preferences;
}
