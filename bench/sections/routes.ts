import { manifest as incidentsManifest } from '#functions/incidents/manifest.ts';
import { manifest as catalogueManifest } from '#functions/service-catalogue/manifest.ts';
import type { ProcessManifest } from '#shared/platform/manifest.ts';
import { API_PREFIX } from '#shared/platform/manifest.ts';
import { type Answer, field, versionOf } from '../lib/api.ts';
import { say } from '../lib/progress.ts';
import { type Latency, latency, median, mode } from '../lib/stats.ts';
import {
  byOperation,
  operationsText,
  ownRequests,
  readUnitsText,
  type Units,
  unitsOf,
  unitsOfInvocations,
} from '../lib/summary.ts';
import { type Measured, measure, type TenantWorld, type World } from '../lib/world.ts';

/*
 * Part 1: every route of the service desk and the catalogue, one call at a time in the small tenant:
 * the DynamoDB requests the route's code makes (by operation and index, and whether any is a Scan),
 * the capacity units of what they read and wrote, the events it puts on the bus, and its latency
 * through the local HTTP API. Routes a manifest has but this file does not know are listed as not
 * measured, so a new route cannot slip past the benchmark unnoticed.
 */

export interface RouteSamples {
  readonly read: number;
  readonly write: number;
  /** Calls of slow background routes (the SLA recomputation walks every open incident). */
  readonly slow: number;
  /** Extra calls in capacity mode (every item touched is read again to size it). */
  readonly capacity: number;
}

interface Call {
  readonly token: string;
  readonly method: string;
  readonly path: string;
  readonly body?: unknown;
  readonly ifMatch?: number;
  readonly status: number;
}

interface Scenario {
  readonly process: ProcessManifest;
  readonly route: string;
  readonly variant?: string;
  readonly pace: 'read' | 'write' | 'slow';
  /** Makes what the call needs (not measured) and says what to call. */
  readonly next: () => Promise<Call>;
}

export interface RouteMeasurement {
  readonly id: string;
  readonly process: string;
  readonly route: string;
  readonly method: string;
  readonly path: string;
  readonly variant: string | null;
  readonly kind: 'read' | 'write';
  readonly samples: number;
  readonly requests: {
    /** The usual count (mode over the samples), without the tenant gate's cached read. */
    readonly perCall: number;
    readonly min: number;
    readonly max: number;
    readonly operations: Record<string, number>;
    readonly scans: number;
    readonly consistentReads: number;
    /** Calls in which the tenant gate read the tenant record (its 5 s cache had expired). */
    readonly gateReads: number;
  };
  readonly units: {
    readonly readUnits: string;
    readonly readHalfUnits: number;
    readonly writeUnits: number;
    readonly indexWriteUnits: number;
    readonly bytesRead: number;
    readonly bytesWritten: number;
  } | null;
  /** Outbox items the route wrote: each becomes one event on the bus. */
  readonly eventsPut: number;
  readonly downstream: {
    readonly invocations: Record<string, number>;
    readonly requests: number;
    readonly readHalfUnits: number;
    readonly writeUnits: number;
    readonly indexWriteUnits: number;
    readonly eventsPut: number;
  } | null;
  readonly latency: Latency;
  /** Duration of the route's function invocation (what Lambda would bill), ms. */
  readonly functionMs: Latency;
  /** What the route's function logged per call (median), bytes. */
  readonly logBytes: number;
  readonly goal: { readonly limit: number; readonly met: boolean };
}

export interface RoutesResult {
  readonly measured: RouteMeasurement[];
  readonly notMeasured: { process: string; route: string; key: string }[];
}

function routeKeyOf(process: ProcessManifest, route: string): { method: string; path: string } {
  const definition = process.routes[route];
  if (!definition) throw new Error(`${process.name} has no route ${route}`);
  return { method: definition.method, path: `${API_PREFIX}${definition.path}` };
}

