import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserWorld, isPath, signIn, startBrowserWorld, textOf } from './support.ts';

describe('a tenant admin configuring service levels in the browser', () => {
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

  async function admin(): Promise<Page> {
    const page = await world.open();
    await signIn(page, world.cloud, 'admin@acme.example');
    return page;
  }

  const matrixCell = (page: Page) => page.getByLabel('Priority for medium impact and high urgency');

  it('edits the matrix, adds a policy and an escalation rule, and finds them kept after a reload', async () => {
    // Prepare
    const { cloud } = world;
    const page = await admin();
    await page.goto(`${cloud.url}/admin/users`);
    await page
      .getByRole('navigation', { name: 'Admin' })
      .getByRole('link', { name: 'Service levels' })
      .click();
    await page.getByRole('heading', { name: 'Service levels', level: 1 }).waitFor();

    // Act: the matrix gives P1 for medium impact and high urgency
    await page
      .getByRole('navigation', { name: 'Service levels' })
      .getByRole('link', { name: 'Priority matrix' })
      .click();
    await expect.poll(() => matrixCell(page).inputValue()).toBe('P2');
    await matrixCell(page).selectOption('P1');
    await page.getByRole('button', { name: 'Save matrix' }).click();
    await page.getByRole('status').filter({ hasText: 'The priority matrix is saved.' }).waitFor();

    // Act: a policy for the VPN, first with a response longer than its resolution
    await page.goto(`${cloud.url}/admin/service-levels/policies`);
    await page.getByText('No policies yet').waitFor();
    await page.getByRole('link', { name: 'Add a policy' }).click();
    await page.getByRole('heading', { name: 'New SLA policy', level: 1 }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('VPN gold');
    await page
      .getByRole('group', { name: 'Services' })
      .getByRole('checkbox', { name: 'VPN Remote Access' })
      .check();
    await page.getByLabel('P1 first response in minutes').fill('90');
    await page.getByLabel('P1 resolution in minutes').fill('30');
    await page.getByRole('button', { name: 'Add policy' }).click();

    // Assess: the API's message beside the P1 row, nothing saved
    await page.getByText('P1: Response must not take longer than resolution').waitFor();
    await page.getByRole('alert').filter({ hasText: 'The policy was not saved.' }).waitFor();
    expect(await page.getByLabel('P1 first response in minutes').getAttribute('aria-invalid')).toBe('true');

    // Act: fixed, and P5 left to the default policy; the targets read as hours too
    await page.getByLabel('P1 first response in minutes').fill('15');
    await page.getByLabel('P1 resolution in minutes').fill('150');
    await page.getByRole('checkbox', { name: 'P5 · Planning' }).uncheck();
    await page.getByText('= 2 h 30 min').waitFor();
    await page.getByRole('button', { name: 'Add policy' }).click();

    // Assess: saved, at its own address
    await page.getByRole('status').filter({ hasText: 'The policy is saved.' }).waitFor();
    await page.waitForURL(isPath(/^\/admin\/service-levels\/policies\/p-[0-9a-f]+$/));
    await page.getByRole('heading', { name: 'VPN gold', level: 1 }).waitFor();

    // Act: an escalation rule on resolution breach
    await page.goto(`${cloud.url}/admin/service-levels/incident-settings`);
    await page.getByRole('heading', { name: 'Incident settings', level: 1 }).waitFor();
    await page.getByLabel('Warn when this share of a target has passed (%)').fill('80');
    await page.getByRole('button', { name: 'Add an escalation rule' }).click();
    const rule = page.getByRole('group', { name: /^Rule 1/ });
    await rule.getByLabel('Name', { exact: true }).fill('Breach to infrastructure');
    await rule.getByLabel('When a clock').selectOption('breach');
    await rule
      .getByRole('group', { name: 'Notify people' })
      .getByRole('checkbox', { name: 'Acme Service Desk Agent' })
      .check();
    await rule.getByLabel('Hand the incident to team').selectOption({ label: 'Infrastructure' });
    await rule.getByRole('checkbox', { name: /Raise the priority/ }).check();
    await page.getByRole('button', { name: 'Save incident settings' }).click();
    await page.getByRole('status').filter({ hasText: 'The incident settings are saved.' }).waitFor();

    // Assess: everything is still there after a reload
    await page.reload();
    const kept = page.getByRole('group', { name: 'Rule 1: Breach to infrastructure' });
    await kept.waitFor();
    expect(await kept.getByLabel('Hand the incident to team').inputValue()).not.toBe('');
    expect(await kept.getByRole('checkbox', { name: 'Acme Service Desk Agent' }).isChecked()).toBe(true);
    expect(await kept.getByRole('checkbox', { name: /Raise the priority/ }).isChecked()).toBe(true);
    expect(await page.getByLabel('Warn when this share of a target has passed (%)').inputValue()).toBe('80');

    await page.goto(`${cloud.url}/admin/service-levels/policies`);
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'VPN gold' }) });
    await expect.poll(() => textOf(row)).toContain('VPN Remote Access');
    expect(await textOf(row)).toContain('P1: 15 min / 2 h 30 min');
    expect(await textOf(row)).not.toContain('P5');

    await page.goto(`${cloud.url}/admin/service-levels/priority-matrix`);
    await expect.poll(() => matrixCell(page).inputValue()).toBe('P1');
  }, 120_000);

  it('refuses to remove a calendar a policy still uses, and says so beside the calendars', async () => {
    // Prepare: a night calendar, used by a policy
    const { cloud } = world;
    const page = await admin();
    await page.goto(`${cloud.url}/admin/service-levels/calendars`);
    await page.getByRole('heading', { name: 'Other calendars' }).waitFor();
    await page.getByRole('button', { name: 'Add a calendar' }).click();
    const calendar = page.getByRole('group', { name: 'Calendar 1' });
    await calendar.getByLabel('Id', { exact: true }).fill('night-shift');
    await calendar.getByLabel('Name', { exact: true }).fill('Night shift');
    await page.getByRole('button', { name: 'Save calendars' }).click();
    await page.getByRole('status').filter({ hasText: 'The calendars are saved.' }).waitFor();
    await page.goto(`${cloud.url}/admin/service-levels/policies/new`);
    await page.getByLabel('Name', { exact: true }).fill('Nights');
    await page.getByLabel('Calendar', { exact: true }).selectOption('night-shift');
    await page.getByRole('button', { name: 'Add policy' }).click();
    await page.getByRole('status').filter({ hasText: 'The policy is saved.' }).waitFor();

    // Act
    await page.goto(`${cloud.url}/admin/service-levels/calendars`);
    await page.getByRole('button', { name: 'Remove Night shift' }).click();
    await page.getByRole('button', { name: 'Save calendars' }).click();

    // Assess
    await page
      .getByText(
        'The calendar night-shift is still used by the policy “Nights”; give it another calendar first',
      )
      .waitFor();
    await page.reload();
    await page.getByRole('group', { name: 'Night shift' }).waitFor();
  }, 90_000);

  it('shows a conflict instead of overwriting a change saved meanwhile', async () => {
    // Prepare: two tabs on the default policy
    const { cloud } = world;
    const first = await admin();
    const second = await admin();
    for (const page of [first, second]) {
      await page.goto(`${cloud.url}/admin/service-levels/default-policy`);
      await page.getByLabel('P2 resolution in minutes').waitFor();
    }

    // Act
    await first.getByLabel('P2 resolution in minutes').fill('600');
    await first.getByRole('button', { name: 'Save default policy' }).click();
    await first.getByRole('status').filter({ hasText: 'The default policy is saved.' }).waitFor();
    await second.getByLabel('P2 resolution in minutes').fill('720');
    await second.getByRole('button', { name: 'Save default policy' }).click();

    // Assess: told, and the latest version loads on request
    await second
      .getByRole('alert')
      .filter({ hasText: 'Someone else changed the default policy meanwhile.' })
      .waitFor();
    await second.getByRole('button', { name: 'Load the latest version' }).click();
    await expect.poll(() => second.getByLabel('P2 resolution in minutes').inputValue()).toBe('600');
  }, 60_000);

  it('recomputes the open incidents and shows the progress until done', async () => {
    // Prepare
    const { cloud } = world;
    const page = await admin();
    await page.goto(`${cloud.url}/admin/service-levels`);

    // Act
    await page.getByRole('button', { name: 'Recompute open incidents' }).click();

    // Assess: counts shown as "done / total" until the job says it is done
    const status = page.getByRole('status').filter({ hasText: /open incidents/ });
    await status
      .filter({ hasText: /Done: (\d+) \/ \1 open incidents recomputed/ })
      .waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Recompute open incidents' }).waitFor();
    expect(await page.getByRole('button', { name: 'Recompute open incidents' }).isEnabled()).toBe(true);
  }, 60_000);
});
