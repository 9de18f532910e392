import type { RouteSamples } from './sections/routes.ts';

/** How much each part of the benchmark does; `--quick` trades precision for a run under a minute. */
export interface BenchConfig {
  readonly mode: 'full' | 'quick';
  /** Tenants besides acme and globex (48 in a full run, so the table holds 50). */
  readonly fillerTenants: number;
  readonly fillerIncidents: number;
  /** Incidents in acme, the small tenant. */
  readonly smallIncidents: number;
  /** Incidents wanted in globex, the large tenant, largest first; smaller ones when loading is too slow. */
  readonly largeCandidates: readonly number[];
  /** Seconds the large tenant may take to load before a smaller size is chosen. */
  readonly largeBudgetSeconds: number;
  readonly routeSamples: RouteSamples;
  /** Calls per route and tenant in the scale comparison (creates: a fifth, at least 5). */
  readonly scaleSamples: number;
  /** Writes whose consumers' effects are timed. */
  readonly eventSamples: number;
  /** Full incident lifecycles measured for the cost model (a quarter of them sized, at least 1). */
  readonly lifecycles: number;
  /** Fresh `node` processes per bundle for the import time. */
  readonly importRuns: number;
  /** Bundle and time every process, or only the largest one (incidents) and the empty floor. */
  readonly everyBundle: boolean;
  /** Incidents per tenant made by the use-cases when loading; the rest are copies of them. */
  readonly templates: number;
  /** Build the web app when stale (quick mode measures it only when a build is already there). */
  readonly buildWeb: boolean;
}

export const FULL: BenchConfig = {
  mode: 'full',
  fillerTenants: 48,
  fillerIncidents: 20,
  smallIncidents: 1_000,
  largeCandidates: [100_000, 50_000, 20_000, 10_000],
  largeBudgetSeconds: 280,
  routeSamples: { read: 60, write: 20, slow: 1, capacity: 2 },
  scaleSamples: 100,
  eventSamples: 40,
  lifecycles: 8,
  importRuns: 5,
  everyBundle: true,
  templates: 400,
  buildWeb: true,
};

export const QUICK: BenchConfig = {
  mode: 'quick',
  fillerTenants: 8,
  fillerIncidents: 2,
  smallIncidents: 200,
  largeCandidates: [2_000],
  largeBudgetSeconds: 30,
  routeSamples: { read: 4, write: 2, slow: 1, capacity: 1 },
  scaleSamples: 10,
  eventSamples: 5,
  lifecycles: 1,
  importRuns: 1,
  everyBundle: false,
  templates: 100,
  buildWeb: false,
};
