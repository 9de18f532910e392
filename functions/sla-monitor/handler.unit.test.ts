import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BusEnvelope } from '#shared/events/envelope.ts';
import { lambdaContext } from '../../test/support/http-event.ts';
import { handler } from './handler.ts';

const dynamo = mockClient(DynamoDBDocumentClient);

function scheduled(time: string): BusEnvelope<{ schedule: string }> {
  return {
    version: '0',
    id: 'run-1',
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '000000000000',
    time,
    region: 'local',
    resources: [],
    detail: { schedule: 'slaMoments' },
  };
}

function bucketsQueried(): string[] {
  return dynamo
    .commandCalls(QueryCommand)
    .map((query) =>
      String(query.args[0].input.ExpressionAttributeValues?.[':pk']).replace('t#platform#due#', ''),
    );
}

beforeEach(() => {
  dynamo.reset();
  dynamo.on(QueryCommand).resolves({ Items: [] });
  dynamo.on(PutCommand).resolves({});
});
afterEach(() => dynamo.reset());

describe('slaMoments schedule', () => {
  it('reads only the minute buckets since its checkpoint, up to the scheduled time, and moves the checkpoint', async () => {
    dynamo.on(GetCommand).resolves({
      Item: {
        monitor: 'sla-monitor',
        lastBucket: '2026-11-24T10:02',
        updatedAt: 'x',
        pk: 't#platform#monitor#sla-monitor',
        sk: 'checkpoint',
        __edb_e__: 'monitorCheckpoint',
        __edb_v__: '1',
      },
    });

    await handler(scheduled('2026-11-24T10:05:30Z'), lambdaContext());

    expect(bucketsQueried()).toEqual(['2026-11-24T10:03', '2026-11-24T10:04', '2026-11-24T10:05']);
    expect(dynamo.commandCalls(QueryCommand)[0]?.args[0].input.IndexName).toBe('gsi1');
    // The current minute is read again next time: moments later in it are not due yet.
    expect(dynamo.commandCalls(PutCommand)[0]?.args[0].input.Item).toMatchObject({
      lastBucket: '2026-11-24T10:04',
    });
  });

  it('reads at most 60 buckets a run, however far behind it is', async () => {
    dynamo.on(GetCommand).resolves({
      Item: {
        monitor: 'sla-monitor',
        lastBucket: '2026-11-20T00:00',
        updatedAt: 'x',
        pk: 't#platform#monitor#sla-monitor',
        sk: 'checkpoint',
        __edb_e__: 'monitorCheckpoint',
        __edb_v__: '1',
      },
    });

    await handler(scheduled('2026-11-24T10:05:30Z'), lambdaContext());

    expect(bucketsQueried()).toHaveLength(60);
    expect(bucketsQueried().at(-1)).toBe('2026-11-20T01:00');
    expect(dynamo.commandCalls(PutCommand)[0]?.args[0].input.Item).toMatchObject({
      lastBucket: '2026-11-20T01:00',
    });
  });
});
