import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '#shared/domain/audit/audit-entry.ts';
import { type BrowserWorld, cssValue, isPath, signIn, startBrowserWorld, textOf } from './support.ts';

const CSV_HEADER = 'at,entityType,entityId,action,actorId,actorName,field,from,to,correlationId';

/** The `datetime` of every entry on screen, top to bottom. */
async function entryTimes(page: Page): Promise<string[]> {
  const times = await page
    .getByRole('table')
    .locator('tbody tr time[datetime]')
    .evaluateAll((elements) => elements.map((element) => element.getAttribute('datetime') ?? ''));
  return times;
}

function isNewestFirst(times: readonly string[]): boolean {
  return times.every((time, index) => index === 0 || Date.parse(times[index - 1] ?? '') >= Date.parse(time));
}

describe('the tenant-wide audit trail in the browser', () => {
  let world: BrowserWorld;

  beforeAll(async () => {
    world = await startBrowserWorld();
  }, 180_000);

  afterAll(async () => {
    await world?.stop();
  });

  afterEach(async () => {
    await world.closePages();
    // An uncaught exception in the app fails the test even when the screens looked right.
    expect(world.takePageErrors()).toEqual([]);
  });

  it('lists changes newest first, filters them, and downloads them as CSV', async () => {
    // Prepare: a business unit and a team, the team then renamed, through the API
    const { cloud } = world;
    const token = await cloud.login('admin@acme.example');
    const api = async (method: string, path: string, body?: unknown, ifMatch?: string) => {
      const response = await fetch(`${cloud.url}/api${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          ...(ifMatch ? { 'if-match': ifMatch } : {}),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      if (!response.ok)
        throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
      return { body: (await response.json()) as Record<string, unknown>, etag: response.headers.get('etag') };
    };
    await api('POST', '/business-units', { name: 'Audit Office', costCentre: 'AUD-1' });
    const team = await api('POST', '/teams', { name: 'Audit Team', description: 'First words.' });
    const teamId = String(team.body.teamId);
    await api(
      'PATCH',
      `/teams/${teamId}`,
      { name: 'Audit Team Renamed', description: 'Second words.' },
      team.etag ?? `"${String(team.body.version)}"`,
    );

    // Act: the admin changes the branding on the settings page
    const admin = await world.open();
    await signIn(admin, cloud, 'admin@acme.example');
    await admin.goto(`${cloud.url}/admin/settings`);
    const displayName = admin.getByLabel('Display name');
    await expect.poll(() => displayName.inputValue()).toBe('Acme Manufacturing');
    await displayName.fill('Acme Group');
    await admin.getByLabel('Primary colour', { exact: true }).fill('#aa3300');
    await admin.getByRole('figure', { name: 'Preview' }).getByText('Acme Group').waitFor();
    await admin.getByRole('button', { name: 'Save settings' }).click();

    // Assess: saved, and the header wears the new name and colour at once
    await admin.getByRole('status').filter({ hasText: 'The settings are saved.' }).waitFor();
    const header = admin.getByRole('banner');
    await header.getByRole('link', { name: 'Acme Group' }).waitFor();
    expect(await cssValue(header, 'border-top-color')).toBe('rgb(170, 51, 0)');
    await cloud.idle();

    // Act: open the audit trail
    await admin.goto(`${cloud.url}/admin/audit`);
    await admin.getByRole('heading', { name: 'Audit trail', level: 1 }).waitFor();
    const firstRow = admin.getByRole('table').locator('tbody tr').first();
    await firstRow.waitFor();

    // Assess: newest first, the branding change on top, times in the tenant's zone
    const times = await entryTimes(admin);
    expect(times.length).toBeGreaterThan(3);
    expect(isNewestFirst(times)).toBe(true);
    const top = await textOf(firstRow);
    expect(top).toContain('Tenant');
    expect(top).toContain('Updated');
    expect(top).toContain('Acme Group');
    expect(top).toContain('Acme Tenant Admin');

    // Assess: the next page continues where the first ended
    const next = admin.getByRole('button', { name: 'Next page' });
    if ((await next.count()) > 0 && (await next.isEnabled())) {
      const lastOnFirst = times.at(-1) ?? '';
      await next.click();
      await admin.getByText('Page 2', { exact: true }).waitFor();
      await expect.poll(async () => (await entryTimes(admin))[0] ?? '').not.toBe(times[0]);
      const second = await entryTimes(admin);
      expect(isNewestFirst(second)).toBe(true);
      expect(Date.parse(second[0] ?? '')).toBeLessThanOrEqual(Date.parse(lastOnFirst));
    }

    // Act: only teams
    await admin.getByLabel('Record type').selectOption({ label: 'Team' });
    await admin.getByRole('button', { name: 'Apply filters' }).click();

    // Assess: teams only (the demo's own and this test's), newest first, this test's renaming on top
    const listed = await api('GET', '/audit?entityType=team&limit=100');
    const teamEntries = listed.body.items as AuditEntry[];
    expect(teamEntries.filter((entry) => entry.entityId === teamId)).toHaveLength(2);
    const tableRows = admin.getByRole('table').locator('tbody tr');
    await expect.poll(() => tableRows.count(), { timeout: 10_000 }).toBe(teamEntries.length);
    const rows = await tableRows.allInnerTexts();
    expect(await tableRows.locator('td:nth-child(2) .type').allInnerTexts()).toEqual(
      teamEntries.map(() => 'Team'),
    );
    expect(rows[0]).toMatch(/Audit Team Renamed[\s\S]*Updated/);
    expect(rows[0]).toContain('Audit Team → Audit Team Renamed');
    expect(rows[1]).toMatch(/Audit Team Renamed[\s\S]*Created/);
    expect(isNewestFirst(await entryTimes(admin))).toBe(true);

    // Act: download what the filter shows
    const [download] = await Promise.all([
      admin.waitForEvent('download'),
      admin.getByRole('button', { name: 'Download CSV' }).click(),
    ]);

    // Assess: a header line and one line per changed field of the team's entries
    expect(download.suggestedFilename()).toMatch(/^audit-acme-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync(await download.path(), 'utf8');
    const lines = csv.split(/\r\n/).filter((line) => line.length > 0);
    expect(lines[0]).toBe(CSV_HEADER);
    const expectedLines = teamEntries.reduce((sum, entry) => sum + Math.max(1, entry.changes.length), 0);
    expect(lines).toHaveLength(1 + expectedLines);
    expect(lines.slice(1).every((line) => line.split(',')[1] === 'team')).toBe(true);
    expect(lines.some((line) => line.includes(',name,Audit Team,Audit Team Renamed,'))).toBe(true);
    await admin.getByRole('status').filter({ hasText: 'The CSV file is downloaded.' }).waitFor();

    // Act: a day range that ends before today
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin' }).format(new Date());
    const yesterday = new Date(Date.parse(`${today}T12:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    await admin.getByLabel('From', { exact: true }).fill(yesterday);
    await admin.getByLabel('To', { exact: true }).fill(yesterday);
    await admin.getByRole('button', { name: 'Apply filters' }).click();

    // Assess
    await admin.getByText('No entries match these filters.').waitFor();

    // Act: today only
    await admin.getByLabel('From', { exact: true }).fill(today);
    await admin.getByLabel('To', { exact: true }).fill(today);
    await admin.getByRole('button', { name: 'Apply filters' }).click();

    // Assess: every team entry was made today
    await expect.poll(() => tableRows.count(), { timeout: 10_000 }).toBe(teamEntries.length);

    // Act: from after to
    await admin.getByLabel('From', { exact: true }).fill(today);
    await admin.getByLabel('To', { exact: true }).fill(yesterday);
    await admin.getByRole('button', { name: 'Apply filters' }).click();

    // Assess
    await admin.getByRole('alert').filter({ hasText: 'The “from” date is after the “to” date.' }).waitFor();

    // Act: everything one person changed
    const me = await api('GET', '/me');
    await admin.getByRole('button', { name: 'Clear' }).click();
    await admin.getByLabel('Changed by (user id)').fill(String(me.body.userId));
    await admin.getByRole('button', { name: 'Apply filters' }).click();

    // Assess: only the admin's changes, the branding change among them
    const mine = await api('GET', `/audit?actorId=${encodeURIComponent(String(me.body.userId))}&limit=25`);
    const myEntries = mine.body.items as AuditEntry[];
    expect(myEntries.length).toBeGreaterThan(0);
    await expect.poll(() => tableRows.count(), { timeout: 10_000 }).toBe(myEntries.length);
    expect(new Set(await tableRows.locator('td:nth-child(4)').allInnerTexts())).toEqual(
      new Set(['Acme Tenant Admin']),
    );
    expect((await tableRows.allInnerTexts()).some((row) => row.includes('Acme Group'))).toBe(true);
  }, 120_000);

  it('tells a service desk agent the audit pages are for tenant admins', async () => {
    // Act
    const agent = await world.open();
    await signIn(agent, world.cloud, 'agent@acme.example');
    await agent.waitForURL(isPath('/services'));
    await agent.goto(`${world.cloud.url}/admin/audit`);

    // Assess
    await agent.getByRole('heading', { name: 'Not available for your role' }).waitFor();
    expect(await textOf(agent.getByRole('main'))).toContain('Only tenant admins');
  }, 60_000);
});
