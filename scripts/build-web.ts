import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/*
 * Builds the web app into web/build. With --if-stale it only builds when a source file is newer
 * than the last build, so `npm start` stays quick after the first run.
 */
const root = resolve(import.meta.dirname, '..');
const web = join(root, 'web');
const marker = join(web, 'build', 'index.html');

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce(
    (newest, entry) => Math.max(newest, newestMtime(join(path, entry))),
    stat.mtimeMs,
  );
}

const sources = ['src', 'static', 'vite.config.ts', 'package.json']
  .map((entry) => join(web, entry))
  .filter(existsSync);
const stale = !existsSync(marker) || sources.some((source) => newestMtime(source) > statSync(marker).mtimeMs);

if (process.argv.includes('--if-stale') && !stale) process.exit(0);
console.log('Building the web app...');
const result = spawnSync(join(root, 'node_modules', '.bin', 'vite'), ['build', '--logLevel', 'warn'], {
  cwd: web,
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
