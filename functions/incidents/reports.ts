import { getDatabase } from '#shared/data/database.ts';
import { readIncidentsCreatedBetween, readOpenSummaries } from '#shared/data/incident-reports.ts';
import {
  backlogOf,
  computeMetrics,
  factOf,
  type IncidentMetrics,
  incidentCsv,
  lastDays,
  type Period,
  periodBounds,
} from '#shared/domain/incidents/metrics.ts';
import type { TenantContext } from '#shared/platform/tenant-context.ts';

/*
 * The service desk's figures and the CSV of the same incidents. Both read the incidents opened in the
 * period and go through the same rows (`factOf`), so the figures can be recomputed from the file.
 */

/** Reports read a whole period at once: a year at most, so a request stays well inside its time. */
export const DEFAULT_PERIOD_DAYS = 30;

async function timeZoneOf(tenantId: string): Promise<string> {
  const tenant = await getDatabase().entities.tenant.get({ tenantId }).go();
  return tenant.data?.timeZone ?? 'UTC';
}

async function factsIn(ctx: TenantContext, query: Partial<Period>, now: Date) {
  const timeZone = await timeZoneOf(ctx.tenantId);
  const fallback = lastDays(now, timeZone, DEFAULT_PERIOD_DAYS);
  const period = { from: query.from ?? fallback.from, to: query.to ?? fallback.to };
  const { start, end } = periodBounds(period, timeZone);
  const incidents = await readIncidentsCreatedBetween(ctx.tenantId, start, end);
  return { period, timeZone, facts: incidents.map(factOf) };
}

export async function incidentMetrics(
  ctx: TenantContext,
  query: Partial<Period>,
  now: Date,
): Promise<IncidentMetrics & { backlog: ReturnType<typeof backlogOf> }> {
  const [{ period, timeZone, facts }, open] = await Promise.all([
    factsIn(ctx, query, now),
    readOpenSummaries(ctx.tenantId),
  ]);
  return { ...computeMetrics(facts, period, timeZone), backlog: backlogOf(open) };
}

/** The names the CSV shows beside the ids. */
async function names(tenantId: string) {
  const db = getDatabase().entities;
  const [services, units, teams] = await Promise.all([
    db.service.query.byName({ tenantId }).go({ pages: 'all' }),
    db.businessUnit.query.byName({ tenantId }).go({ pages: 'all' }),
    db.team.query.byName({ tenantId }).go({ pages: 'all' }),
  ]);
  return {
    services: new Map(services.data.map((service) => [service.serviceId, service.name])),
    businessUnits: new Map(units.data.map((unit) => [unit.businessUnitId, unit.name])),
    teams: new Map(teams.data.map((team) => [team.teamId, team.name])),
  };
}

export async function exportIncidents(
  ctx: TenantContext,
  query: Partial<Period>,
  now: Date,
): Promise<{ csv: string; period: Period }> {
  const [{ period, facts }, named] = await Promise.all([factsIn(ctx, query, now), names(ctx.tenantId)]);
  return { csv: incidentCsv(facts, named), period };
}
