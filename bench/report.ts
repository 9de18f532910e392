import { halfUnitsText } from './lib/capacity.ts';
import { parseUsd } from './lib/money.ts';
import { operationsText } from './lib/summary.ts';
import type { Prepared } from './prepare.ts';
import type { BundlesResult, Variant } from './sections/bundles.ts';
import { type CostResult, MODEL, TENANT_MONTH } from './sections/cost.ts';
import type { EventPath } from './sections/events.ts';
import type { LifecycleResult } from './sections/lifecycle.ts';
import type { RoutesResult } from './sections/routes.ts';
import type { ScaleRow } from './sections/scale.ts';

/*
 * docs/performance.md, written from the results of one run. Every goal is stated with what was
 * measured and whether it was met, by how much; a miss says what would close it.
 */

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly os: string;
}

export interface WebPageSummary {
  readonly path: string;
  readonly who: string;
  readonly scripts: number;
  readonly jsBytes: number;
  readonly jsGzipBytes: number;
  readonly stylesheets: number;
  readonly cssBytes: number;
  readonly cssGzipBytes: number;
  readonly htmlBytes: number;
  readonly requests: number;
  readonly apiCalls: string[];
  readonly lcpMs: number | null;
  readonly domContentLoadedMs: number | null;
}

export interface BenchResults {
  readonly run: {
    readonly mode: 'full' | 'quick';
    readonly command: string;
    readonly startedAt: string;
    readonly seconds: number;
    readonly machine: Machine;
  };
  readonly data: Prepared;
  readonly routes: RoutesResult;
  readonly scale: ScaleRow[];
  readonly events: EventPath[];
  readonly lifecycle: LifecycleResult;
  readonly bundles: BundlesResult;
  readonly web: { readonly pages: WebPageSummary[]; readonly skipped?: string };
  readonly cost: CostResult;
}

const n = (value: number) => value.toLocaleString('en-US');
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const ms = (value: number) => `${value.toLocaleString('en-US', { maximumFractionDigits: 1 })} ms`;
const verdict = (met: boolean) => (met ? '**met**' : '**not met**');
const formatMicro = (micro: number) => `$${(micro / 1_000_000).toFixed(6)}`;
const LIMIT_KB = 400;
const COLD_START_FACTOR = 3;

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell) => cell.replaceAll('|', '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function routeRows(results: BenchResults) {
  return results.routes.measured;
}

function bundleRows(bundles: BundlesResult, variant: Variant) {
  return bundles.rows.filter((row) => row.variant === variant);
}

interface GoalLine {
  readonly part: string;
  readonly goal: string;
  readonly measured: string;
  readonly met: boolean;
  readonly margin: string;
  /** What would close a miss (shown only for misses). */
  readonly remedy?: string;
}

/** How many write request units the lifecycle goal pays for, at the write price (integer arithmetic). */
function writeUnitsWithin(cost: CostResult): string {
  const price = cost.prices.prices.dynamodbWriteRequestUnit;
  if (!price) return '?';
  const goalPicoPerLifecycle = 50n * 1_000_000n;
  const picoPerUnit = parseUsd(price.usd) / BigInt(price.per);
  return n(Number(goalPicoPerLifecycle / picoPerUnit));
}

/** What would bring a route's request count within its goal, from what it does. */
function remedyForRequests(route: BenchResults['routes']['measured'][number]): string {
  if (route.route === 'bulkAssignIncidents') {
    return 'bulk assignment reads and writes each incident on its own (1 + 2n requests, each item with its own If-Match result); reading all items in the first BatchGetItem would make it 1 + n, and n ≤ 4 items only fits the goal if the items were written in one transaction, which would turn one stale item into a failure of all';
  }
  const pages = Object.entries(route.requests.operations).filter(
    ([operation, count]) => operation.startsWith('Query') && count > 1,
  );
  if (pages.length > 0) {
    return `${route.id} makes ${pages.map(([operation, count]) => `${count} ${operation} requests`).join(' and ')}: where they are pages of a period's incidents their number grows with the tenant, and running totals (an item per day, kept up to date by each incident write) or an answer a page at a time would bound it; where they are lists the answer names (users, teams, services), one BatchGetItem of the named records would replace them`;
  }
  return `${route.id}: fold its reads into one BatchGetItem`;
}

