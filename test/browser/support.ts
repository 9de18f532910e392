import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { type LocalCloud, startLocalCloud } from '#infra/local/cloud.ts';
import { DEMO_PASSWORD } from '#infra/local/demo-data.ts';
import { launchBrowser } from './browser.ts';

/*
 * What the browser tests of the tenancy pages share: a local cloud with the demo data and the built
 * web app, one browser, and a browser context per person, each collecting the page errors it sees.
 */

const ROOT = join(import.meta.dirname, '..', '..');
export const BUILD_DIR = join(ROOT, 'web', 'build');
const LOCK_DIR = join(ROOT, '.data', 'web-build.lock');
const LOCK_STALE_MS = 180_000;

/** A password the local pool's policy accepts (10+ characters, a letter and a digit). */
export const NEW_PASSWORD = 'Welcome-2026-aboard';

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Builds the web app when a source is newer than the build (`scripts/build-web.ts --if-stale`).
 * Test files run in parallel, so one builds while the others wait for its lock.
 */
export async function ensureFreshWebBuild(): Promise<void> {
  mkdirSync(join(ROOT, '.data'), { recursive: true });
  for (;;) {
    try {
      mkdirSync(LOCK_DIR);
      break;
    } catch {
      const age = Date.now() - (existsSync(LOCK_DIR) ? statSync(LOCK_DIR).mtimeMs : Date.now());
      if (age > LOCK_STALE_MS) rmSync(LOCK_DIR, { recursive: true, force: true });
      await sleep(250);
    }
  }
  try {
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-web.ts'), '--if-stale'], {
      cwd: ROOT,
      stdio: 'inherit',
      // Vitest sets NODE_ENV=test, which would make Vite build the app in development mode.
      env: { ...process.env, NODE_ENV: 'production' },
    });
  } finally {
    rmSync(LOCK_DIR, { recursive: true, force: true });
  }
}

export function isPath(pathname: string | RegExp) {
  return (url: URL) =>
    typeof pathname === 'string' ? url.pathname === pathname : pathname.test(url.pathname);
}

/** The text as the reader sees it: rendered line breaks, hidden text left out. */
export function textOf(locator: Locator): Promise<string> {
  // biome-ignore lint/performance/useDomNodeTextContent: Playwright's Locator.innerText, not the DOM property.
  return locator.innerText();
}

/** The messages a control points at with aria-describedby (hint and error). */
export async function describedText(page: Page, control: Locator): Promise<string> {
  const describedBy = (await control.getAttribute('aria-describedby')) ?? '';
  const texts = await Promise.all(
    describedBy
      .split(' ')
      .filter((id) => id.length > 0)
      .map((id) => textOf(page.locator(`[id="${id}"]`))),
  );
  return texts.join(' ');
}

/** The browser side of `getComputedStyle`, which the Node typings of these tests do not declare. */
interface StyleWindow {
  getComputedStyle(element: unknown): { getPropertyValue(name: string): string };
}

/** A computed CSS property (or custom property, `--brand`) of the element, as the browser resolves it. */
export function cssValue(locator: Locator, property: string): Promise<string> {
  return locator.evaluate(
    (element, name) =>
      (globalThis as unknown as StyleWindow).getComputedStyle(element).getPropertyValue(name).trim(),
    property,
  );
}

export interface Invitation {
  email: string;
  tenantId: string;
  acceptUrl: string;
  createdAt: string;
}

/** The invitation mails the local identity provider has captured. */
export async function invitations(cloud: LocalCloud): Promise<Invitation[]> {
  const response = await fetch(`${cloud.url}/_local/invitations`);
  if (!response.ok) throw new Error(`/_local/invitations answered ${response.status}`);
  return ((await response.json()) as { items: Invitation[] }).items;
}

/** The newest invitation mailed to `email`; waits a little, since mails may lag the API's answer. */
export async function invitationFor(cloud: LocalCloud, email: string): Promise<Invitation> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const found = (await invitations(cloud))
      .filter((item) => item.email.toLowerCase() === email.toLowerCase())
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1))[0];
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`No invitation was mailed to ${email}`);
    await sleep(200);
  }
}

/** The accept link on this cloud's origin (the mail may name another host for the same server). */
export function acceptPath(invitation: Invitation): string {
  const url = new URL(invitation.acceptUrl);
  return `${url.pathname}${url.search}`;
}

export interface BrowserWorld {
  readonly cloud: LocalCloud;
  readonly browser: Browser;
  /** A new browser context (one person, own session storage) and its first page. */
  open(): Promise<Page>;
  /** Uncaught exceptions of every page opened since the last call, then forgets them. */
  takePageErrors(): string[];
  /** Closes the contexts opened so far. */
  closePages(): Promise<void>;
  stop(): Promise<void>;
}

export async function startBrowserWorld(): Promise<BrowserWorld> {
  await ensureFreshWebBuild();
  const dataDir = mkdtempSync(join(tmpdir(), 'itsm-browser-'));
  const cloud = await startLocalCloud({ dataDir, port: 0, webDir: BUILD_DIR, seedDemo: true });
  const browser = await launchBrowser();
  let contexts: BrowserContext[] = [];
  let pageErrors: string[] = [];
  return {
    cloud,
    browser,
    async open() {
      const context = await browser.newContext({ acceptDownloads: true });
      context.setDefaultTimeout(15_000);
      contexts.push(context);
      const page = await context.newPage();
      page.on('pageerror', (error) => pageErrors.push(error.message));
      return page;
    },
    takePageErrors() {
      const taken = pageErrors;
      pageErrors = [];
      return taken;
    },
    async closePages() {
      await Promise.all(contexts.map((context) => context.close()));
      contexts = [];
    },
    async stop() {
      await browser.close();
      await cloud.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Signs in on the plain sign-in page and waits until the app has left it. */
export async function signIn(
  page: Page,
  cloud: LocalCloud,
  email: string,
  password = DEMO_PASSWORD,
): Promise<void> {
  await page.goto(`${cloud.url}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname !== '/login');
}

/** Opens an invitation link, chooses the password, and waits for the start page. */
export async function acceptInvitation(
  page: Page,
  cloud: LocalCloud,
  invitation: Invitation,
  password = NEW_PASSWORD,
): Promise<void> {
  await page.goto(`${cloud.url}${acceptPath(invitation)}`);
  await page.getByLabel('New password').fill(password);
  await page.getByLabel('Confirm the password').fill(password);
  await page.getByRole('button', { name: 'Set password and sign in' }).click();
  await page.waitForURL((url) => url.pathname !== '/accept-invitation');
}

/** The links of the header's main navigation. */
export function mainNav(page: Page): Locator {
  return page.getByRole('banner').getByRole('navigation', { name: 'Main' });
}
