import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { DEMO_PASSWORD } from '#infra/local/demo-data.ts';
import { launchBrowser } from '../../test/browser/browser.ts';
import type { InvocationRecord } from '../lib/instrument.ts';
import { say } from '../lib/progress.ts';
import type { World } from '../lib/world.ts';

/*
 * Part 5: the first load of the agent workspace (/desk) and the portal (/portal) in Chromium, served
 * by the local cloud from web/build. After signing in, the browser cache is cleared and disabled and
 * the page is loaded anew, so every script and style sheet is downloaded: their bytes are counted as
 * served and gzipped (the local server does not compress; CloudFront would). Largest Contentful Paint
 * comes from a PerformanceObserver. The API calls of each load are recorded too (for the cost model),
 * once timed and once sized.
 */

export interface WebPage {
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
  /** The page load's work on the server side, counted (timed load) and sized (second load). */
  readonly invocations: InvocationRecord[];
  readonly invocationsSized: InvocationRecord[];
}

export interface WebResult {
  readonly pages: WebPage[];
  readonly skipped?: string;
}

declare const window: { __bench_lcp?: number };
declare const PerformanceObserver: new (
  callback: (list: { getEntries(): { startTime: number }[] }) => void,
) => { observe(options: { type: string; buffered: boolean }): void };
declare const performance: { getEntriesByType(type: string): { domContentLoadedEventEnd?: number }[] };
declare const document: { visibilityState: string };

function recordLcp(): void {
  new PerformanceObserver((list) => {
    const last = list.getEntries().at(-1);
    if (last) window.__bench_lcp = last.startTime;
  }).observe({ type: 'largest-contentful-paint', buffered: true });
}

async function signIn(page: Page, url: string, email: string): Promise<void> {
  await page.goto(`${url}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((target) => target.pathname !== '/login');
}

interface Load {
  scripts: number;
  jsBytes: number;
  jsGzipBytes: number;
  stylesheets: number;
  cssBytes: number;
  cssGzipBytes: number;
  htmlBytes: number;
  requests: number;
  apiCalls: string[];
  lcpMs: number | null;
  domContentLoadedMs: number | null;
}

/** Loads `path` afresh in the signed-in tab, with nothing cached, and counts what came over the wire. */
async function loadFresh(page: Page, url: string, path: string): Promise<Load> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.clearBrowserCache');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  const pending: Promise<void>[] = [];
  const load: Load = {
    scripts: 0,
    jsBytes: 0,
    jsGzipBytes: 0,
    stylesheets: 0,
    cssBytes: 0,
    cssGzipBytes: 0,
    htmlBytes: 0,
    requests: 0,
    apiCalls: [],
    lcpMs: null,
    domContentLoadedMs: null,
  };
  const onResponse = (response: import('playwright-core').Response) => {
    load.requests += 1;
    const request = response.request();
    const type = request.resourceType();
    const target = new URL(response.url());
    if (target.pathname.startsWith('/api/'))
      load.apiCalls.push(`${request.method()} ${target.pathname}${target.search}`);
    pending.push(
      response
        .body()
        .then((body) => {
          const gzip = gzipSync(body, { level: 9 }).length;
          if (type === 'script') {
            load.scripts += 1;
            load.jsBytes += body.length;
            load.jsGzipBytes += gzip;
          } else if (type === 'stylesheet') {
            load.stylesheets += 1;
            load.cssBytes += body.length;
            load.cssGzipBytes += gzip;
          } else if (type === 'document') {
            load.htmlBytes += body.length;
          }
        })
        .catch(() => undefined),
    );
  };
  page.on('response', onResponse);
  try {
    await page.goto(`${url}${path}`, { waitUntil: 'networkidle' });
    // LCP settles once the page stops painting bigger things; give it a moment after the network.
    await page.waitForTimeout(500);
    await Promise.all(pending);
    const timing = await page.evaluate(() => ({
      lcp: window.__bench_lcp ?? null,
      dcl: performance.getEntriesByType('navigation')[0]?.domContentLoadedEventEnd ?? null,
      visible: document.visibilityState,
    }));
    load.lcpMs = timing.lcp === null ? null : Math.round(timing.lcp);
    load.domContentLoadedMs = timing.dcl === null ? null : Math.round(timing.dcl);
  } finally {
    page.off('response', onResponse);
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: false });
    await cdp.detach();
  }
  return load;
}

export async function measureWeb(world: World): Promise<WebResult> {
  const browser = await launchBrowser();
  const pages: WebPage[] = [];
  try {
    for (const target of [
      { path: '/desk', who: 'agent', email: 'agent@acme.example' },
      { path: '/portal', who: 'requester', email: 'requester@acme.example' },
    ]) {
      say(`web: first load of ${target.path} as the ${target.who}`);
      const context = await browser.newContext();
      await context.addInitScript(recordLcp);
      const page = await context.newPage();
      world.recorder.label = 'setup';
      await signIn(page, world.cloud.url, target.email);
      await world.cloud.idle();
      const label = `web-${target.path}`;
      world.recorder.label = label;
      const load = await loadFresh(page, world.cloud.url, target.path);
      await world.cloud.idle();
      const sizedLabel = `${label}-sized`;
      world.recorder.label = sizedLabel;
      world.recorder.mode = 'capacity';
      try {
        await loadFresh(page, world.cloud.url, target.path);
        await world.cloud.idle();
      } finally {
        world.recorder.mode = 'count';
        world.recorder.label = 'setup';
      }
      await context.close();
      pages.push({
        path: target.path,
        who: target.who,
        ...load,
        invocations: world.recorder.under((name) => name === label),
        invocationsSized: world.recorder.under((name) => name === sizedLabel),
      });
      say(
        `  JS ${(load.jsGzipBytes / 1024).toFixed(1)} KB gzipped in ${load.scripts} files, CSS ${(load.cssGzipBytes / 1024).toFixed(1)} KB, LCP ${load.lcpMs ?? '–'} ms, ${load.apiCalls.length} API calls`,
      );
    }
  } finally {
    await browser.close();
  }
  return { pages };
}
