import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { Entity } from 'electrodb';
import { getDocumentClient } from '../../platform/clients.ts';
import { tableName } from '../../platform/table.ts';
import { MODEL } from './model.ts';

/*
 * Incidents. Everything about one incident lives in its partition `t#<tenant>#incident#<id>`: the
 * record (sk `incident`), its timeline (sk `timeline#<at>#<entryId>`), its queue entries (sk
 * `queue#work`, `queue#team`, present while it is open) and its due moments (sk `due#sla`,
 * `due#close`). So the record page is one Query, and every change rewrites the record, its queue
 * entries and its due moments in one transaction. See functions/incidents/README.md.
 */

const incidentPk = {
  field: 'pk',
  casing: 'none',
  composite: ['tenantId', 'incidentId'],
  template: 't#${tenantId}#incident#${incidentId}',
} as const;

/** The record itself. Its fields are one JSON document checked by the domain schema on every read. */
export function incidentEntity() {
  return new Entity({
    model: { ...MODEL, entity: 'incident' },
    attributes: {
      tenantId: { type: 'string', required: true, readOnly: true },
      incidentId: { type: 'string', required: true, readOnly: true },
      number: { type: 'string', required: true, readOnly: true },
      callerId: { type: 'string', required: true, readOnly: true },
      state: { type: 'string', required: true },
      /** JSON text: the incident as the API shows it, plus its state history, SLA target and marks. */
      record: { type: 'string', required: true },
      version: { type: 'number', required: true },
      createdAt: { type: 'string', required: true, readOnly: true },
      updatedAt: { type: 'string', required: true },
    },
    indexes: {
      byId: { pk: incidentPk, sk: { field: 'sk', casing: 'none', composite: [], template: 'incident' } },
      /** What a caller reported, oldest first (read newest first). */
      byCaller: {
        index: 'gsi1',
        pk: {
          field: 'gsi1pk',
          casing: 'none',
          composite: ['tenantId', 'callerId'],
          template: 't#${tenantId}#incidents#caller#${callerId}',
        },
        sk: {
          field: 'gsi1sk',
          casing: 'none',
          composite: ['createdAt', 'incidentId'],
          template: '${createdAt}#${incidentId}',
        },
      },
      /** Every incident of the tenant, open or not: export, deletion and, later, reports. */
      byTenant: {
        index: 'gsi2',
        pk: { field: 'gsi2pk', casing: 'none', composite: ['tenantId'], template: 't#${tenantId}#incidents' },
        sk: {
          field: 'gsi2sk',
          casing: 'none',
          composite: ['createdAt', 'incidentId'],
          template: '${createdAt}#${incidentId}',
        },
      },
    },
  });
}

/**
 * A queue entry: a copy of the incident's summary in two lists at once (gsi1 and gsi2), written only
 * while the incident is open. Slot `work` lists it by assignee (or `unassigned`) and among all open
 * incidents by resolution due time; slot `team` by team and among all open incidents by creation.
 */
export function incidentQueueEntity() {
  return new Entity({
    model: { ...MODEL, entity: 'incidentQueue' },
    attributes: {
      tenantId: { type: 'string', required: true, readOnly: true },
      incidentId: { type: 'string', required: true, readOnly: true },
      slot: { type: ['work', 'team'] as const, required: true, readOnly: true },
      list1: { type: 'string', required: true },
      order1: { type: 'string', required: true },
      list2: { type: 'string', required: true },
      order2: { type: 'string', required: true },
      priority: { type: 'string', required: true },
      serviceId: { type: 'string' },
      teamId: { type: 'string' },
      /** JSON text of the incident summary. */
      summary: { type: 'string', required: true },
    },
    indexes: {
      byIncident: {
        pk: incidentPk,
        sk: { field: 'sk', casing: 'none', composite: ['slot'], template: 'queue#${slot}' },
      },
      byList1: {
        index: 'gsi1',
        pk: {
          field: 'gsi1pk',
          casing: 'none',
          composite: ['tenantId', 'list1'],
          template: 't#${tenantId}#incidents#${list1}',
        },
        sk: { field: 'gsi1sk', casing: 'none', composite: ['order1'], template: '${order1}' },
      },
      byList2: {
        index: 'gsi2',
        pk: {
          field: 'gsi2pk',
          casing: 'none',
          composite: ['tenantId', 'list2'],
          template: 't#${tenantId}#incidents#${list2}',
        },
        sk: { field: 'gsi2sk', casing: 'none', composite: ['order2'], template: '${order2}' },
      },
    },
  });
}

/** One entry of the timeline: comment, work note, state change, assignment, SLA event, ... */
export function incidentTimelineEntity() {
  return new Entity({
    model: { ...MODEL, entity: 'incidentTimeline' },
    attributes: {
      tenantId: { type: 'string', required: true, readOnly: true },
      incidentId: { type: 'string', required: true, readOnly: true },
      at: { type: 'string', required: true, readOnly: true },
      entryId: { type: 'string', required: true, readOnly: true },
      kind: { type: 'string', required: true, readOnly: true },
      visibility: { type: ['public', 'internal'] as const, required: true, readOnly: true },
      actorId: { type: 'string', required: true, readOnly: true },
      actorName: { type: 'string', required: true, readOnly: true },
      text: { type: 'string', required: true, readOnly: true },
      /** JSON text of the field changes. */
      changes: { type: 'string', required: true, readOnly: true },
    },
    indexes: {
      byIncident: {
        pk: incidentPk,
        sk: {
          field: 'sk',
          casing: 'none',
          composite: ['at', 'entryId'],
          template: 'timeline#${at}#${entryId}',
        },
      },
    },
  });
}

