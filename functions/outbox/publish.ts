import type { Logger } from '@aws-lambda-powertools/logger';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { eventBusName, getEventBridgeClient } from '#shared/platform/clients.ts';
import { OUTBOX_KIND_ATTRIBUTE, OUTBOX_KIND_VALUE } from '#shared/platform/table.ts';

/** PutEvents takes at most 10 entries per call. */
const PUT_EVENTS_BATCH = 10;

interface OutboxItem {
  eventId: string;
  tenantId: string;
  source: string;
  detailType: string;
  detail: string;
  createdAt: string;
}

function outboxItem(record: DynamoDBRecord): OutboxItem | undefined {
  const image = record.dynamodb?.NewImage;
  if (record.eventName !== 'INSERT' || !image) return undefined;
  const item = unmarshall(image as Record<string, AttributeValue>);
  return item[OUTBOX_KIND_ATTRIBUTE] === OUTBOX_KIND_VALUE ? (item as OutboxItem) : undefined;
}

/**
 * Puts each new outbox item on the bus. Entries EventBridge refuses are reported back as batch item
 * failures so the stream retries just those records (and the ones after them, to keep order).
 */
export async function publishOutbox(
  event: DynamoDBStreamEvent,
  logger: Logger,
): Promise<DynamoDBBatchResponse> {
  const pending = event.Records.flatMap((record) => {
    const item = outboxItem(record);
    return item ? [{ item, sequenceNumber: record.dynamodb?.SequenceNumber ?? '' }] : [];
  });
  // Stream order is record order; on failure the stream must resume from the earliest failed record.
  let firstFailure: string | undefined;
  const fail = (sequenceNumber: string) => {
    firstFailure ??= sequenceNumber;
  };
  for (let start = 0; start < pending.length; start += PUT_EVENTS_BATCH) {
    const batch = pending.slice(start, start + PUT_EVENTS_BATCH);
    const entries: PutEventsRequestEntry[] = batch.map(({ item }) => ({
      EventBusName: eventBusName(),
      Source: item.source,
      DetailType: item.detailType,
      Detail: item.detail,
      Time: new Date(item.createdAt),
    }));
    try {
      const result = await getEventBridgeClient().send(new PutEventsCommand({ Entries: entries }));
      batch.forEach(({ item, sequenceNumber }, index) => {
        const code = result.Entries?.[index]?.ErrorCode;
        if (code) {
          logger.error('event refused by the bus', { eventId: item.eventId, code });
          fail(sequenceNumber);
        } else {
          logger.info('event published', {
            eventId: item.eventId,
            tenantId: item.tenantId,
            detailType: item.detailType,
          });
        }
      });
    } catch (error) {
      logger.error('publishing failed', error as Error);
      for (const { sequenceNumber } of batch) fail(sequenceNumber);
    }
    if (firstFailure !== undefined) break;
  }
  return { batchItemFailures: firstFailure === undefined ? [] : [{ itemIdentifier: firstFailure }] };
}