function goals(results: BenchResults): GoalLine[] {
  const routes = routeRows(results);
  const lines: GoalLine[] = [];
  const scans = routes.reduce((sum, route) => sum + route.requests.scans, 0);
  const calls = routes.reduce((sum, route) => sum + route.samples, 0);
  lines.push({
    part: '1',
    goal: 'no Scan',
    measured: `${n(scans)} Scans in ${n(calls)} measured calls`,
    met: scans === 0,
    margin: scans === 0 ? '–' : `${scans} Scans`,
    remedy: 'replace the Scan with a Query on a key or index that names the tenant',
  });
  for (const kind of ['read', 'write'] as const) {
    const limit = kind === 'read' ? 3 : 4;
    const ofKind = routes.filter((route) => route.kind === kind);
    const worst = [...ofKind].sort((a, b) => b.requests.max - a.requests.max)[0];
    const over = ofKind.filter((route) => route.requests.max > limit);
    lines.push({
      part: '1',
      goal: `≤ ${limit} requests per ${kind}`,
      measured: worst ? `at most ${worst.requests.max} (${worst.id})` : 'no routes',
      met: over.length === 0,
      margin:
        over.length === 0
          ? `${limit - (worst?.requests.max ?? 0)} to spare`
          : over
              .map((route) => `${route.id}: ${route.requests.max} (+${route.requests.max - limit})`)
              .join('; '),
      remedy: over.map(remedyForRequests).join('; '),
    });
  }
  const worstLatency = [...results.scale].sort((a, b) => b.latencyRatio - a.latencyRatio)[0];
  const latencyMisses = results.scale.filter((row) => row.latencyRatio > 1.3);
  lines.push({
    part: '2',
    goal: 'latency large / small ≤ 1.3 (p50)',
    measured: worstLatency ? `worst ×${worstLatency.latencyRatio} (${worstLatency.page})` : '–',
    met: latencyMisses.length === 0,
    margin: worstLatency
      ? `${(1.3 - worstLatency.latencyRatio).toFixed(2)} ${latencyMisses.length === 0 ? 'to spare' : 'over'}`
      : '–',
    remedy:
      'the requests stay the same (see the request ratio), so the growth is the emulator’s: dynalite keeps indexes in LevelDB and its range reads slow down as the store grows; DynamoDB reads a key range in constant time. Confirm in AWS before changing the design',
  });
  const requestMisses = results.scale.filter((row) => row.requestRatio !== 1);
  lines.push({
    part: '2',
    goal: 'requests large / small = 1',
    measured:
      requestMisses.length === 0
        ? '1 on every page'
        : requestMisses.map((row) => `${row.page}: ×${row.requestRatio}`).join('; '),
    met: requestMisses.length === 0,
    margin: '–',
    remedy:
      'a page whose request count grows with the tenant reads more than one page of an index; give it a key that holds only what the page shows',
  });
  for (const path of results.events) {
    lines.push({
      part: '3',
      goal: 'event p95 ≤ 1 s',
      measured: `${path.name}: p95 ${ms(path.latency.p95)}`,
      met: path.goalMet,
      margin: path.goalMet
        ? `${ms(1000 - path.latency.p95)} to spare`
        : `${ms(path.latency.p95 - 1000)} over`,
      remedy:
        'look at the outbox batch (25 records) and the bus’s delivery; in AWS the stream adds its own polling delay',
    });
  }
  const configured = bundleRows(results.bundles, results.bundles.configuredVariant);
  const largest = Math.max(...configured.map((row) => row.bytes));
  const smallest = Math.min(...configured.map((row) => row.bytes));
  const external = bundleRows(results.bundles, 'sdk-external');
  const externalMax = Math.max(...external.map((row) => row.bytes));
  const what = bundleRows(results.bundles, 'sdk-external+zod-namespace');
  const whatMax = Math.max(...what.map((row) => row.bytes));
  lines.push({
    part: '4',
    goal: `bundles ≤ ${LIMIT_KB} KB minified`,
    measured: `${kb(smallest)}–${kb(largest)} as deployed (${results.bundles.configuredVariant})`,
    met: largest <= LIMIT_KB * 1024,
    margin:
      largest <= LIMIT_KB * 1024
        ? `${kb(LIMIT_KB * 1024 - largest)} to spare`
        : `up to ${kb(largest - LIMIT_KB * 1024)} over`,
    remedy: `leaving the AWS SDK to the runtime brings the largest to ${kb(externalMax)}; what remains is mostly zod (its locales, 258 KB, come along because \`import { z } from 'zod'\` imports zod's whole namespace object) and ElectroDB (~190 KB). With the SDK external and \`import * as z from 'zod'\` the largest is ${kb(whatMax)}${whatMax <= LIMIT_KB * 1024 ? ', under the goal' : ', still over: zod/mini or keeping the JSON-schema code out of the handlers would be next'}`,
  });
  const floor = results.bundles.empty.processMs;
  const slowest = Math.max(...configured.map((row) => row.processMs ?? 0));
  lines.push({
    part: '4',
    goal: `cold-start proxy ≤ ${COLD_START_FACTOR}× an empty bundle`,
    measured: `slowest ${ms(slowest)} vs ${ms(floor)} empty (×${(slowest / floor).toFixed(2)})`,
    met: slowest <= COLD_START_FACTOR * floor,
    margin:
      slowest <= COLD_START_FACTOR * floor
        ? `${ms(COLD_START_FACTOR * floor - slowest)} to spare`
        : `${ms(slowest - COLD_START_FACTOR * floor)} over`,
    remedy: `a bundle's import is mostly V8 compiling the module and the garbage collection of building the zod and ElectroDB schemas at load (a CPU profile of the incidents bundle's import, taken while writing the benchmark, put compiling the 1.2 MB module at about a quarter of it); ${sourceMapCost(results.bundles)}. Leaving the SDK external alone does not help here (the runtime's SDK is then loaded unbundled: ${externalSpeed(results.bundles)}); smaller bundles (the zod import above), lazy imports of what only some routes need, and source maps only when debugging would`,
  });
  for (const page of results.web.pages) {
    lines.push({
      part: '5',
      goal: `${page.path}: JS ≤ 150 KB gzipped`,
      measured: kb(page.jsGzipBytes),
      met: page.jsGzipBytes <= 150 * 1024,
      margin:
        page.jsGzipBytes <= 150 * 1024
          ? `${kb(150 * 1024 - page.jsGzipBytes)} to spare`
          : `${kb(page.jsGzipBytes - 150 * 1024)} over`,
      remedy: 'split the route’s chunks so the first load fetches only what the page shows',
    });
    lines.push({
      part: '5',
      goal: `${page.path}: LCP ≤ 1.5 s`,
      measured: page.lcpMs === null ? 'not reported' : ms(page.lcpMs),
      met: page.lcpMs !== null && page.lcpMs <= 1500,
      margin:
        page.lcpMs === null
          ? '–'
          : page.lcpMs <= 1500
            ? `${ms(1500 - page.lcpMs)} to spare`
            : `${ms(page.lcpMs - 1500)} over`,
      remedy: 'render the page’s frame before its data arrives; fewer API calls before the first paint',
    });
  }
  const cost = results.cost;
  const thousand = cost.perThousandLifecycles;
  const thousandMicro = Number(thousand.totalMicroUsd);
  const sesMicro = Number(thousand.lines.find((line) => line.item === 'SES mails')?.microUsd ?? '0');
  const goalMicro = 50_000;
  const shares = [...thousand.lines]
    .sort((a, b) => Number(b.microUsd) - Number(a.microUsd))
    .slice(0, 3)
    .map(
      (line) =>
        `${line.item} ${line.usd} (${Math.round((Number(line.microUsd) / Math.max(1, thousandMicro)) * 100)} %)`,
    )
    .join(', ');
  lines.push({
    part: '6',
    goal: `≤ ${thousand.goalUsd} per 1,000 lifecycles`,
    measured: thousand.totalUsd,
    met: thousand.goalMet,
    margin: thousand.goalMet
      ? `${formatMicro(goalMicro - thousandMicro)} to spare`
      : `${formatMicro(thousandMicro - goalMicro)} over (×${(thousandMicro / goalMicro).toFixed(1)} the goal)`,
    remedy: `the largest lines are ${shares}. The goal leaves ${formatMicro(goalMicro / 1000)} per lifecycle: that is half a mail (SES: $0.10 per 1,000), or ${writeUnitsWithin(cost)} write units with nothing else, where a lifecycle writes ${cost.perLifecycle.writeUnits} and sends ${cost.perLifecycle.mails} mails. Without any mail it would cost ${formatMicro(thousandMicro - sesMicro)} per 1,000 lifecycles, still ×${((thousandMicro - sesMicro) / goalMicro).toFixed(1)} the goal. Fewer mails (a digest, or mail off by default for comments) and fewer write units narrow the gap: each incident write puts the record (~2.6 KB), two queue entries (~1.4 KB, each carrying the summary), a timeline entry, the due moment and the outbox item in one transaction, which counts every item twice, and the global indexes (projection ALL) copy the record and both queue entries again, so queue entries under 1 KB and a narrower projection for lists that show no summary would save perhaps a third. Closing it would take a design without a transaction of ~40 write units per step; the goal itself is worth re-deciding against the measured ${thousand.totalUsd}`,
  });
  lines.push({
    part: '6',
    goal: `≤ ${cost.tenantMonth.goalUsd} per tenant-month`,
    measured: `${cost.tenantMonth.totalUsd} without Cognito; ${cost.tenantMonth.totalWithCognitoUsd} with ${n(cost.tenantMonth.cognito.mau)} MAU at the Essentials price`,
    met: cost.tenantMonth.goalMet && cost.tenantMonth.goalMetWithCognito,
    margin: cost.tenantMonth.goalMetWithCognito
      ? 'met either way'
      : cost.tenantMonth.goalMet
        ? `met without Cognito; the MAU charge (${cost.tenantMonth.cognito.essentialsUsd}) alone is over the goal once the account is past Cognito’s 10,000 free MAU`
        : 'over even without Cognito',
    remedy: `Cognito is the cost: ${cost.tenantMonth.cognito.essentialsUsd} a month at the Essentials plan the pool uses, ${cost.tenantMonth.cognito.liteUsd} at Lite. Within the account's 10,000 free MAU (about ${Math.floor(10_000 / cost.tenantMonth.cognito.mau)} such tenants) it costs nothing; beyond, the Lite plan (if the features used allow it) or a plan priced per agent would close it`,
  });
  return lines;
}

