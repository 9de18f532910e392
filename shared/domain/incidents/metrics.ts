import { z } from 'zod';
import { csvText } from '../common/csv.ts';
import type { StateChange } from '../sla/clock.ts';
import { DAY_MS, instantOfWall, wallDayOf } from '../sla/zone.ts';
import { PRIORITIES, type Priority } from '../tenancy/defaults.ts';
import { type Incident, OPEN_STATES } from './incident.ts';
import { INCIDENT_STATES, type IncidentState } from './lifecycle.ts';

/*
 * Service desk figures over a period, computed from one row per incident: the same rows the CSV
 * export gives, so anyone can recompute every figure from the file. The population is the incidents
 * opened in the period (dates in the tenant's time zone, both days included); the open backlog is
 * read apart, as it is now, whatever the period.
 */

const CLOCK_STATUSES = ['running', 'paused', 'met', 'breached', 'cancelled'] as const;
type ClockStatus = (typeof CLOCK_STATUSES)[number];

/** What the figures need of one incident: one line of the CSV export. */
export interface IncidentFact {
  number: string;
  incidentId: string;
  createdAt: string;
  resolvedAt: string | null;
  closedAt: string | null;
  state: IncidentState;
  priority: Priority;
  serviceId: string | null;
  businessUnitId: string | null;
  teamId: string | null;
  assignee: string | null;
  /** Times a team or assignee was set. */
  assignments: number;
  /** Times it went back from resolved to work. */
  reopened: number;
  responseSla: ClockStatus;
  resolutionSla: ClockStatus;
  satisfaction: number | null;
}

/** Reopenings: moves from resolved back to an open state. */
export function reopenCount(history: readonly StateChange[]): number {
  return history.filter(
    (change, index) =>
      index > 0 && history[index - 1]?.state === 'resolved' && OPEN_STATES.includes(change.state),
  ).length;
}

export function factOf(stored: { incident: Incident; history: readonly StateChange[] }): IncidentFact {
  const { incident } = stored;
  return {
    number: incident.number,
    incidentId: incident.incidentId,
    createdAt: incident.createdAt,
    resolvedAt: incident.resolvedAt,
    closedAt: incident.closedAt,
    state: incident.state,
    priority: incident.priority,
    serviceId: incident.serviceId,
    businessUnitId: incident.businessUnitId,
    teamId: incident.teamId,
    assignee: incident.assigneeName,
    assignments: incident.assignmentCount,
    reopened: reopenCount(stored.history),
    responseSla: incident.sla.responseStatus,
    resolutionSla: incident.sla.resolutionStatus,
    satisfaction: incident.satisfaction?.rating ?? null,
  };
}

// ── The CSV export ───────────────────────────────────────────────────────────────────────────

export const INCIDENT_CSV_COLUMNS = [
  'number',
  'incidentId',
  'createdAt',
  'resolvedAt',
  'closedAt',
  'state',
  'priority',
  'serviceId',
  'service',
  'businessUnitId',
  'businessUnit',
  'teamId',
  'team',
  'assignee',
  'assignments',
  'reopened',
  'responseSla',
  'resolutionSla',
  'satisfaction',
] as const;

export interface ReportNames {
  services: ReadonlyMap<string, string>;
  businessUnits: ReadonlyMap<string, string>;
  teams: ReadonlyMap<string, string>;
}

/** One line per incident, ids and names side by side, times in UTC as stored. */
export function incidentCsv(facts: readonly IncidentFact[], names: ReportNames): string {
  const name = (map: ReadonlyMap<string, string>, id: string | null) =>
    id === null ? '' : (map.get(id) ?? '');
  return csvText(
    INCIDENT_CSV_COLUMNS,
    facts.map((fact) => [
      fact.number,
      fact.incidentId,
      fact.createdAt,
      fact.resolvedAt,
      fact.closedAt,
      fact.state,
      fact.priority,
      fact.serviceId,
      name(names.services, fact.serviceId),
      fact.businessUnitId,
      name(names.businessUnits, fact.businessUnitId),
      fact.teamId,
      name(names.teams, fact.teamId),
      fact.assignee,
      fact.assignments,
      fact.reopened,
      fact.responseSla,
      fact.resolutionSla,
      fact.satisfaction,
    ]),
  );
}

const cell = z.string().transform((value) => (value === '' ? null : value));
const count = z.coerce.number().int().nonnegative();

