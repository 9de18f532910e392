import { getDatabase } from '#shared/data/database.ts';
import { readIncidentRules, targetFor } from '#shared/data/incident-rules.ts';
import {
  clocksOf,
  type NewTimelineEntry,
  readIncident,
  type StoredIncident,
  withSla,
  writeIncident,
} from '#shared/data/incident-store.ts';
import { type Escalation, escalationFor, type SlaMarkReached } from '#shared/domain/incidents/escalation.ts';
import {
  bucketsBetween,
  dueBucket,
  type Incident,
  reachedMarks,
  type SlaMark,
} from '#shared/domain/incidents/incident.ts';
import { transition } from '#shared/domain/incidents/lifecycle.ts';
import { IncidentClosed, IncidentEscalated, SlaBreached, SlaWarning } from '#shared/events/incidents.ts';
import type { FieldChange } from '#shared/events/service-catalogue.ts';
import { outboxRecord } from '#shared/platform/outbox.ts';
import { systemContextForTenant, type TenantContext } from '#shared/platform/tenant-context.ts';

const MONITOR = 'sla-monitor';
const CONSUMER = 'sla-monitor.slaMoments';
/** Buckets (minutes) read per run: a monitor that was down catches up an hour per minute. */
export const MAX_BUCKETS_PER_RUN = 60;
/** Moments handled per run; the rest wait for the next run, which starts at their bucket. */
export const MAX_MOMENTS_PER_RUN = 200;

interface Moment {
  tenantId: string;
  incidentId: string;
  kind: 'sla' | 'close';
  at: string;
}

export interface RunReport {
  buckets: number;
  moments: number;
  announced: number;
  closed: number;
  lastBucket: string;
}

/**
 * Reads the buckets after the checkpoint up to `now` (at most 60) and handles each moment at or
 * before `now`. The work grows with the moments due, never with the number of open incidents. The
 * checkpoint stops before the current minute, which is read again next time (its later moments are
 * not due yet, and writes may still add to it).
 */
export async function runDueMoments(now: Date, runId: string): Promise<RunReport> {
  const db = getDatabase();
  const checkpoint = await db.entities.monitorCheckpoint.get({ monitor: MONITOR }).go();
  const current = dueBucket(now.toISOString());
  const start =
    checkpoint.data?.lastBucket ??
    dueBucket(new Date(now.getTime() - MAX_BUCKETS_PER_RUN * 60_000).toISOString());
  const buckets = bucketsBetween(start, now.toISOString(), MAX_BUCKETS_PER_RUN);
  const report: RunReport = { buckets: 0, moments: 0, announced: 0, closed: 0, lastBucket: start };
  for (const bucket of buckets) {
    const found = await db.entities.dueMoment.query.byBucket({ bucket }).go({ pages: 'all' });
    const due = found.data.filter((moment) => moment.at <= now.toISOString());
    if (report.moments + due.length > MAX_MOMENTS_PER_RUN && report.moments > 0) break;
    for (const moment of due) {
      const outcome = await handleMoment(moment, now, runId);
      report.moments += 1;
      report.announced += outcome.announced;
      report.closed += outcome.closed ? 1 : 0;
    }
    report.buckets += 1;
    if (bucket < current) report.lastBucket = bucket;
  }
  if (report.lastBucket !== start) {
    await db.entities.monitorCheckpoint
      .put({ monitor: MONITOR, lastBucket: report.lastBucket, updatedAt: now.toISOString() })
      .go();
  }
  return report;
}

function eventBase(incident: Incident) {
  return {
    incidentId: incident.incidentId,
    number: incident.number,
    priority: incident.priority,
    state: incident.state,
    teamId: incident.teamId,
    assigneeId: incident.assigneeId,
  };
}