function sourceMapCost(bundles: BundlesResult): string {
  const without = bundles.withoutSourceMaps;
  const withMaps = bundles.rows.find(
    (row) => row.variant === 'sdk-bundled' && row.process === 'incidents',
  )?.processMs;
  if (!without || !withMaps) return '`--enable-source-maps` was not measured';
  return `\`--enable-source-maps\` (set on every function) adds ${ms(Math.round((withMaps - without.processMs) * 10) / 10)} to the incidents bundle (${ms(without.processMs)} without it)`;
}

function externalSpeed(bundles: BundlesResult): string {
  const median = (variant: Variant) => {
    const times = bundleRows(bundles, variant)
      .map((row) => row.processMs)
      .filter((value): value is number => value !== null)
      .sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)] ?? 0;
  };
  return `median ${ms(median('sdk-external'))} against ${ms(median('sdk-bundled'))} bundled`;
}

function summary(results: BenchResults): string {
  const lines = goals(results);
  const misses = lines.filter((line) => !line.met);
  return [
    table(
      ['Part', 'Goal', 'Measured', 'Result', 'Margin'],
      lines.map((line) => [line.part, line.goal, line.measured, verdict(line.met), line.margin]),
    ),
    '',
    misses.length === 0
      ? 'Every goal is met.'
      : [
          '**What would close the misses**',
          '',
          ...misses.map((line) => `- Part ${line.part}, ${line.goal}: ${line.remedy ?? ''}.`),
        ].join('\n'),
  ].join('\n');
}

