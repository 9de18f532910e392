import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { decodeJwt } from 'jose';
import { startLocalCloud } from '#infra/local/cloud.ts';
import { tenantContextFromClaims } from '#shared/platform/tenant-context.ts';
import { Api, requesterServices } from './lib/api.ts';
import {
  BulkLoader,
  describeLoad,
  type LoadedTenant,
  type LoadTenant,
  startEmulator,
} from './lib/bulk-load.ts';
import { say } from './lib/progress.ts';

/*
 * The benchmark's data, made in a process of its own (the handlers' clients are created once per
 * process, so the measuring process must start the local cloud only once, on the finished data):
 *
 * 1. the local cloud's demo seed through the API (acme and globex with users, teams, services), plus
 *    filler tenants onboarded by the operator, so the table holds 50 tenants;
 * 2. with the cloud stopped, incidents bulk-loaded into the emulator: a few per filler, the small
 *    size into acme, then the large size into globex, as large as the loading budget allows.
 *
 * Usage (from bench/run.ts): node bench/prepare.ts '<json options>' <result file>
 */

export interface PrepareOptions {
  readonly dataDir: string;
  readonly fillerTenants: number;
  readonly fillerIncidents: number;
  readonly smallIncidents: number;
  /** Tried largest first: the first whose estimated loading time fits the budget is loaded. */
  readonly largeCandidates: readonly number[];
  readonly largeBudgetSeconds: number;
  /** Incidents per tenant made by the use-cases; the rest are copies of them. */
  readonly templates: number;
}

export interface Prepared {
  readonly seedSeconds: number;
  readonly tenantsInTable: number;
  readonly fillers: { readonly tenants: number; readonly incidentsEach: number; readonly items: number };
  readonly small: LoadedTenant;
  readonly large: LoadedTenant;
  readonly largeWanted: number;
  readonly largeChoice: string;
  /** Items written per second over the whole load (templates, copies, fillers). */
  readonly itemsPerSecond: number;
  /** Incidents copied per second into the large tenant, which decided its size. */
  readonly copiesPerSecond: number;
  readonly loadSeconds: number;
  /** Incidents per tenant made by the use-cases; the rest are copies. */
  readonly templates: number;
}

const [optionsText, resultFile] = process.argv.slice(2);
if (!optionsText || !resultFile)
  throw new Error("usage: node bench/prepare.ts '<json options>' <result file>");
const options = JSON.parse(optionsText) as PrepareOptions;

const seedStarted = performance.now();
say('prepare: starting the local cloud with the demo data (acme, globex)');
const cloud = await startLocalCloud({ dataDir: options.dataDir, seedDemo: true, ttlSweepMs: 0 });
cloud.scheduler.stop();
const api = new Api(cloud.url);
const operator = await cloud.login('operator@platform.example');
const fillerIds = Array.from(
  { length: options.fillerTenants },
  (_, index) => `filler-${String(index + 1).padStart(2, '0')}`,
);
for (const [index, tenantId] of fillerIds.entries()) {
  await api.expect(operator, 'POST', '/api/platform/tenants', {
    body: {
      tenantId,
      name: `Filler Company ${index + 1}`,
      plan: 'standard',
      firstAdmin: { email: `admin@${tenantId}.example`, name: `Filler Admin ${index + 1}` },
    },
  });
  if (index % 10 === 9) say(`prepare: onboarded ${index + 1} of ${fillerIds.length} filler tenants`);
}
await cloud.idle();

