import { createReadStream, type Stats } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { sendProblem } from './http.ts';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** Hashed build output: its name changes with its content, so a browser may keep it for a year. */
const IMMUTABLE_PREFIX = '/_app/immutable/';

export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

async function fileAt(candidate: string): Promise<{ file: string; stats: Stats } | undefined> {
  try {
    const stats = await stat(candidate);
    if (stats.isFile()) return { file: candidate, stats };
    if (stats.isDirectory()) {
      const index = path.join(candidate, 'index.html');
      const indexStats = await stat(index);
      if (indexStats.isFile()) return { file: index, stats: indexStats };
    }
  } catch {
    // Missing or unreadable: not a file we serve.
  }
  return undefined;
}

/**
 * Serves the built web app from `root` (which must be a real path). Answers 404 for paths that try to
 * leave `root`, 405 for methods other than GET and HEAD, and index.html for any other path that is not
 * a file (the single-page app routes it), except missing hashed assets, which get a 404 so the app
 * notices a stale build instead of parsing HTML as JavaScript.
 */
export async function serveStatic(req: IncomingMessage, res: ServerResponse, root: string, rawPath: string) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendProblem(res, { title: 'Method Not Allowed', status: 405 }, { allow: 'GET, HEAD' });
    return;
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    sendProblem(res, { title: 'Bad Request', status: 400, detail: 'The path is not valid percent-encoding' });
    return;
  }
  const segments = decoded.split(/[/\\]/);
  // Refused before touching the disk: NUL bytes and any segment starting with a dot, which covers `..`
  // however it was encoded, and dot files the build may hold but never meant to publish.
  if (decoded.includes('\0') || segments.some((s) => s.startsWith('.'))) {
    sendProblem(res, { title: 'Not Found', status: 404 });
    return;
  }

  let found = await fileAt(path.join(root, ...segments));
  if (found !== undefined) {
    // A symbolic link inside the build must not lead out of it either.
    const real = await realpath(found.file);
    if (real !== root && !real.startsWith(root + path.sep)) found = undefined;
  }
  let cacheControl = 'no-cache';
  if (found === undefined) {
    if (rawPath.startsWith(IMMUTABLE_PREFIX)) {
      sendProblem(res, { title: 'Not Found', status: 404 });
      return;
    }
    found = await fileAt(path.join(root, 'index.html'));
    if (found === undefined) {
      sendProblem(res, { title: 'Not Found', status: 404, detail: 'The web app is not built' });
      return;
    }
  } else if (rawPath.startsWith(IMMUTABLE_PREFIX)) {
    cacheControl = 'public, max-age=31536000, immutable';
  }

  const etag = `W/"${found.stats.size.toString(16)}-${Math.floor(found.stats.mtimeMs).toString(16)}"`;
  const headers = {
    'content-type': contentTypeOf(found.file),
    'cache-control': cacheControl,
    etag,
    'last-modified': found.stats.mtime.toUTCString(),
    'x-content-type-options': 'nosniff',
  };
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(200, { ...headers, 'content-length': found.stats.size });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  await pipeline(createReadStream(found.file), res);
}