function sampleText(routes: readonly { samples: number }[]): string {
  const counts = routes.map((route) => route.samples);
  const low = Math.min(...counts);
  const high = Math.max(...counts);
  return low === high ? n(low) : `${n(low)}–${n(high)}`;
}

function routesSection(results: BenchResults): string {
  const rows = routeRows(results).map((route) => [
    `\`${route.method} ${route.path}\`${route.variant ? ` (${route.variant})` : ''}`,
    `${route.requests.perCall}${route.requests.min !== route.requests.max ? ` (${route.requests.min}–${route.requests.max})` : ''}: ${operationsText(route.requests.operations)}`,
    route.units ? route.units.readUnits : '–',
    route.units ? `${route.units.writeUnits} + ${route.units.indexWriteUnits}` : '–',
    String(route.eventsPut),
    `${route.latency.p50} / ${route.latency.p95} / ${route.latency.p99}`,
    `${verdict(route.goal.met)} (≤ ${route.goal.limit})`,
  ]);
  const downstream = routeRows(results)
    .filter((route) => route.downstream)
    .map((route) => {
      const down = route.downstream;
      if (!down) return [];
      return [
        route.id,
        Object.entries(down.invocations)
          .map(([name, count]) => (count === 1 ? name : `${count}× ${name}`))
          .join(', '),
        String(down.requests),
        halfUnitsText(down.readHalfUnits),
        `${down.writeUnits} + ${down.indexWriteUnits}`,
        String(down.eventsPut),
      ];
    });
  const notMeasured = results.routes.notMeasured;
  return [
    `Each read route is called ${sampleText(routeRows(results).filter((route) => route.kind === 'read'))} times and each write ${sampleText(routeRows(results).filter((route) => route.kind === 'write'))} (the last of them in capacity mode, which reads every item touched again to size it, so those are left out of the latency), as the role a person would use, in acme (the small tenant), one call at a time with nothing else running. **Requests** are the DynamoDB requests the route's code made, by operation and index (the tenant gate's read of the tenant record, cached 5 s per container, is left out: it was seen in ${n(routeRows(results).reduce((sum, route) => sum + route.requests.gateReads, 0))} of ${n(routeRows(results).reduce((sum, route) => sum + route.samples, 0))} calls and costs 0.5 RCU when it happens). **RCU** and **WCU** are computed from the items actually read and written (below); WCU is table + global indexes. **Events** are the outbox items the route wrote, each one event on the bus. **Latency** is p50 / p95 / p99 in ms through the local HTTP API, measured by the client (with fewer than 100 calls p99 is the slowest call).`,
    '',
    table(['Route', 'Requests', 'RCU', 'WCU', 'Events', 'Latency ms', 'Goal'], rows),
    '',
    notMeasured.length === 0
      ? 'Every route of both manifests was measured.'
      : `Not measured (the benchmark has no scenario for them yet; add one in bench/sections/routes.ts): ${notMeasured.map((route) => `\`${route.key}\``).join(', ')}.`,
    '',
    '**What each write sets off** (one sized call: the outbox batch, the consumers, and what they do):',
    '',
    table(['Route', 'Invocations', 'Requests', 'RCU', 'WCU', 'Events'], downstream),
    '',
    '**How the units are computed.** The emulator cannot report consumed capacity: the handlers never ask for it, dynalite counts only its own operations and no index writes, and the local proxy answers transactions itself. So the benchmark sizes every item a request touched (DynamoDB item size: UTF-8 attribute names plus values; numbers 1 byte per 2 significant digits + 1; lists and maps 3 bytes + 1 per element) by reading it again, whole, through a client without the recorder: before a write for its old image, after it for the new one, and for a Query the same page without filter or projection. Then: GetItem and each BatchGetItem item 1 RCU per 4 KB (half when eventually consistent), at least one unit even when the item is missing; a Query page sums its items before rounding up to 4 KB; every written item 1 WCU per KB of the larger of its old and new image, twice in a transaction (condition checks included); plus, per global index the item is in (projection ALL), 1 WCU per KB for a put, a delete, or both when its index key changed (assumed not doubled for transactions).',
  ].join('\n');
}

function scaleSection(results: BenchResults): string {
  const { data } = results;
  const rows = results.scale.map((row) => [
    row.page,
    `${row.small.latency.p50} / ${row.small.latency.p95}`,
    `${row.large.latency.p50} / ${row.large.latency.p95}`,
    `×${row.latencyRatio} (p95 ×${row.latencyRatioP95})`,
    `${row.small.requests} → ${row.large.requests} (${row.large.operations})`,
    `${row.small.readUnits} / ${row.large.readUnits}`,
    verdict(row.goalMet),
  ]);
  return [
    `acme holds ${n(results.scale[0]?.small.incidents ?? data.small.incidents)} incidents (${n(data.small.incidents)} bulk-loaded, the rest made by the other parts), globex ${n(results.scale[0]?.large.incidents ?? data.large.incidents)} (${n(data.large.incidents)} bulk-loaded), every fourth assigned to the tenant's agent, all open; the table holds ${n(data.tenantsInTable)} tenants (${n(data.fillers.tenants)} fillers with ${n(data.fillers.incidentsEach)} incidents each). Large size: ${data.largeChoice}.`,
    '',
    table(
      [
        'Page',
        'small p50 / p95 ms',
        'large p50 / p95 ms',
        'latency ratio',
        'requests',
        'RCU small / large',
        'Goal',
      ],
      rows,
    ),
    '',
    `**Loading.** ${n(Math.round(data.itemsPerSecond))} items/s overall (the large tenant copied at ${n(Math.round(data.copiesPerSecond))} incidents/s), ${data.loadSeconds.toFixed(0)} s in all, straight into dynalite in its own process (the local cloud stopped; its proxy, which reads every item before and after a write for the change feed, manages about 1,000 items/s). The items are the incident store's own: the real use-cases (createIncident, assignIncident) ran against a capturing client for the first ${n(data.templates)} incidents of each tenant, and the rest are copies of those with their own ids and numbers, moved back by whole weeks (weekday and time of day, so the business-hours due times, stay as computed; daylight-saving changes are not recomputed). Outbox items were left out (history, not news).`,
  ].join('\n');
}

