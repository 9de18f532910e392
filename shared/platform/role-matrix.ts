import { type ProcessManifest, publicPath } from './manifest.ts';
import { ROLES } from './roles.ts';

/**
 * The role matrix as a Markdown table, generated from the manifests: ARCHITECTURE.md carries it, and
 * a test keeps the two equal, so the documented matrix is always the enforced one.
 */
export function roleMatrixMarkdown(manifests: readonly ProcessManifest[]): string {
  const header = `| Route | ${ROLES.join(' | ')} |`;
  const divider = `| --- | ${ROLES.map(() => '---').join(' | ')} |`;
  const rows = manifests.flatMap((manifest) =>
    Object.values(manifest.routes).map((route) => {
      const cells = ROLES.map((role) => (route.public ? 'public' : route.roles.includes(role) ? '✔' : '–'));
      return `| \`${route.method} ${publicPath(route)}\` | ${cells.join(' | ')} |`;
    }),
  );
  return [header, divider, ...rows].join('\n');
}

/** Compares two Markdown tables cell by cell, ignoring how columns are padded. */
export function normaliseTable(markdown: string): string[][] {
  return markdown
    .trim()
    .split('\n')
    .map((line) =>
      line
        .trim()
        .replace(/^\||\|$/g, '')
        .split('|')
        .map((cell) => cell.trim().replace(/^-+$/, '---')),
    );
}
