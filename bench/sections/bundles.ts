import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Plugin } from 'esbuild';
import { manifests } from '#functions/manifests.ts';
import { ESM_REQUIRE_BANNER } from '#infra/aws/constructs/process-function.ts';
import { say } from '../lib/progress.ts';
import { median } from '../lib/stats.ts';

/*
 * Part 4, a cold-start proxy: each process's Lambda bundle built as the CDK's NodejsFunction builds it
 * (esbuild, ESM, node24, minified, source map, the require banner), its size minified and gzipped, and
 * how long a fresh `node` process takes to start, import it and exit, next to an empty bundle built the
 * same way. Variants: the AWS SDK bundled (as infra/aws does today), the SDK left to the Lambda runtime
 * (`@aws-sdk/*`, `@smithy/*` external), and, as a what-if, the latter with `import { z } from 'zod'`
 * rewritten to `import * as z from 'zod'` at bundle time.
 */

const ROOT = resolve(import.meta.dirname, '..', '..');
const RUNTIME_SDK = ['@aws-sdk/*', '@smithy/*'];

export type Variant = 'sdk-bundled' | 'sdk-external' | 'sdk-external+zod-namespace';

export interface BundleRow {
  readonly process: string;
  readonly variant: Variant;
  readonly bytes: number;
  readonly gzipBytes: number;
  /** Median wall time of `node` starting, importing the bundle and exiting, ms. */
  readonly processMs: number | null;
  /** Median time of the import alone inside that process, ms. */
  readonly importMs: number | null;
}

export interface BundlesResult {
  /** What infra/aws/constructs/process-function.ts passes as externalModules today. */
  readonly configuredExternals: string;
  readonly configuredVariant: Variant;
  readonly rows: BundleRow[];
  readonly empty: { readonly processMs: number; readonly importMs: number; readonly bytes: number };
  /** The largest bundle (incidents, as deployed) started without `--enable-source-maps`, median ms. */
  readonly withoutSourceMaps: { readonly processMs: number; readonly importMs: number } | null;
  readonly runs: number;
  /** False in a quick run: only the incidents bundle was built. */
  readonly everyProcess: boolean;
}

/** A what-if: a namespace import lets esbuild drop what the code never touches (zod's 258 KB of locales). */
const zodNamespace: Plugin = {
  name: 'zod-namespace-import',
  setup(builder) {
    builder.onLoad({ filter: /\/(shared|functions)\/.*\.ts$/ }, (args) => ({
      contents: readFileSync(args.path, 'utf8').replaceAll(
        "import { z } from 'zod';",
        "import * as z from 'zod';",
      ),
      loader: 'ts',
    }));
  },
};

async function bundle(entries: Record<string, string>, outdir: string, variant: Variant): Promise<void> {
  await build({
    entryPoints: entries,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    mainFields: ['module', 'main'],
    minify: true,
    sourcemap: true,
    banner: { js: ESM_REQUIRE_BANNER },
    outdir,
    outExtension: { '.js': '.mjs' },
    external: variant === 'sdk-bundled' ? [] : RUNTIME_SDK,
    plugins: variant === 'sdk-external+zod-namespace' ? [zodNamespace] : [],
    logLevel: 'error',
  });
}

const IMPORT_SCRIPT =
  'const started = performance.now(); await import(process.argv[1]); process.stdout.write(String(performance.now() - started));';

