import { randomUUID } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { getDatabase } from '#shared/data/database.ts';
import { readIncidentRules, targetFor } from '#shared/data/incident-rules.ts';
import { readIncident, withSla, writeIncident } from '#shared/data/incident-store.ts';
import { processedMarker, wasAlreadyProcessed } from '#shared/data/processed-events.ts';
import { SlaRecomputationRequested } from '#shared/events/incidents.ts';
import { getDocumentClient } from '#shared/platform/clients.ts';
import { NotFoundError } from '#shared/platform/errors.ts';
import { outboxRecord } from '#shared/platform/outbox.ts';
import type { EventRequest } from '#shared/platform/process-handler.ts';
import { tableName } from '#shared/platform/table.ts';
import type { TenantContext } from '#shared/platform/tenant-context.ts';

/*
 * After a tenant changes its SLA policies, calendars or warning threshold, open incidents keep the
 * target they were given until their next change. A recomputation applies the rules as they are now
 * to every open incident, from its whole history (the clock function is the same), in the background:
 * the admin starts it, and watches its counts.
 */

/** Incidents per invocation, well inside Lambda's time limit; the rest continues on a new event. */
export const MAX_RECOMPUTED_PER_RUN = 300;
const PAGE_SIZE = 50;

export const recomputationSchema = z.object({
  jobId: z.string(),
  status: z.enum(['running', 'done']),
  total: z.number().int().nonnegative(),
  done: z.number().int().nonnegative(),
  changed: z.number().int().nonnegative(),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().nullable(),
});
export type Recomputation = z.infer<typeof recomputationSchema>;

const openList = (tenantId: string) => `t#${tenantId}#incidents#open#by-created`;

/** How many incidents are open now: a COUNT Query of the open list (pages of 1 MB of keys read). */
async function countOpen(tenantId: string): Promise<number> {
  let total = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await getDocumentClient().send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :list',
        ExpressionAttributeValues: { ':list': openList(tenantId) },
        Select: 'COUNT',
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    total += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start);
  return total;
}

function toRecomputation(item: {
  jobId: string;
  status: 'running' | 'done';
  total: number;
  done: number;
  changed: number;
  startedAt: string;
  finishedAt?: string | undefined;
}): Recomputation {
  return {
    jobId: item.jobId,
    status: item.status,
    total: item.total,
    done: item.done,
    changed: item.changed,
    startedAt: item.startedAt,
    finishedAt: item.finishedAt ?? null,
  };
}

export async function startRecomputation(command: {
  ctx: TenantContext;
  correlationId: string;
  now: Date;
}): Promise<Recomputation> {
  const { ctx, now } = command;
  const jobId = randomUUID();
  const total = await countOpen(ctx.tenantId);
  const at = now.toISOString();
  const job = {
    tenantId: ctx.tenantId,
    jobId,
    status: 'running' as const,
    total,
    done: 0,
    changed: 0,
    requestedBy: ctx.userId,
    startedAt: at,
    updatedAt: at,
  };
  const event = outboxRecord(
    ctx,
    SlaRecomputationRequested,
    { jobId, after: null, doneBefore: 0, changedBefore: 0 },
    command,
  );
  await getDatabase()
    .transaction.write(({ slaRecomputation, outbox }) => [
      slaRecomputation.create(job).commit(),
      outbox.create(event).commit(),
    ])
    .go();
  return toRecomputation(job);
}

export async function getRecomputation(ctx: TenantContext, jobId: string): Promise<Recomputation> {
  const found = await getDatabase().entities.slaRecomputation.get({ tenantId: ctx.tenantId, jobId }).go();
  if (!found.data) throw new NotFoundError(`No SLA recomputation ${jobId}`);
  return toRecomputation(found.data);
}