/** What the loader needs of a demo tenant: its people's contexts (from their real tokens) and ids. */
async function demoTenant(tenantId: string, domain: string, incidents: number): Promise<LoadTenant> {
  const contextOf = async (local: string) =>
    tenantContextFromClaims(decodeJwt(await cloud.login(`${local}@${domain}`)) as Record<string, unknown>);
  const admin = await cloud.login(`admin@${domain}`);
  const teams = (await api.expect(admin, 'GET', '/api/teams?limit=100')).json.items as {
    teamId: string;
    name: string;
  }[];
  const serviceIds = await requesterServices(api, admin, await cloud.login(`requester@${domain}`));

  const desk = teams.find((team) => team.name === 'Service Desk');
  if (!desk) throw new Error(`${tenantId} has no Service Desk team`);
  return {
    tenantId,
    requester: await contextOf('requester'),
    agent: { ctx: await contextOf('agent'), teamId: desk.teamId },
    serviceIds,
    incidents,
  };
}
const acme = await demoTenant('acme', 'acme.example', options.smallIncidents);
const globexBase = await demoTenant('globex', 'globex.example', 0);
await cloud.stop();
const seedSeconds = (performance.now() - seedStarted) / 1000;
say(`prepare: seeded 2 demo tenants and ${fillerIds.length} fillers in ${seedSeconds.toFixed(1)} s`);

const emulator = await startEmulator(join(options.dataDir, 'database', 'dynalite'));
const loader = new BulkLoader(emulator.raw, options.templates);
const loadStarted = performance.now();
let fillerItems = 0;
for (const tenantId of fillerIds) {
  const requester = tenantContextFromClaims({
    sub: `${tenantId}-requester`,
    'custom:tenantId': tenantId,
    'cognito:groups': ['requester'],
    name: 'Filler Requester',
  });
  const loaded = await loader.load({
    tenantId,
    requester,
    serviceIds: [],
    incidents: options.fillerIncidents,
  });
  fillerItems += loaded.items;
}
say(
  `prepare: ${fillerIds.length} fillers × ${options.fillerIncidents} incidents, ${fillerItems.toLocaleString('en-US')} items`,
);
const small = await loader.load(acme, { progress: true });
say(`prepare: ${describeLoad(small)}`);
const wanted = options.largeCandidates[0] ?? 0;
let largeChoice = `${wanted.toLocaleString('en-US')} as asked`;
let copiesPerSecond = 0;
let lastChosen = -1;
const large = await loader.load(
  {
    ...globexBase,
    incidents: wanted,
    resize: (rate, done, elapsed) => {
      copiesPerSecond = rate;
      // The store slows down as it grows (about a fifth over 100,000 incidents here): allow for some.
      const estimate = (size: number) => elapsed + (size - done) / (rate * 0.9);
      const size = options.largeCandidates.find(
        (candidate) => candidate > done && estimate(candidate) <= options.largeBudgetSeconds,
      );
      // Nothing fits: finish the smallest size not yet reached, over the budget but a round size.
      const smallest = options.largeCandidates.filter((candidate) => candidate > done).at(-1);
      const chosen = size ?? smallest ?? done + 1;
      largeChoice =
        chosen === wanted
          ? `${wanted.toLocaleString('en-US')} as asked (about ${estimate(wanted).toFixed(0)} s to load at ${rate.toFixed(0)} incidents/s)`
          : `${chosen.toLocaleString('en-US')} instead of ${wanted.toLocaleString('en-US')}: at ${rate.toFixed(0)} incidents/s, ${wanted.toLocaleString('en-US')} would take about ${estimate(wanted).toFixed(0)} s to load, over the ${options.largeBudgetSeconds} s budget`;
      if (chosen !== lastChosen) say(`prepare: large tenant: ${largeChoice}`);
      lastChosen = chosen;
      return chosen;
    },
  },
  { progress: true },
);
say(`prepare: ${describeLoad(large)}`);
await emulator.stop();

const prepared: Prepared = {
  seedSeconds,
  tenantsInTable: 2 + fillerIds.length,
  fillers: { tenants: fillerIds.length, incidentsEach: options.fillerIncidents, items: fillerItems },
  small,
  large,
  largeWanted: wanted,
  largeChoice,
  itemsPerSecond: (small.items + large.items + fillerItems) / ((performance.now() - loadStarted) / 1000),
  copiesPerSecond,
  loadSeconds: (performance.now() - loadStarted) / 1000,
  templates: options.templates,
};
writeFileSync(resultFile, JSON.stringify(prepared, null, 2));
