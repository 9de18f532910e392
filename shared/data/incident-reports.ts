import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { IncidentSummary } from '../domain/incidents/incident.ts';
import { getDocumentClient } from '../platform/clients.ts';
import { tableName } from '../platform/table.ts';
import { getDatabase } from './database.ts';
import { parseStored, type StoredIncident } from './incident-store.ts';

/*
 * Reads for reports, which read many records by design (never on a queue or record page): the
 * incidents opened in a span, from the tenant's incident index (gsi2 `t#<tenant>#incidents`, sorted by
 * creation), and the open incidents' queue summaries. Each is one Query per 1 MB page.
 */

async function queryAll(
  input: ConstructorParameters<typeof QueryCommand>[0],
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await getDocumentClient().send(
      new QueryCommand({ ...input, ...(start ? { ExclusiveStartKey: start } : {}) }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Incidents created in [start, end), oldest first. */
export async function readIncidentsCreatedBetween(
  tenantId: string,
  start: string,
  end: string,
): Promise<StoredIncident[]> {
  // Sort keys are `<createdAt>#<id>`: one created at `end` sorts after `end`, so BETWEEN leaves it out.
  const items = await queryAll({
    TableName: tableName(),
    IndexName: 'gsi2',
    KeyConditionExpression: 'gsi2pk = :tenant AND gsi2sk BETWEEN :start AND :end',
    ExpressionAttributeValues: { ':tenant': `t#${tenantId}#incidents`, ':start': start, ':end': end },
  });
  return getDatabase()
    .entities.incident.parse({ Items: items })
    .data.map((record) => parseStored(record.record));
}

/** The summaries of every open incident (the `team` queue entries, by creation). */
export async function readOpenSummaries(tenantId: string): Promise<IncidentSummary[]> {
  const items = await queryAll({
    TableName: tableName(),
    IndexName: 'gsi2',
    KeyConditionExpression: 'gsi2pk = :list',
    ExpressionAttributeValues: { ':list': `t#${tenantId}#incidents#open#by-created` },
  });
  return getDatabase()
    .entities.incidentQueue.parse({ Items: items })
    .data.map((entry) => JSON.parse(entry.summary) as IncidentSummary);
}
