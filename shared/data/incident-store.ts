import { randomUUID } from 'node:crypto';
import {
  dueBucket,
  type Incident,
  incidentSchema,
  isOpen,
  pendingSlaMoment,
  type SlaMark,
  slaSnapshot,
  summaryOf,
  type TimelineEntry,
} from '../domain/incidents/incident.ts';
import { computeSlaClocks, type SlaClocks, type StateChange } from '../domain/sla/clock.ts';
import type { SlaTarget } from '../domain/sla/policy.ts';
import type { OutboxRecord } from '../platform/outbox.ts';
import type { TenantContext } from '../platform/tenant-context.ts';
import { getDatabase } from './database.ts';
import { readIncidentPartition } from './entities/incidents.ts';
import { processedMarker } from './processed-events.ts';
import { type CancelledItem, throwOnCancelled } from './transactions.ts';

/*
 * Reading and writing an incident with everything that must change with it, shared by the incidents
 * process (requests) and the SLA monitor (schedule). Every write recomputes the SLA clocks from the
 * stored history, stores their snapshot for the queues, and replaces the incident's queue entries and
 * due moments in the same transaction as the record, its timeline entries and its events.
 */

/** The record as stored: what the API shows, plus what the clocks and the monitor need. */
export interface StoredIncident {
  incident: Incident;
  history: StateChange[];
  target: SlaTarget;
  warningThreshold: number;
  /** SLA marks already announced (SlaWarning / SlaBreached are sent once each). */
  announced: SlaMark[];
}

export type NewTimelineEntry = Omit<TimelineEntry, 'entryId' | 'at'> & { at?: string };

export function clocksOf(stored: StoredIncident, now: Date): SlaClocks {
  return computeSlaClocks({
    history: stored.history,
    firstResponseAt: stored.incident.firstResponseAt,
    target: stored.target,
    now: now.toISOString(),
    warningThreshold: stored.warningThreshold,
  });
}

/** The stored record with its SLA snapshot as of `now`. */
export function withSla(stored: StoredIncident, now: Date): { stored: StoredIncident; clocks: SlaClocks } {
  const clocks = clocksOf(stored, now);
  return { stored: { ...stored, incident: { ...stored.incident, sla: slaSnapshot(clocks) } }, clocks };
}

export function parseStored(text: string): StoredIncident {
  const parsed = JSON.parse(text) as StoredIncident;
  return { ...parsed, incident: incidentSchema.parse(parsed.incident) };
}

export async function readIncident(
  tenantId: string,
  incidentId: string,
): Promise<StoredIncident | undefined> {
  const found = await getDatabase().entities.incident.get({ tenantId, incidentId }).go();
  return found.data ? parseStored(found.data.record) : undefined;
}

/** The record and its whole timeline, oldest first, from one Query of its partition. */
export async function readIncidentWithTimeline(
  tenantId: string,
  incidentId: string,
): Promise<{ stored: StoredIncident; timeline: TimelineEntry[] } | undefined> {
  const items = await readIncidentPartition(tenantId, incidentId);
  const { entities } = getDatabase();
  const of = (entity: string) => items.filter((item) => item.__edb_e__ === entity);
  const [record] = entities.incident.parse({ Items: of('incident') }).data;
  if (!record) return undefined;
  const timeline = entities.incidentTimeline.parse({ Items: of('incidentTimeline') }).data.map(
    (entry): TimelineEntry => ({
      entryId: entry.entryId,
      at: entry.at,
      kind: entry.kind as TimelineEntry['kind'],
      visibility: entry.visibility,
      actor: { userId: entry.actorId, name: entry.actorName },
      text: entry.text,
      changes: JSON.parse(entry.changes) as TimelineEntry['changes'],
    }),
  );
  return { stored: parseStored(record.record), timeline };
}

/** Queue order: by resolution due time; a clock without one (paused, stopped) sorts last. */
function dueKey(incident: Incident): string {
  return `${incident.sla.resolutionDueAt ?? '9999'}#${incident.incidentId}`;
}