function eventsSection(results: BenchResults): string {
  return [
    'From the moment the route’s transaction (state change + outbox item) committed to the moment the consumer’s own write committed: table change feed → outbox function (batches of up to 25) → PutEvents → local bus → the consumer’s function. One write at a time.',
    '',
    table(
      ['Path', 'n', 'p50', 'p95', 'max', 'Goal (p95 ≤ 1 s)'],
      results.events.map((path) => [
        path.name,
        n(path.latency.n),
        ms(path.latency.p50),
        ms(path.latency.p95),
        ms(path.latency.max),
        verdict(path.goalMet),
      ]),
    ),
    '',
    'In AWS the DynamoDB stream adds its own delay (Lambda polls each shard about four times a second), so expect a few hundred milliseconds more there.',
  ].join('\n');
}

function bundlesSection(results: BenchResults): string {
  const { bundles } = results;
  const byProcess = new Map<string, Partial<Record<Variant, (typeof bundles.rows)[number]>>>();
  for (const row of bundles.rows)
    byProcess.set(row.process, { ...byProcess.get(row.process), [row.variant]: row });
  const floor = bundles.empty.processMs;
  const rows = [...byProcess].map(([name, variants]) => {
    const bundled = variants['sdk-bundled'];
    const external = variants['sdk-external'];
    const what = variants['sdk-external+zod-namespace'];
    return [
      name,
      bundled ? `${kb(bundled.bytes)} / ${kb(bundled.gzipBytes)}` : '–',
      bundled?.processMs
        ? `${ms(bundled.processMs)} (×${(bundled.processMs / floor).toFixed(2)}), import ${ms(bundled.importMs ?? 0)}`
        : '–',
      external ? `${kb(external.bytes)} / ${kb(external.gzipBytes)}` : '–',
      external?.processMs
        ? `${ms(external.processMs)} (×${(external.processMs / floor).toFixed(2)}), import ${ms(external.importMs ?? 0)}`
        : '–',
      what ? `${kb(what.bytes)} / ${kb(what.gzipBytes)}` : '–',
    ];
  });
  return [
    `Each process's handler bundled as \`NodejsFunction\` does it (esbuild, ESM, node24, minified, source map, the require banner) into a temporary folder. Sizes are minified / gzipped (level 9). The cold-start proxy is the median wall time of a fresh \`node --enable-source-maps\` (as the functions run) starting, importing the bundle and exiting, over ${n(bundles.runs)} runs, next to an empty bundle built the same way: ${ms(bundles.empty.processMs)} (import ${ms(bundles.empty.importMs)}). infra/aws passes \`externalModules: ${bundles.configuredExternals}\`, so the deployed bundles are the **${bundles.configuredVariant}** column.`,
    '',
    table(
      [
        'Process',
        'SDK bundled: min / gz',
        'SDK bundled: cold start',
        'SDK external: min / gz',
        'SDK external: cold start',
        'SDK external + `import * as z`: min / gz',
      ],
      rows,
    ),
    '',
    'With the SDK external, the bundles import `@aws-sdk/*` and `@smithy/*` from the Lambda runtime (Node.js 24 ships the AWS SDK v3); locally they load from node_modules, unbundled, which is what the import time above includes. Whether the runtime’s SDK version behaves as the pinned one the tests ran (`@aws-sdk/client-dynamodb` 3.1169.0 here) cannot be checked offline: the runtime’s version changes with AWS’s updates. ESM imports of the runtime’s SDK are supported from nodejs18.x on; a first invocation of each function after deploying would confirm it. The change was **not** made in infra/aws: it does not bring the bundles under 400 KB on its own (see the summary).',
  ].join('\n');
}

