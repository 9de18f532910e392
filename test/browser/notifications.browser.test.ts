import { decodeJwt } from 'jose';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserWorld, isPath, signIn, startBrowserWorld, textOf } from './support.ts';

/*
 * The notification centre end to end: the admin assigns a new incident to the agent through the API;
 * the agent sees one unread notification on the header's bell, follows it to the incident in the
 * service desk, marks it read, and the bell counts none.
 */

const SUBJECT = 'The meeting room screen shows no picture';

describe('notification centre in the browser', () => {
  let world: BrowserWorld;

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

  async function api(token: string, path: string, init: RequestInit = {}) {
    const response = await fetch(`${world.cloud.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
    });
    return {
      status: response.status,
      json: (await response.json()) as { incidentId: string; number: string },
    };
  }

  function bell(page: Page) {
    return page.getByRole('banner').getByRole('link', { name: /^Notifications/ });
  }

  it('leads an assigned agent from the bell to the incident and counts it read', async () => {
    const { cloud } = world;

    // Arrange: the admin reports an incident and assigns it to the agent through the API
    const admin = await cloud.login('admin@acme.example');
    const agentToken = await cloud.login('agent@acme.example');
    const agentId = decodeJwt(agentToken).sub ?? '';
    const created = await api(admin, '/api/incidents', {
      method: 'POST',
      body: JSON.stringify({ shortDescription: SUBJECT, description: 'Since the update this morning.' }),
    });
    expect(created.status).toBe(201);
    const { incidentId, number } = created.json;
    const assigned = await api(admin, `/api/incidents/${incidentId}/assignment`, {
      method: 'PUT',
      body: JSON.stringify({ teamId: null, assigneeId: agentId }),
      headers: { 'if-match': '"1"' },
    });
    expect(assigned.status).toBe(200);
    await cloud.idle();

    // Act: the agent signs in
    const agent = await world.open();
    await signIn(agent, cloud, 'agent@acme.example');

    // Assess: the bell counts one unread notification
    await expect.poll(() => bell(agent).getAttribute('aria-label')).toBe('Notifications, 1 unread');

    // Act: open the notification centre
    await bell(agent).click();
    await agent.waitForURL(isPath('/notifications'));
    const item = agent.getByRole('listitem').filter({ hasText: `${number} was assigned to you` });
    await item.waitFor();
    expect(await textOf(item)).toContain('Unread');

    // Act: follow the link to the incident, in the service desk for staff
    await item.getByRole('link', { name: `${number} was assigned to you` }).click();
    await agent.waitForURL(isPath(`/desk/incidents/${incidentId}`));
    await agent.getByRole('heading', { level: 1 }).filter({ hasText: SUBJECT }).waitFor();

    // Act: back to the centre and mark it read
    await bell(agent).click();
    await agent.waitForURL(isPath('/notifications'));
    await item.getByRole('button', { name: /^Mark .* as read$/ }).click();

    // Assess: no longer unread, and the bell counts none
    await expect.poll(() => textOf(item)).not.toContain('Unread');
    await expect.poll(() => bell(agent).getAttribute('aria-label')).toBe('Notifications, 0 unread');
    expect(await item.getByRole('button', { name: /as read$/ }).count()).toBe(0);
  });
});
