import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LocalCloud } from '#infra/local/cloud.ts';
import {
  acceptInvitation,
  type BrowserWorld,
  describedText,
  invitationFor,
  isPath,
  signIn,
  startBrowserWorld,
} from './support.ts';

/** A call to the API as the person the token belongs to; fails the test on any refusal. */
async function api<T>(
  cloud: LocalCloud,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const response = await fetch(`${cloud.url}/api${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok)
    throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

describe('the portal offering a requester the services of their unit', () => {
  let world: BrowserWorld;
  let adminToken: string;

  beforeAll(async () => {
    world = await startBrowserWorld();
    const { cloud } = world;
    adminToken = await cloud.login('admin@acme.example');
    // Prepare, as a tenant admin would: one live service per unit and one for every unit.
    const units = await api<{ items: { businessUnitId: string; name: string }[] }>(
      cloud,
      adminToken,
      'GET',
      '/business-units?limit=100',
    );
    const unitId = (name: string) => units.items.find((unit) => unit.name === name)?.businessUnitId;
    for (const [name, unit] of [
      ['Finance Reporting', 'Finance'],
      ['Sales Dashboard', 'Sales'],
      ['Office Wi-Fi', null],
    ] as const) {
      await api(cloud, adminToken, 'POST', '/services', {
        name,
        owner: 'Business Applications',
        status: 'live',
        consumerBusinessUnitIds: unit ? [unitId(unit)] : [],
      });
    }
  }, 180_000);

  afterAll(async () => {
    await world?.stop();
  });

  afterEach(async () => {
    await world.closePages();
    // An uncaught exception in the app fails the test even when the screens looked right.
    expect(world.takePageErrors()).toEqual([]);
  });

  it('lists for a Sales requester the services Sales uses and those for every unit, not Finance’s', async () => {
    // Prepare
    const { cloud } = world;
    const page = await world.open();

    // Act
    await signIn(page, cloud, 'requester@acme.example');
    await page.waitForURL(isPath('/portal'));
    const service = page.getByLabel('Which service is affected?');

    // Assess: the hint names the unit; the list holds live services only, of Sales or of everyone
    await expect.poll(() => describedText(page, service)).toContain('Services your unit (Sales) uses');
    const offered = await service.locator('option').allInnerTexts();
    expect(offered).toContain('Sales Dashboard');
    expect(offered).toContain('Office Wi-Fi');
    expect(offered).toContain('Email and Calendar');
    expect(offered).not.toContain('Finance Reporting');
    // Not live: still being built, or withdrawn.
    expect(offered).not.toContain('Data Warehouse');
    expect(offered).not.toContain('Legacy Fax Gateway');

    // Act: report an incident against the unit's own service
    await page.getByLabel('What is wrong?').fill('The dashboard shows no figures');
    await service.selectOption({ label: 'Sales Dashboard' });
    await page.getByRole('button', { name: 'Report incident' }).click();

    // Assess
    await page.waitForURL(isPath(/^\/portal\/incidents\/[^/]+$/));
  }, 90_000);

  it('lists for a requester without a unit only the services offered to every unit', async () => {
    // Prepare: a requester who belongs to no business unit
    const { cloud } = world;
    await api(cloud, adminToken, 'POST', '/users', {
      email: 'walk-in@acme.example',
      name: 'Walk-in Requester',
      roles: ['requester'],
      businessUnitId: null,
    });
    const page = await world.open();

    // Act
    await acceptInvitation(page, cloud, await invitationFor(cloud, 'walk-in@acme.example'));
    await page.waitForURL(isPath('/portal'));
    const service = page.getByLabel('Which service is affected?');

    // Assess
    await expect.poll(() => describedText(page, service)).toContain('Services offered to every unit');
    const offered = await service.locator('option').allInnerTexts();
    expect(offered).toContain('Office Wi-Fi');
    expect(offered).toContain('Email and Calendar');
    expect(offered).not.toContain('Sales Dashboard');
    expect(offered).not.toContain('Finance Reporting');
  }, 90_000);
});
