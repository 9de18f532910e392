import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem, type } from 'node:os';
import { join, resolve } from 'node:path';
import { getDatabase } from '#shared/data/database.ts';
import { ensureFreshWebBuild } from '../test/browser/support.ts';
import { type BenchConfig, FULL, QUICK } from './config.ts';
import { elapsedSeconds, say } from './lib/progress.ts';
import { startWorld, type World } from './lib/world.ts';
import type { Prepared } from './prepare.ts';
import { type BenchResults, renderReport, type WebPageSummary } from './report.ts';
import { measureBundles } from './sections/bundles.ts';
import { costModel } from './sections/cost.ts';
import { measureEvents } from './sections/events.ts';
import { measureLifecycles } from './sections/lifecycle.ts';
import { measureRoutes } from './sections/routes.ts';
import { measureScale } from './sections/scale.ts';
import { measureWeb, type WebResult } from './sections/web.ts';

/*
 * `npm run bench`: the full benchmark (under 10 minutes on 2 cores), writing bench/results/latest.json
 * and docs/performance.md. `npm run bench -- --quick`: a smoke run under a minute with small sizes,
 * writing bench/results/quick.json and quick.md (git-ignored), so it never replaces the real report.
 * `npm run bench -- --report`: docs/performance.md again from latest.json (after editing report.ts).
 *
 * The data is prepared in a child process (bench/prepare.ts); this process then starts the local cloud
 * once on it, with the recorder around every invocation, and measures part by part.
 */

const ROOT = resolve(import.meta.dirname, '..');
const WEB_BUILD = join(ROOT, 'web', 'build');
const args = process.argv.slice(2);
const unknown = args.filter((arg) => arg !== '--quick' && arg !== '--report');
if (unknown.length > 0 || args.length > 1) {
  process.stderr.write(`Unknown option ${args.join(' ')}. Usage: npm run bench [-- --quick | --report]\n`);
  process.exit(2);
}
if (args.includes('--report')) {
  // Rewrites the report from the last full run's figures, after a change to report.ts.
  const results = JSON.parse(
    readFileSync(join(ROOT, 'bench', 'results', 'latest.json'), 'utf8'),
  ) as BenchResults;
  writeFileSync(join(ROOT, 'docs', 'performance.md'), renderReport(results));
  say('wrote docs/performance.md from bench/results/latest.json');
  process.exit(0);
}
const config: BenchConfig = args.includes('--quick') ? QUICK : FULL;
const startedAt = new Date().toISOString();

