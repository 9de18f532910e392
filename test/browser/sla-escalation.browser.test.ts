import { decodeJwt } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserWorld, isPath, mainNav, signIn, startBrowserWorld, textOf } from './support.ts';

/*
 * A breach as the agent sees it: the tenant admin has an escalation rule for P1 incidents nobody
 * answers; the local cloud's monitor, driven on its controllable clock a minute past the due time,
 * raises the breach, the rule hands the incident to Infrastructure and notifies the agent, and the
 * record page shows all of it.
 */

describe('SLA breach and escalation in the browser', () => {
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

  async function api(token: string, method: string, path: string, body?: unknown, ifMatch?: string) {
    const response = await fetch(`${world.cloud.url}/api${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        ...(ifMatch ? { 'if-match': ifMatch } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    expect(response.status, `${method} ${path}`).toBeLessThan(300);
    return (await response.json()) as Record<string, unknown>;
  }

  it('shows the breach, the escalation and its notification on the record', async () => {
    const { cloud } = world;
    const admin = await cloud.login('admin@acme.example');
    const agentToken = await cloud.login('agent@acme.example');
    const requester = await cloud.login('requester@acme.example');
    const teams = (await api(admin, 'GET', '/teams?limit=100')).items as { teamId: string; name: string }[];
    const infrastructure = teams.find((team) => team.name === 'Infrastructure');
    const settings = await api(admin, 'GET', '/service-levels/incident-settings');
    await api(
      admin,
      'PUT',
      '/service-levels/incident-settings',
      {
        autoCloseDays: 5,
        warningThreshold: 0.75,
        escalationRules: [
          {
            ruleId: 'p1-unanswered',
            name: 'P1 nobody answered',
            on: 'breach',
            clock: 'response',
            priorities: ['P1'],
            notifyUserIds: [decodeJwt(agentToken).sub],
            notifyTeamIds: [],
            reassignTeamId: infrastructure?.teamId,
            raisePriority: false,
          },
        ],
      },
      `"${String(settings.version)}"`,
    );
    const reported = await api(requester, 'POST', '/incidents', {
      shortDescription: 'Assembly line terminals frozen',
      impact: 'high',
      urgency: 'high',
    });
    const sla = reported.sla as { responseDueAt: string };

    // Act: the monitor runs a minute after the response is due (the scheduler's clock, not a wait).
    const dueAt = Date.parse(sla.responseDueAt);
    for (
      let tries = 0;
      tries < 20 && (await cloud.scheduler.runDue(new Date(dueAt + 60_000))) === 0;
      tries += 1
    ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await cloud.idle();

    // Assess: the agent sees the breach and the escalation on the record, and was notified
    const page = await world.open();
    await signIn(page, cloud, 'agent@acme.example');
    await mainNav(page).getByRole('link', { name: 'Service desk' }).click();
    await page.waitForURL(isPath('/desk'));
    await page.goto(`${cloud.url}/desk/incidents/${String(reported.incidentId)}`);
    const timeline = page.getByRole('list', { name: 'Timeline, newest first' });
    await timeline.getByText('SLA breached: the response target was reached').waitFor();
    const escalation = timeline.getByRole('listitem').filter({ hasText: 'Escalated by P1 nobody answered' });
    expect(await textOf(escalation)).toContain('handed to another team, people notified');
    const details = page.getByRole('region', { name: 'Details', exact: true });
    expect(await textOf(details)).toContain('Infrastructure');

    await page.goto(`${cloud.url}/notifications`);
    await page
      .getByText(`${String(reported.number)} was escalated`)
      .first()
      .waitFor();
  });
});