/** API calls a first load makes more than once: work the page could save. */
function duplicateCalls(pages: readonly WebPageSummary[]): string[] {
  const notes = pages.flatMap((page) => {
    const counts = new Map<string, number>();
    for (const call of page.apiCalls) counts.set(call, (counts.get(call) ?? 0) + 1);
    const twice = [...counts].filter(([, count]) => count > 1);
    return twice.length === 0
      ? []
      : [
          `\`${page.path}\` asks ${twice.map(([call, count]) => `\`${call}\` ${count} times`).join(', ')} during its first load.`,
        ];
  });
  return notes.length === 0 ? [] : [`Duplicate calls: ${notes.join(' ')}`, ''];
}

function webSection(results: BenchResults): string {
  if (results.web.pages.length === 0) return `Not measured: ${results.web.skipped ?? 'no pages'}.`;
  return [
    'Chromium (playwright-core, /usr/bin/chromium, headless) against the local cloud serving web/build. After signing in, the browser cache is cleared and disabled and the page loaded anew; every script and style sheet response is counted as served and gzipped (level 9; the local server does not compress, CloudFront would). LCP from a `largest-contentful-paint` PerformanceObserver, read 500 ms after the network went idle.',
    '',
    table(
      [
        'Page',
        'JS gzipped (raw)',
        'CSS gzipped (raw)',
        'HTML',
        'Requests',
        'API calls',
        'DOMContentLoaded',
        'LCP',
      ],
      results.web.pages.map((page) => [
        `\`${page.path}\` as ${page.who}`,
        `${kb(page.jsGzipBytes)} in ${page.scripts} files (${kb(page.jsBytes)})`,
        `${kb(page.cssGzipBytes)} in ${page.stylesheets} (${kb(page.cssBytes)})`,
        kb(page.htmlBytes),
        n(page.requests),
        page.apiCalls.length === 0 ? 'none' : page.apiCalls.map((call) => `\`${call}\``).join(', '),
        page.domContentLoadedMs === null ? '–' : ms(page.domContentLoadedMs),
        page.lcpMs === null ? '–' : ms(page.lcpMs),
      ]),
    ),
    '',
    ...duplicateCalls(results.web.pages),
    'Local numbers: no network latency or bandwidth limit, so LCP here is the floor of what a user sees.',
  ].join('\n');
}

