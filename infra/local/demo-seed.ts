import { existsSync, writeFileSync } from 'node:fs';
import { isTenantRole } from '#shared/domain/directory/directory.ts';
import { PLATFORM_TENANT_ID } from '#shared/platform/roles.ts';
import {
  DEMO_PASSWORD,
  type DemoUser,
  demoBusinessUnits,
  demoServices,
  demoTeams,
  demoTenants,
} from './demo-data.ts';
import type { UserDirectory } from './identity/index.ts';

interface SeedTarget {
  readonly url: string;
  login(email: string, password?: string): Promise<string>;
  idle(): Promise<void>;
}

/**
 * Creates the demo once per data folder, the way people would: the platform operator onboards each
 * tenant, its admin accepts the invitation and invites everyone else, who accept theirs; then the
 * admin fills the catalogue, business units and teams. Everything goes through the public API, so
 * the seed exercises routes, identity, outbox, bus and audit. Only the operator's own login is made
 * directly in the local user pool, as a provider's staff account would be.
 */
export async function seedDemoData(
  cloud: SeedTarget,
  users: UserDirectory,
  logins: readonly DemoUser[],
  markerFile: string,
): Promise<void> {
  if (existsSync(markerFile)) return;
  const operator = logins.find((login) => login.tenantId === PLATFORM_TENANT_ID);
  if (!operator) throw new Error('The demo needs a platform operator');
  if (!users.findByEmail(operator.email)) {
    await users.add({ ...operator, roles: [...operator.roles], password: DEMO_PASSWORD });
  }
  const api = client(cloud);
  const operatorToken = await cloud.login(operator.email);

  for (const tenant of demoTenants) {
    const american = tenant.timeZone.startsWith('America/');
    const admin = logins.find(
      (login) => login.tenantId === tenant.tenantId && login.roles.includes('tenant-admin'),
    );
    if (!admin) throw new Error(`The demo tenant ${tenant.tenantId} needs an admin`);
    await api.send(operatorToken, 'POST', '/api/platform/tenants', {
      tenantId: tenant.tenantId,
      name: tenant.name,
      plan: 'standard',
      timeZone: tenant.timeZone,
      locale: american ? 'en-US' : 'en-GB',
      currency: american ? 'USD' : 'EUR',
      firstAdmin: { email: admin.email, name: admin.name },
    });
    await api.acceptInvitation(admin.email);
    const adminToken = await cloud.login(admin.email);

    const units = new Map<string, string>();
    for (const unit of demoBusinessUnits) {
      const parentId = unit.parent ? (units.get(unit.parent) ?? null) : null;
      const created = await api.send(adminToken, 'POST', '/api/business-units', {
        name: unit.name,
        costCentre: unit.costCentre,
        parentId,
      });
      units.set(unit.name, String(created.businessUnitId));
    }

    const userIds = new Map<string, string>();
    for (const login of logins.filter((entry) => entry.tenantId === tenant.tenantId && entry !== admin)) {
      const invited = await api.send(adminToken, 'POST', '/api/users', {
        email: login.email,
        name: login.name,
        roles: login.roles.filter(isTenantRole),
        businessUnitId: login.businessUnit ? (units.get(login.businessUnit) ?? null) : null,
      });
      userIds.set(
        login.email.split('@')[0] ?? login.email,
        String((invited.user as { userId: string }).userId),
      );
      await api.acceptInvitation(login.email);
    }

    for (const team of demoTeams) {
      const created = await api.send(adminToken, 'POST', '/api/teams', {
        name: team.name,
        description: team.description,
      });
      for (const member of team.members) {
        const userId = userIds.get(member);
        if (userId) await api.send(adminToken, 'PUT', `/api/teams/${created.teamId}/members/${userId}`);
      }
    }

    for (const service of demoServices) await api.send(adminToken, 'POST', '/api/services', service);
  }
  await cloud.idle();
  writeFileSync(markerFile, JSON.stringify({ seededAt: new Date().toISOString() }));
}

function client(cloud: SeedTarget) {
  return {
    async send(
      token: string,
      method: string,
      path: string,
      body?: unknown,
    ): Promise<Record<string, unknown>> {
      const response = await fetch(`${cloud.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      if (!response.ok)
        throw new Error(`Demo seed: ${method} ${path} failed: ${response.status} ${await response.text()}`);
      return response.status === 204 ? {} : ((await response.json()) as Record<string, unknown>);
    },
    /** Opens the captured invitation mail and sets the demo password, as the invited person would. */
    async acceptInvitation(email: string): Promise<void> {
      const mailbox = (await (await fetch(`${cloud.url}/_local/invitations`)).json()) as {
        items: { email: string; acceptUrl: string }[];
      };
      const mail = mailbox.items.find((item) => item.email === email.toLowerCase());
      if (!mail) throw new Error(`Demo seed: no invitation for ${email}`);
      const token = new URL(mail.acceptUrl).searchParams.get('token');
      const response = await fetch(`${cloud.url}/auth/accept-invitation`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token, password: DEMO_PASSWORD }),
      });
      if (!response.ok) throw new Error(`Demo seed: accepting ${email} failed: ${response.status}`);
    },
  };
}
