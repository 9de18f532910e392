import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type Caller, httpEvent, lambdaContext } from '../../test/support/http-event.ts';
import { tenantItem } from '../../test/support/tenants.ts';
import type { BusEnvelope } from '../events/envelope.ts';
import { ServiceUpdated } from '../events/service-catalogue.ts';
import { defineProcess } from './manifest.ts';
import { createProcessHandler } from './process-handler.ts';
import { forgetTenantStatus } from './tenant-gate.ts';
import { currentTenantScope, runInTenantScope } from './tenant-scope.ts';

describe('tenant scope', () => {
  it('holds the tenant across awaits inside the scope, and nothing outside', async () => {
    const seen = await runInTenantScope('acme', async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return currentTenantScope();
    });

    expect(seen).toBe('acme');
    expect(currentTenantScope()).toBeUndefined();
  });

  it('keeps concurrent scopes apart', async () => {
    const read = (tenantId: string, ms: number) =>
      runInTenantScope(tenantId, async () => {
        await new Promise((resolve) => setTimeout(resolve, ms));
        return currentTenantScope();
      });

    expect(await Promise.all([read('acme', 5), read('globex', 1)])).toEqual(['acme', 'globex']);
  });

  it.each(['', 'acme*', 'a?c', 'ACME', 'acme#x'])(
    'refuses %j, which could widen the IAM key pattern',
    async (id) => {
      await expect(runInTenantScope(id, async () => 'opened')).rejects.toThrow(/not a tenant id/);
    },
  );

  it('refuses to switch tenants inside a scope, allows re-entering the same one', async () => {
    await expect(
      runInTenantScope('acme', () => runInTenantScope('globex', async () => 'leaked')),
    ).rejects.toThrow(/cannot switch to globex/);
    await expect(runInTenantScope('acme', () => runInTenantScope('acme', async () => 'ok'))).resolves.toBe(
      'ok',
    );
  });
});

/*
 * The process runtime decides the scope; these pin where each kind of invocation runs, including the
 * tenant gate's own read, which must be made with the tenant's credentials too.
 */
describe('the process runtime runs', () => {
  const scopeReply = z.object({ scope: z.string().nullable() });
  const manifest = defineProcess({
    name: 'scope-probe',
    description: 'Reports the tenant scope its code runs in',
    access: { table: 'read', putEvents: false },
    routes: {
      tenantRoute: {
        method: 'GET',
        path: '/probe',
        summary: 'tenant',
        roles: ['agent'],
        response: scopeReply,
      },
      operatorRoute: {
        method: 'GET',
        path: '/platform/probe',
        summary: 'operator',
        roles: ['platform-operator'],
        response: scopeReply,
      },
      publicRoute: {
        method: 'GET',
        path: '/public/probe',
        summary: 'public',
        roles: [],
        public: true,
        response: scopeReply,
      },
    },
    subscriptions: {
      serviceChanges: {
        summary: 'service changes',
        pattern: { source: [ServiceUpdated.source], 'detail-type': [ServiceUpdated.detailType] },
      },
    },
    schedules: { nightly: { summary: 'nightly', expression: 'rate(1 day)' } },
  });

  const seen: { where: string; scope: string | undefined }[] = [];
  const reply = async () => ({ body: { scope: currentTenantScope() ?? null } });
  const handler = createProcessHandler(manifest, {
    routes: { tenantRoute: reply, operatorRoute: reply, publicRoute: reply },
    subscriptions: {
      serviceChanges: async () => {
        seen.push({ where: 'subscription', scope: currentTenantScope() });
      },
    },
    schedules: {
      nightly: async () => {
        seen.push({ where: 'schedule', scope: currentTenantScope() });
      },
    },
  });

  const dynamo = mockClient(DynamoDBDocumentClient);
  beforeEach(() => {
    seen.length = 0;
    forgetTenantStatus();
    dynamo.reset();
    dynamo.on(GetCommand).callsFake((input: { Key: { pk: string } }) => {
      seen.push({ where: 'tenant gate', scope: currentTenantScope() });
      return { Item: tenantItem(input.Key.pk.split('#')[1] ?? '') };
    });
  });
  afterEach(() => dynamo.reset());

  async function call(route: keyof typeof manifest.routes, caller?: Caller) {
    const event = httpEvent(manifest.routes[route], caller ? { caller } : {});
    const result = (await handler(event, lambdaContext())) as APIGatewayProxyStructuredResultV2;
    expect(result.statusCode).toBe(200);
    return (JSON.parse(result.body ?? '{}') as { scope: string | null }).scope;
  }

  it("a tenant's route, and its tenant gate, in the caller's tenant scope", async () => {
    expect(await call('tenantRoute', { tenantId: 'acme', roles: ['agent'] })).toBe('acme');
    expect(seen).toEqual([{ where: 'tenant gate', scope: 'acme' }]);
  });

  it('platform operator and public routes outside any tenant scope', async () => {
    expect(await call('operatorRoute', { tenantId: 'platform', roles: ['platform-operator'] })).toBeNull();
    expect(await call('publicRoute')).toBeNull();
    expect(seen).toEqual([]);
  });

  it("a subscription in the event's tenant scope, a schedule outside any", async () => {
    const envelope = (detailType: string, source: string, detail: unknown): BusEnvelope => ({
      version: '0',
      id: randomUUID(),
      'detail-type': detailType,
      source,
      account: '000000000000',
      time: new Date().toISOString(),
      region: 'local',
      resources: [],
      detail,
    });

    await handler(
      envelope(ServiceUpdated.detailType, ServiceUpdated.source, {
        eventId: randomUUID(),
        tenantId: 'globex',
        occurredAt: new Date().toISOString(),
        version: 1,
        correlationId: 'c-1',
        actor: { userId: 'u-1', name: 'Gil' },
        data: {
          serviceId: 's-1',
          name: 'Mail',
          status: 'live',
          recordVersion: 2,
          changes: [{ field: 'name', from: 'Post', to: 'Mail' }],
        },
      }),
      lambdaContext(),
    );
    await handler(envelope('Scheduled Event', 'aws.events', { schedule: 'nightly' }), lambdaContext());

    expect(seen).toEqual([
      { where: 'subscription', scope: 'globex' },
      { where: 'schedule', scope: undefined },
    ]);
  });
});
