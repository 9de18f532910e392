import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { manifests } from '#functions/manifests.ts';
import { roleMatrixMarkdown } from '#shared/platform/role-matrix.ts';

/* Rewrites the role matrix in ARCHITECTURE.md from the manifests: `node scripts/role-matrix.ts`. */
const root = resolve(import.meta.dirname, '..');
const file = join(root, 'ARCHITECTURE.md');
const text = readFileSync(file, 'utf8');
const start = '<!-- role-matrix:start -->';
const end = '<!-- role-matrix:end -->';
const before = text.slice(0, text.indexOf(start) + start.length);
const after = text.slice(text.indexOf(end));
writeFileSync(file, `${before}\n\n${roleMatrixMarkdown(manifests)}\n\n${after}`);
// The table is written plain; the formatter aligns it as `npm test`'s format check expects.
execFileSync(join(root, 'node_modules', '.bin', 'biome'), ['format', '--write', file], {
  cwd: root,
  stdio: 'ignore',
});
