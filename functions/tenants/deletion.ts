import { getDatabase } from '#shared/data/database.ts';
import { processedMarker, wasAlreadyProcessed } from '#shared/data/processed-events.ts';
import { TenantDeleted, TenantDeletionRequested } from '#shared/events/tenancy.ts';
import { deleteIdentity } from '#shared/platform/identity-admin.ts';
import { outboxRecord } from '#shared/platform/outbox.ts';
import type { EventRequest } from '#shared/platform/process-handler.ts';
import { forgetTenantStatus } from '#shared/platform/tenant-gate.ts';
import { type TenantItemSource, tenantItems } from './tenant-data.ts';
import { assertOwnTenant } from './use-cases.ts';

/** BatchWriteItem's own limit. */
export const DELETE_BATCH_SIZE = 25;
/** Work per invocation, well inside Lambda's time limit; the rest continues on a new event. */
export const MAX_DELETES_PER_RUN = 2_000;

/*
 * Memberships before their teams (they are found through the teams), users late so their identities
 * go with them, the audit trail last so the tenant's history stays readable as long as possible.
 */
const DELETION_ORDER = [
  'services',
  'businessUnits',
  'memberships',
  'teams',
  // Found through the users, so before them.
  'notifications',
  'users',
  'settings',
  'incidents',
  'slaRecomputations',
  'savedViews',
  'incidentImports',
  'incidentImportRefs',
  'counters',
  'auditEntries',
] as const satisfies readonly TenantItemSource[];
// A source added to the export but not to this order would leave data behind: the compiler refuses it.
const everySourceDeleted: Exclude<TenantItemSource, (typeof DELETION_ORDER)[number]> extends never
  ? true
  : never = true;
void everySourceDeleted;

/**
 * Deletes a tenant's items in batches, recording progress on the job after each batch. Safe to run
 * again after a failure: each run queries what is left. After MAX_DELETES_PER_RUN items it hands on
 * to a new TenantDeletionRequested; when nothing is left it deletes the tenant record, marks the job
 * done and announces TenantDeleted.
 */
export async function deleteTenantData(request: EventRequest): Promise<void> {
  const { ctx, detail, logger } = request;
  const { tenantId, jobId } = TenantDeletionRequested.data.parse(detail.data);
  assertOwnTenant(ctx, tenantId);
  const jobs = getDatabase().entities.tenantDeletion;
  const job = (await jobs.get({ deletedTenantId: tenantId }).go()).data;
  if (job?.jobId !== jobId || job.status !== 'running') {
    logger.info('no running deletion job for this event; nothing to do', { jobId });
    return;
  }
  let deleted = 0;
  for (const source of DELETION_ORDER) {
    for await (const chunk of tenantItems(tenantId, source, DELETE_BATCH_SIZE)) {
      if (source === 'users') {
        // Before the records: a failure in between leaves the record, and the next run tries again.
        for (const user of chunk.items) await deleteIdentity(String(user.email));
      }
      await chunk.remove();
      deleted += chunk.items.length;
      await jobs
        .patch({ deletedTenantId: tenantId })
        .add({ itemsDeleted: chunk.items.length })
        .set({ updatedAt: new Date().toISOString() })
        .go();
      if (deleted >= MAX_DELETES_PER_RUN) {
        await continueLater(request, tenantId, jobId);
        logger.info('deletion continues on a new event', { deleted });
        return;
      }
    }
  }
  await finish(request, tenantId, jobId, job.itemsDeleted + deleted);
}

async function continueLater({ ctx, detail, consumer, now }: EventRequest, tenantId: string, jobId: string) {
  const event = outboxRecord(
    ctx,
    TenantDeletionRequested,
    { tenantId, jobId },
    { correlationId: detail.correlationId, now },
  );
  const result = await getDatabase()
    .transaction.write(({ processedEvent, tenantDeletion, outbox }) => [
      // A redelivery of this event that also reached the limit must not start a second chain.
      processedEvent.create(processedMarker(ctx, consumer, detail.eventId, now)).commit(),
      tenantDeletion
        .check({ deletedTenantId: tenantId })
        .where(({ status, jobId: id }, { eq }) => `${eq(status, 'running')} AND ${eq(id, jobId)}`)
        .commit(),
      outbox.create(event).commit(),
    ])
    .go();
  if (wasAlreadyProcessed(result, 0) || !result.canceled) return;
  if (result.data[1]?.code === 'ConditionalCheckFailed') return; // finished by a parallel run
  throw new Error(`Deletion of ${tenantId} could not be handed on; the bus will retry`);
}

async function finish(
  { ctx, detail, now }: EventRequest,
  tenantId: string,
  jobId: string,
  itemsBefore: number,
): Promise<void> {
  const at = now.toISOString();
  const itemsDeleted = itemsBefore + 1;
  const event = outboxRecord(
    ctx,
    TenantDeleted,
    { tenantId, jobId, itemsDeleted },
    { correlationId: detail.correlationId, now },
  );
  const result = await getDatabase()
    .transaction.write(({ tenant, tenantDeletion, outbox }) => [
      tenant.delete({ tenantId }).commit(),
      tenantDeletion
        .patch({ deletedTenantId: tenantId })
        .set({ status: 'done', finishedAt: at, updatedAt: at })
        .add({ itemsDeleted: 1 })
        .where(({ status, jobId: id }, { eq }) => `${eq(status, 'running')} AND ${eq(id, jobId)}`)
        .commit(),
      outbox.create(event).commit(),
    ])
    .go();
  // Cancelled on the job's condition: a parallel run finished first, and announced it.
  if (result.canceled && result.data[1]?.code !== 'ConditionalCheckFailed') {
    throw new Error(`Deletion of ${tenantId} could not be finished; the bus will retry`);
  }
  forgetTenantStatus(tenantId);
}
