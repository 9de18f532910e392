import { describe, expect, it } from 'vitest';
import { changeTenant, tenantChanges } from './changes.ts';
import type { Tenant } from './tenant.ts';

const tenant: Tenant = {
  tenantId: 'acme',
  name: 'Acme',
  plan: 'trial',
  status: 'active',
  timeZone: 'Europe/Berlin',
  locale: 'en-GB',
  currency: 'EUR',
  branding: { displayName: 'Acme', logoUrl: null, primaryColour: '#1f6feb' },
  version: 4,
  createdAt: '2026-11-01T00:00:00.000Z',
  updatedAt: '2026-11-02T00:00:00.000Z',
};

describe('tenantChanges', () => {
  it('reports an onboarding as every field from null, branding per field', () => {
    const changes = tenantChanges(null, tenant);

    expect(changes).toContainEqual({ field: 'name', from: null, to: 'Acme' });
    expect(changes).toContainEqual({ field: 'status', from: null, to: 'active' });
    expect(changes).toContainEqual({ field: 'branding.logoUrl', from: null, to: null });
    expect(changes.map((change) => change.field)).not.toContain('version');
  });
});

describe('changeTenant', () => {
  it('moves one version on and names only what changed', () => {
    const { next, diff } = changeTenant(
      tenant,
      { name: 'Acme', branding: { ...tenant.branding, primaryColour: '#000000' } },
      '2026-11-03T00:00:00.000Z',
    );

    expect(diff).toEqual([{ field: 'branding.primaryColour', from: '#1f6feb', to: '#000000' }]);
    expect(next).toMatchObject({ version: 5, updatedAt: '2026-11-03T00:00:00.000Z', name: 'Acme' });
    expect(next.branding.primaryColour).toBe('#000000');
  });

  it('suspends through the status field', () => {
    const { next, diff } = changeTenant(tenant, { status: 'suspended', plan: undefined }, 'x');

    expect(diff).toEqual([{ field: 'status', from: 'active', to: 'suspended' }]);
    expect(next.plan).toBe('trial');
  });

  it('returns the tenant untouched when nothing changes', () => {
    const { next, diff } = changeTenant(tenant, { plan: 'trial' }, 'x');

    expect(diff).toEqual([]);
    expect(next).toBe(tenant);
  });
});
