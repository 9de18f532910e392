import { getDatabase } from '#shared/data/database.ts';
import { processedMarker, wasAlreadyProcessed } from '#shared/data/processed-events.ts';
import type { AuditEntry, AuditedEntityType } from '#shared/domain/audit/audit-entry.ts';
import type { DomainEventDetail } from '#shared/events/envelope.ts';
import type { FieldChange } from '#shared/events/service-catalogue.ts';
import { openCursor, sealCursor } from '#shared/platform/cursor.ts';
import type { TenantContext } from '#shared/platform/tenant-context.ts';

/** What an event says about one audited record. */
export interface AuditedChange {
  entityType: AuditedEntityType;
  entityId: string;
  action: string;
  changes: FieldChange[];
}

/**
 * Appends the audit entry for an event, once: a redelivered event finds its marker and changes
 * nothing. Returns false for a duplicate.
 */
export async function appendAuditEntry(
  ctx: TenantContext,
  consumer: string,
  detail: DomainEventDetail,
  change: AuditedChange,
  now: Date,
): Promise<boolean> {
  const db = getDatabase();
  const result = await db.transaction
    .write(({ processedEvent, audit }) => [
      processedEvent.create(processedMarker(ctx, consumer, detail.eventId, now)).commit(),
      audit
        .create({
          tenantId: ctx.tenantId,
          entityType: change.entityType,
          entityId: change.entityId,
          eventId: detail.eventId,
          action: change.action,
          at: detail.occurredAt,
          actorId: detail.actor.userId,
          actorName: detail.actor.name,
          correlationId: detail.correlationId,
          changes: JSON.stringify(change.changes),
        })
        .commit(),
    ])
    .go();
  if (wasAlreadyProcessed(result, 0)) return false;
  if (result.canceled)
    throw new Error(`Audit entry for ${detail.eventId} was not written; the bus will retry`);
  return true;
}

export async function listRecordAudit(
  ctx: TenantContext,
  entityType: AuditedEntityType,
  entityId: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<{ items: AuditEntry[]; nextCursor: string | null }> {
  const scope = `audit:${entityType}:${entityId}`;
  const result = await getDatabase()
    .entities.audit.query.byRecord({ tenantId: ctx.tenantId, entityType, entityId })
    .go({ order: 'desc', limit: page.limit, cursor: openCursor(ctx, scope, page.cursor) });
  return {
    items: result.data.map((item) => ({
      entityType: item.entityType as AuditedEntityType,
      entityId: item.entityId,
      eventId: item.eventId,
      action: item.action,
      at: item.at,
      actor: { userId: item.actorId, name: item.actorName },
      correlationId: item.correlationId,
      changes: JSON.parse(item.changes) as FieldChange[],
    })),
    nextCursor: sealCursor(ctx, scope, result.cursor),
  };
}
