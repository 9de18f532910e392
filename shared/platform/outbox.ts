import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { type DomainEventDetail, detailSchema, type EventDefinition } from '../events/envelope.ts';
import type { TenantContext } from './tenant-context.ts';

/** Outbox items live a day: long enough for the stream to hand them on, short enough to cost nothing. */
const OUTBOX_TTL_SECONDS = 24 * 60 * 60;

export interface OutboxRecord {
  tenantId: string;
  eventId: string;
  source: string;
  detailType: string;
  detail: string;
  createdAt: string;
  expiresAt: number;
}

/**
 * The outbox item announcing an event. Written in the same transaction as the state change, so the
 * event exists exactly when the change does. The data is checked against the catalogue here, so a
 * malformed event fails the write instead of reaching consumers.
 */
export function outboxRecord<S extends z.ZodType>(
  ctx: TenantContext,
  event: EventDefinition<S>,
  data: z.input<S>,
  meta: { correlationId: string; now: Date },
): OutboxRecord {
  // zod cannot see through the generic `data` member; the parse itself is the check.
  const detail = detailSchema(event.data).parse({
    eventId: randomUUID(),
    tenantId: ctx.tenantId,
    occurredAt: meta.now.toISOString(),
    version: event.version,
    correlationId: meta.correlationId,
    actor: { userId: ctx.userId, name: ctx.userName },
    data,
  }) as DomainEventDetail;
  return {
    tenantId: ctx.tenantId,
    eventId: detail.eventId,
    source: event.source,
    detailType: event.detailType,
    detail: JSON.stringify(detail),
    createdAt: detail.occurredAt,
    expiresAt: Math.floor(meta.now.getTime() / 1000) + OUTBOX_TTL_SECONDS,
  };
}
