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
  options: { incidents?: boolean } = {},
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

    const teamIds = new Map<string, string>();
    for (const team of demoTeams) {
      const created = await api.send(adminToken, 'POST', '/api/teams', {
        name: team.name,
        description: team.description,
      });
      for (const member of team.members) {
        const userId = userIds.get(member);
        if (userId) await api.send(adminToken, 'PUT', `/api/teams/${created.teamId}/members/${userId}`);
      }
      teamIds.set(team.name, String(created.teamId));
    }

    const serviceIds = new Map<string, string>();
    for (const { consumers = [], ...service } of demoServices) {
      const created = await api.send(adminToken, 'POST', '/api/services', {
        ...service,
        consumerBusinessUnitIds: consumers.map((name) => units.get(name) ?? name),
      });
      serviceIds.set(service.name, String(created.serviceId));
    }
    if (options.incidents) {
      const people = (local: string) => cloud.login(`${local}@${tenant.emailDomain}`);
      await seedIncidents(
        api,
        { requester: await people('requester'), agent: await people('agent') },
        {
          agentId: userIds.get('agent') ?? '',
          teamId: teamIds.get('Service Desk') ?? '',
          serviceIds,
        },
      );
    }
  }
  await cloud.idle();
  writeFileSync(markerFile, JSON.stringify({ seededAt: new Date().toISOString() }));
}

type Api = ReturnType<typeof client>;

/** What happens to each demo incident after it is reported. */
type Story = 'new' | 'assigned' | 'in-progress' | 'on-hold' | 'resolved' | 'rated';

const DEMO_INCIDENTS: readonly {
  shortDescription: string;
  service: string;
  impact: 'high' | 'medium' | 'low';
  urgency: 'high' | 'medium' | 'low';
  story: Story;
}[] = [
  {
    shortDescription: 'Invoices stuck in approval',
    service: 'ERP Finance',
    impact: 'high',
    urgency: 'high',
    story: 'in-progress',
  },
  {
    shortDescription: 'VPN drops every few minutes',
    service: 'VPN Remote Access',
    impact: 'medium',
    urgency: 'high',
    story: 'assigned',
  },
  {
    shortDescription: 'Cannot open the payroll export',
    service: 'ERP Finance',
    impact: 'low',
    urgency: 'medium',
    story: 'on-hold',
  },
  {
    shortDescription: 'Mail to customers arrives late',
    service: 'Email and Calendar',
    impact: 'medium',
    urgency: 'medium',
    story: 'resolved',
  },
  {
    shortDescription: 'Calendar invites show the wrong time',
    service: 'Email and Calendar',
    impact: 'low',
    urgency: 'low',
    story: 'rated',
  },
  {
    shortDescription: 'VPN password reset needed',
    service: 'VPN Remote Access',
    impact: 'low',
    urgency: 'high',
    story: 'new',
  },
];

/** A few incidents reported by the requester and worked by the agent, each left in its own state. */
async function seedIncidents(
  api: Api,
  tokens: { requester: string; agent: string },
  refs: { agentId: string; teamId: string; serviceIds: ReadonlyMap<string, string> },
): Promise<void> {
  for (const demo of DEMO_INCIDENTS) {
    let incident = await api.send(tokens.requester, 'POST', '/api/incidents', {
      shortDescription: demo.shortDescription,
      description: `${demo.shortDescription}. Reported for the demo.`,
      serviceId: refs.serviceIds.get(demo.service) ?? null,
      impact: demo.impact,
      urgency: demo.urgency,
    });
    const path = `/api/incidents/${String(incident.incidentId)}`;
    const step = async (who: 'requester' | 'agent', method: string, suffix: string, body: unknown) => {
      incident = await api.send(tokens[who], method, `${path}${suffix}`, body, String(incident.version));
    };
    if (demo.story === 'new') continue;
    await step('agent', 'PUT', '/assignment', { teamId: refs.teamId, assigneeId: refs.agentId });
    if (demo.story === 'assigned') continue;
    await step('agent', 'POST', '/state', { to: 'in-progress' });
    await step('agent', 'POST', '/comments', { text: 'Looking into it now.' });
    if (demo.story === 'in-progress') continue;
    if (demo.story === 'on-hold') {
      await step('agent', 'POST', '/state', { to: 'on-hold', reason: 'awaiting-caller' });
      continue;
    }
    await step('agent', 'POST', '/state', {
      to: 'resolved',
      resolutionCode: 'solved',
      resolutionNotes: 'Fixed the configuration and tested it with the caller.',
    });
    if (demo.story === 'resolved') continue;
    await step('requester', 'POST', '/resolution', { decision: 'confirm' });
    await step('requester', 'PUT', '/satisfaction', { rating: 5, comment: 'Quick and friendly.' });
  }
}

function client(cloud: SeedTarget) {
  return {
    async send(
      token: string,
      method: string,
      path: string,
      body?: unknown,
      ifMatch?: string,
    ): Promise<Record<string, unknown>> {
      const response = await fetch(`${cloud.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          ...(ifMatch ? { 'if-match': `"${ifMatch}"` } : {}),
        },
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