/** Setup helpers: each makes an incident in the small tenant through the API and returns its version. */
export function incidentMaker(world: World, tenant: TenantWorld) {
  const api = world.api;
  let made = 0;
  const create = async (): Promise<{ id: string; version: number }> => {
    made += 1;
    const answer = await api.expect(tenant.tokens.requester, 'POST', '/api/incidents', {
      body: {
        shortDescription: `Benchmark incident ${made}: the printer on floor 3 jams`,
        description: 'It jams on every second page since this morning; restarting did not help.',
        serviceId: tenant.serviceIds[0] ?? null,
        impact: 'medium',
        urgency: 'medium',
      },
    });
    return { id: field(answer, 'incidentId'), version: versionOf(answer) };
  };
  const step = async (id: string, version: number, method: string, suffix: string, body: unknown) =>
    versionOf(
      await api.expect(tenant.tokens.agent, method, `/api/incidents/${id}${suffix}`, {
        body,
        ifMatch: version,
      }),
    );
  const assigned = async () => {
    const incident = await create();
    const version = await step(incident.id, incident.version, 'PUT', '/assignment', {
      teamId: tenant.teamId,
      assigneeId: tenant.agentId,
    });
    return { id: incident.id, version };
  };
  const resolved = async () => {
    const incident = await assigned();
    const version = await step(incident.id, incident.version, 'POST', '/state', {
      to: 'resolved',
      resolutionCode: 'solved',
      resolutionNotes: 'Replaced the pickup roller; tested with the caller.',
    });
    return { id: incident.id, version };
  };
  return { create, assigned, resolved, step };
}

