import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserWorld, isPath, mainNav, signIn, startBrowserWorld, textOf } from './support.ts';

/*
 * The service desk end to end: a requester reports in the portal, an agent works the incident from
 * the unassigned queue to resolved (with a hold in between), and the requester confirms and rates.
 */

const SUBJECT = 'The 2nd floor printer eats every page';

describe('service desk in the browser', () => {
  let world: BrowserWorld;

  beforeAll(async () => {
    world = await startBrowserWorld();
  }, 120_000);

  afterAll(async () => {
    await world?.stop();
  });

  afterEach(async () => {
    await world.closePages();
    // An uncaught exception in the app fails the test even when the screens looked right.
    expect(world.takePageErrors()).toEqual([]);
  });

  async function stateChange(page: Page, to: string, fill?: () => Promise<void>): Promise<void> {
    await page.getByLabel('New state').selectOption({ label: to });
    await fill?.();
    await page.getByRole('button', { name: 'Change state' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `The incident is now ${to.toLowerCase()}.` })
      .waitFor();
  }

  it('takes an incident from the portal through the desk to a confirmed, rated resolution', async () => {
    const { cloud } = world;

    // Act: the requester reports an incident in the portal, their start page
    const requester = await world.open();
    await signIn(requester, cloud, 'requester@acme.example');
    await requester.waitForURL(isPath('/portal'));
    expect(await mainNav(requester).getByRole('link', { name: 'Service desk' }).count()).toBe(0);
    await requester.getByLabel('What is wrong?').fill(SUBJECT);
    await requester.getByLabel('Details').fill('Since this morning, every job jams.');
    await requester.getByLabel('Which service is affected?').selectOption({ index: 1 });
    await requester.getByRole('radio', { name: 'My team or several people' }).check();
    await requester.getByRole('radio', { name: 'It slows my work down' }).check();
    await requester.getByRole('button', { name: 'Report incident' }).click();
    await requester.waitForURL(isPath(/^\/portal\/incidents\/[^/]+$/));
    const ticketUrl = requester.url();

    // Assess: the ticket names its number and the target in plain words
    const heading = requester.getByRole('heading', { level: 1 });
    await heading.filter({ hasText: SUBJECT }).waitFor();
    const number = (await textOf(heading)).split(':')[0] ?? '';
    expect(number).toMatch(/\S+/);
    await requester.getByText(/We aim to resolve this by \w{3} \d{1,2} \w{3}, \d{2}:\d{2}/).waitFor();

    // Act: the agent opens the unassigned queue
    const agent = await world.open();
    await signIn(agent, cloud, 'agent@acme.example');
    await mainNav(agent).getByRole('link', { name: 'Service desk' }).click();
    await agent.waitForURL(isPath('/desk'));
    await agent.getByRole('tab', { name: 'Unassigned' }).click();
    const row = agent.getByRole('row').filter({ hasText: SUBJECT });
    await row.waitFor();

    // Assess: the SLA countdown ticks in the browser
    const countdown = row.getByRole('timer');
    const before = await textOf(countdown);
    expect(before).toMatch(/left$/);
    await expect.poll(() => textOf(countdown), { timeout: 2_000, interval: 200 }).not.toBe(before);

    // Act: open it and assign it to oneself
    await row.getByRole('link', { name: number }).click();
    await agent.waitForURL(isPath(/^\/desk\/incidents\/[^/]+$/));
    await agent.getByRole('button', { name: 'Assign to me' }).click();
    await agent.getByRole('status').filter({ hasText: 'The incident is assigned to you.' }).waitFor();
    await expect
      .poll(() => textOf(agent.getByRole('heading', { level: 1 }).locator('..')))
      .toContain('Assigned');

    // Assess: the assignee list offers the tenant's IT staff, also those who have not signed in yet
    await expect
      .poll(() => agent.getByLabel('Assignee').locator('option').allInnerTexts())
      .toEqual(expect.arrayContaining(['Acme Service Desk Agent', 'Acme Change Manager']));
    expect(await agent.getByLabel('Assignee').locator('option').allInnerTexts()).not.toContain(
      'Acme Requester',
    );

    // Act: put it on hold, awaiting the caller
    await stateChange(agent, 'On hold', () =>
      agent
        .getByLabel('Why is it on hold?')
        .selectOption({ label: 'Awaiting the caller' })
        .then(() => undefined),
    );

    // Assess: the SLA panel says the resolution clock is paused, and why
    const resolutionClock = agent.getByRole('group', { name: 'Resolution clock' });
    await expect.poll(() => textOf(resolutionClock)).toMatch(/Resolution: Paused/);
    expect(await textOf(resolutionClock)).toContain('Paused because: Awaiting the caller.');

    // Act: resume, then resolve with code and notes
    await stateChange(agent, 'In progress');
    await expect.poll(() => textOf(resolutionClock)).toMatch(/Resolution: Running/);
    await stateChange(agent, 'Resolved', async () => {
      await agent.getByLabel('Resolution code').selectOption({ label: 'Solved' });
      await agent.getByLabel('Resolution notes').fill('Replaced the worn pickup roller.');
    });

    // Assess: the timeline, newest first, tells the story
    const entries = agent.getByRole('list', { name: 'Timeline, newest first' }).getByRole('listitem');
    expect(await textOf(entries.first())).toMatch(/State change/);
    expect(await textOf(entries.last())).toMatch(/Created/);

    // Act: the requester opens the confirm link of the mail the resolution sent, confirms and rates 5
    await cloud.idle();
    const mailbox = (await (await fetch(`${cloud.url}/_local/mail`)).json()) as {
      items: { to: string; subject: string; text: string }[];
    };
    const mail = mailbox.items.find(
      (item) => item.to === 'requester@acme.example' && item.subject === `${number} was resolved`,
    );
    const confirmLink = /Confirm: (\S+)/.exec(mail?.text ?? '')?.[1] ?? '';
    expect(new URL(confirmLink).pathname).toBe(new URL(ticketUrl).pathname);
    await requester.goto(confirmLink);
    await requester.getByRole('heading', { name: 'Status: resolved' }).waitFor();
    // The link brings the requester to the question, without answering it for them
    await expect.poll(() => requester.evaluate('document.activeElement?.textContent')).toBe('Is it fixed?');
    await requester.getByText('Replaced the worn pickup roller.').first().waitFor();
    await requester.getByRole('button', { name: "Confirm it's fixed" }).click();
    await requester.getByRole('status').filter({ hasText: 'Thank you for confirming.' }).waitFor();
    await requester.getByRole('radio', { name: '5' }).check();
    await requester.getByLabel('Comment on your rating').fill('Quick and friendly.');
    await requester.getByRole('button', { name: 'Send rating' }).click();

    // Assess: the rating is kept
    await requester.getByText('You rated this 5 of 5: “Quick and friendly.”').waitFor();
    await requester.getByText(/You confirmed the fix on/).waitFor();

    // Assess: the dashboard counts it, opened and rated today
    await agent
      .getByRole('navigation', { name: 'Service desk' })
      .getByRole('link', { name: 'Dashboard' })
      .click();
    await agent.waitForURL(isPath('/desk/dashboard'));
    await agent.getByText(/^Incidents opened between/).waitFor();
    expect(Number(await textOf(agent.locator('[data-figure="opened"]')))).toBeGreaterThanOrEqual(1);
    expect(await textOf(agent.locator('[data-figure="csat"]'))).toBe('5 / 5');
    const ratings = agent.getByRole('table', { name: 'Satisfaction ratings, 1 to 5' });
    expect(await textOf(ratings.getByRole('row', { name: /^5 of 5/ }))).toMatch(/5 of 5\s+1$/);
  }, 90_000);
});