/** A line of the export read back (header names as keys), so its figures can be recomputed. */
export const incidentCsvRowSchema = z.object({
  number: z.string(),
  incidentId: z.string(),
  createdAt: z.iso.datetime(),
  resolvedAt: cell.pipe(z.iso.datetime().nullable()),
  closedAt: cell.pipe(z.iso.datetime().nullable()),
  state: z.enum(INCIDENT_STATES),
  priority: z.enum(PRIORITIES),
  serviceId: cell,
  businessUnitId: cell,
  teamId: cell,
  assignee: cell,
  assignments: count,
  reopened: count,
  responseSla: z.enum(CLOCK_STATUSES),
  resolutionSla: z.enum(CLOCK_STATUSES),
  satisfaction: z
    .string()
    .transform((value) => (value === '' ? null : Number(value)))
    .pipe(z.number().int().min(1).max(5).nullable()),
});

// ── The figures ──────────────────────────────────────────────────────────────────────────────

/** A share with what it is made of, so nothing is hidden behind a percentage. */
export interface Ratio {
  numerator: number;
  denominator: number;
  /** Rounded to one decimal; null when there is nothing to divide by. */
  percent: number | null;
}

export function ratio(numerator: number, denominator: number): Ratio {
  return {
    numerator,
    denominator,
    percent: denominator === 0 ? null : Math.round((numerator * 1000) / denominator) / 10,
  };
}

export interface SlaCompliance {
  key: string | null;
  incidents: number;
  /** Met of the clocks that finished (met or breached); running and cancelled ones are left out. */
  response: Ratio;
  resolution: Ratio;
}

export interface IncidentMetrics {
  period: { from: string; to: string; timeZone: string };
  opened: number;
  perDay: { date: string; created: number; resolved: number }[];
  mttrByPriority: { priority: Priority; resolved: number; meanMinutes: number | null }[];
  /** Resolved with at most one assignment and never reopened, of those resolved. */
  firstContactResolution: Ratio;
  /** Reopened at least once, of those resolved at least once. */
  reopenRate: Ratio;
  slaByService: SlaCompliance[];
  slaByBusinessUnit: SlaCompliance[];
  satisfaction: {
    ratings: number;
    average: number | null;
    distribution: [number, number, number, number, number];
  };
}

export const periodSchema = z
  .object({ from: z.iso.date(), to: z.iso.date() })
  .refine((period) => period.from <= period.to, {
    message: 'The period must end after it starts',
    path: ['to'],
  })
  .refine((period) => (Date.parse(period.to) - Date.parse(period.from)) / DAY_MS < 366, {
    message: 'Ask for at most 366 days',
    path: ['to'],
  });
export type Period = z.infer<typeof periodSchema>;

/** The instants a period of whole days in a zone spans, [start, end). */
export function periodBounds(period: Period, timeZone: string): { start: string; end: string } {
  const start = instantOfWall(timeZone, Date.parse(`${period.from}T00:00:00Z`));
  const end = instantOfWall(timeZone, Date.parse(`${period.to}T00:00:00Z`) + DAY_MS);
  return { start: new Date(start).toISOString(), end: new Date(end).toISOString() };
}

/** The period's last `days` days up to `today` (a date in the zone). */
export function lastDays(now: Date, timeZone: string, days: number): Period {
  const today = wallDayOf(timeZone, now.getTime());
  const date = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);
  return { from: date(today - days + 1), to: date(today) };
}

function localDate(iso: string, timeZone: string): string {
  return new Date(wallDayOf(timeZone, Date.parse(iso)) * DAY_MS).toISOString().slice(0, 10);
}

function isResolved(fact: IncidentFact): boolean {
  return fact.resolvedAt !== null;
}

function compliance(facts: readonly IncidentFact[], keyOf: (fact: IncidentFact) => string | null) {
  const groups = new Map<string | null, IncidentFact[]>();
  for (const fact of facts) groups.set(keyOf(fact), [...(groups.get(keyOf(fact)) ?? []), fact]);
  const met = (group: IncidentFact[], clock: 'responseSla' | 'resolutionSla') => {
    const finished = group.filter((fact) => fact[clock] === 'met' || fact[clock] === 'breached');
    return ratio(finished.filter((fact) => fact[clock] === 'met').length, finished.length);
  };
  return [...groups.entries()]
    .map(([key, group]) => ({
      key,
      incidents: group.length,
      response: met(group, 'responseSla'),
      resolution: met(group, 'resolutionSla'),
    }))
    .sort((a, b) => b.incidents - a.incidents || String(a.key).localeCompare(String(b.key)));
}