export interface IncidentWrite {
  tenantId: string;
  /** The version the change was made on; null for a new incident (must not exist yet). */
  expectedVersion: number | null;
  /** The record after the change, SLA snapshot included (see {@link withSla}). */
  next: StoredIncident;
  clocks: SlaClocks;
  timeline: readonly NewTimelineEntry[];
  events: readonly OutboxRecord[];
  now: Date;
  /** For the monitor: a processed marker that makes the write happen once. */
  marker?: { ctx: TenantContext; consumer: string; eventId: string };
}

/** Writes the change with its queue entries, due moments, timeline and events, atomically. */
export async function writeIncident(
  write: IncidentWrite,
): Promise<{ canceled: boolean; data: CancelledItem[] }> {
  const { tenantId, next, clocks, now } = write;
  const incident = next.incident;
  const { incidentId } = incident;
  const at = now.toISOString();
  const key = { tenantId, incidentId };
  const summary = JSON.stringify(summaryOf(incident));
  const slaMoment = pendingSlaMoment(clocks, next.announced);
  const closeMoment = incident.state === 'resolved' ? incident.closeDueAt : null;
  const db = getDatabase();
  const result = await db.transaction
    .write((entities) => {
      const record = {
        state: incident.state,
        record: JSON.stringify(next),
        version: incident.version,
        updatedAt: incident.updatedAt,
      };
      const main =
        write.expectedVersion === null
          ? entities.incident
              .create({
                ...key,
                number: incident.number,
                callerId: incident.caller.userId,
                createdAt: incident.createdAt,
                ...record,
              })
              .commit()
          : entities.incident
              .patch(key)
              .set(record)
              .where(({ version }, { eq }) => eq(version, write.expectedVersion ?? 0))
              .commit();
      const queue = isOpen(incident.state)
        ? [
            entities.incidentQueue
              .put({
                ...key,
                slot: 'work',
                list1: `assignee#${incident.assigneeId ?? 'none'}`,
                order1: dueKey(incident),
                list2: 'open#by-due',
                order2: dueKey(incident),
                priority: incident.priority,
                ...(incident.serviceId ? { serviceId: incident.serviceId } : {}),
                ...(incident.teamId ? { teamId: incident.teamId } : {}),
                summary,
              })
              .commit(),
            entities.incidentQueue
              .put({
                ...key,
                slot: 'team',
                list1: `team#${incident.teamId ?? 'none'}`,
                order1: dueKey(incident),
                list2: 'open#by-created',
                order2: `${incident.createdAt}#${incidentId}`,
                priority: incident.priority,
                ...(incident.serviceId ? { serviceId: incident.serviceId } : {}),
                ...(incident.teamId ? { teamId: incident.teamId } : {}),
                summary,
              })
              .commit(),
          ]
        : write.expectedVersion === null
          ? []
          : [
              entities.incidentQueue.delete({ ...key, slot: 'work' }).commit(),
              entities.incidentQueue.delete({ ...key, slot: 'team' }).commit(),
            ];
      const moment = (kind: 'sla' | 'close', when: string | null) =>
        when !== null
          ? [entities.dueMoment.put({ ...key, kind, at: when, bucket: dueBucket(when) }).commit()]
          : write.expectedVersion === null
            ? []
            : [entities.dueMoment.delete({ ...key, kind }).commit()];
      return [
        main,
        ...(write.marker
          ? [
              entities.processedEvent
                .create(processedMarker(write.marker.ctx, write.marker.consumer, write.marker.eventId, now))
                .commit(),
            ]
          : []),
        ...write.timeline.map((entry, index) =>
          entities.incidentTimeline
            .create({
              ...key,
              at: entry.at ?? at,
              // Entries of one write share their instant; the index keeps them in the order written.
              entryId: `${String(index).padStart(2, '0')}-${randomUUID()}`,
              kind: entry.kind,
              visibility: entry.visibility,
              actorId: entry.actor.userId,
              actorName: entry.actor.name,
              text: entry.text,
              changes: JSON.stringify(entry.changes),
            })
            .commit(),
        ),
        ...queue,
        ...moment('sla', slaMoment),
        ...moment('close', closeMoment),
        ...write.events.map((event) => entities.outbox.create(event).commit()),
      ];
    })
    .go();
  return result;
}

/** Writes a change made on a request: a lost race or a stale version is a 412. */
export async function saveIncident(write: IncidentWrite): Promise<void> {
  throwOnCancelled(await writeIncident(write), 'The incident');
}
