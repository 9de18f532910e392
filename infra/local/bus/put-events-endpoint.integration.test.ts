import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BusEnvelope } from '#shared/events/envelope.ts';
import { LocalEventBus } from './event-bus.ts';
import { startPutEventsServer } from './put-events-endpoint.ts';

const BUS = 'itsm-local';

let bus: LocalEventBus;
let server: { endpoint: string; stop(): Promise<void> };
let client: EventBridgeClient;
let received: BusEnvelope[];

beforeEach(async () => {
  received = [];
  bus = new LocalEventBus({ busName: BUS, retry: { attempts: 1, baseDelayMs: 1 } });
  bus.addRule({
    name: 'catalogue',
    pattern: { source: ['itsm.service-catalogue'] },
    target: async (envelope) => void received.push(envelope),
  });
  server = await startPutEventsServer(bus);
  client = new EventBridgeClient({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
});

afterEach(async () => {
  client.destroy();
  await server.stop();
  bus.stop();
});

async function post(
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(server.endpoint, { method: 'POST', headers, body });
  return { status: response.status, body: await response.json() };
}

describe('PutEvents endpoint', () => {
  it('takes events from the real EventBridgeClient and delivers them on the bus', async () => {
    const result = await client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: BUS,
            Source: 'itsm.service-catalogue',
            DetailType: 'ServiceCreated',
            Detail: JSON.stringify({ tenantId: 't-1' }),
            Time: new Date('2024-02-03T04:05:06Z'),
            Resources: ['arn:x'],
          },
          {
            EventBusName: BUS,
            Source: 'itsm.service-catalogue',
            DetailType: 'ServiceCreated',
            Detail: 'not json',
          },
        ],
      }),
    );
    await bus.idle();

    expect(result.FailedEntryCount).toBe(1);
    expect(result.Entries?.[0]?.EventId).toBe(received[0]?.id);
    expect(result.Entries?.[1]).toEqual({
      ErrorCode: 'MalformedDetail',
      ErrorMessage: 'Detail is malformed.',
    });
    expect(received).toEqual([
      expect.objectContaining({
        source: 'itsm.service-catalogue',
        'detail-type': 'ServiceCreated',
        time: '2024-02-03T04:05:06Z',
        resources: ['arn:x'],
        detail: { tenantId: 't-1' },
      }),
    ]);
  });

  it('surfaces a request-level ValidationException to the SDK', async () => {
    const entries = Array.from({ length: 11 }, () => ({ Source: 'itsm.x', DetailType: 'X', Detail: '{}' }));
    await expect(client.send(new PutEventsCommand({ Entries: entries }))).rejects.toMatchObject({
      name: 'ValidationException',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('answers an unknown target with UnknownOperationException', async () => {
    const response = await post(
      { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSEvents.PutRule' },
      '{}',
    );
    expect(response).toEqual({
      status: 400,
      body: { __type: 'UnknownOperationException', message: expect.stringContaining('AWSEvents.PutRule') },
    });
  });

  it('answers a body that is not JSON with SerializationException', async () => {
    const response = await post(
      { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSEvents.PutEvents' },
      '{oops',
    );
    expect(response).toMatchObject({ status: 400, body: { __type: 'SerializationException' } });
  });
});
