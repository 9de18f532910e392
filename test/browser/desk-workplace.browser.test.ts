import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserWorld, isPath, signIn, startBrowserWorld, textOf } from './support.ts';

/*
 * An agent's day at the desk in the browser: saved queue views that survive a reload, bulk assignment
 * with an answer per incident, editing a record (priority recomputed, override only with a reason),
 * and logging an incident for a caller, who then finds it in the portal.
 */

interface Created {
  incidentId: string;
  number: string;
  version: number;
}

describe('the service desk workplace in the browser', () => {
  let world: BrowserWorld;
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    world = await startBrowserWorld();
  }, 120_000);

  afterAll(async () => {
    await world?.stop();
  });

  afterEach(async () => {
    await world.closePages();
    expect(world.takePageErrors()).toEqual([]);
  });

  /** Calls the API as a demo login, as the app would; for preparing records, not for what is tested. */
  async function api<T>(
    email: string,
    method: string,
    path: string,
    body?: unknown,
    ifMatch?: number,
  ): Promise<T> {
    let token = tokens.get(email);
    if (token === undefined) {
      token = await world.cloud.login(email);
      tokens.set(email, token);
    }
    const response = await fetch(`${world.cloud.url}/api${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(ifMatch === undefined ? {} : { 'if-match': `"${ifMatch}"` }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok)
      throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as T;
  }

  const report = (shortDescription: string, impact: string, urgency: string) =>
    api<Created>('requester@acme.example', 'POST', '/incidents', { shortDescription, impact, urgency });

  async function openDeskAsAgent(path = '/desk'): Promise<Page> {
    const agent = await world.open();
    await signIn(agent, world.cloud, 'agent@acme.example');
    await agent.goto(`${world.cloud.url}${path}`);
    return agent;
  }

  it('saves a queue view with filters and order, and opens it again after a reload', async () => {
    // Prepare: three open incidents of different priorities, reported in this order
    await report('Saved view: planning item', 'low', 'low');
    await report('Saved view: plant is down', 'high', 'high');
    await report('Saved view: slow laptop', 'medium', 'medium');
    const agent = await openDeskAsAgent();

    // Act: All open, ordered by priority, saved under a name with Enter
    await agent.getByRole('tab', { name: 'All open' }).click();
    await agent.waitForURL((url) => url.searchParams.get('queue') === 'all-open');
    await agent.getByLabel('Order').selectOption({ label: 'Priority, P1 first' });
    await agent.waitForURL((url) => url.searchParams.get('sort') === 'priority');
    await agent.getByRole('button', { name: 'Save view…' }).click();
    await agent.getByLabel('View name').fill('Everything by priority');
    await agent.getByLabel('View name').press('Enter');
    await agent
      .getByRole('status')
      .filter({ hasText: 'The view “Everything by priority” is saved.' })
      .waitFor();

    // Assess: the view is listed, current, and named in the URL
    const savedViews = agent.getByRole('navigation', { name: 'Saved views' });
    const link = savedViews.getByRole('link', { name: 'Everything by priority' });
    await expect.poll(() => link.getAttribute('aria-current')).toBe('page');
    const viewId = new URL(agent.url()).searchParams.get('view');
    expect(viewId).toMatch(/^v-[0-9a-f]+$/);

    // Act: reload the page, then wander off to another queue and come back through the saved view
    await agent.reload();
    await link.waitFor();
    expect(await link.getAttribute('aria-current')).toBe('page');
    expect(await agent.getByLabel('Order').inputValue()).toBe('priority');
    expect(await agent.getByRole('tab', { name: 'All open' }).getAttribute('aria-selected')).toBe('true');
    await agent.getByRole('tab', { name: 'Mine' }).click();
    await agent.waitForURL(
      (url) => url.searchParams.get('queue') === 'mine' && !url.searchParams.has('view'),
    );
    await link.click();
    await agent.waitForURL((url) => url.searchParams.get('view') === viewId);

    // Assess: the page says the order is the browser's, and the rows come P1 first
    await agent.getByText('This page is ordered by priority, P1 first, in your browser').waitFor();
    const table = agent.getByRole('table');
    await table.getByRole('row').filter({ hasText: 'Saved view: plant is down' }).waitFor();
    const priorities = await table.locator('tbody tr td:nth-child(4)').allInnerTexts();
    expect(priorities.length).toBeGreaterThanOrEqual(3);
    expect(priorities).toEqual([...priorities].sort());
    const subjects = await table.locator('tbody tr').allInnerTexts();
    const order = ['plant is down', 'slow laptop', 'planning item'].map((subject) =>
      subjects.findIndex((row) => row.includes(`Saved view: ${subject}`)),
    );
    expect(order).toEqual([...order].sort((a, b) => a - b));
  }, 90_000);

  it('bulk-assigns the selected incidents and says per incident what happened', async () => {
    // Prepare: three unassigned incidents
    const first = await report('Bulk: projector flickers', 'low', 'medium');
    const second = await report('Bulk: badge reader offline', 'low', 'medium');
    const third = await report('Bulk: shared drive full', 'low', 'medium');
    const agent = await openDeskAsAgent('/desk?queue=unassigned');
    const rowOf = (incident: Created) => agent.getByRole('row').filter({ hasText: incident.number });
    await rowOf(third).waitFor();

    // Act: select all three with the keyboard, while someone changes the third meanwhile
    for (const incident of [first, second, third]) {
      const box = rowOf(incident).getByRole('checkbox', { name: `Select ${incident.number}` });
      await box.focus();
      await agent.keyboard.press('Space');
      expect(await box.isChecked()).toBe(true);
    }
    await api(
      'agent@acme.example',
      'POST',
      `/incidents/${third.incidentId}/work-notes`,
      { text: 'Checked the quota.' },
      third.version,
    );
    await agent.getByLabel('Team to assign').selectOption({ label: 'Service Desk' });
    await agent.getByLabel('Person to assign').selectOption({ label: 'Acme Service Desk Agent' });
    await agent.getByRole('button', { name: 'Assign selected (3)' }).click();

    // Assess: one line per incident, the stale one refused with 412 and still selected
    const results = agent.getByRole('list', { name: 'Result per incident' });
    await results.waitFor();
    expect(await textOf(results.getByRole('listitem').filter({ hasText: first.number }))).toContain(
      'Assigned',
    );
    expect(await textOf(results.getByRole('listitem').filter({ hasText: second.number }))).toContain(
      'Assigned',
    );
    expect(await textOf(results.getByRole('listitem').filter({ hasText: third.number }))).toContain(
      'Not assigned: someone else changed it since the list was loaded',
    );
    await agent.getByRole('status').filter({ hasText: '2 of 3 incidents assigned.' }).waitFor();

    // Assess: the list is read again; the two assigned left Unassigned, the stale one can be retried
    await expect.poll(() => rowOf(first).count()).toBe(0);
    expect(await rowOf(second).count()).toBe(0);
    expect(await rowOf(third).getByRole('checkbox').isChecked()).toBe(true);
    await agent.getByRole('button', { name: 'Assign selected (1)' }).click();
    await agent.getByRole('status').filter({ hasText: '1 of 1 incident assigned.' }).waitFor();
    const assigned = await api<{ assigneeName: string; state: string }>(
      'agent@acme.example',
      'GET',
      `/incidents/${third.incidentId}`,
    );
    expect(assigned).toMatchObject({ assigneeName: 'Acme Service Desk Agent', state: 'assigned' });
  }, 90_000);

  it('edits urgency on the record and shows the recomputed priority; an override needs a reason', async () => {
    // Prepare: medium impact, low urgency is P4 in the default matrix
    const incident = await report('Record: monitor stays black', 'medium', 'low');
    const agent = await openDeskAsAgent(`/desk/incidents/${incident.incidentId}`);
    const header = agent.getByRole('heading', { level: 1 }).locator('..');
    await expect.poll(() => textOf(header)).toContain('P4');

    // Act: urgency high, saved with Enter from a text field of the form
    await agent.getByLabel('Urgency').selectOption({ value: 'high' });
    await agent.getByLabel('Configuration item').fill('MON-2231');
    await agent.getByLabel('Configuration item').press('Enter');

    // Assess: the priority is recomputed, said and shown
    await agent
      .getByRole('status')
      .filter({
        hasText: 'The details are saved. The priority is now P2 (from impact × urgency); it was P4.',
      })
      .waitFor();
    await expect.poll(() => textOf(header)).toContain('P2');
    expect(await textOf(agent.locator('.details'))).toContain('MON-2231');

    // Act: an override without a reason
    await agent.getByLabel('Override').selectOption({ value: 'P1' });
    await agent.getByRole('button', { name: 'Save priority' }).click();

    // Assess: refused beside the reason, which has the focus
    const reason = agent.getByLabel('Reason for the override');
    await expect.poll(() => reason.getAttribute('aria-invalid')).toBe('true');
    expect(await reason.evaluate((element) => element.ownerDocument.activeElement === element)).toBe(true);

    // Act: with a reason
    await reason.fill('Blocks the whole trading floor');
    await reason.press('Enter');
    await agent
      .getByRole('status')
      .filter({ hasText: 'The priority is now P1 (overridden; the matrix gives P2); it was P2.' })
      .waitFor();
    await expect.poll(() => textOf(header)).toContain('P1');
  }, 90_000);

  it('logs an incident for a requester, who then sees it in the portal', async () => {
    const subject = 'Logged by phone: cannot open payroll files';
    const agent = await openDeskAsAgent();

    // Act: the agent logs the call for the requester
    await agent
      .getByRole('navigation', { name: 'Service desk' })
      .getByRole('link', { name: 'Log an incident' })
      .click();
    await agent.waitForURL(isPath('/desk/new'));
    await agent.getByRole('button', { name: 'Log incident' }).click();
    const search = agent.getByLabel('Find the caller');
    await expect.poll(() => search.getAttribute('aria-invalid')).toBe('true');
    expect(await search.evaluate((element) => element.ownerDocument.activeElement === element)).toBe(true);
    await search.fill('acme requester');
    await agent.getByRole('radio', { name: /Acme Requester/ }).check();
    await agent.getByText('Logging for Acme Requester').waitFor();
    await agent.getByLabel('Service (optional)').selectOption({ index: 1 });
    await agent.getByLabel('Impact', { exact: true }).selectOption({ value: 'low' });
    await agent.getByLabel('Urgency', { exact: true }).selectOption({ value: 'high' });
    await agent.getByLabel('Short description').fill(subject);
    await agent.getByLabel(/^Description/).fill('Called at 9:10; the files open as blank pages.');
    await agent.getByRole('button', { name: 'Log incident' }).click();

    // Assess: the record opens, logged for the requester
    await agent.waitForURL(isPath(/^\/desk\/incidents\/[^/]+$/));
    await agent.getByText(/is logged for Acme Requester/).waitFor();
    const heading = agent.getByRole('heading', { level: 1 });
    await heading.filter({ hasText: subject }).waitFor();
    const number = (await textOf(heading)).split(':')[0] ?? '';
    expect(await textOf(agent.locator('.details'))).toContain('Acme Requester');

    // Act + Assess: the requester finds it among their own incidents and can open it
    const requester = await world.open();
    await signIn(requester, world.cloud, 'requester@acme.example');
    await requester.waitForURL(isPath('/portal'));
    const row = requester.getByRole('row').filter({ hasText: subject });
    await row.waitFor();
    await row.getByRole('link', { name: number }).click();
    await requester.getByRole('heading', { level: 1 }).filter({ hasText: subject }).waitFor();
  }, 90_000);
});
