import { say } from '../lib/progress.ts';
import { type Latency, latency, mode } from '../lib/stats.ts';
import { byOperation, operationsText, ownRequests, readUnitsText, unitsOf } from '../lib/summary.ts';
import { type Measured, measure, type TenantWorld, type World } from '../lib/world.ts';

/*
 * Part 2: the same pages in the small and the large tenant (50 tenants in the table): latency and
 * requests must not grow with the tenant. Calls alternate between the two tenants, so drift of the
 * machine (other work, the store's compactions) falls on both alike.
 */

export interface ScaleSide {
  readonly tenantId: string;
  readonly incidents: number;
  readonly latency: Latency;
  readonly requests: number;
  readonly operations: string;
  readonly readUnits: string;
  readonly writeUnits: number;
}

export interface ScaleRow {
  readonly page: string;
  readonly small: ScaleSide;
  readonly large: ScaleSide;
  /** large / small of the p50 latency (the goal) and of the p95. */
  readonly latencyRatio: number;
  readonly latencyRatioP95: number;
  readonly requestRatio: number;
  readonly goalMet: boolean;
}

interface Page {
  readonly name: string;
  readonly write: boolean;
  readonly call: (
    tenant: TenantWorld,
    target: string,
  ) => { token: string; method: string; path: string; body?: unknown };
}

const PAGES: readonly Page[] = [
  {
    name: 'queue page, all open (GET /incidents/queue)',
    write: false,
    call: (tenant) => ({
      token: tenant.tokens.agent,
      method: 'GET',
      path: '/api/incidents/queue?queue=all-open',
    }),
  },
  {
    name: 'queue page, mine (GET /incidents/queue?queue=mine)',
    write: false,
    call: (tenant) => ({
      token: tenant.tokens.agent,
      method: 'GET',
      path: '/api/incidents/queue?queue=mine',
    }),
  },
  {
    name: 'record page (GET /incidents/{id})',
    write: false,
    call: (tenant, target) => ({
      token: tenant.tokens.agent,
      method: 'GET',
      path: `/api/incidents/${target}`,
    }),
  },
  {
    name: 'create (POST /incidents)',
    write: true,
    call: (tenant) => ({
      token: tenant.tokens.requester,
      method: 'POST',
      path: '/api/incidents',
      body: { shortDescription: 'Scale probe: the scanner shows an error', impact: 'low', urgency: 'low' },
    }),
  },
];

function side(
  tenant: TenantWorld,
  incidents: number,
  samples: readonly Measured[],
  sized: Measured,
): ScaleSide {
  const counts = samples.map((entry) => ownRequests(entry.route).length);
  const units = unitsOf(ownRequests(sized.route));
  return {
    tenantId: tenant.tenantId,
    incidents,
    latency: latency(samples.map((entry) => entry.answer.ms)),
    requests: mode(counts),
    operations: operationsText(byOperation(ownRequests(sized.route))),
    readUnits: readUnitsText(units),
    writeUnits: units.writeUnits + units.indexWriteUnits,
  };
}

/** An assigned bulk incident of the tenant's agent: same age and timeline in both tenants. */
async function recordTarget(world: World, tenant: TenantWorld): Promise<string> {
  const page = await world.api.expect(tenant.tokens.agent, 'GET', '/api/incidents/queue?queue=mine&limit=1');
  const first = (page.json.items as { incidentId: string }[] | undefined)?.[0];
  if (!first) throw new Error(`${tenant.tenantId}'s agent has no incident`);
  return first.incidentId;
}

export async function measureScale(
  world: World,
  sizes: { small: number; large: number },
  samples: number,
): Promise<ScaleRow[]> {
  const targets = new Map([
    [world.small.tenantId, await recordTarget(world, world.small)],
    [world.large.tenantId, await recordTarget(world, world.large)],
  ]);
  const rows: ScaleRow[] = [];
  for (const page of PAGES) {
    const count = page.write ? Math.max(5, Math.round(samples / 5)) : samples;
    say(`scale: ${page.name}, ${count} calls in each tenant`);
    const timed = new Map<string, Measured[]>([
      [world.small.tenantId, []],
      [world.large.tenantId, []],
    ]);
    const sized = new Map<string, Measured>();
    const once = async (tenant: TenantWorld) => {
      const call = page.call(tenant, targets.get(tenant.tenantId) ?? '');
      const measured = await measure(
        world,
        call.token,
        call.method,
        call.path,
        call.body === undefined ? {} : { body: call.body },
      );
      if (measured.answer.status >= 300) {
        throw new Error(
          `${call.method} ${call.path} answered ${measured.answer.status} in ${tenant.tenantId}`,
        );
      }
      return measured;
    };
    // Warm-up: the first call of each tenant pays for the tenant gate and cold caches.
    await once(world.small);
    await once(world.large);
    for (let sample = 0; sample < count; sample += 1) {
      for (const tenant of sample % 2 === 0 ? [world.small, world.large] : [world.large, world.small]) {
        timed.get(tenant.tenantId)?.push(await once(tenant));
      }
    }
    world.recorder.mode = 'capacity';
    try {
      for (const tenant of [world.small, world.large]) sized.set(tenant.tenantId, await once(tenant));
    } finally {
      world.recorder.mode = 'count';
    }
    const small = side(
      world.small,
      sizes.small,
      timed.get(world.small.tenantId) ?? [],
      sized.get(world.small.tenantId) as Measured,
    );
    const large = side(
      world.large,
      sizes.large,
      timed.get(world.large.tenantId) ?? [],
      sized.get(world.large.tenantId) as Measured,
    );
    const latencyRatio = Math.round((large.latency.p50 / small.latency.p50) * 100) / 100;
    const requestRatio = large.requests / small.requests;
    rows.push({
      page: page.name,
      small,
      large,
      latencyRatio,
      latencyRatioP95: Math.round((large.latency.p95 / small.latency.p95) * 100) / 100,
      requestRatio,
      goalMet: latencyRatio <= 1.3 && requestRatio === 1,
    });
    say(
      `  p50 ${small.latency.p50} → ${large.latency.p50} ms (×${latencyRatio}), requests ${small.requests} → ${large.requests}`,
    );
    world.recorder.clear();
  }
  return rows;
}