function scenarios(world: World): Scenario[] {
  const tenant = world.small;
  const { tokens } = tenant;
  const make = incidentMaker(world, tenant);
  const incidents = incidentsManifest as ProcessManifest;
  const catalogue = catalogueManifest as ProcessManifest;
  let recordPage: string | undefined;
  let recomputation: string | undefined;
  let serviceCount = 0;
  const incidentPath = (id: string, suffix = '') => `/api/incidents/${id}${suffix}`;
  const queue = (name: string): Scenario => ({
    process: incidents,
    route: 'listIncidentQueue',
    variant: `queue=${name}`,
    pace: 'read',
    next: async () => ({
      token: tokens.agent,
      method: 'GET',
      path: `/api/incidents/queue?queue=${name}`,
      status: 200,
    }),
  });
  return [
    {
      process: incidents,
      route: 'createIncident',
      pace: 'write',
      next: async () => ({
        token: tokens.requester,
        method: 'POST',
        path: '/api/incidents',
        body: {
          shortDescription: 'Cannot print the monthly report',
          description: 'The print dialog closes without an error message.',
          serviceId: tenant.serviceIds[0] ?? null,
          impact: 'low',
          urgency: 'medium',
        },
        status: 201,
      }),
    },
    {
      process: incidents,
      route: 'listReportedIncidents',
      pace: 'read',
      next: async () => ({ token: tokens.requester, method: 'GET', path: '/api/incidents', status: 200 }),
    },
    queue('all-open'),
    queue('mine'),
    queue('my-teams'),
    queue('unassigned'),
    queue('breaching-soon'),
    {
      process: incidents,
      route: 'getIncident',
      variant: 'agent, after 7 changes',
      pace: 'read',
      next: async () => {
        if (!recordPage) {
          const incident = await make.assigned();
          let version = incident.version;
          for (const [method, suffix, body] of [
            ['POST', '/state', { to: 'in-progress' }],
            ['POST', '/comments', { text: 'Looking into it now.' }],
            ['POST', '/work-notes', { text: 'Roller worn; ordered a spare.' }],
            ['POST', '/state', { to: 'on-hold', reason: 'awaiting-supplier' }],
            ['POST', '/state', { to: 'in-progress' }],
            ['POST', '/comments', { text: 'The spare arrived; fitting it today.' }],
          ] as const) {
            version = await make.step(incident.id, version, method, suffix, body);
          }
          recordPage = incident.id;
        }
        return { token: tokens.agent, method: 'GET', path: incidentPath(recordPage), status: 200 };
      },
    },
    {
      process: incidents,
      route: 'getIncident',
      variant: 'requester (own)',
      pace: 'read',
      next: async () => {
        if (!recordPage) throw new Error('The agent’s record page scenario runs first');
        return { token: tokens.requester, method: 'GET', path: incidentPath(recordPage), status: 200 };
      },
    },
    {
      process: incidents,
      route: 'updateIncident',
      pace: 'write',
      next: async () => {
        const incident = await make.create();
        return {
          token: tokens.agent,
          method: 'PATCH',
          path: incidentPath(incident.id),
          body: { shortDescription: 'Printer on floor 3 jams on duplex pages', impact: 'high' },
          ifMatch: incident.version,
          status: 200,
        };
      },
    },
    {
      process: incidents,
      route: 'assignIncident',
      pace: 'write',
      next: async () => {
        const incident = await make.create();
        return {
          token: tokens.agent,
          method: 'PUT',
          path: incidentPath(incident.id, '/assignment'),
          body: { teamId: tenant.teamId, assigneeId: tenant.agentId },
          ifMatch: incident.version,
          status: 200,
        };
      },
    },
    {
      process: incidents,
      route: 'changeIncidentState',
      variant: 'to in-progress',
      pace: 'write',
      next: async () => {
        const incident = await make.assigned();
        return {
          token: tokens.agent,
          method: 'POST',
          path: incidentPath(incident.id, '/state'),
          body: { to: 'in-progress' },
          ifMatch: incident.version,
          status: 200,
        };
      },
    },
    {
      process: incidents,
      route: 'changeIncidentState',
      variant: 'to resolved',
      pace: 'write',
      next: async () => {
        const incident = await make.assigned();
        return {
          token: tokens.agent,
          method: 'POST',
          path: incidentPath(incident.id, '/state'),
          body: {
            to: 'resolved',
            resolutionCode: 'solved',
            resolutionNotes: 'Cleared the queue and restarted.',
          },
          ifMatch: incident.version,
          status: 200,
        };
      },
    },
    {
      process: incidents,
      route: 'addIncidentComment',
      pace: 'write',
      next: async () => {
        const incident = await make.assigned();
        return {
          token: tokens.agent,
          method: 'POST',
          path: incidentPath(incident.id, '/comments'),
          body: { text: 'Could you send a photo of the error?' },
          ifMatch: incident.version,
          status: 200,
        };
      },
    },
    {
      process: incidents,
      route: 'addIncidentWorkNote',
      pace: 'write',
      next: async () => {
        const incident = await make.assigned();
        return {
          token: tokens.agent,
          method: 'POST',
          path: incidentPath(incident.id, '/work-notes'),
          body: { text: 'Checked the spooler logs: no errors.' },
          ifMatch: incident.version,
          status: 200,
        };
      },
    },
    {
      process: incidents,
      route: 'decideIncidentResolution',
      variant: 'confirm',
      pace: 'write',
      next: async () => {
        const incident = await make.resolved();
        return {
          token: tokens.requester,
          method: 'POST',
          path: incidentPath(incident.id, '/resolution'),
          body: { decision: 'confirm' },
          ifMatch: incident.version,
          status: 200,
        };
      },
    },
    {
      process: incidents,
      route: 'rateIncident',
      pace: 'write',
      next: async () => {
        const incident = await make.resolved();
        return {
          token: tokens.requester,
          method: 'PUT',
          path: incidentPath(incident.id, '/satisfaction'),
          body: { rating: 5, comment: 'Fixed within the hour.' },
          ifMatch: incident.version,
          status: 200,
        };
      },
    },
    {
      process: incidents,
      route: 'bulkAssignIncidents',
      variant: '5 incidents',
      pace: 'write',
      next: async () => {
        const items = [];
        for (let index = 0; index < 5; index += 1) {
          const incident = await make.create();
          items.push({ incidentId: incident.id, ifMatch: incident.version });
        }
        return {
          token: tokens.agent,
          method: 'POST',
          path: '/api/incidents/bulk-assignment',
          body: { teamId: tenant.teamId, assigneeId: tenant.agentId, items },
          status: 200,
        };
      },
    },
    {
      process: incidents,
      route: 'getIncidentMetrics',
      variant: 'last 30 days',
      pace: 'read',
      next: async () => ({ token: tokens.agent, method: 'GET', path: '/api/incidents/metrics', status: 200 }),
    },
    {
      process: incidents,
      route: 'exportIncidents',
      variant: 'last 30 days, CSV',
      pace: 'read',
      next: async () => ({ token: tokens.agent, method: 'GET', path: '/api/incidents/export', status: 200 }),
    },
    {
      process: incidents,
      route: 'listSavedViews',
      pace: 'read',
      next: async () => ({
        token: tokens.agent,
        method: 'GET',
        path: '/api/incidents/saved-views',
        status: 200,
      }),
    },
    {
      process: incidents,
      route: 'putSavedView',
      variant: 'replace one view',
      pace: 'write',
      next: async () => ({
        token: tokens.agent,
        method: 'PUT',
        path: '/api/incidents/saved-views/bench-p1',
        body: { name: 'My P1 incidents', queue: 'mine', priority: 'P1', sort: 'priority' },
        status: 200,
      }),
    },
    {
      process: incidents,
      route: 'deleteSavedView',
      pace: 'write',
      next: async () => {
        await world.api.expect(tokens.agent, 'PUT', '/api/incidents/saved-views/bench-doomed', {
          body: { name: 'Soon gone', queue: 'unassigned' },
        });
        return {
          token: tokens.agent,
          method: 'DELETE',
          path: '/api/incidents/saved-views/bench-doomed',
          status: 204,
        };
      },
    },
    {
      process: incidents,
      route: 'startSlaRecomputation',
      variant: 'background walk of every open incident',
      pace: 'slow',
      next: async () => ({
        token: tokens.admin,
        method: 'POST',
        path: '/api/incidents/sla-recomputations',
        status: 202,
      }),
    },
    {
      process: incidents,
      route: 'getSlaRecomputation',
      pace: 'read',
      next: async () => {
        if (!recomputation) {
          const started = await world.api.expect(tokens.admin, 'POST', '/api/incidents/sla-recomputations');
          recomputation = field(started, 'jobId');
        }
        return {
          token: tokens.admin,
          method: 'GET',
          path: `/api/incidents/sla-recomputations/${recomputation}`,
          status: 200,
        };
      },
    },
    {
      process: catalogue,
      route: 'listServices',
      pace: 'read',
      next: async () => ({ token: tokens.agent, method: 'GET', path: '/api/services', status: 200 }),
    },
    {
      process: catalogue,
      route: 'getService',
      pace: 'read',
      next: async () => ({
        token: tokens.requester,
        method: 'GET',
        path: `/api/services/${tenant.serviceIds[0]}`,
        status: 200,
      }),
    },
    {
      process: catalogue,
      route: 'createService',
      pace: 'write',
      next: async () => {
        serviceCount += 1;
        return {
          token: tokens.admin,
          method: 'POST',
          path: '/api/services',
          body: {
            name: `Benchmark service ${serviceCount}`,
            owner: 'Service Owner',
            description: 'A service the benchmark adds to the catalogue.',
          },
          status: 201,
        };
      },
    },
    {
      process: catalogue,
      route: 'updateService',
      pace: 'write',
      next: async () => {
        serviceCount += 1;
        const created = await world.api.expect(tokens.admin, 'POST', '/api/services', {
          body: { name: `Benchmark service ${serviceCount}`, owner: 'Service Owner' },
        });
        return {
          token: tokens.admin,
          method: 'PATCH',
          path: `/api/services/${field(created, 'serviceId')}`,
          body: { owner: 'Another Owner', status: 'live' },
          ifMatch: versionOf(created),
          status: 200,
        };
      },
    },
  ];
}

