import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { notificationIdFor } from '#shared/domain/notifications/notification.ts';
import type { BusEnvelope } from '#shared/events/envelope.ts';
import { httpEvent, lambdaContext } from '../../test/support/http-event.ts';
import { mockTenants } from '../../test/support/tenants.ts';
import { handler } from './handler.ts';
import { manifest } from './manifest.ts';

const dynamo = mockClient(DynamoDBDocumentClient);
const caller = { tenantId: 'acme', userId: 'u-agent', roles: ['agent'] as const };

async function call(name: keyof typeof manifest.routes, options: Parameters<typeof httpEvent>[1] = {}) {
  const result = (await handler(
    httpEvent(manifest.routes[name], { caller: { ...caller, roles: [...caller.roles] }, ...options }),
    lambdaContext(),
  )) as APIGatewayProxyStructuredResultV2;
  return { status: result.statusCode, body: JSON.parse(String(result.body)) as Record<string, unknown> };
}

beforeEach(() => {
  dynamo.reset();
  dynamo.on(GetCommand).resolves({});
  mockTenants(dynamo, { acme: 'active' });
});

describe('notification routes', () => {
  it('lists the caller’s own partition, newest first', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [] });
    const answer = await call('listNotifications');
    expect(answer.status).toBe(200);
    const input = dynamo.commandCalls(QueryCommand)[0]?.args[0].input;
    expect(input?.ExpressionAttributeValues?.[':pk']).toBe('t#acme#user#u-agent#notifications');
    expect(input?.ScanIndexForward).toBe(false);
  });

  it('answers 404 for a notification the caller does not have', async () => {
    const answer = await call('markNotificationRead', { params: { notificationId: 'nope' } });
    expect(answer.status).toBe(404);
    expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(0);
    const keys = dynamo.commandCalls(GetCommand).map((get) => get.args[0].input.Key?.pk);
    expect(keys).toContain('t#acme#user#u-agent#notifications');
  });

  it('gives default preferences (every mail on) and stores a replacement under the caller', async () => {
    const defaults = await call('getNotificationPreferences');
    expect(defaults.body).toEqual({
      mail: {
        'incident-assigned': true,
        'incident-resolved': true,
        'incident-commented': true,
        'sla-warning': true,
        'sla-breached': true,
        'incident-escalated': true,
      },
    });
    dynamo.on(PutCommand).resolves({});
    const mail = { ...(defaults.body.mail as Record<string, boolean>), 'sla-warning': false };
    const saved = await call('putNotificationPreferences', { body: { mail } });
    expect(saved.status).toBe(200);
    const item = dynamo.commandCalls(PutCommand)[0]?.args[0].input.Item;
    expect(item?.pk).toBe('t#acme#user#u-agent#notification-preferences');
    expect(JSON.parse(String(item?.mail))).toMatchObject({ 'sla-warning': false });
  });

  it('refuses preferences that leave a kind out', async () => {
    const answer = await call('putNotificationPreferences', { body: { mail: { 'sla-warning': false } } });
    expect(answer.status).toBe(400);
  });
});

describe('subscriptions', () => {
  it('writes nothing for an incident that no longer exists', async () => {
    const envelope: BusEnvelope = {
      version: '0',
      id: 'bus-1',
      'detail-type': 'IncidentAssigned',
      source: 'itsm.incidents',
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
        actor: { userId: 'u-admin', name: 'Ada' },
        data: {
          incidentId: 'inc-1',
          number: 'INC0000001',
          priority: 'P3',
          state: 'assigned',
          teamId: null,
          assigneeId: 'u-agent',
          recordVersion: 2,
          changes: [{ field: 'assigneeId', from: null, to: 'u-agent' }],
        },
      },
    };
    await handler(envelope, lambdaContext());
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('derives one notification id per event and recipient, sorting by time', () => {
    const first = notificationIdFor('2026-11-24T10:00:00.000Z', 'evt-1', 'u1');
    expect(notificationIdFor('2026-11-24T10:00:00.000Z', 'evt-1', 'u1')).toBe(first);
    expect(notificationIdFor('2026-11-24T10:00:00.000Z', 'evt-1', 'u2')).not.toBe(first);
    expect(notificationIdFor('2026-11-24T10:00:01.000Z', 'evt-0', 'u1') > first).toBe(true);
  });
});