function costSection(results: BenchResults): string {
  const { cost, lifecycle } = results;
  const prices = Object.entries(cost.prices.prices).map(([name, price]) => [
    name,
    `$${price.usd} per ${n(price.per)} × ${price.unit}`,
    `[${new URL(price.source).host}${new URL(price.source).pathname}](${price.source})`,
    price.asOf,
  ]);
  const per = cost.perLifecycle;
  const month = TENANT_MONTH;
  return [
    `Prices: bench/prices.json (us-east-1 list prices; ${cost.prices.note})`,
    '',
    table(['Price', 'Amount', 'Source', 'As of'], prices),
    '',
    '### Per lifecycle (measured)',
    '',
    'A lifecycle: the requester reports; a dispatcher (the tenant admin) assigns it to the agent and team; the agent comments, the caller answers; hold (awaiting caller), resume, resolve; five days later the SLA monitor closes it. Each lifecycle also bears one SLA warning handled by the monitor, with its audit entry, notifications (assignee and team lead) and mails; it is measured on separate incidents (P1 when counting, P2 when sizing, so the moments of the two runs never coincide), since the monitor’s clock cannot run back for the lifecycle’s later steps. That is pessimistic for tickets resolved in time. Everything the steps set off is included: outbox batches, audit entries, notifications and their mails.',
    '',
    table(
      ['Step', 'Route requests', 'Invocations (route + downstream)', 'Events', 'Mails'],
      lifecycle.stepRows.map((row) => [
        row.step,
        String(row.routeRequests),
        String(row.invocations),
        String(row.events),
        String(row.mails),
      ]),
    ),
    '',
    table(
      ['Per lifecycle', 'Value'],
      [
        ['API requests', per.apiRequests],
        ['Lambda invocations', per.invocations],
        ['Lambda billed duration (Σ, each rounded up to 1 ms; measured locally)', `${per.billedMs} ms`],
        ['DynamoDB requests', per.dbRequests],
        ['Read units', per.readUnits],
        ['Write units (table + indexes)', per.writeUnits],
        ['Events put', per.eventsPut],
        ['Mails', per.mails],
        ['Log bytes written by the functions (INFO, as Powertools defaults to)', per.logBytes],
      ],
    ),
    '',
    `### Per 1,000 lifecycles: ${cost.perThousandLifecycles.totalUsd} (goal ≤ ${cost.perThousandLifecycles.goalUsd}: ${verdict(cost.perThousandLifecycles.goalMet)})`,
    '',
    table(
      ['Item', 'Cost'],
      cost.perThousandLifecycles.lines.map((line) => [line.item, line.usd]),
    ),
    '',
    `### Per tenant-month: ${cost.tenantMonth.totalUsd} + Cognito ${cost.tenantMonth.cognito.essentialsUsd} = ${cost.tenantMonth.totalWithCognitoUsd} (goal ≤ ${cost.tenantMonth.goalUsd})`,
    '',
    `A company with ${n(month.agents)} agents and ${n(month.ticketsPerMonth)} tickets a month. Assumptions: ${n(month.ticketsPerMonth)} lifecycles as measured above; ${n(month.queueViewsPerAgentDay)} queue pages per agent and workday and ${n(month.deskLoadsPerAgentDay)} full loads of the workspace (${n(month.workdaysPerMonth)} workdays); ${n(month.recordViewsPerTicket)} record pages per ticket; ${n(month.portalLoadsPerTicket)} portal loads per ticket by its caller; a 1/${n(month.tenantsSharingTheMonitor)} share of the SLA monitor's ${n(month.monitorRunsPerMonth)} runs a month; ${n(month.agents)} agents + ${n(month.requesterMau)} requesters = ${n(cost.tenantMonth.cognito.mau)} monthly active users. Lambda: ${MODEL.memoryMb} MB arm64, durations as measured here (handlers in-process against the local emulator; in AWS each DynamoDB round trip adds a few ms), plus ${MODEL.platformLogBytesPerInvocation} bytes of Lambda's own log lines per invocation. Free tiers are not deducted.${cost.tenantMonth.webMeasured ? '' : ' The web pages were not measured, so workspace and portal loads are missing from this total.'}`,
    '',
    table(
      ['Work', 'Times a month', 'Cost'],
      cost.tenantMonth.works.map((work) => [work.name, work.times, work.usd]),
    ),
    '',
    table(
      ['Item', 'Cost'],
      [
        ...cost.tenantMonth.lines.map((line) => [line.item, line.usd]),
        ['Cognito MAU (Essentials)', cost.tenantMonth.cognito.essentialsUsd],
      ],
    ),
    '',
    `Per agent and month: ${cost.tenantMonth.perAgentUsd} without Cognito, ${cost.tenantMonth.perAgentWithCognitoUsd} with it, against $20–$250 per agent and month at commercial service-desk list prices. Not modelled: DynamoDB storage (a few MB per tenant-month, $0.25 per GB-month), X-Ray traces (sampled, $5 per million beyond 100,000 free), CloudFront and S3 for the web app, SQS dead-letter queues (idle), data transfer.`,
  ].join('\n');
}

