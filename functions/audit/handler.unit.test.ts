import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { BusEnvelope } from '#shared/events/envelope.ts';
import { httpEvent, lambdaContext } from '../../test/support/http-event.ts';
import { mockTenants } from '../../test/support/tenants.ts';
import { handler } from './handler.ts';
import { manifest } from './manifest.ts';

const dynamo = mockClient(DynamoDBDocumentClient);

/** The tenant gate may read the tenant record; nothing else may be touched. */
function expectOnlyTenantGateReads() {
  for (const call of dynamo.calls()) {
    expect((call.args[0].input as { Key?: { sk?: string } }).Key?.sk).toBe('tenant');
  }
}

function serviceUpdated(overrides: Record<string, unknown> = {}): BusEnvelope {
  return {
    version: '0',
    id: 'bus-1',
    'detail-type': 'ServiceUpdated',
    source: 'itsm.service-catalogue',
    account: '000000000000',
    time: '2026-11-24T10:00:00Z',
    region: 'local',
    resources: [],
    detail: {
      eventId: 'evt-1',
      tenantId: 'acme',
      occurredAt: '2026-11-24T10:00:00.000Z',
      version: 1,
      correlationId: 'corr-1',
      actor: { userId: 'u1', name: 'Ada' },
      data: {
        serviceId: 'svc-1',
        name: 'Mail',
        status: 'live',
        recordVersion: 2,
        changes: [{ field: 'owner', from: 'IT', to: 'Workplace' }],
      },
      ...overrides,
    },
  };
}

beforeEach(() => {
  dynamo.reset();
  mockTenants(dynamo, { acme: 'active' });
});

describe('recordChanges subscription', () => {
  it('appends the entry with its processed marker in one transaction, in the event tenant', async () => {
    dynamo.on(TransactWriteCommand).resolves({});

    await handler(serviceUpdated(), lambdaContext());

    const items = dynamo.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items[0]?.Put?.Item?.pk).toBe('t#acme#processed#audit.recordChanges#evt-1');
    expect(items[0]?.Put?.ConditionExpression).toContain('attribute_not_exists');
    expect(items[1]?.Put?.Item).toMatchObject({
      pk: 't#acme#audit#service#svc-1',
      action: 'updated',
      actorName: 'Ada',
      correlationId: 'corr-1',
    });
    expect(JSON.parse(String(items[1]?.Put?.Item?.changes))).toEqual([
      { field: 'owner', from: 'IT', to: 'Workplace' },
    ]);
  });

  it('treats a redelivered event as done', async () => {
    dynamo.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
      }),
    );

    await expect(handler(serviceUpdated(), lambdaContext())).resolves.toBeUndefined();
  });

  it('fails, so the bus retries, when the write fails for another reason', async () => {
    dynamo.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }],
      }),
    );

    await expect(handler(serviceUpdated(), lambdaContext())).rejects.toThrow(/retry/);
  });

  it('refuses an event that does not match its catalogue schema', async () => {
    await expect(handler(serviceUpdated({ tenantId: undefined }), lambdaContext())).rejects.toThrow();
    expectOnlyTenantGateReads();
  });
});

describe('GET /api/audit/{entityType}/{entityId}', () => {
  it('reads the record trail newest first within the caller tenant', async () => {
    dynamo.on(QueryCommand).resolves({
      Items: [
        {
          tenantId: 'acme',
          entityType: 'service',
          entityId: 'svc-1',
          eventId: 'evt-1',
          action: 'updated',
          at: '2026-11-24T10:00:00.000Z',
          actorId: 'u1',
          actorName: 'Ada',
          correlationId: 'corr-1',
          changes: '[{"field":"owner","from":"IT","to":"Workplace"}]',
          __edb_e__: 'audit',
          __edb_v__: '1',
        },
      ],
    });
    const event = httpEvent(manifest.routes.listRecordAudit, {
      caller: { tenantId: 'acme', roles: ['agent'] },
      params: { entityType: 'service', entityId: 'svc-1' },
    });

    const response = (await handler(event, lambdaContext())) as APIGatewayProxyStructuredResultV2;

    expect(response.statusCode).toBe(200);
    const input = dynamo.commandCalls(QueryCommand)[0]?.args[0].input;
    expect(input?.ScanIndexForward).toBe(false);
    expect(input?.ExpressionAttributeValues?.[':pk']).toBe('t#acme#audit#service#svc-1');
    expect(JSON.parse(String(response.body)).items[0]).toMatchObject({
      actor: { userId: 'u1', name: 'Ada' },
      changes: [{ field: 'owner', from: 'IT', to: 'Workplace' }],
    });
  });

  it('is closed to requesters', async () => {
    const event = httpEvent(manifest.routes.listRecordAudit, {
      caller: { tenantId: 'acme', roles: ['requester'] },
      params: { entityType: 'service', entityId: 'svc-1' },
    });

    const response = (await handler(event, lambdaContext())) as APIGatewayProxyStructuredResultV2;

    expect(response.statusCode).toBe(403);
    expectOnlyTenantGateReads();
  });
});