/** Re-reads the incident, recomputes, and acts only if the moment is still due. */
async function handleMoment(
  moment: Moment,
  now: Date,
  runId: string,
): Promise<{ announced: number; closed: boolean }> {
  const ctx = systemContextForTenant(moment.tenantId, MONITOR);
  const stored = await readIncident(moment.tenantId, moment.incidentId);
  if (!stored) {
    await getDatabase().entities.dueMoment.delete(moment).go();
    return { announced: 0, closed: false };
  }
  const meta = { correlationId: `${MONITOR}:${runId}`, now };
  if (moment.kind === 'close') return { announced: 0, closed: await autoClose(ctx, stored, now, meta) };
  const clocks = clocksOf(stored, now);
  const marks = reachedMarks(clocks, stored.announced);
  const announced = [...stored.announced, ...marks.map((entry) => entry.mark)];
  const at = now.toISOString();
  const base: StoredIncident = {
    ...stored,
    incident: { ...stored.incident, version: stored.incident.version + 1, updatedAt: at },
    announced,
  };
  // Rules are read only when something was reached: most runs find a moment not yet due or moved.
  const escalated = marks.length > 0 ? await escalate(moment.tenantId, base, marks, now) : null;
  const next = withSla(escalated?.stored ?? base, now);
  const saved = next.stored.incident;
  const events = marks.map(({ mark, at }) => {
    const { clock, level } = markParts(mark);
    const dueAt = clock === 'response' ? next.clocks.response.dueAt : next.clocks.resolution.dueAt;
    const field = clock === 'response' ? 'sla.responseStatus' : 'sla.resolutionStatus';
    const from =
      clock === 'response' ? stored.incident.sla.responseStatus : stored.incident.sla.resolutionStatus;
    const to = clock === 'response' ? saved.sla.responseStatus : saved.sla.resolutionStatus;
    return outboxRecord(
      ctx,
      level === 'warning' ? SlaWarning : SlaBreached,
      {
        ...eventBase(saved),
        recordVersion: saved.version,
        clock,
        at,
        dueAt,
        policyId: saved.sla.policyId,
        changes: from === to ? [] : [{ field, from, to }],
      },
      meta,
    );
  });
  const actor = { userId: ctx.userId, name: ctx.userName };
  const timeline: NewTimelineEntry[] = marks.map(({ mark, at }) => ({
    kind: 'sla' as const,
    visibility: 'internal' as const,
    actor,
    text: slaText(mark, at),
    changes: [],
  }));
  if (escalated) {
    const { escalation, changes, mark } = escalated;
    timeline.push({
      kind: 'escalation' as const,
      visibility: 'internal' as const,
      actor,
      text: escalationText(escalation),
      changes,
    });
    events.push(
      outboxRecord(
        ctx,
        IncidentEscalated,
        {
          ...eventBase(saved),
          recordVersion: saved.version,
          ...mark,
          rules: escalation.rules.map((rule) => ({ ruleId: rule.ruleId, name: rule.name })),
          notifyUserIds: escalation.notifyUserIds,
          notifyTeamIds: escalation.notifyTeamIds,
          changes,
        },
        meta,
      ),
    );
  }
  const result = await writeIncident({
    tenantId: moment.tenantId,
    expectedVersion: stored.incident.version,
    next: next.stored,
    clocks: next.clocks,
    timeline,
    events,
    now,
    // Named by the incident and the marks, so the same announcement can never be written twice.
    ...(marks.length > 0
      ? {
          marker: {
            ctx,
            consumer: CONSUMER,
            eventId: `${moment.incidentId}:${marks.map((m) => m.mark).join('+')}`,
          },
        }
      : {}),
  });
  // Cancelled: the incident changed meanwhile, and that write put a fresh moment for the next run.
  return { announced: result.canceled ? 0 : marks.length, closed: false };
}

function markParts(mark: string): SlaMarkReached {
  const [clock, level] = mark.split('-') as [SlaMarkReached['clock'], SlaMarkReached['level']];
  return { clock, level };
}

/**
 * The tenant's escalation rules for the marks just reached: the team they hand the incident to (its
 * assignee is cleared, the team picks one) and the priority they raise, which recomputes the SLA
 * target from the start like any priority change. Null when no rule matches.
 */
