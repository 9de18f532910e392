import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

/*
 * `npm test`: every check and every suite, then one summary line. Static checks count as one test
 * each, so a type or lint error shows in the same total as a failing test.
 */
const root = resolve(import.meta.dirname, '..');
const bin = (name: string) => join(root, 'node_modules', '.bin', name);
const resultsDir = join(root, '.data', 'test-results');
mkdirSync(resultsDir, { recursive: true });

interface Step {
  name: string;
  command: string;
  args: string[];
  cwd?: string;
}

const checks: Step[] = [
  { name: 'typecheck', command: bin('tsc'), args: ['-p', 'tsconfig.json'] },
  { name: 'lint and format', command: bin('biome'), args: ['ci', '--reporter=summary', '.'] },
  // `check` runs `svelte-kit sync` first, which writes the tsconfig the web app extends.
  { name: 'web check', command: 'npm', args: ['run', '--silent', 'check', '-w', 'web'] },
  { name: 'web build', command: process.execPath, args: ['scripts/build-web.ts'] },
  {
    name: 'cdk synth',
    command: bin('cdk'),
    args: ['synth', '--quiet', '--output', join(resultsDir, 'cdk.out')],
  },
];

let passed = 0;
let failed = 0;
let skipped = 0;
const failures: string[] = [];

function run(step: Step): boolean {
  const started = Date.now();
  console.log(`\n▶ ${step.name}`);
  const result = spawnSync(step.command, step.args, {
    cwd: step.cwd ?? root,
    stdio: 'inherit',
    env: process.env,
  });
  const ok = result.status === 0;
  console.log(`${ok ? '✔' : '✘'} ${step.name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return ok;
}

for (const step of checks) {
  if (run(step)) passed += 1;
  else {
    failed += 1;
    failures.push(step.name);
  }
}

const report = join(resultsDir, 'vitest.json');
rmSync(report, { force: true });
run({
  name: 'test suites',
  command: bin('vitest'),
  args: ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`],
});
if (existsSync(report)) {
  const results = JSON.parse(readFileSync(report, 'utf8')) as {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numTodoTests: number;
    numFailedTestSuites: number;
    testResults: { name: string; status: string; message?: string }[];
  };
  passed += results.numPassedTests;
  failed += results.numFailedTests;
  skipped += results.numPendingTests + results.numTodoTests;
  // A file that fails to load has no tests to count; count it so it cannot hide.
  const brokenFiles = results.testResults.filter((file) => file.status === 'failed' && file.message);
  failed += brokenFiles.length;
  for (const file of brokenFiles)
    failures.push(`${file.name.replace(`${root}/`, '')}: ${file.message?.split('\n')[0]}`);
  if (results.numFailedTests > 0) failures.push(`${results.numFailedTests} test(s)`);
} else {
  failed += 1;
  failures.push('test suites did not report');
}

if (failures.length > 0) console.log(`\nFailed: ${failures.join('; ')}`);
console.log(`\n${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