export function renderReport(results: BenchResults): string {
  const { run, data } = results;
  const minutes = Math.floor(run.seconds / 60);
  const seconds = Math.round(run.seconds % 60);
  return [
    '# Performance',
    '',
    run.mode === 'full'
      ? `Written by \`${run.command}\` on ${run.startedAt.slice(0, 10)}; the run took ${minutes} min ${seconds} s. Do not edit: the next full run rewrites this file. The figures in full: [bench/results/latest.json](../bench/results/latest.json). How it works: [bench/README.md](../bench/README.md).`
      : `**Quick run** (\`${run.command}\`, ${minutes} min ${seconds} s): small sizes (${n(data.small.incidents)} against ${n(data.large.incidents)} incidents, ${n(data.tenantsInTable)} tenants) and a few calls per figure, to check that the benchmark works. Not the report: that is docs/performance.md, from a full run. Figures in full: bench/results/quick.json.`,
    '',
    table(
      ['Machine', ''],
      [
        ['CPU', `${run.machine.cpu}, ${run.machine.cores} cores`],
        ['Memory', `${run.machine.memoryGiB.toFixed(1)} GiB`],
        ['Node.js', run.machine.node],
        ['OS', run.machine.os],
        ['Started', run.startedAt],
        ['Command', `\`${run.command}\``],
        [
          'Data',
          `${n(data.tenantsInTable)} tenants; acme ${n(data.small.incidents)} and globex ${n(data.large.incidents)} bulk-loaded incidents`,
        ],
      ],
    ),
    '',
    'Everything runs on the local cloud (`startLocalCloud`): handlers in-process, dynalite behind the local proxy, the local bus and identity. Latencies are this machine’s, not AWS’s; request counts, capacity units, event counts and bundle sizes carry over.',
    '',
    '## Summary',
    '',
    summary(results),
    '',
    '## 1. Requests, capacity and latency per route',
    '',
    routesSection(results),
    '',
    `## 2. Scale: ${n(results.scale[0]?.small.incidents ?? data.small.incidents)} against ${n(results.scale[0]?.large.incidents ?? data.large.incidents)} incidents in one tenant`,
    '',
    scaleSection(results),
    '',
    '## 3. Event latency',
    '',
    eventsSection(results),
    '',
    '## 4. Cold start proxy: bundle size and import time',
    '',
    bundlesSection(results),
    '',
    '## 5. Web: first load',
    '',
    webSection(results),
    '',
    '## 6. Cost',
    '',
    costSection(results),
    '',
  ].join('\n');
}