async function escalate(
  tenantId: string,
  stored: StoredIncident,
  marks: readonly { mark: SlaMark }[],
  now: Date,
): Promise<{
  stored: StoredIncident;
  escalation: Escalation;
  changes: FieldChange[];
  mark: SlaMarkReached;
} | null> {
  const reached = marks.map(({ mark }) => markParts(mark));
  const incident = stored.incident;
  const rules = await readIncidentRules(tenantId);
  const escalation = escalationFor(rules.settings.escalationRules, reached, incident.priority);
  if (escalation.rules.length === 0) return null;
  const changes: FieldChange[] = [];
  let next: Incident = incident;
  let history = stored.history;
  if (escalation.teamId !== null && escalation.teamId !== incident.teamId) {
    changes.push({ field: 'teamId', from: incident.teamId, to: escalation.teamId });
    if (incident.assigneeId !== null)
      changes.push({ field: 'assigneeId', from: incident.assigneeId, to: null });
    next = {
      ...next,
      teamId: escalation.teamId,
      assigneeId: null,
      assigneeName: null,
      assignmentCount: next.assignmentCount + 1,
    };
  }
  if (escalation.priority !== null) {
    const reason = `Escalation: ${escalation.rules.map((rule) => rule.name).join(', ')}`;
    const matrixPriority = incident.priorityOverride?.from ?? incident.priority;
    changes.push({ field: 'priority', from: incident.priority, to: escalation.priority });
    next = {
      ...next,
      priority: escalation.priority,
      priorityOverride:
        escalation.priority === matrixPriority
          ? null
          : { from: matrixPriority, to: escalation.priority, reason },
    };
    history = [...history, { at: now.toISOString(), state: next.state, priority: escalation.priority }];
  }
  const mark = reached.find((entry) =>
    escalation.rules.some((rule) => rule.clock === entry.clock && rule.on === entry.level),
  ) as SlaMarkReached;
  return {
    stored: {
      ...stored,
      incident: next,
      history,
      target: escalation.priority ? targetFor(rules, next) : stored.target,
    },
    escalation,
    changes,
    mark,
  };
}

function escalationText(escalation: Escalation): string {
  const acts = [
    escalation.teamId !== null ? 'handed to another team' : null,
    escalation.priority !== null ? `priority raised to ${escalation.priority}` : null,
    escalation.notifyUserIds.length + escalation.notifyTeamIds.length > 0 ? 'people notified' : null,
  ].filter((act): act is string => act !== null);
  return `Escalated by ${escalation.rules.map((rule) => rule.name).join(', ')}: ${acts.join(', ')}`;
}

function slaText(mark: string, at: string): string {
  const [clock, level] = mark.split('-');
  return level === 'warning'
    ? `SLA warning: the ${clock} target is close (threshold reached at ${at})`
    : `SLA breached: the ${clock} target was reached at ${at}`;
}

async function autoClose(
  ctx: TenantContext,
  stored: StoredIncident,
  now: Date,
  meta: { correlationId: string; now: Date },
): Promise<boolean> {
  const incident = stored.incident;
  const moved = transition(incident, 'closed', { actor: { kind: 'system', id: MONITOR } });
  if (!moved.ok || incident.closeDueAt === null || incident.closeDueAt > now.toISOString()) return false;
  const at = now.toISOString();
  const closed: Incident = {
    ...incident,
    state: 'closed',
    closedAt: at,
    version: incident.version + 1,
    updatedAt: at,
  };
  const next = withSla(
    { ...stored, incident: closed, history: [...stored.history, { at, state: 'closed' }] },
    now,
  );
  const changes = [
    { field: 'state', from: incident.state, to: 'closed' },
    { field: 'closedAt', from: null, to: at },
  ];
  const saved = next.stored.incident;
  const result = await writeIncident({
    tenantId: ctx.tenantId,
    expectedVersion: incident.version,
    next: next.stored,
    clocks: next.clocks,
    timeline: [
      {
        kind: 'state-change',
        visibility: 'public',
        actor: { userId: ctx.userId, name: ctx.userName },
        text: 'Closed automatically after resolution',
        changes,
      },
    ],
    events: [
      outboxRecord(
        ctx,
        IncidentClosed,
        {
          ...eventBase(saved),
          recordVersion: saved.version,
          from: incident.state,
          kind: 'closed',
          reason: null,
          changes,
        },
        meta,
      ),
    ],
    now,
  });
  return !result.canceled;
}