/** Recomputes one incident; true when its target or threshold changed and the change was written. */
async function recomputeOne(
  ctx: TenantContext,
  incidentId: string,
  rules: Awaited<ReturnType<typeof readIncidentRules>>,
  now: Date,
): Promise<boolean> {
  const stored = await readIncident(ctx.tenantId, incidentId);
  if (!stored) return false;
  const target = targetFor(rules, stored.incident);
  const threshold = rules.settings.warningThreshold;
  if (JSON.stringify(target) === JSON.stringify(stored.target) && threshold === stored.warningThreshold) {
    return false;
  }
  const at = now.toISOString();
  const before = stored.incident.sla;
  const next = withSla(
    {
      ...stored,
      target,
      warningThreshold: threshold,
      incident: { ...stored.incident, version: stored.incident.version + 1, updatedAt: at },
    },
    now,
  );
  const after = next.stored.incident.sla;
  const result = await writeIncident({
    tenantId: ctx.tenantId,
    expectedVersion: stored.incident.version,
    next: next.stored,
    clocks: next.clocks,
    timeline: [
      {
        kind: 'sla',
        visibility: 'internal',
        actor: { userId: ctx.userId, name: ctx.userName },
        text: `SLA recomputed under ${target.name}: resolution due ${after.resolutionDueAt ?? 'not running'} (was ${before.resolutionDueAt ?? 'not running'})`,
        changes: [
          { field: 'sla.policyId', from: before.policyId, to: after.policyId },
          { field: 'sla.resolutionDueAt', from: before.resolutionDueAt, to: after.resolutionDueAt },
        ].filter((change) => change.from !== change.to),
      },
    ],
    events: [],
    now,
  });
  // Cancelled: the incident changed meanwhile, and that write applied the current rules itself.
  return !result.canceled;
}

/**
 * Walks the open list from `after`, recomputing each incident, and records the counts on the job after
 * each page. After MAX_RECOMPUTED_PER_RUN it hands on to a new event; at the end it marks the job done.
 * The counts come with the event (`doneBefore`), so a redelivered event sets the same counts again.
 */
export async function recomputeOpenIncidents(request: EventRequest): Promise<void> {
  const { ctx, detail, logger, now } = request;
  const data = SlaRecomputationRequested.data.parse(detail.data);
  const jobs = getDatabase().entities.slaRecomputation;
  const job = (await jobs.get({ tenantId: ctx.tenantId, jobId: data.jobId }).go()).data;
  if (job?.status !== 'running') {
    logger.info('no running recomputation for this event; nothing to do', { jobId: data.jobId });
    return;
  }
  const rules = await readIncidentRules(ctx.tenantId);
  let done = data.doneBefore;
  let changed = data.changedBefore;
  let after = data.after;
  let processed = 0;
  for (;;) {
    const page = await getDatabase()
      .entities.incidentQueue.query.byList2({ tenantId: ctx.tenantId, list2: 'open#by-created' })
      .gt({ order2: after ?? '' })
      .go({ limit: PAGE_SIZE });
    for (const entry of page.data) {
      if (await recomputeOne(ctx, entry.incidentId, rules, now)) changed += 1;
      done += 1;
      processed += 1;
      after = entry.order2;
    }
    const finished = page.data.length < PAGE_SIZE || page.cursor === null;
    await jobs
      .patch({ tenantId: ctx.tenantId, jobId: data.jobId })
      .set({
        done,
        changed,
        // Incidents opened since the start are counted too: the total grows rather than overflow.
        total: Math.max(job.total, done),
        updatedAt: new Date().toISOString(),
        ...(finished ? { status: 'done' as const, finishedAt: new Date().toISOString() } : {}),
      })
      .go();
    if (finished) return;
    if (processed >= MAX_RECOMPUTED_PER_RUN) {
      await continueLater(request, { jobId: data.jobId, after, doneBefore: done, changedBefore: changed });
      return;
    }
  }
}

async function continueLater(
  { ctx, detail, consumer, now }: EventRequest,
  data: z.input<typeof SlaRecomputationRequested.data>,
): Promise<void> {
  const event = outboxRecord(ctx, SlaRecomputationRequested, data, {
    correlationId: detail.correlationId,
    now,
  });
  const result = await getDatabase()
    .transaction.write(({ processedEvent, outbox }) => [
      // A redelivery of this event that also reached the limit must not start a second chain.
      processedEvent.create(processedMarker(ctx, consumer, detail.eventId, now)).commit(),
      outbox.create(event).commit(),
    ])
    .go();
  if (result.canceled && !wasAlreadyProcessed(result, 0)) {
    throw new Error(`Recomputation ${data.jobId} could not be handed on; the bus will retry`);
  }
}