/** Starts `node` on the bundle as Lambda would (its environment, source maps on) and times it. */
function timeImport(
  file: string,
  processName: string,
  sourceMaps = true,
): { processMs: number; importMs: number } {
  const started = performance.now();
  const result = spawnSync(
    process.execPath,
    [
      ...(sourceMaps ? ['--enable-source-maps'] : []),
      '--input-type=module',
      '-e',
      IMPORT_SCRIPT,
      pathToFileURL(file).href,
    ],
    {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH ?? '',
        AWS_REGION: 'us-east-1',
        AWS_LAMBDA_FUNCTION_NAME: `itsm-${processName}`,
        POWERTOOLS_SERVICE_NAME: processName,
        TABLE_NAME: 'itsm',
        EVENT_BUS_NAME: 'itsm',
        CURSOR_SIGNING_KEY: 'bench-only-not-a-secret',
      },
    },
  );
  const processMs = performance.now() - started;
  if (result.status !== 0) throw new Error(`Importing the ${processName} bundle failed: ${result.stderr}`);
  return { processMs, importMs: Number(result.stdout) };
}

function configuredExternals(): string {
  const source = readFileSync(join(ROOT, 'infra', 'aws', 'constructs', 'process-function.ts'), 'utf8');
  return /externalModules:\s*(\[[^\]]*\])/.exec(source)?.[1]?.replace(/\s+/g, ' ') ?? 'unknown';
}

export async function measureBundles(runs: number, every: boolean): Promise<BundlesResult> {
  const work = mkdtempSync(join(tmpdir(), 'itsm-bundles-'));
  try {
    // Where the runtime's SDK would be found: the SDK-external bundles resolve it from here.
    symlinkSync(join(ROOT, 'node_modules'), join(work, 'node_modules'), 'dir');
    const emptyEntry = join(work, 'empty-handler.ts');
    writeFileSync(emptyEntry, 'export const handler = async () => undefined;\n');
    const entries = Object.fromEntries([
      ['empty', emptyEntry],
      ...manifests
        // A quick run bundles the largest process only.
        .filter((process) => every || process.name === 'incidents')
        .map((process) => [process.name, join(ROOT, 'functions', process.name, 'handler.ts')]),
    ]);
    const variants: Variant[] = ['sdk-bundled', 'sdk-external', 'sdk-external+zod-namespace'];
    const rows: BundleRow[] = [];
    let empty = { processMs: 0, importMs: 0, bytes: 0 };
    let withoutSourceMaps: BundlesResult['withoutSourceMaps'] = null;
    for (const variant of variants) {
      const outdir = join(work, variant);
      mkdirSync(outdir);
      say(`bundles: building ${Object.keys(entries).length - 1} functions (${variant})`);
      await bundle(entries, outdir, variant);
      const timed = variant !== 'sdk-external+zod-namespace';
      for (const name of Object.keys(entries)) {
        const file = join(outdir, `${name}.mjs`);
        const content = readFileSync(file);
        let processMs: number | null = null;
        let importMs: number | null = null;
        if (timed) {
          const samples = Array.from({ length: runs }, () => timeImport(file, name));
          processMs = Math.round(median(samples.map((sample) => sample.processMs)) * 10) / 10;
          importMs = Math.round(median(samples.map((sample) => sample.importMs)) * 10) / 10;
        }
        if (variant === 'sdk-bundled' && name === 'incidents') {
          const samples = Array.from({ length: runs }, () => timeImport(file, name, false));
          withoutSourceMaps = {
            processMs: Math.round(median(samples.map((sample) => sample.processMs)) * 10) / 10,
            importMs: Math.round(median(samples.map((sample) => sample.importMs)) * 10) / 10,
          };
        }
        if (name === 'empty') {
          if (variant === 'sdk-bundled')
            empty = { processMs: processMs ?? 0, importMs: importMs ?? 0, bytes: content.length };
          continue;
        }
        rows.push({
          process: name,
          variant,
          bytes: content.length,
          gzipBytes: gzipSync(content, { level: 9 }).length,
          processMs,
          importMs,
        });
      }
      if (timed) say(`bundles: timed ${runs} fresh imports of each (${variant})`);
    }
    const externals = configuredExternals();
    return {
      configuredExternals: externals,
      configuredVariant: externals.includes('@aws-sdk') ? 'sdk-external' : 'sdk-bundled',
      rows,
      empty,
      withoutSourceMaps,
      runs,
      everyProcess: every,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
