import { existsSync, writeFileSync } from 'node:fs';
import { DEMO_PASSWORD, type DemoUser, demoServices, demoTenants } from './demo-data.ts';
import type { UserDirectory } from './identity/index.ts';

interface SeedTarget {
  readonly url: string;
  login(email: string, password?: string): Promise<string>;
  idle(): Promise<void>;
}

/**
 * Creates the demo logins and catalogue once per data folder. Services go through the public API,
 * so the seed itself exercises routes, outbox, bus and audit like any user would.
 */
export async function seedDemoData(
  cloud: SeedTarget,
  users: UserDirectory,
  logins: readonly DemoUser[],
  markerFile: string,
): Promise<void> {
  if (existsSync(markerFile)) return;
  for (const login of logins) {
    if (!users.findByEmail(login.email)) {
      await users.add({ ...login, roles: [...login.roles], password: DEMO_PASSWORD });
    }
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
