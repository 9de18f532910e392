import type { ServiceInputTypes, ServiceOutputTypes } from '@aws-sdk/lib-dynamodb';
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { AwsStub } from 'aws-sdk-client-mock';
import { getDatabase } from '#shared/data/database.ts';

/** A tenant record as the table holds it. */
export function tenantItem(tenantId: string, status: 'active' | 'suspended' = 'active') {
  return {
    tenantId,
    name: `${tenantId} Ltd`,
    plan: 'standard' as const,
    status,
    timeZone: 'Europe/Berlin',
    locale: 'en-GB',
    currency: 'EUR',
    branding: JSON.stringify({ displayName: tenantId, logoUrl: null, primaryColour: '#1f6feb' }),
    version: 1,
    createdAt: '2026-11-01T00:00:00.000Z',
    updatedAt: '2026-11-01T00:00:00.000Z',
    pk: `t#${tenantId}#tenant`,
    sk: 'tenant',
    __edb_e__: 'tenant',
    __edb_v__: '1',
  };
}

/** Answers the tenant gate's read for these tenants; register after other GetCommand behaviours. */
export function mockTenants(
  dynamo: AwsStub<ServiceInputTypes, ServiceOutputTypes, DynamoDBDocumentClient['config']>,
  tenants: Record<string, 'active' | 'suspended'>,
): void {
  for (const [tenantId, status] of Object.entries(tenants)) {
    dynamo
      .on(GetCommand, { Key: { pk: `t#${tenantId}#tenant`, sk: 'tenant' } })
      .resolves({ Item: tenantItem(tenantId, status) });
  }
}

/** Writes tenant records to a real (local) table, for integration tests that call handlers directly. */
export async function createTenantRecords(tenantIds: readonly string[]): Promise<void> {
  for (const tenantId of tenantIds) {
    const { pk: _pk, sk: _sk, __edb_e__: _e, __edb_v__: _v, ...item } = tenantItem(tenantId);
    await getDatabase().entities.tenant.put(item).go();
  }
}
