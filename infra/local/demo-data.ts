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
}

export const demoTenants: readonly DemoTenant[] = [
  { tenantId: 'acme', name: 'Acme Manufacturing', timeZone: 'Europe/Berlin', emailDomain: 'acme.example' },
  { tenantId: 'globex', name: 'Globex Retail', timeZone: 'America/New_York', emailDomain: 'globex.example' },
];

const ROLE_LOGINS: readonly { local: string; title: string; roles: readonly Role[] }[] = [
  { local: 'admin', title: 'Tenant Admin', roles: ['tenant-admin'] },
  { local: 'agent', title: 'Service Desk Agent', roles: ['agent'] },
  { local: 'change', title: 'Change Manager', roles: ['agent', 'change-manager'] },
  { local: 'problem', title: 'Problem Manager', roles: ['agent', 'problem-manager'] },
  { local: 'owner', title: 'Service Owner', roles: ['service-owner'] },
  { local: 'viewer', title: 'Finance Unit Viewer', roles: ['business-unit-viewer'] },
  { local: 'requester', title: 'Requester', roles: ['requester'] },
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
    })),
  ),
];

/** Services each demo tenant starts with, so the catalogue is not empty on first login. */
export const demoServices: readonly {
  name: string;
  description: string;
  owner: string;
  status: 'pipeline' | 'live' | 'retired';
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
    status: 'pipeline',
  },
  {
    name: 'Legacy Fax Gateway',
    description: 'Outbound fax for the few teams that still need it.',
    owner: 'Network Services',
    status: 'retired',
  },
];
