import { PLATFORM_TENANT_ID, type Role } from '#shared/platform/roles.ts';

/** Password of every demo login. The local cloud is for development and demos; never expose it. */
export const DEMO_PASSWORD = 'Demo-2026!';

export interface DemoTenant {
  readonly tenantId: string;
  readonly name: string;
  readonly timeZone: string;
  readonly emailDomain: string;
}

export interface DemoUser {
  readonly email: string;
  readonly name: string;
  readonly tenantId: string;
  readonly roles: readonly Role[];
  /** Name of the demo business unit the user belongs to. */
  readonly businessUnit?: string;
}

export const demoTenants: readonly DemoTenant[] = [
  { tenantId: 'acme', name: 'Acme Manufacturing', timeZone: 'Europe/Berlin', emailDomain: 'acme.example' },
  { tenantId: 'globex', name: 'Globex Retail', timeZone: 'America/New_York', emailDomain: 'globex.example' },
];

const ROLE_LOGINS: readonly {
  local: string;
  title: string;
  roles: readonly Role[];
  businessUnit?: string;
}[] = [
  { local: 'admin', title: 'Tenant Admin', roles: ['tenant-admin'], businessUnit: 'IT' },
  { local: 'agent', title: 'Service Desk Agent', roles: ['agent'], businessUnit: 'IT' },
  { local: 'change', title: 'Change Manager', roles: ['agent', 'change-manager'], businessUnit: 'IT' },
  { local: 'problem', title: 'Problem Manager', roles: ['agent', 'problem-manager'], businessUnit: 'IT' },
  { local: 'owner', title: 'Service Owner', roles: ['service-owner'], businessUnit: 'IT' },
  { local: 'viewer', title: 'Finance Unit Viewer', roles: ['business-unit-viewer'], businessUnit: 'Finance' },
  { local: 'requester', title: 'Requester', roles: ['requester'], businessUnit: 'Sales' },
];

/** Business units of each demo tenant, parents first. */
export const demoBusinessUnits: readonly { name: string; costCentre: string; parent?: string }[] = [
  { name: 'Corporate', costCentre: 'CC-000' },
  { name: 'Finance', costCentre: 'CC-100', parent: 'Corporate' },
  { name: 'Sales', costCentre: 'CC-200', parent: 'Corporate' },
  { name: 'IT', costCentre: 'CC-300', parent: 'Corporate' },
];

/** Teams of each demo tenant; members by the local part of their demo email. */
export const demoTeams: readonly { name: string; description: string; members: readonly string[] }[] = [
  {
    name: 'Service Desk',
    description: 'First line: takes every call and ticket.',
    members: ['agent', 'change', 'problem'],
  },
  { name: 'Infrastructure', description: 'Servers, network and storage.', members: ['change', 'problem'] },
];

export const demoUsers: readonly DemoUser[] = [
  {
    email: 'operator@platform.example',
    name: 'Platform Operator',
    tenantId: PLATFORM_TENANT_ID,
    roles: ['platform-operator'],
  },
  ...demoTenants.flatMap((tenant) =>
    ROLE_LOGINS.map((login) => ({
      email: `${login.local}@${tenant.emailDomain}`,
      name: `${tenant.name.split(' ')[0]} ${login.title}`,
      tenantId: tenant.tenantId,
      roles: login.roles,
      ...(login.businessUnit ? { businessUnit: login.businessUnit } : {}),
    })),
  ),
];

/** Services each demo tenant starts with, so the catalogue is not empty on first login. */
export const demoServices: readonly {
  name: string;
  description: string;
  owner: string;
  status: 'pipeline' | 'live' | 'retired';
  /** Names of the business units that subscribe; none: offered to every unit. */
  consumers?: readonly string[];
}[] = [
  {
    name: 'Email and Calendar',
    description: 'Mailboxes, shared calendars and distribution lists for every employee.',
    owner: 'Workplace Services',
    status: 'live',
  },
  {
    name: 'Laptop Provisioning',
    description: 'Standard laptops, imaged and delivered within five working days.',
    owner: 'End User Computing',
    status: 'live',
  },
  {
    name: 'ERP Finance',
    description: 'General ledger, accounts payable and receivable.',
    owner: 'Business Applications',
    status: 'live',
    consumers: ['Finance', 'Sales'],
  },
  {
    name: 'VPN Remote Access',
    description: 'Secure access to internal systems from outside the office.',
    owner: 'Network Services',
    status: 'live',
  },
  {
    name: 'Data Warehouse',
    description: 'Reporting and analytics platform for business units.',
    owner: 'Data Platform',
    consumers: ['Finance'],
    status: 'pipeline',
  },
  {
    name: 'Legacy Fax Gateway',
    description: 'Outbound fax for the few teams that still need it.',
    owner: 'Network Services',
    status: 'retired',
  },
];