async function run(world: World, scenario: Scenario): Promise<{ call: Call; measured: Measured }> {
  world.recorder.label = 'setup';
  const call = await scenario.next();
  const measured = await measure(world, call.token, call.method, call.path, {
    ...(call.body === undefined ? {} : { body: call.body }),
    ...(call.ifMatch === undefined ? {} : { ifMatch: call.ifMatch }),
  });
  if (measured.answer.status !== call.status) {
    throw new Error(
      `${call.method} ${call.path} answered ${measured.answer.status}, expected ${call.status}: ${JSON.stringify(measured.answer.json).slice(0, 300)}`,
    );
  }
  return { call, measured };
}

function downstreamSummary(measured: readonly Measured[]) {
  const last = measured.at(-1);
  if (!last || last.downstream.length === 0) return null;
  const units = unitsOfInvocations(last.downstream);
  const invocations: Record<string, number> = {};
  for (const record of last.downstream) {
    const name = `${record.processName} (${record.name})`;
    invocations[name] = (invocations[name] ?? 0) + 1;
  }
  return {
    invocations,
    requests: last.downstream.reduce((sum, record) => sum + record.requests.length, 0),
    readHalfUnits: units.readHalfUnits,
    writeUnits: units.writeUnits,
    indexWriteUnits: units.indexWriteUnits,
    eventsPut: last.downstream.reduce((sum, record) => sum + record.eventsPut, 0),
  };
}

