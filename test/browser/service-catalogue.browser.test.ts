import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCloud, startLocalCloud } from '#infra/local/cloud.ts';
import { DEMO_PASSWORD } from '#infra/local/demo-data.ts';
import { launchBrowser } from './browser.ts';
import { BUILD_DIR, ensureFreshWebBuild } from './support.ts';

// Audit entries arrive through the outbox and the bus; the page polls for up to 20 s.
const AUDIT_TIMEOUT_MS = 25_000;

function isPath(pathname: string | RegExp) {
  return (url: URL) =>
    typeof pathname === 'string' ? url.pathname === pathname : pathname.test(url.pathname);
}

async function signIn(page: Page, baseUrl: string, email: string, landing = '/services'): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.waitForURL(isPath('/login'));
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(isPath(landing));
}

/** The top-level entries of the audit trail, newest first (changes are nested list items). */
function auditEntries(page: Page): Locator {
  return page
    .getByRole('region', { name: 'Audit trail' })
    .getByRole('listitem')
    .filter({ hasText: /^(Created|Updated) by/ });
}

/** The text as the reader sees it: rendered line breaks, hidden text left out. */
function textOf(locator: Locator): Promise<string> {
  // biome-ignore lint/performance/useDomNodeTextContent: Playwright's Locator.innerText, not the DOM property.
  return locator.innerText();
}

/** The hint and error texts a control (or group) points at with aria-describedby. */
async function describedText(page: Page, input: Locator): Promise<string> {
  const describedBy = (await input.getAttribute('aria-describedby')) ?? '';
  const texts = await Promise.all(
    describedBy
      .split(' ')
      .filter((id) => id.length > 0)
      .map((id) => textOf(page.locator(`[id="${id}"]`))),
  );
  return texts.join(' ');
}

