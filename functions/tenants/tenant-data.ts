import { setTimeout as sleep } from 'node:timers/promises';
import { BatchWriteCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { getDatabase } from '#shared/data/database.ts';
import { readIncidentPartition } from '#shared/data/entities/incidents.ts';
import { getDocumentClient } from '#shared/platform/clients.ts';
import { tableName } from '#shared/platform/table.ts';

/*
 * Every kind of item a tenant owns, found through Queries on its own keys (never a Scan), for the
 * export and for deletion. A process that adds an entity adds its query here, or its data outlives a
 * deleted tenant. Not listed on purpose: outbox items and processed-event markers, which expire by
 * TTL within a day and a week.
 */
export const TENANT_ITEM_SOURCES = [
  'services',
  'users',
  'teams',
  'memberships',
  'businessUnits',
  'settings',
  'auditEntries',
  'incidents',
  'counters',
  'notifications',
  'slaRecomputations',
  'savedViews',
  'incidentImports',
  'incidentImportRefs',
] as const;
export type TenantItemSource = (typeof TENANT_ITEM_SOURCES)[number];

export interface TenantItemChunk {
  readonly items: readonly Record<string, unknown>[];
  /** Deletes exactly these items: one BatchWriteItem per chunk, unprocessed keys retried. */
  remove(): Promise<void>;
}

interface Page<T> {
  data: T[];
  cursor: string | null;
}

const DELETE_ATTEMPTS = 5;

async function* pages<T>(query: (cursor: string | null) => Promise<Page<T>>): AsyncGenerator<T[]> {
  let cursor: string | null = null;
  do {
    const page: Page<T> = await query(cursor);
    cursor = page.cursor;
    if (page.data.length > 0) yield page.data;
  } while (cursor);
}

async function removeAll<K>(keys: K[], remove: (keys: K[]) => Promise<{ unprocessed: K[] }>): Promise<void> {
  let left = keys;
  for (let attempt = 0; left.length > 0; attempt += 1) {
    // Unprocessed keys mean throttling; back off, and past a few tries let the bus retry the event.
    if (attempt === DELETE_ATTEMPTS) throw new Error(`${left.length} items were still not deleted`);
    if (attempt > 0) await sleep(50 * 2 ** attempt);
    left = (await remove(left)).unprocessed;
  }
}

async function* chunks<T extends object, K>(
  query: (cursor: string | null) => Promise<Page<T>>,
  keyOf: (item: T) => K,
  remove: (keys: K[]) => Promise<{ unprocessed: K[] }>,
): AsyncGenerator<TenantItemChunk> {
  for await (const items of pages(query)) {
    yield { items: items as Record<string, unknown>[], remove: () => removeAll(items.map(keyOf), remove) };
  }
}

/** Memberships live in their team's partition, so they are found team by team. */
async function* memberships(tenantId: string, pageSize: number): AsyncGenerator<TenantItemChunk> {
  const db = getDatabase().entities;
  for await (const teams of pages((cursor) =>
    db.team.query.byName({ tenantId }).go({ cursor, limit: 100 }),
  )) {
    for (const { teamId } of teams) {
      yield* chunks(
        (cursor) => db.membership.query.byTeam({ tenantId, teamId }).go({ cursor, limit: pageSize }),
        ({ userId }) => ({ tenantId, teamId, userId }),
        (keys) => db.membership.delete(keys).go(),
      );
    }
  }
}

/** Notifications and mail preferences live in their user's partitions, so they are found user by user. */
async function* notifications(tenantId: string, pageSize: number): AsyncGenerator<TenantItemChunk> {
  const db = getDatabase().entities;
  for await (const users of pages((cursor) =>
    db.user.query.byEmail({ tenantId }).go({ cursor, limit: 100 }),
  )) {
    for (const { userId } of users) {
      yield* chunks(
        (cursor) => db.notification.query.byUser({ tenantId, userId }).go({ cursor, limit: pageSize }),
        ({ notificationId }) => ({ tenantId, userId, notificationId }),
        (keys) => db.notification.delete(keys).go(),
      );
      yield* chunks(
        async () => {
          const found = await db.notificationPreferences.get({ tenantId, userId }).go();
          return { data: found.data ? [found.data] : [], cursor: null };
        },
        () => ({ tenantId, userId }),
        (keys) => db.notificationPreferences.delete(keys).go(),
      );
    }
  }
}

/** An import job's chunks live in its partition: found job by job, the job after its chunks. */
async function* incidentImports(tenantId: string, pageSize: number): AsyncGenerator<TenantItemChunk> {
  const db = getDatabase().entities;
  for await (const jobs of pages((cursor) =>
    db.incidentImport.query.byTenant({ tenantId }).go({ cursor, limit: 25 }),
  )) {
    for (const { jobId } of jobs) {
      yield* chunks(
        (cursor) => db.incidentImportChunk.query.byJob({ tenantId, jobId }).go({ cursor, limit: pageSize }),
        ({ kind, index }) => ({ tenantId, jobId, kind, index }),
        (keys) => db.incidentImportChunk.delete(keys).go(),
      );
    }
    yield {
      items: jobs as Record<string, unknown>[],
      remove: () =>
        removeAll(
          jobs.map(({ jobId }) => ({ tenantId, jobId })),
          (keys) => db.incidentImport.delete(keys).go(),
        ),
    };
  }
}

type ItemKey = { pk: string; sk: string };

/** Deletes raw items by key, one BatchWriteItem per 25, unprocessed keys handed back. */
async function removeRaw(keys: ItemKey[]): Promise<{ unprocessed: ItemKey[] }> {
  const unprocessed: ItemKey[] = [];
  for (let start = 0; start < keys.length; start += 25) {
    const batch = keys.slice(start, start + 25);
    const result = await getDocumentClient().send(
      new BatchWriteCommand({
        RequestItems: { [tableName()]: batch.map((Key) => ({ DeleteRequest: { Key } })) },
      }),
    );
    for (const request of result.UnprocessedItems?.[tableName()] ?? []) {
      const key = request.DeleteRequest?.Key;
      if (key) unprocessed.push({ pk: String(key.pk), sk: String(key.sk) });
    }
  }
  return { unprocessed };
}

/**
 * An incident is a whole partition (record, timeline, queue entries, due moments): found through
 * the tenant's incident index, then read and removed partition by partition. The record goes last,
 * so a deletion interrupted half-way still finds the incident on its next run.
 */
async function* incidents(tenantId: string, pageSize: number): AsyncGenerator<TenantItemChunk> {
  const db = getDatabase().entities;
  for await (const page of pages((cursor) =>
    db.incident.query.byTenant({ tenantId }).go({ cursor, limit: Math.min(pageSize, 25) }),
  )) {
    for (const { incidentId } of page) {
      const items = await readIncidentPartition(tenantId, incidentId);
      const keys = items
        .map((item) => ({ pk: String(item.pk), sk: String(item.sk) }))
        .sort((a, b) => Number(a.sk === 'incident') - Number(b.sk === 'incident'));
      yield { items, remove: () => removeAll(keys, removeRaw) };
    }
  }
}

/** The tenant's items of one kind, `pageSize` (at most) per chunk, one Query per chunk. */
export function tenantItems(
  tenantId: string,
  source: TenantItemSource,
  pageSize: number,
): AsyncGenerator<TenantItemChunk> {
  const db = getDatabase().entities;
  const options = (cursor: string | null) => ({ cursor, limit: pageSize });
  switch (source) {
    case 'services':
      return chunks(
        (cursor) => db.service.query.byName({ tenantId }).go(options(cursor)),
        ({ serviceId }) => ({ tenantId, serviceId }),
        (keys) => db.service.delete(keys).go(),
      );
    case 'users':
      return chunks(
        (cursor) => db.user.query.byEmail({ tenantId }).go(options(cursor)),
        ({ userId }) => ({ tenantId, userId }),
        (keys) => db.user.delete(keys).go(),
      );
    case 'teams':
      return chunks(
        (cursor) => db.team.query.byName({ tenantId }).go(options(cursor)),
        ({ teamId }) => ({ tenantId, teamId }),
        (keys) => db.team.delete(keys).go(),
      );
    case 'memberships':
      return memberships(tenantId, pageSize);
    case 'businessUnits':
      return chunks(
        (cursor) => db.businessUnit.query.byName({ tenantId }).go(options(cursor)),
        ({ businessUnitId }) => ({ tenantId, businessUnitId }),
        (keys) => db.businessUnit.delete(keys).go(),
      );
    case 'settings':
      return chunks(
        (cursor) => db.tenantSetting.query.byTenant({ tenantId }).go(options(cursor)),
        ({ name }) => ({ tenantId, name }),
        (keys) => db.tenantSetting.delete(keys).go(),
      );
    case 'incidents':
      return incidents(tenantId, pageSize);
    case 'counters':
      return chunks(
        async () => {
          const found = await db.counter.get({ tenantId, name: 'incident' }).go();
          return { data: found.data ? [found.data] : [], cursor: null };
        },
        ({ name }) => ({ tenantId, name }),
        (keys) => db.counter.delete(keys).go(),
      );
    case 'notifications':
      return notifications(tenantId, pageSize);
    case 'slaRecomputations':
      return chunks(
        (cursor) => db.slaRecomputation.query.byTenant({ tenantId }).go(options(cursor)),
        ({ jobId }) => ({ tenantId, jobId }),
        (keys) => db.slaRecomputation.delete(keys).go(),
      );
    case 'savedViews':
      return chunks(
        (cursor) => db.savedViews.query.byTenant({ tenantId }).go(options(cursor)),
        ({ userId }) => ({ tenantId, userId }),
        (keys) => db.savedViews.delete(keys).go(),
      );
    case 'incidentImports':
      return incidentImports(tenantId, pageSize);
    case 'incidentImportRefs':
      return chunks(
        (cursor) => db.incidentImportRef.query.byTenant({ tenantId }).go(options(cursor)),
        ({ originalKey }) => ({ tenantId, originalKey }),
        (keys) => db.incidentImportRef.delete(keys).go(),
      );
    case 'auditEntries':
      return chunks(
        (cursor) => db.audit.query.byTenant({ tenantId }).go(options(cursor)),
        ({ entityType, entityId, at, eventId }) => ({ tenantId, entityType, entityId, at, eventId }),
        (keys) => db.audit.delete(keys).go(),
      );
  }
}

/**
 * Counts the items of a query without reading them (Select COUNT), page by page: DynamoDB counts at
 * most 1 MB of items per request. ElectroDB cannot ask for a count, so its query parameters are sent
 * through the document client.
 */
export async function countItems(query: { params<T>(): T }): Promise<number> {
  const params = query.params<QueryCommandInput>();
  let count = 0;
  let startKey: QueryCommandInput['ExclusiveStartKey'];
  do {
    const page = await getDocumentClient().send(
      new QueryCommand({ ...params, Select: 'COUNT', ExclusiveStartKey: startKey }),
    );
    count += page.Count ?? 0;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return count;
}

/** The tenant's users and services, and when anything of it last changed (its newest audit entry). */
export async function tenantUsage(tenantId: string) {
  const db = getDatabase().entities;
  const [users, services, newest] = await Promise.all([
    countItems(db.user.query.byEmail({ tenantId })),
    countItems(db.service.query.byName({ tenantId })),
    db.audit.query.byTenant({ tenantId }).go({ order: 'desc', limit: 1 }),
  ]);
  return { users, services, lastActivityAt: newest.data[0]?.at ?? null };
}