async function prepare(dataDir: string): Promise<Prepared> {
  const resultFile = join(dataDir, 'prepared.json');
  const options = {
    dataDir,
    fillerTenants: config.fillerTenants,
    fillerIncidents: config.fillerIncidents,
    smallIncidents: config.smallIncidents,
    largeCandidates: config.largeCandidates,
    largeBudgetSeconds: config.largeBudgetSeconds,
    templates: config.templates,
  };
  const child = spawn(
    process.execPath,
    [join(import.meta.dirname, 'prepare.ts'), JSON.stringify(options), resultFile],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const code = await new Promise<number | null>((done) => child.once('exit', done));
  if (code !== 0) throw new Error(`Preparing the data failed (exit ${code}); see above`);
  return JSON.parse(readFileSync(resultFile, 'utf8')) as Prepared;
}

/** The web build, fresh in a full run; a quick run uses one only if it is already there. */
async function webBuild(): Promise<{ dir?: string; skipped?: string }> {
  if (config.buildWeb) {
    try {
      say('web: building the web app if a source changed (scripts/build-web.ts --if-stale)');
      await ensureFreshWebBuild();
      return { dir: WEB_BUILD };
    } catch (error) {
      return { skipped: `the web build failed (${error instanceof Error ? error.message : String(error)})` };
    }
  }
  return existsSync(join(WEB_BUILD, 'index.html'))
    ? { dir: WEB_BUILD }
    : { skipped: 'no web build (quick runs do not build; run a full run or scripts/build-web.ts)' };
}

async function incidentsIn(tenantId: string): Promise<number> {
  const counter = await getDatabase().entities.counter.get({ tenantId, name: 'incident' }).go();
  return counter.data?.value ?? 0;
}

function summariseWeb(web: WebResult): { pages: WebPageSummary[]; skipped?: string } {
  return {
    pages: web.pages.map(({ invocations: _timed, invocationsSized: _sized, ...page }) => page),
    ...(web.skipped ? { skipped: web.skipped } : {}),
  };
}

async function measureAll(world: World, web: { dir?: string; skipped?: string }) {
  const routes = await measureRoutes(world, config.routeSamples);
  const sizes = {
    small: await incidentsIn(world.small.tenantId),
    large: await incidentsIn(world.large.tenantId),
  };
  const scale = await measureScale(world, sizes, config.scaleSamples);
  const events = await measureEvents(world, config.eventSamples);
  const lifecycle = await measureLifecycles(world, config.lifecycles);
  let webResult: WebResult = { pages: [], skipped: web.skipped ?? 'not run' };
  if (web.dir) {
    try {
      webResult = await measureWeb(world);
    } catch (error) {
      webResult = {
        pages: [],
        skipped: `the browser run failed: ${error instanceof Error ? error.message : String(error)}`,
      };
      say(`web: ${webResult.skipped}`);
    }
  } else {
    say(`web: skipped, ${web.skipped}`);
  }
  return { routes, scale, events, lifecycle, web: webResult };
}

const dataDir = mkdtempSync(join(tmpdir(), 'itsm-bench-'));
say(
  `${config.mode} run${config.mode === 'quick' ? ' (small sizes: a smoke test, not the report)' : ''}; data in ${dataDir}`,
);
let exitCode = 0;
try {
  const web = await webBuild();
  const prepared = await prepare(dataDir);
  say('starting the local cloud on the prepared data');
  const world = await startWorld(dataDir, web.dir);
  let measured: Awaited<ReturnType<typeof measureAll>>;
  try {
    measured = await measureAll(world, web);
  } finally {
    await world.cloud.stop();
    world.recorder.releaseStdout();
  }
  const bundles = await measureBundles(config.importRuns, config.everyBundle);
  const cost = costModel({
    lifecycle: measured.lifecycle,
    routes: measured.routes.measured,
    web: measured.web,
  });
  const cpu = cpus();
  const results: BenchResults = {
    run: {
      mode: config.mode,
      command: config.mode === 'quick' ? 'npm run bench -- --quick' : 'npm run bench',
      startedAt,
      seconds: Math.round(elapsedSeconds()),
      machine: {
        cpu: cpu[0]?.model.trim() ?? 'unknown',
        cores: cpu.length,
        memoryGiB: totalmem() / 1024 ** 3,
        node: process.version,
        os: `${type()} ${release()}`,
      },
    },
    data: prepared,
    routes: measured.routes,
    scale: measured.scale,
    events: measured.events,
    lifecycle: measured.lifecycle,
    bundles,
    web: summariseWeb(measured.web),
    cost,
  };
  const resultsDir = join(ROOT, 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const json = JSON.stringify(
    results,
    (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value),
    2,
  );
  if (config.mode === 'full') {
    writeFileSync(join(resultsDir, 'latest.json'), `${json}\n`);
    mkdirSync(join(ROOT, 'docs'), { recursive: true });
    writeFileSync(join(ROOT, 'docs', 'performance.md'), renderReport(results));
    say('wrote bench/results/latest.json and docs/performance.md');
  } else {
    writeFileSync(join(resultsDir, 'quick.json'), `${json}\n`);
    writeFileSync(join(resultsDir, 'quick.md'), renderReport(results));
    say(
      'wrote bench/results/quick.json and bench/results/quick.md (the report stays as the last full run left it)',
    );
  }
  say(`done in ${Math.round(elapsedSeconds())} s`);
} catch (error) {
  exitCode = 1;
  say(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(exitCode);