describe('service catalogue in the browser', () => {
  let cloud: LocalCloud;
  let browser: Browser;
  let dataDir: string;
  let context: BrowserContext | undefined;
  let pageErrors: string[] = [];

  beforeAll(async () => {
    // Builds the web app when a source is newer than the build (CI builds it before the tests).
    await ensureFreshWebBuild();
    dataDir = mkdtempSync(join(tmpdir(), 'itsm-browser-'));
    cloud = await startLocalCloud({ dataDir, port: 0, webDir: BUILD_DIR, seedDemo: true });
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await cloud?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function openPage(): Promise<Page> {
    pageErrors = [];
    context = await browser.newContext();
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    return page;
  }

  afterEach(async () => {
    await context?.close();
    context = undefined;
    // An uncaught exception in the app fails the test even when the screens looked right.
    expect(pageErrors).toEqual([]);
  });

  it('lets a service owner add a service, change it and read its audit trail', async () => {
    // Prepare
    const page = await openPage();

    // Act: sign in from the start page, which sends an anonymous visitor to the login page
    await page.goto(`${cloud.url}/`);
    await page.waitForURL(isPath('/login'));
    await page.getByRole('heading', { name: 'Demo accounts' }).waitFor();
    await page.getByLabel('Email').fill('owner@acme.example');
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(isPath('/services'));

    // Assess: the header names the tenant and the user, and the seeded catalogue is listed by name
    const header = page.getByRole('banner');
    await header.getByText('Acme Service Owner').waitFor();
    expect(await textOf(header)).toContain('acme');
    expect(await textOf(header)).toContain('service-owner');
    await page.getByRole('heading', { name: 'Service catalogue', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'Email and Calendar' }).waitFor();
    const names = await page.getByRole('table').getByRole('rowheader').allInnerTexts();
    // The API orders by lower-cased name.
    const byName = (a: string, b: string) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1);
    expect(names).toEqual([...names].sort(byName));
    expect(names).toContain('Legacy Fax Gateway');

    // Act: try to add a service without a name
    await page.getByRole('link', { name: 'New service' }).click();
    await page.waitForURL(isPath('/services/new'));
    const name = page.getByLabel('Name', { exact: true });
    const owner = page.getByLabel('Owner', { exact: true });
    await owner.fill('Workplace Services');
    await page.getByRole('button', { name: 'Create service' }).click();

    // Assess: the API's message sits next to the name field, and what was typed is kept
    await expect.poll(() => name.getAttribute('aria-invalid')).toBe('true');
    expect(await describedText(page, name)).toMatch(/name is required/i);
    expect(await owner.inputValue()).toBe('Workplace Services');

    // Act: complete the form
    await name.fill('Printing and Scanning');
    await page.getByLabel('Description').fill('Office printers, scanners and their queues.');
    await page.getByRole('button', { name: 'Create service' }).click();
    await page.waitForURL(isPath(/^\/services\/(?!new$)[^/]+$/));

    // Assess: the details and, once the bus has delivered, the creation in the audit trail
    await page.getByRole('heading', { name: 'Printing and Scanning', level: 1 }).waitFor();
    const created = auditEntries(page).filter({ hasText: /^Created by/ });
    await created.waitFor({ timeout: AUDIT_TIMEOUT_MS });
    expect(await textOf(created)).toContain('Owner: Workplace Services');
    expect(await created.locator('time[datetime]').count()).toBe(1);
    const serviceUrl = page.url();
    const serviceId = decodeURIComponent(new URL(serviceUrl).pathname.split('/')[2] ?? '');

    // Act: change owner and status
    await page.getByRole('link', { name: 'Edit service' }).click();
    await page.waitForURL(isPath(/\/edit$/));
    const status = page.getByLabel('Status');
    await expect
      .poll(() => page.getByLabel('Name', { exact: true }).inputValue())
      .toBe('Printing and Scanning');
    expect(await status.locator('option').allInnerTexts()).toEqual(['Pipeline', 'Live', 'Retired']);
    await page.getByLabel('Owner', { exact: true }).fill('Print Services');
    await status.selectOption('live');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.waitForURL(serviceUrl);

    // Assess: the new values, and the change on top of the audit trail with old and new values
    await page.getByRole('definition').filter({ hasText: 'Print Services' }).waitFor();
    const updated = auditEntries(page).filter({ hasText: /^Updated by/ });
    await updated.waitFor({ timeout: AUDIT_TIMEOUT_MS });
    const updatedText = await textOf(updated);
    expect(updatedText).toContain('Owner: Workplace Services → Print Services');
    expect(updatedText).toContain('Status: Pipeline → Live');
    expect(updatedText).toContain('Acme Service Owner');
    expect(await textOf(auditEntries(page).first())).toMatch(/^Updated by/);

    // Act: someone else changes the service while the owner edits it again
    await page.getByRole('link', { name: 'Edit service' }).click();
    await page.waitForURL(isPath(/\/edit$/));
    // Once the form holds the current version, only the moves allowed from Live are offered.
    await expect.poll(() => status.locator('option').allInnerTexts()).toEqual(['Live', 'Retired']);
    const adminToken = await cloud.login('admin@acme.example');
    const current = await fetch(`${cloud.url}/api/services/${encodeURIComponent(serviceId)}`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    const concurrent = await fetch(`${cloud.url}/api/services/${encodeURIComponent(serviceId)}`, {
      method: 'PATCH',
      headers: {
        authorization: `Bearer ${adminToken}`,
        'content-type': 'application/json',
        'if-match': current.headers.get('etag') ?? '',
      },
      body: JSON.stringify({ description: 'Changed by the admin meanwhile.' }),
    });
    expect(concurrent.status).toBe(200);
    await page.getByLabel('Name', { exact: true }).fill('Printing');
    await page.getByRole('button', { name: 'Save changes' }).click();

    // Assess: nothing is overwritten; the latest version can be loaded into the form
    await page
      .getByRole('alert')
      .filter({ hasText: 'Someone else changed this service while you were editing' })
      .waitFor();
    await page.getByRole('button', { name: 'Load the latest version' }).click();
    await expect
      .poll(() => page.getByLabel('Description').inputValue())
      .toBe('Changed by the admin meanwhile.');
    expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe('Printing and Scanning');

    // Act: sign out
    await page.getByRole('button', { name: 'Sign out' }).click();

    // Assess: back at the login page, and the app no longer opens without signing in
    await page.waitForURL(isPath('/login'));
    await page.goto(`${cloud.url}/services`);
    await page.waitForURL(isPath('/login'));
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  }, 120_000);

  it('lets a tenant admin subscribe business units to a service and shows them by name', async () => {
    // Prepare
    const page = await openPage();
    await signIn(page, cloud.url, 'admin@acme.example');

    // Act: a new service for Finance only
    await page.getByRole('link', { name: 'New service' }).click();
    await page.waitForURL(isPath('/services/new'));
    await page.getByLabel('Name', { exact: true }).fill('Treasury Portal');
    await page.getByLabel('Owner', { exact: true }).fill('Business Applications');
    const units = page.getByRole('group', { name: /Subscribed business units/ });
    await units.getByRole('checkbox', { name: 'Finance' }).check();
    // Every unit of the tenant is offered, by name, with what leaving them all unticked means.
    expect(await units.getByRole('checkbox').count()).toBe(4);
    expect(await describedText(page, units)).toContain('None ticked: offered to every unit');
    await page.getByRole('button', { name: 'Create service' }).click();
    await page.waitForURL(isPath(/^\/services\/(?!new$)[^/]+$/));

    // Assess: the service page names the unit, and the creation says who subscribed it
    await page.getByRole('heading', { name: 'Treasury Portal', level: 1 }).waitFor();
    const subscribed = page.getByRole('list', { name: 'Subscribed business units' });
    await expect.poll(() => subscribed.getByRole('listitem').allInnerTexts()).toEqual(['Finance']);
    const created = auditEntries(page).filter({ hasText: /^Created by/ });
    await created.waitFor({ timeout: AUDIT_TIMEOUT_MS });
    expect(await textOf(created)).toContain('Subscribed business units: Finance');
    expect(await textOf(created)).toContain('Acme Tenant Admin');
    const serviceUrl = page.url();

    // Act: Sales instead of Finance
    await page.getByRole('link', { name: 'Edit service' }).click();
    await page.waitForURL(isPath(/\/edit$/));
    await expect.poll(() => units.getByRole('checkbox', { name: 'Finance' }).isChecked()).toBe(true);
    await units.getByRole('checkbox', { name: 'Finance' }).uncheck();
    await units.getByRole('checkbox', { name: 'Sales' }).check();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.waitForURL(serviceUrl);

    // Assess: the page and the audit trail show the change by unit names
    await expect.poll(() => subscribed.getByRole('listitem').allInnerTexts()).toEqual(['Sales']);
    const updated = auditEntries(page).filter({ hasText: /^Updated by/ });
    await updated.waitFor({ timeout: AUDIT_TIMEOUT_MS });
    expect(await textOf(updated)).toContain('Subscribed business units: Finance → Sales');

    // Act: untick every unit
    await page.getByRole('link', { name: 'Edit service' }).click();
    await page.waitForURL(isPath(/\/edit$/));
    await expect.poll(() => units.getByRole('checkbox', { name: 'Sales' }).isChecked()).toBe(true);
    await units.getByRole('checkbox', { name: 'Sales' }).uncheck();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.waitForURL(serviceUrl);

    // Assess: offered to every unit again
    const details = page.getByRole('region', { name: 'Details' });
    await expect.poll(() => textOf(details)).toContain('Every unit');
    expect(await subscribed.count()).toBe(0);
  }, 120_000);

  it('shows a requester the catalogue without the buttons to change it', async () => {
    // Prepare
    const page = await openPage();

    // Act: a wrong password first
    await page.goto(`${cloud.url}/login`);
    await page.getByLabel('Email').fill('requester@acme.example');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();

    // Assess
    await page.getByRole('alert').filter({ hasText: 'Email or password is wrong' }).waitFor();

    // Act: the right one; a requester starts in the portal and goes on to the catalogue
    await signIn(page, cloud.url, 'requester@acme.example', '/portal');
    await page.getByRole('banner').getByRole('link', { name: 'Services' }).click();
    await page.waitForURL(isPath('/services'));
    await page.getByRole('link', { name: 'Email and Calendar' }).waitFor();

    // Assess: the catalogue is there, the controls for changing it are not
    expect(await textOf(page.getByRole('banner'))).toContain('Acme Requester');
    expect(await page.getByRole('link', { name: 'New service' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'New service' }).count()).toBe(0);

    await page.getByRole('link', { name: 'Email and Calendar' }).click();
    await page.getByRole('heading', { name: 'Email and Calendar', level: 1 }).waitFor();
    expect(await page.getByRole('link', { name: 'Edit service' }).count()).toBe(0);
    expect(await page.getByRole('region', { name: 'Audit trail' }).count()).toBe(0);
  }, 60_000);
});
