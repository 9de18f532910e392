import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '#infra/local/demo-data.ts';
import {
  acceptInvitation,
  acceptPath,
  type BrowserWorld,
  cssValue,
  describedText,
  invitationFor,
  invitations,
  isPath,
  mainNav,
  NEW_PASSWORD,
  signIn,
  startBrowserWorld,
  textOf,
} from './support.ts';

/** Reloads until `ready` shows: the API caches a tenant's status for a few seconds. */
async function reloadUntil(page: Page, ready: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await page.reload();
    await page.waitForLoadState('networkidle');
    if (await ready()) return;
    if (Date.now() > deadline) throw new Error('The page did not reach the expected state');
    await page.waitForTimeout(500);
  }
}

describe('onboarding a company in the browser', () => {
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

  it('onboards a tenant whose admin and users join by invitation, then suspends and resumes it', async () => {
    const { cloud } = world;

    // Act: the operator signs in and onboards Initech
    const operator = await world.open();
    await signIn(operator, cloud, 'operator@platform.example');

    // Assess: the operator starts on the platform console, with no tenant pages in the header
    await operator.waitForURL(isPath('/platform/tenants'));
    await operator.getByRole('heading', { name: 'Tenants', level: 1 }).waitFor();
    await operator.getByRole('link', { name: 'acme', exact: true }).waitFor();
    expect(await mainNav(operator).getByRole('link').allInnerTexts()).toEqual(['Platform']);

    await operator.getByRole('link', { name: 'Onboard a company' }).click();
    await operator.waitForURL(isPath('/platform/tenants/new'));
    await operator.getByLabel('Company name').fill('Initech');
    expect(await operator.getByLabel('Tenant id').inputValue()).toBe('initech');
    await operator.getByLabel('Plan').selectOption('standard');
    await operator.getByLabel('Time zone').selectOption('Europe/London');
    const firstAdmin = operator.getByRole('group', { name: 'First admin' });
    await firstAdmin.getByLabel('Email').fill('not-an-email');
    await firstAdmin.getByLabel('Name').fill('Ivy Initech');
    await operator.getByRole('button', { name: 'Onboard the company' }).click();

    // Assess: the API's message sits next to the admin's email, and what was typed is kept
    const adminEmail = firstAdmin.getByLabel('Email');
    await expect.poll(() => adminEmail.getAttribute('aria-invalid')).toBe('true');
    expect(await describedText(operator, adminEmail)).toMatch(/valid email/i);
    expect(await operator.getByLabel('Company name').inputValue()).toBe('Initech');

    // Act: correct it
    await adminEmail.fill('admin@initech.example');
    await operator.getByRole('button', { name: 'Onboard the company' }).click();

    // Assess: the tenant, the invitation and the branded sign-in address are shown
    await operator.getByRole('heading', { name: 'Initech is onboarded' }).waitFor();
    const done = await textOf(operator.getByRole('main'));
    expect(done).toContain('We invited admin@initech.example as its first admin');
    const signInLink = operator.getByRole('link', { name: /\/t\/initech\/login$/ });
    expect(new URL((await signInLink.getAttribute('href')) ?? '').pathname).toBe('/t/initech/login');

    // Assess: Initech is listed, active, with its first user
    await operator.getByRole('link', { name: '← All tenants' }).click();
    await operator.waitForURL(isPath('/platform/tenants'));
    const row = operator.getByRole('row').filter({ has: operator.getByRole('link', { name: 'initech' }) });
    await row.waitFor();
    const rowText = await textOf(row);
    expect(rowText).toContain('Initech');
    expect(rowText).toContain('Standard');
    expect(rowText).toContain('Active');

    // Assess: the invitation mail was captured
    const adminInvitation = await invitationFor(cloud, 'admin@initech.example');
    expect(adminInvitation.tenantId).toBe('initech');
    expect(acceptPath(adminInvitation)).toMatch(/^\/accept-invitation\?token=/);

    // Act: the new admin opens the link and first tries a weak password
    const admin = await world.open();
    await admin.goto(`${cloud.url}${acceptPath(adminInvitation)}`);
    await admin.getByRole('heading', { name: 'Accept your invitation' }).waitFor();
    const newPassword = admin.getByLabel('New password');
    await newPassword.fill('short');
    await admin.getByLabel('Confirm the password').fill('different');
    await admin.getByRole('button', { name: 'Set password and sign in' }).click();

    // Assess: the two entries must match before anything is sent
    const confirmation = admin.getByLabel('Confirm the password');
    await expect.poll(() => confirmation.getAttribute('aria-invalid')).toBe('true');
    expect(await describedText(admin, confirmation)).toContain('The two passwords differ');

    // Act: matching, but too weak for the pool's policy
    await confirmation.fill('short');
    await admin.getByRole('button', { name: 'Set password and sign in' }).click();

    // Assess: the identity provider's reasons are shown beside the password
    await expect.poll(() => newPassword.getAttribute('aria-invalid')).toBe('true');
    expect(await describedText(admin, newPassword)).toMatch(/at least 10 characters/i);

    // Act: a good password
    await newPassword.fill(NEW_PASSWORD);
    await confirmation.fill(NEW_PASSWORD);
    await admin.getByRole('button', { name: 'Set password and sign in' }).click();

    // Assess: signed in, on the start page, under the tenant's name, with the admin pages
    await admin.waitForURL(isPath('/services'));
    const adminHeader = admin.getByRole('banner');
    await adminHeader.getByRole('link', { name: 'Initech' }).waitFor();
    expect(await textOf(adminHeader)).toContain('Ivy Initech');
    expect(await mainNav(admin).getByRole('link').allInnerTexts()).toEqual([
      'My tickets',
      'Service desk',
      'Services',
      'Admin',
    ]);

    // Act: the link cannot be used twice
    const reuse = await world.open();
    await reuse.goto(`${cloud.url}${acceptPath(adminInvitation)}`);
    await reuse.getByLabel('New password').fill(NEW_PASSWORD);
    await reuse.getByLabel('Confirm the password').fill(NEW_PASSWORD);
    await reuse.getByRole('button', { name: 'Set password and sign in' }).click();
    await reuse.getByRole('alert').waitFor();
    expect(reuse.url()).toContain('/accept-invitation');

    // Act: the admin signs out and in again on Initech's own sign-in page
    await admin.getByRole('button', { name: 'Sign out' }).click();
    await admin.waitForURL(isPath('/login'));
    await admin.goto(`${cloud.url}/t/initech/login`);

    // Assess: the page wears Initech's name and colour
    await admin.getByRole('heading', { name: 'Sign in to Initech' }).waitFor();
    const brandColour = await cssValue(admin.getByRole('region', { name: 'Sign in to Initech' }), '--brand');
    expect(brandColour).toMatch(/^#[0-9a-f]{6}$/i);

    // Act: someone of another organisation signs in here
    await admin.getByLabel('Email').fill('admin@acme.example');
    await admin.getByLabel('Password').fill(DEMO_PASSWORD);
    await admin.getByRole('button', { name: 'Sign in' }).click();

    // Assess: refused, and not left signed in
    await admin
      .getByRole('alert')
      .filter({ hasText: 'This account belongs to another organisation' })
      .waitFor();
    await admin.goto(`${cloud.url}/services`);
    await admin.waitForURL(isPath('/login'));

    // Act: the admin signs in on Initech's page
    await admin.goto(`${cloud.url}/t/initech/login`);
    await admin.getByLabel('Email').fill('admin@initech.example');
    await admin.getByLabel('Password').fill(NEW_PASSWORD);
    await admin.getByRole('button', { name: 'Sign in' }).click();
    await admin.waitForURL(isPath('/services'));
    await adminHeader.getByRole('link', { name: 'Initech' }).waitFor();

    // Act: the admin invites an agent and a requester
    await mainNav(admin).getByRole('link', { name: 'Admin' }).click();
    await admin.waitForURL(isPath('/admin/users'));
    await admin.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    const inviteForm = admin.getByRole('region', { name: 'Invite a user' });
    for (const [email, name, role] of [
      ['agent@initech.example', 'Andy Agent', 'Service desk agent'],
      ['requester@initech.example', 'Rita Requester', 'Requester'],
    ] as const) {
      await inviteForm.getByLabel('Email').fill(email);
      await inviteForm.getByLabel('Name').fill(name);
      await inviteForm.getByRole('checkbox', { name: role, exact: true }).check();
      await inviteForm.getByRole('button', { name: 'Send invitation' }).click();
      await inviteForm
        .getByRole('status')
        .filter({ hasText: `Invitation sent to ${email}` })
        .waitFor();
      await admin.getByRole('link', { name }).waitFor();
    }

    // Assess: both invitations were mailed, for Initech; the admin's own, used, is no longer listed
    const mailed = (await invitations(cloud)).filter((item) => item.tenantId === 'initech');
    expect(mailed.map((item) => item.email).sort()).toEqual([
      'agent@initech.example',
      'requester@initech.example',
    ]);

    // Act: the agent accepts
    const agent = await world.open();
    await acceptInvitation(agent, cloud, await invitationFor(cloud, 'agent@initech.example'));

    // Assess: the agent sees the catalogue, but no admin pages
    await agent.waitForURL(isPath('/services'));
    await agent.getByRole('heading', { name: 'Service catalogue', level: 1 }).waitFor();
    expect(await mainNav(agent).getByRole('link').allInnerTexts()).toEqual([
      'My tickets',
      'Service desk',
      'Services',
    ]);
    await agent.goto(`${cloud.url}/admin/users`);
    await agent.getByRole('heading', { name: 'Not available for your role' }).waitFor();

    // Act: the requester accepts
    const requester = await world.open();
    await acceptInvitation(requester, cloud, await invitationFor(cloud, 'requester@initech.example'));

    // Assess: the requester starts in the portal, and sees neither "New service" nor the admin pages
    await requester.waitForURL(isPath('/portal'));
    await requester.getByRole('heading', { name: 'My tickets', level: 1 }).waitFor();
    await mainNav(requester).getByRole('link', { name: 'Services' }).click();
    await requester.waitForURL(isPath('/services'));
    await requester.getByRole('heading', { name: 'Service catalogue', level: 1 }).waitFor();
    await requester.getByRole('banner').getByText('Rita Requester').waitFor();
    expect(await requester.getByRole('link', { name: 'New service' }).count()).toBe(0);
    expect(await mainNav(requester).getByRole('link', { name: 'Admin' }).count()).toBe(0);

    // Act: the operator suspends Initech
    await operator.getByRole('link', { name: 'initech' }).click();
    await operator.waitForURL(isPath('/platform/tenants/initech'));
    await operator.getByRole('heading', { name: 'Initech', level: 1 }).waitFor();
    await operator.getByRole('button', { name: 'Suspend' }).click();
    const suspendDialog = operator.getByRole('dialog', { name: 'Suspend Initech?' });
    await suspendDialog.getByRole('button', { name: 'Suspend' }).click();

    // Assess: suspended, and only now may it be deleted
    await operator.getByRole('status').filter({ hasText: 'Initech is suspended' }).waitFor();
    expect(
      await textOf(operator.getByRole('heading', { name: 'Initech', level: 1 }).locator('..')),
    ).toContain('Suspended');
    await operator.getByRole('button', { name: 'Delete tenant and all its data' }).waitFor();

    // Assess: the admin's next page load says the organisation is suspended
    await reloadUntil(
      admin,
      async () => (await admin.getByRole('heading', { name: 'Access unavailable' }).count()) > 0,
    );
    expect(await textOf(admin.getByRole('main'))).toMatch(/suspended/i);
    expect(await mainNav(admin).count()).toBe(0);

    // Assess: its sign-in page is not offered meanwhile
    const visitor = await world.open();
    await visitor.goto(`${cloud.url}/t/initech/login`);
    await visitor
      .getByRole('heading', { name: 'This organisation’s sign-in page is not available' })
      .waitFor();

    // Act: the operator resumes Initech
    await operator.getByRole('button', { name: 'Resume' }).click();
    await operator
      .getByRole('dialog', { name: 'Resume Initech?' })
      .getByRole('button', { name: 'Resume' })
      .click();

    // Assess: the admin works again
    await operator.getByRole('status').filter({ hasText: 'Initech is active again' }).waitFor();
    await reloadUntil(
      admin,
      async () => (await admin.getByRole('heading', { name: 'Users', level: 1 }).count()) > 0,
    );
  }, 180_000);

  it('deletes a suspended tenant and shows the progress', async () => {
    // Prepare: a suspended tenant, through the API
    const { cloud } = world;
    const token = await cloud.login('operator@platform.example');
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const created = await fetch(`${cloud.url}/api/platform/tenants`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        tenantId: 'hooli',
        name: 'Hooli',
        firstAdmin: { email: 'admin@hooli.example', name: 'Gavin' },
      }),
    });
    expect(created.status).toBe(201);
    const suspended = await fetch(`${cloud.url}/api/platform/tenants/hooli`, {
      method: 'PATCH',
      headers: { ...headers, 'if-match': '"1"' },
      body: JSON.stringify({ status: 'suspended' }),
    });
    expect(suspended.status).toBe(200);

    // Act: the operator asks for the deletion, typing the id to confirm
    const page = await world.open();
    await signIn(page, cloud, 'operator@platform.example');
    await page.goto(`${cloud.url}/platform/tenants/hooli`);
    await page.getByRole('button', { name: 'Delete tenant and all its data' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete Hooli and all its data?' });
    const confirm = dialog.getByRole('button', { name: 'Delete for good' });
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel('Type hooli to confirm').fill('hool');
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel('Type hooli to confirm').fill('hooli');
    await confirm.click();

    // Assess: progress until done, then the tenant is gone from the list
    await page
      .getByText(/(Done: \d+ items deleted|hooli is deleted)/)
      .first()
      .waitFor({ timeout: 30_000 });
    await page.getByRole('heading', { name: 'hooli is deleted' }).waitFor({ timeout: 30_000 });
    await page.goto(`${cloud.url}/platform/tenants`);
    await page.getByRole('link', { name: 'acme', exact: true }).waitFor();
    expect(await page.getByRole('link', { name: 'hooli', exact: true }).count()).toBe(0);
  }, 90_000);

  it('shows a neutral page for an organisation that does not exist', async () => {
    // Act
    const page = await world.open();
    await page.goto(`${world.cloud.url}/t/no-such-company/login`);

    // Assess: nothing about the tenant, a way to the general sign-in page
    await page.getByRole('heading', { name: 'This organisation’s sign-in page is not available' }).waitFor();
    expect(await page.getByLabel('Password').count()).toBe(0);
    await page.getByRole('link', { name: 'Go to the general sign-in page' }).click();
    await page.waitForURL(isPath('/login'));
  }, 60_000);

  it('keeps the platform console from tenant users', async () => {
    // Act
    const page = await world.open();
    await signIn(page, world.cloud, 'admin@acme.example');
    await page.goto(`${world.cloud.url}/platform/tenants`);

    // Assess
    await page.getByRole('heading', { name: 'Not available for your role' }).waitFor();
    expect(await textOf(page.getByRole('main'))).toContain('platform operators only');
    expect(await mainNav(page).getByRole('link', { name: 'Platform' }).count()).toBe(0);
  }, 60_000);
});