/** Every figure of the dashboard from the incidents opened in the period. Pure. */
export function computeMetrics(
  facts: readonly IncidentFact[],
  period: Period,
  timeZone: string,
): IncidentMetrics {
  const { start, end } = periodBounds(period, timeZone);
  const opened = facts.filter((fact) => fact.createdAt >= start && fact.createdAt < end);
  const days: string[] = [];
  for (let day = Date.parse(period.from); day <= Date.parse(period.to); day += DAY_MS) {
    days.push(new Date(day).toISOString().slice(0, 10));
  }
  const perDay = new Map(days.map((date) => [date, { date, created: 0, resolved: 0 }]));
  for (const fact of opened) {
    const created = perDay.get(localDate(fact.createdAt, timeZone));
    if (created) created.created += 1;
    const resolved = fact.resolvedAt ? perDay.get(localDate(fact.resolvedAt, timeZone)) : undefined;
    if (resolved) resolved.resolved += 1;
  }
  const resolved = opened.filter(isResolved);
  const mttrByPriority = PRIORITIES.map((priority) => {
    const ofPriority = resolved.filter((fact) => fact.priority === priority);
    const minutes = ofPriority.reduce(
      (sum, fact) =>
        sum + (Date.parse(fact.resolvedAt ?? fact.createdAt) - Date.parse(fact.createdAt)) / 60_000,
      0,
    );
    return {
      priority,
      resolved: ofPriority.length,
      meanMinutes: ofPriority.length === 0 ? null : Math.round(minutes / ofPriority.length),
    };
  });
  const everResolved = opened.filter((fact) => isResolved(fact) || fact.reopened > 0);
  const ratings = opened.flatMap((fact) => (fact.satisfaction === null ? [] : [fact.satisfaction]));
  const distribution: [number, number, number, number, number] = [0, 0, 0, 0, 0];
  for (const rating of ratings) distribution[rating - 1] = (distribution[rating - 1] ?? 0) + 1;
  return {
    period: { ...period, timeZone },
    opened: opened.length,
    perDay: [...perDay.values()],
    mttrByPriority,
    firstContactResolution: ratio(
      resolved.filter((fact) => fact.assignments <= 1 && fact.reopened === 0).length,
      resolved.length,
    ),
    reopenRate: ratio(everResolved.filter((fact) => fact.reopened > 0).length, everResolved.length),
    slaByService: compliance(opened, (fact) => fact.serviceId),
    slaByBusinessUnit: compliance(opened, (fact) => fact.businessUnitId),
    satisfaction: {
      ratings: ratings.length,
      average:
        ratings.length === 0
          ? null
          : Math.round((ratings.reduce((sum, rating) => sum + rating, 0) * 10) / ratings.length) / 10,
      distribution,
    },
  };
}

// ── The open backlog ─────────────────────────────────────────────────────────────────────────

export interface Backlog {
  open: number;
  byPriority: { priority: Priority; count: number }[];
  byTeam: { teamId: string | null; count: number }[];
}

/** Open incidents by priority and by team, from their queue summaries. */
export function backlogOf(open: readonly { priority: Priority; teamId: string | null }[]): Backlog {
  const teams = new Map<string | null, number>();
  for (const incident of open) teams.set(incident.teamId, (teams.get(incident.teamId) ?? 0) + 1);
  return {
    open: open.length,
    byPriority: PRIORITIES.map((priority) => ({
      priority,
      count: open.filter((incident) => incident.priority === priority).length,
    })),
    byTeam: [...teams.entries()]
      .map(([teamId, count]) => ({ teamId, count }))
      .sort((a, b) => b.count - a.count || String(a.teamId).localeCompare(String(b.teamId))),
  };
}

// ── Schemas of the answers (the API's documentation) ─────────────────────────────────────────

const ratioSchema = z.object({
  numerator: z.number().int(),
  denominator: z.number().int(),
  percent: z.number().nullable(),
});
const complianceSchema = z.object({
  key: z.string().nullable(),
  incidents: z.number().int(),
  response: ratioSchema,
  resolution: ratioSchema,
});

export const incidentMetricsSchema = z.object({
  period: z.object({ from: z.iso.date(), to: z.iso.date(), timeZone: z.string() }),
  opened: z.number().int(),
  perDay: z.array(z.object({ date: z.iso.date(), created: z.number().int(), resolved: z.number().int() })),
  mttrByPriority: z.array(
    z.object({
      priority: z.enum(PRIORITIES),
      resolved: z.number().int(),
      meanMinutes: z.number().nullable(),
    }),
  ),
  firstContactResolution: ratioSchema,
  reopenRate: ratioSchema,
  slaByService: z.array(complianceSchema),
  slaByBusinessUnit: z.array(complianceSchema),
  satisfaction: z.object({
    ratings: z.number().int(),
    average: z.number().nullable(),
    distribution: z.tuple([z.number(), z.number(), z.number(), z.number(), z.number()]),
  }),
  backlog: z.object({
    open: z.number().int(),
    byPriority: z.array(z.object({ priority: z.enum(PRIORITIES), count: z.number().int() })),
    byTeam: z.array(z.object({ teamId: z.string().nullable(), count: z.number().int() })),
  }),
});