export async function measureRoutes(world: World, samples: RouteSamples): Promise<RoutesResult> {
  const all = scenarios(world);
  const known = new Set(all.map((scenario) => `${scenario.process.name}.${scenario.route}`));
  const notMeasured = [incidentsManifest, catalogueManifest].flatMap((process) =>
    Object.entries(process.routes)
      .filter(([name]) => !known.has(`${process.name}.${name}`))
      .map(([name, route]) => ({
        process: process.name,
        route: name,
        key: `${route.method} ${API_PREFIX}${route.path}`,
      })),
  );
  const runnable = all.filter((scenario) => scenario.process.routes[scenario.route] !== undefined);
  const measured: RouteMeasurement[] = [];
  for (const [index, scenario] of runnable.entries()) {
    const { method, path } = routeKeyOf(scenario.process, scenario.route);
    const id = `${scenario.process.name}.${scenario.route}${scenario.variant ? ` [${scenario.variant}]` : ''}`;
    const count =
      scenario.pace === 'read' ? samples.read : scenario.pace === 'write' ? samples.write : samples.slow;
    say(
      `routes ${index + 1}/${runnable.length}: ${method} ${path}${scenario.variant ? ` (${scenario.variant})` : ''}, ${count} calls`,
    );
    const timed: Measured[] = [];
    for (let sample = 0; sample < count; sample += 1) timed.push((await run(world, scenario)).measured);
    world.recorder.mode = 'capacity';
    const sized: Measured[] = [];
    try {
      // A slow route's background work is sized once: it walks every open incident each time.
      const capacityCalls = scenario.pace === 'slow' ? Math.min(1, samples.capacity) : samples.capacity;
      for (let sample = 0; sample < capacityCalls; sample += 1)
        sized.push((await run(world, scenario)).measured);
    } finally {
      world.recorder.mode = 'count';
    }
    const everything = [...timed, ...sized];
    const counts = everything.map((entry) => ownRequests(entry.route).length);
    const usual = mode(counts);
    const typical = everything.find((entry) => ownRequests(entry.route).length === usual) ?? everything[0];
    const own = typical ? ownRequests(typical.route) : [];
    const lastSized = sized.at(-1);
    const units: Units | null = lastSized ? unitsOf(ownRequests(lastSized.route)) : null;
    const kind = method === 'GET' ? 'read' : 'write';
    const limit = kind === 'read' ? 3 : 4;
    measured.push({
      id,
      process: scenario.process.name,
      route: scenario.route,
      method,
      path,
      variant: scenario.variant ?? null,
      kind,
      samples: everything.length,
      requests: {
        perCall: usual,
        min: Math.min(...counts),
        max: Math.max(...counts),
        operations: byOperation(own),
        scans: everything.reduce(
          (sum, entry) => sum + entry.route.requests.filter((request) => request.operation === 'Scan').length,
          0,
        ),
        consistentReads: own.filter((request) => request.consistent).length,
        gateReads: everything.filter((entry) => entry.route.requests.some((request) => request.tenantGate))
          .length,
      },
      units: units
        ? {
            readUnits: readUnitsText(units),
            readHalfUnits: units.readHalfUnits,
            writeUnits: units.writeUnits,
            indexWriteUnits: units.indexWriteUnits,
            bytesRead: units.bytesRead,
            bytesWritten: units.bytesWritten,
          }
        : null,
      eventsPut: own.reduce((sum, request) => sum + request.outboxPuts, 0),
      downstream: downstreamSummary(sized),
      latency: latency(timed.map((entry) => entry.answer.ms)),
      functionMs: latency(timed.map((entry) => entry.route.endedAt - entry.route.startedAt)),
      logBytes: median(timed.map((entry) => entry.route.logBytes)),
      goal: {
        limit,
        met:
          Math.max(...counts) <= limit &&
          everything.every((entry) => !entry.route.requests.some((r) => r.operation === 'Scan')),
      },
    });
    const result = measured.at(-1);
    if (result) {
      say(
        `  ${operationsText(result.requests.operations)}; p50 ${result.latency.p50} ms, p95 ${result.latency.p95} ms${result.units ? `; ${result.units.readUnits} RCU, ${result.units.writeUnits}+${result.units.indexWriteUnits} WCU` : ''}`,
      );
    }
    world.recorder.clear();
  }
  return { measured, notMeasured };
}

export type { Answer };
