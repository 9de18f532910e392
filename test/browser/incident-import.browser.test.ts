import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserWorld, isPath, signIn, startBrowserWorld, textOf } from './support.ts';

/** Three rows of another tool's export: one resolved, one open, one whose caller is not in acme. */
const CSV = [
  'Legacy ID,Title,Caller,State,Opened,Resolved,Service,Assignment group',
  'HD-101,"Mail bounces, since Monday",requester@acme.example,Solved,2025-05-05 09:00,2025-05-05 11:00,Email and Calendar,Service Desk',
  'HD-102,VPN drops every hour,requester@acme.example,Open,2025-05-06 09:00,,VPN Remote Access,Service Desk',
  'HD-103,Printer on fire,stranger@acme.example,New,2025-05-07 09:00,,,',
].join('\r\n');

describe('a tenant admin importing incident history in the browser', () => {
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

  async function signedIn(email: string): Promise<Page> {
    const page = await world.open();
    await signIn(page, world.cloud, email);
    return page;
  }

  it('reads a file, matches its columns, checks the rows and imports them with progress', async () => {
    // Prepare
    const page = await signedIn('admin@acme.example');
    await page.goto(`${world.cloud.url}/desk`);
    await page
      .getByRole('navigation', { name: 'Service desk' })
      .getByRole('link', { name: 'Import incidents' })
      .click();
    await page.getByRole('heading', { name: 'Import incidents', level: 1 }).waitFor();

    // Act: a broken file first, pasted
    await page.getByLabel('Or paste the CSV text').fill('Title,Caller\n"Mail down,a@acme.example\n');
    await page.getByRole('button', { name: 'Read the file' }).click();

    // Assess: the reason beside the file, still at step 1
    await page
      .getByRole('alert')
      .filter({ hasText: 'The file could not be read. See the messages below.' })
      .waitFor();
    const file = page.getByLabel('CSV file');
    await page.getByText('Row 2: a quoted value is never closed').waitFor();
    expect(await file.getAttribute('aria-invalid')).toBe('true');

    // Act: the real file, chosen
    await file.setInputFiles({ name: 'helpdesk-export.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
    await page.getByRole('button', { name: 'Read the file' }).click();

    // Assess: the columns with their first values, the suggestion filled in, the unknown one left out
    await page.getByRole('heading', { name: '2. Match the columns' }).waitFor();
    await page.getByText('helpdesk-export.csv has 3 rows and 8 columns.').waitFor();
    expect(await page.getByLabel('Title', { exact: true }).inputValue()).toBe('shortDescription');
    expect(await page.getByLabel('Opened').inputValue()).toBe('createdAt');
    expect(await page.getByLabel('Assignment group').inputValue()).toBe('teamName');
    expect(await page.getByLabel('Legacy ID').inputValue()).toBe('ignore');
    const firstValues = await textOf(page.getByRole('table'));
    expect(firstValues).toContain('HD-101');

    // Act: the legacy id is the original number
    await page.getByLabel('Legacy ID').selectOption({ label: 'Original number' });
    await page.getByRole('button', { name: 'Check the rows' }).click();

    // Assess: counts, the refused row with its reason, a preview of what will be created
    await page.getByRole('heading', { name: '3. Check the rows' }).waitFor();
    await page.getByRole('status').filter({ hasText: '3 rows: 2 will be imported, 1 is refused.' }).waitFor();
    const refused = page.getByRole('table', { name: /Refused rows/ });
    expect(await textOf(refused)).toContain(
      'Nobody in your organisation has the email stranger@acme.example',
    );
    expect(await textOf(refused)).toMatch(/4\s+Caller/);
    const preview = page.getByRole('table', { name: 'Incidents to be created' });
    expect(await textOf(preview.getByRole('row').filter({ hasText: 'HD-101' }))).toContain('Resolved');
    expect(await textOf(preview.getByRole('row').filter({ hasText: 'HD-102' }))).toContain('Assigned');

    // Act: import
    await page.getByRole('button', { name: 'Import 2 incidents' }).click();

    // Assess: the progress until done, then links to what was created and the row left out
    await page.getByRole('heading', { name: '4. Import' }).waitFor();
    await page
      .getByRole('status')
      .filter({ hasText: 'Done: 2 incidents imported, 1 row not imported.' })
      .waitFor({ timeout: 30_000 });
    expect(await page.locator('progress').getAttribute('value')).toBe('2');
    const imported = page.getByRole('table', { name: 'Imported incidents' });
    expect(await textOf(page.getByRole('table', { name: 'Rows not imported' }))).toContain(
      'stranger@acme.example',
    );
    const link = imported.getByRole('row').filter({ hasText: 'HD-101' }).getByRole('link');
    const number = await textOf(link);
    expect(number).toMatch(/^INC\d{7}$/);

    // Act: open the resolved one
    await link.click();

    // Assess: the record keeps the file's story
    await page.waitForURL(isPath(/^\/desk\/incidents\/[0-9a-f-]+$/));
    await page.getByRole('heading', { name: `${number}: Mail bounces, since Monday`, level: 1 }).waitFor();
    await page.getByText('Imported from CSV (row 2, original number HD-101)').waitFor();
  }, 120_000);

  it('does not offer the import to an agent', async () => {
    const page = await signedIn('agent@acme.example');

    await page.goto(`${world.cloud.url}/desk`);
    await page
      .getByRole('navigation', { name: 'Service desk' })
      .getByRole('link', { name: 'Queues' })
      .waitFor();
    expect(await page.getByRole('link', { name: 'Import incidents' }).count()).toBe(0);
    await page.goto(`${world.cloud.url}/desk/import`);
    await page.getByText('Importing incident history is for tenant admins.').waitFor();
  }, 60_000);
});
