import { getDatabase } from '#shared/data/database.ts';
import { processedMarker, wasAlreadyProcessed } from '#shared/data/processed-events.ts';
import type { AuditEntry, AuditedEntityType } from '#shared/domain/audit/audit-entry.ts';
import { AUDITED_ENTITY_TYPES } from '#shared/domain/audit/audit-entry.ts';
import type { DomainEventDetail, EventDefinition } from '#shared/events/envelope.ts';
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

/** Reads the audited record out of an event, using the catalogue entry's `audit` mapping. */
export function auditedChange(definition: EventDefinition, data: unknown): AuditedChange | undefined {
  const audit = definition.audit;
  if (!audit || typeof data !== 'object' || data === null) return undefined;
  const record = data as Record<string, unknown>;
  const entityId = record[audit.idField];
  const entityType = AUDITED_ENTITY_TYPES.find((type) => type === audit.entityType);
  if (typeof entityId !== 'string' || !entityType) return undefined;
  return {
    entityType,
    entityId,
    action: audit.action,
    changes: Array.isArray(record.changes) ? (record.changes as FieldChange[]) : [],
  };
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

interface StoredEntry {
  entityType: string;
  entityId: string;
  eventId: string;
  action: string;
  at: string;
  actorId: string;
  actorName: string;
  correlationId: string;
  changes: string;
}

function toEntry(item: StoredEntry): AuditEntry {
  return {
    entityType: item.entityType as AuditedEntityType,
    entityId: item.entityId,
    eventId: item.eventId,
    action: item.action,
    at: item.at,
    actor: { userId: item.actorId, name: item.actorName },
    correlationId: item.correlationId,
    changes: JSON.parse(item.changes) as FieldChange[],
  };
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
  return { items: result.data.map(toEntry), nextCursor: sealCursor(ctx, scope, result.cursor) };
}

export interface TenantAuditFilter {
  entityType?: AuditedEntityType | undefined;
  actorId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

/** A filtered page may need several reads to fill; this bounds them so a request stays cheap. */
const MAX_READS_PER_PAGE = 3;

function tenantTrailQuery(ctx: TenantContext, filter: TenantAuditFilter) {
  const byTenant = getDatabase().entities.audit.query.byTenant;
  // Sort keys are `<at>#<eventId>`; `~` sorts after every id character, so `to` is inclusive.
  const from = filter.from ? new Date(filter.from).toISOString() : '0000';
  const to = filter.to ? `${new Date(filter.to).toISOString()}~` : '9999';
  return byTenant({ tenantId: ctx.tenantId })
    .where(({ at }, { between }) => between(at, from, to))
    .where(({ entityType, actorId }, { eq }) =>
      [
        filter.entityType ? eq(entityType, String(filter.entityType)) : '',
        filter.actorId ? eq(actorId, filter.actorId) : '',
      ]
        .filter((part) => part !== '')
        .join(' AND '),
    );
}

/** The tenant's trail, newest first, filtered. A page can hold fewer items than asked when filters are narrow. */
export async function listTenantAudit(
  ctx: TenantContext,
  filter: TenantAuditFilter,
  page: { limit: number; cursor?: string | undefined },
): Promise<{ items: AuditEntry[]; nextCursor: string | null }> {
  const scope = `audit:tenant:${JSON.stringify([filter.entityType, filter.actorId, filter.from, filter.to])}`;
  let cursor = openCursor(ctx, scope, page.cursor);
  const items: AuditEntry[] = [];
  for (let read = 0; read < MAX_READS_PER_PAGE && items.length < page.limit; read += 1) {
    const result = await tenantTrailQuery(ctx, filter).go({
      order: 'desc',
      limit: page.limit - items.length,
      cursor,
    });
    items.push(...result.data.map(toEntry));
    cursor = result.cursor;
    if (cursor === null) break;
  }
  return { items, nextCursor: sealCursor(ctx, scope, cursor) };
}

/** At most this many entries go into one CSV answer; the response stays well under Lambda's 6 MB. */
export const EXPORT_LIMIT = 10_000;

export async function exportTenantAudit(
  ctx: TenantContext,
  filter: TenantAuditFilter,
): Promise<AuditEntry[]> {
  const items: AuditEntry[] = [];
  let cursor: string | null = null;
  do {
    const result: { data: StoredEntry[]; cursor: string | null } = await tenantTrailQuery(ctx, filter).go({
      order: 'desc',
      limit: 500,
      cursor,
    });
    items.push(...result.data.map(toEntry));
    cursor = result.cursor;
  } while (cursor !== null && items.length < EXPORT_LIMIT);
  return items.slice(0, EXPORT_LIMIT);
}