/**
 * When the SLA monitor must look at an incident: at most one per kind and incident, in the incident's
 * partition (so a tenant-scoped write may put it, and a new moment replaces the old one by key). Its
 * gsi1 key is the platform-wide minute bucket the monitor reads, the one index key outside a tenant
 * besides the operator's tenant list (ARCHITECTURE.md, "Tenant isolation").
 */
export function dueMomentEntity() {
  return new Entity({
    model: { ...MODEL, entity: 'dueMoment' },
    attributes: {
      tenantId: { type: 'string', required: true, readOnly: true },
      incidentId: { type: 'string', required: true, readOnly: true },
      kind: { type: ['sla', 'close'] as const, required: true, readOnly: true },
      at: { type: 'string', required: true },
      bucket: { type: 'string', required: true },
    },
    indexes: {
      byIncident: {
        pk: incidentPk,
        sk: { field: 'sk', casing: 'none', composite: ['kind'], template: 'due#${kind}' },
      },
      byBucket: {
        index: 'gsi1',
        pk: { field: 'gsi1pk', casing: 'none', composite: ['bucket'], template: 't#platform#due#${bucket}' },
        sk: {
          field: 'gsi1sk',
          casing: 'none',
          composite: ['at', 'tenantId', 'incidentId', 'kind'],
          template: '${at}#${tenantId}#${incidentId}#${kind}',
        },
      },
    },
  });
}

/** A per-tenant sequence (incident numbers): incremented atomically, then used. */
export function counterEntity() {
  return new Entity({
    model: { ...MODEL, entity: 'counter' },
    attributes: {
      tenantId: { type: 'string', required: true, readOnly: true },
      name: { type: 'string', required: true, readOnly: true },
      value: { type: 'number', required: true },
    },
    indexes: {
      byName: {
        pk: {
          field: 'pk',
          casing: 'none',
          composite: ['tenantId', 'name'],
          template: 't#${tenantId}#counter#${name}',
        },
        sk: { field: 'sk', casing: 'none', composite: [], template: 'counter' },
      },
    },
  });
}

/**
 * A recomputation of the SLA clocks of a tenant's open incidents after its policies changed: one item
 * per job, whose counts the background run keeps up to date for the admin's progress bar.
 */
export function slaRecomputationEntity() {
  return new Entity({
    model: { ...MODEL, entity: 'slaRecomputation' },
    attributes: {
      tenantId: { type: 'string', required: true, readOnly: true },
      jobId: { type: 'string', required: true, readOnly: true },
      status: { type: ['running', 'done'] as const, required: true },
      total: { type: 'number', required: true },
      done: { type: 'number', required: true },
      changed: { type: 'number', required: true },
      requestedBy: { type: 'string', required: true, readOnly: true },
      startedAt: { type: 'string', required: true, readOnly: true },
      updatedAt: { type: 'string', required: true },
      finishedAt: { type: 'string' },
    },
    indexes: {
      byJob: {
        pk: {
          field: 'pk',
          casing: 'none',
          composite: ['tenantId', 'jobId'],
          template: 't#${tenantId}#sla-recomputation#${jobId}',
        },
        sk: { field: 'sk', casing: 'none', composite: [], template: 'job' },
      },
      /** The tenant's jobs by start, for the export and for deletion. */
      byTenant: {
        index: 'gsi1',
        pk: {
          field: 'gsi1pk',
          casing: 'none',
          composite: ['tenantId'],
          template: 't#${tenantId}#sla-recomputations',
        },
        sk: {
          field: 'gsi1sk',
          casing: 'none',
          composite: ['startedAt', 'jobId'],
          template: '${startedAt}#${jobId}',
        },
      },
    },
  });
}

/** The SLA monitor's checkpoint: the last minute bucket it has read completely. */
export function monitorCheckpointEntity() {
  return new Entity({
    model: { ...MODEL, entity: 'monitorCheckpoint' },
    attributes: {
      monitor: { type: 'string', required: true, readOnly: true },
      lastBucket: { type: 'string', required: true },
      updatedAt: { type: 'string', required: true },
    },
    indexes: {
      byMonitor: {
        pk: {
          field: 'pk',
          casing: 'none',
          composite: ['monitor'],
          template: 't#platform#monitor#${monitor}',
        },
        sk: { field: 'sk', casing: 'none', composite: [], template: 'checkpoint' },
      },
    },
  });
}

/**
 * Every item of one incident's partition in one Query (record, timeline, queue entries, moments),
 * raw; the caller sorts them by entity. A partition past 1 MB would need a second page: a timeline
 * that long is far beyond what an incident gathers, so a second page is read only then.
 */
export async function readIncidentPartition(
  tenantId: string,
  incidentId: string,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await getDocumentClient().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `t#${tenantId}#incident#${incidentId}` },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}
