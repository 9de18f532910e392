import { existsSync, writeFileSync } from 'node:fs';
import { getDatabase } from '#shared/data/database.ts';
import { isTenantRole } from '#shared/domain/directory/directory.ts';
import { DEMO_PASSWORD, type DemoUser, demoServices, demoTenants } from './demo-data.ts';
import type { UserDirectory } from './identity/index.ts';

interface SeedTarget {
  readonly url: string;
  login(email: string, password?: string): Promise<string>;
  idle(): Promise<void>;
}

/**
 * The demo tenants' records, written directly until tenants are onboarded through the operator API:
 * the tenant gate refuses every request of a tenant without one.
 */
async function ensureDemoTenants(at: string): Promise<void> {
  const tenants = getDatabase().entities.tenant;
  for (const tenant of demoTenants) {
    if ((await tenants.get({ tenantId: tenant.tenantId }).go()).data) continue;
    const american = tenant.timeZone.startsWith('America/');
    await tenants
      .put({
        tenantId: tenant.tenantId,
        name: tenant.name,
        plan: 'standard',
        status: 'active',
        timeZone: tenant.timeZone,
        locale: american ? 'en-US' : 'en-GB',
        currency: american ? 'USD' : 'EUR',
        branding: JSON.stringify({ displayName: tenant.name, logoUrl: null, primaryColour: '#1f6feb' }),
        version: 1,
        createdAt: at,
        updatedAt: at,
      })
      .go();
  }
}

/**
 * Creates the demo logins and catalogue once per data folder. Logins are confirmed users with the
 * demo password straight in the local user pool (an invitation would need a person to accept it),
 * each with its directory record under the pool's `sub`. Services go through the public API, so the
 * seed itself exercises routes, outbox, bus and audit like any user would.
 */
export async function seedDemoData(
  cloud: SeedTarget,
  users: UserDirectory,
  logins: readonly DemoUser[],
  markerFile: string,
): Promise<void> {
  if (existsSync(markerFile)) return;
  const at = new Date().toISOString();
  await ensureDemoTenants(at);
  for (const login of logins) {
    const identity =
      users.findByEmail(login.email) ??
      (await users.add({ ...login, roles: [...login.roles], password: DEMO_PASSWORD }));
    // The platform operator belongs to no company, so has no directory record.
    if (!login.roles.some(isTenantRole)) continue;
    await getDatabase()
      .entities.user.put({
        tenantId: login.tenantId,
        userId: identity.sub,
        email: identity.email,
        name: login.name,
        roles: login.roles.filter(isTenantRole),
        status: 'active',
        version: 1,
        createdAt: at,
        updatedAt: at,
      })
      .go();
  }
  for (const tenant of demoTenants) {
    const token = await cloud.login(`admin@${tenant.emailDomain}`);
    for (const service of demoServices) {
      const response = await fetch(`${cloud.url}/api/services`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(service),
      });
      if (response.status !== 201) {
        throw new Error(
          `Seeding ${service.name} for ${tenant.tenantId} failed: ${response.status} ${await response.text()}`,
        );
      }
    }
  }
  await cloud.idle();
  writeFileSync(markerFile, JSON.stringify({ seededAt: new Date().toISOString() }));
}
