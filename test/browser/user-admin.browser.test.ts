import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '#infra/local/demo-data.ts';
import { type BrowserWorld, isPath, signIn, startBrowserWorld, textOf } from './support.ts';

describe('a tenant admin managing users, teams and business units in the browser', () => {
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

  it('changes a user’s roles, then deactivates the user, who can no longer sign in', async () => {
    // Prepare
    const { cloud } = world;
    const admin = await world.open();
    await signIn(admin, cloud, 'admin@acme.example');

    // Act: open the problem manager from the user list
    await admin.goto(`${cloud.url}/admin/users`);
    await admin.getByRole('link', { name: 'Acme Problem Manager' }).click();
    await admin.waitForURL(isPath(/^\/admin\/users\/[^/]+$/));
    await admin.getByRole('heading', { name: 'Acme Problem Manager', level: 1 }).waitFor();
    const roles = admin.getByRole('group', { name: 'Roles' });
    await expect.poll(() => roles.getByRole('checkbox', { name: 'Problem manager' }).isChecked()).toBe(true);

    // Act: no role at all is refused by the API, next to the roles
    await roles.getByRole('checkbox', { name: 'Service desk agent' }).uncheck();
    await roles.getByRole('checkbox', { name: 'Problem manager' }).uncheck();
    await admin.getByRole('button', { name: 'Save changes' }).click();
    await roles.getByText('Give at least one role').waitFor();

    // Act: agent and change manager instead of problem manager
    await roles.getByRole('checkbox', { name: 'Service desk agent' }).check();
    await roles.getByRole('checkbox', { name: 'Change manager' }).check();
    await admin.getByRole('button', { name: 'Save changes' }).click();

    // Assess: saved, and the list shows the new roles
    await admin.getByRole('status').filter({ hasText: 'The changes are saved.' }).waitFor();
    await admin.getByRole('link', { name: '← All users' }).click();
    const row = admin
      .getByRole('row')
      .filter({ has: admin.getByRole('link', { name: 'Acme Problem Manager' }) });
    await expect.poll(() => textOf(row)).toContain('Service desk agent, Change manager');

    // Assess: the user's next sign-in carries the new roles
    const user = await world.open();
    await signIn(user, cloud, 'problem@acme.example');
    await user.waitForURL(isPath('/services'));
    const header = await textOf(user.getByRole('banner'));
    expect(header).toContain('change-manager');
    expect(header).not.toContain('problem-manager');

    // Act: deactivate, confirming in the dialog
    await row.getByRole('link', { name: 'Acme Problem Manager' }).click();
    await admin.getByRole('heading', { name: 'Acme Problem Manager', level: 1 }).waitFor();
    await admin.getByRole('button', { name: 'Deactivate' }).click();
    const dialog = admin.getByRole('dialog', { name: 'Deactivate Acme Problem Manager?' });
    await dialog.getByRole('button', { name: 'Deactivate' }).click();

    // Assess: deactivated, can be reactivated, and can no longer sign in
    await admin.getByRole('status').filter({ hasText: 'is deactivated and can no longer sign in' }).waitFor();
    await admin.getByRole('button', { name: 'Reactivate' }).waitFor();
    const again = await world.open();
    await again.goto(`${cloud.url}/login`);
    await again.getByLabel('Email').fill('problem@acme.example');
    await again.getByLabel('Password').fill(DEMO_PASSWORD);
    await again.getByRole('button', { name: 'Sign in' }).click();
    await again.getByRole('alert').filter({ hasText: 'Email or password is wrong' }).waitFor();
    expect(new URL(again.url()).pathname).toBe('/login');

    // Assess: the list says so too
    await admin.goto(`${cloud.url}/admin/users`);
    await expect.poll(() => textOf(row)).toContain('Deactivated');

    // Act: reactivate
    await row.getByRole('link', { name: 'Acme Problem Manager' }).click();
    await admin.getByRole('button', { name: 'Reactivate' }).click();
    await admin
      .getByRole('dialog', { name: 'Reactivate Acme Problem Manager?' })
      .getByRole('button', { name: 'Reactivate' })
      .click();

    // Assess: the user can sign in again
    await admin.getByRole('status').filter({ hasText: 'is active again and can sign in' }).waitFor();
    const back = await world.open();
    await signIn(back, cloud, 'problem@acme.example');
    await back.waitForURL(isPath('/services'));
  }, 120_000);

  it('creates a team and adds a member, then removes the member', async () => {
    // Prepare
    const { cloud } = world;
    const admin = await world.open();
    await signIn(admin, cloud, 'admin@acme.example');

    // Act
    await admin.goto(`${cloud.url}/admin/teams`);
    await admin.getByRole('heading', { name: 'Teams', level: 1 }).waitFor();
    const create = admin.getByRole('region', { name: 'Create a team' });
    await create.getByLabel('Name').fill('Network Operations');
    await create.getByLabel('Description').fill('Routers, switches and the VPN.');
    await create.getByRole('button', { name: 'Create team' }).click();

    // Assess: on the new team's page, with no members yet
    await admin.waitForURL(isPath(/^\/admin\/teams\/[^/]+$/));
    await admin.getByRole('heading', { name: 'Network Operations', level: 1 }).waitFor();
    const members = admin.getByRole('region', { name: 'Members' });
    await members.getByText('No members yet.').waitFor();

    // Act: add the service desk agent
    await members
      .getByLabel('Add a member')
      .selectOption({ label: 'Acme Service Desk Agent (agent@acme.example)' });
    await members.getByRole('button', { name: 'Add to team' }).click();

    // Assess: listed, and still listed after a reload
    await members.getByRole('rowheader', { name: 'Acme Service Desk Agent' }).waitFor();
    await admin.reload();
    await members.getByRole('rowheader', { name: 'Acme Service Desk Agent' }).waitFor();
    expect(await members.getByLabel('Add a member').locator('option').allInnerTexts()).not.toContain(
      'Acme Service Desk Agent (agent@acme.example)',
    );

    // Act: remove the member again
    await members.getByRole('button', { name: 'Remove Acme Service Desk Agent from the team' }).click();

    // Assess
    await members.getByText('No members yet.').waitFor();
    await admin.getByRole('link', { name: '← All teams' }).click();
    await admin.getByRole('link', { name: 'Network Operations' }).waitFor();
  }, 90_000);

  it('creates business units under a parent and shows them as a tree', async () => {
    // Prepare
    const { cloud } = world;
    const admin = await world.open();
    await signIn(admin, cloud, 'admin@acme.example');
    await admin.goto(`${cloud.url}/admin/business-units`);
    await admin.getByRole('heading', { name: 'Business units', level: 1 }).waitFor();
    const create = admin.getByRole('region', { name: 'Add a business unit' });

    // Act: a top-level unit, then two under it
    for (const [name, costCentre, parent] of [
      ['Operations', 'OPS-100', null],
      ['Plant Berlin', 'OPS-110', 'Operations'],
      ['Plant Lyon', 'OPS-120', 'Operations'],
    ] as const) {
      await create.getByLabel('Name').fill(name);
      await create.getByLabel('Cost centre').fill(costCentre);
      await create.getByLabel('Parent unit').selectOption(parent === null ? '' : { label: parent });
      await create.getByRole('button', { name: 'Add business unit' }).click();
      await create
        .getByRole('status')
        .filter({ hasText: `${name} is added.` })
        .waitFor();
    }

    // Assess: the two plants are listed inside Operations
    const tree = admin.getByRole('region', { name: 'Business units, by parent' });
    const operations = tree.getByRole('listitem').filter({
      has: admin.getByRole('link', { name: 'Operations', exact: true }),
    });
    await operations.getByRole('link', { name: 'Plant Berlin' }).waitFor();
    expect(await operations.getByRole('listitem').allInnerTexts()).toEqual([
      expect.stringContaining('Plant Berlin'),
      expect.stringContaining('Plant Lyon'),
    ]);

    // Act: move Plant Lyon under Plant Berlin
    await tree.getByRole('link', { name: 'Plant Lyon' }).click();
    await admin.getByRole('heading', { name: 'Plant Lyon', level: 1 }).waitFor();
    const parent = admin.getByLabel('Parent unit');
    await expect.poll(() => parent.locator('option').count()).toBeGreaterThan(1);
    // A unit cannot be its own parent.
    const offered = (await parent.locator('option').allInnerTexts()).map((text) => text.trim());
    expect(offered).toContain('Plant Berlin');
    expect(offered).not.toContain('Plant Lyon');
    await parent.selectOption({ label: '\u00a0\u00a0\u00a0Plant Berlin' });
    await admin.getByRole('button', { name: 'Save changes' }).click();
    await admin.getByRole('status').filter({ hasText: 'The changes are saved.' }).waitFor();

    // Assess: Operations cannot be moved under one of its own descendants
    await admin.getByRole('link', { name: '← All business units' }).click();
    await tree.getByRole('link', { name: 'Operations', exact: true }).click();
    await admin.getByRole('heading', { name: 'Operations', level: 1 }).waitFor();
    await expect.poll(() => admin.getByLabel('Parent unit').locator('option').count()).toBeGreaterThan(0);
    const choices = (await admin.getByLabel('Parent unit').locator('option').allInnerTexts()).map((text) =>
      text.trim(),
    );
    expect(choices).toContain('None (top level)');
    expect(choices).not.toContain('Operations');
    expect(choices).not.toContain('Plant Berlin');
    expect(choices).not.toContain('Plant Lyon');

    // Assess: the tree has three levels now
    await admin.getByRole('link', { name: '← All business units' }).click();
    const berlin = tree
      .getByRole('listitem')
      .filter({ has: admin.getByRole('link', { name: 'Plant Berlin' }) });
    await berlin.getByRole('link', { name: 'Plant Lyon' }).waitFor();

    // Act: someone else renames Plant Berlin while the admin edits it
    await tree.getByRole('link', { name: 'Plant Berlin' }).click();
    await admin.getByRole('heading', { name: 'Plant Berlin', level: 1 }).waitFor();
    const unitId = decodeURIComponent(new URL(admin.url()).pathname.split('/').at(-1) ?? '');
    const token = await cloud.login('admin@acme.example');
    const current = await fetch(`${cloud.url}/api/business-units/${encodeURIComponent(unitId)}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const renamed = await fetch(`${cloud.url}/api/business-units/${encodeURIComponent(unitId)}`, {
      method: 'PATCH',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'if-match': current.headers.get('etag') ?? '',
      },
      body: JSON.stringify({ name: 'Plant Berlin-Spandau' }),
    });
    expect(renamed.status).toBe(200);
    await admin.getByLabel('Cost centre').fill('OPS-111');
    await admin.getByRole('button', { name: 'Save changes' }).click();

    // Assess: nothing is overwritten; the latest version can be loaded
    await admin
      .getByRole('alert')
      .filter({ hasText: 'Someone else changed this business unit meanwhile' })
      .waitFor();
    await admin.getByRole('button', { name: 'Load the latest version' }).click();
    await expect.poll(() => admin.getByLabel('Name').inputValue()).toBe('Plant Berlin-Spandau');
    expect(await admin.getByLabel('Cost centre').inputValue()).toBe('OPS-110');
  }, 90_000);
});
