import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { DynamoDBRecord } from 'aws-lambda';
import { type Item, keyOf, REGION, type TableInfo } from './backend.ts';

export type ChangeListener = (records: DynamoDBRecord[]) => void;

/** How DynamoDB Streams marks deletions made by TTL rather than by a caller. */
export const TTL_IDENTITY = { type: 'Service', principalId: 'dynamodb.amazonaws.com' } as const;

/** Builds DynamoDB Streams records and hands them to listeners, outside any write. */
export class ChangeFeed {
  readonly #listeners = new Set<ChangeListener>();
  // Starts from the clock so sequence numbers keep increasing across restarts on the same data.
  #sequence = BigInt(Date.now()) * 1_000_000n;

  subscribe(listener: ChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The record of one item's change, or undefined when nothing changed (DynamoDB writes none then). */
  record(
    table: TableInfo,
    oldImage: Item | undefined,
    newImage: Item | undefined,
    byService = false,
  ): DynamoDBRecord | undefined {
    if (isDeepStrictEqual(oldImage, newImage)) return undefined;
    const image = newImage ?? oldImage;
    const keys = keyOf(image, table.keyNames) ?? {};
    this.#sequence += 1n;
    return {
      eventID: randomUUID().replaceAll('-', ''),
      eventName: !oldImage ? 'INSERT' : !newImage ? 'REMOVE' : 'MODIFY',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: REGION,
      dynamodb: {
        ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
        Keys: keys,
        ...(newImage && { NewImage: newImage }),
        ...(oldImage && { OldImage: oldImage }),
        // Zero-padded so that string order and numeric order agree.
        SequenceNumber: this.#sequence.toString().padStart(21, '0'),
        // An approximation: DynamoDB counts attribute names and values, not JSON.
        SizeBytes: Buffer.byteLength(JSON.stringify([keys, newImage ?? {}, oldImage ?? {}])),
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
      eventSourceARN: table.streamArn,
      ...(byService && { userIdentity: { ...TTL_IDENTITY } }),
    };
  }

  /** Delivers records on a later turn, so a listener never runs while the database is locked. */
  publish(records: readonly (DynamoDBRecord | undefined)[] | undefined): void {
    const batch = (records ?? []).filter((record): record is DynamoDBRecord => record !== undefined);
    if (batch.length === 0 || this.#listeners.size === 0) return;
    const listeners = [...this.#listeners];
    setImmediate(() => {
      for (const listener of listeners) {
        // A failing listener must neither break the write that caused the records nor starve other listeners.
        Promise.resolve()
          .then(() => listener(batch))
          .catch((error: unknown) => console.error('local database: change listener failed', error));
      }
    });
  }
}
