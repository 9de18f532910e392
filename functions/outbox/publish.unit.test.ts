import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { lambdaContext } from '../../test/support/http-event.ts';
import { handler } from './handler.ts';

const eventBridge = mockClient(EventBridgeClient);

function record(
  sequence: number,
  item: Record<string, unknown>,
  eventName: 'INSERT' | 'MODIFY' = 'INSERT',
): DynamoDBRecord {
  return {
    eventName,
    eventSource: 'aws:dynamodb',
    dynamodb: {
      SequenceNumber: String(sequence),
      NewImage: marshall(item) as Record<string, AttributeValue> as never,
    },
  };
}

function outbox(index: number) {
  return {
    kind: 'outbox',
    tenantId: 'acme',
    eventId: `evt-${index}`,
    source: 'itsm.service-catalogue',
    detailType: 'ServiceCreated',
    detail: JSON.stringify({ eventId: `evt-${index}`, tenantId: 'acme' }),
    createdAt: '2026-11-24T10:00:00.000Z',
  };
}

const stream = (records: DynamoDBRecord[]): DynamoDBStreamEvent => ({ Records: records });

beforeEach(() => eventBridge.reset());

describe('outbox publisher', () => {
  it('puts new outbox items on the bus, ten per call, and nothing else', async () => {
    eventBridge.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({
      FailedEntryCount: 0,
      Entries: input.Entries.map((_, index) => ({ EventId: `id-${index}` })),
    }));
    const records = [
      ...Array.from({ length: 12 }, (_, index) => record(index + 1, outbox(index))),
      record(100, { kind: 'service', name: 'not an event' }),
      record(101, outbox(99), 'MODIFY'),
    ];

    const result = await handler(stream(records), lambdaContext());

    expect(result).toEqual({ batchItemFailures: [] });
    const calls = eventBridge.commandCalls(PutEventsCommand);
    expect(calls.map((call) => call.args[0].input.Entries?.length)).toEqual([10, 2]);
    expect(calls[0]?.args[0].input.Entries?.[0]).toMatchObject({
      EventBusName: 'itsm-test',
      Source: 'itsm.service-catalogue',
      DetailType: 'ServiceCreated',
      Detail: outbox(0).detail,
    });
  });

  it('reports the earliest refused entry so the stream retries from there', async () => {
    eventBridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ EventId: 'a' }, { ErrorCode: 'InternalFailure', ErrorMessage: 'boom' }, { EventId: 'c' }],
    });

    const result = await handler(
      stream([record(7, outbox(1)), record(8, outbox(2)), record(9, outbox(3))]),
      lambdaContext(),
    );

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: '8' }] });
  });

  it('retries the whole batch when the bus cannot be reached', async () => {
    eventBridge.on(PutEventsCommand).rejects(new Error('connect ECONNREFUSED'));

    const result = await handler(stream([record(3, outbox(1)), record(4, outbox(2))]), lambdaContext());

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: '3' }] });
  });
});
