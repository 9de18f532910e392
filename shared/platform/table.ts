/**
 * The one table, described once. The CDK stack and the local cloud both build it from this object,
 * so keys, indexes, the stream and TTL can never drift between AWS and a laptop.
 */
export interface IndexDefinition {
  /** Index name as DynamoDB knows it. */
  readonly name: string;
  /** Partition key attribute of the index (a string). */
  readonly partitionKey: string;
  /** Sort key attribute of the index (a string). */
  readonly sortKey: string;
}

export interface TableDefinition {
  /** Logical name; the deployed name comes from the TABLE_NAME environment variable. */
  readonly logicalName: string;
  readonly partitionKey: string;
  readonly sortKey: string;
  readonly globalIndexes: readonly IndexDefinition[];
  /** What the change stream carries; the outbox publisher needs the new image. */
  readonly streamView: 'NEW_AND_OLD_IMAGES';
  /** Epoch-seconds attribute after which DynamoDB deletes the item. */
  readonly timeToLiveAttribute: string;
}

export const table: TableDefinition = {
  logicalName: 'itsm',
  partitionKey: 'pk',
  sortKey: 'sk',
  globalIndexes: [
    { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  ],
  streamView: 'NEW_AND_OLD_IMAGES',
  timeToLiveAttribute: 'expiresAt',
};

/** Marks outbox items so the stream publisher can filter them (also used as the CDK stream filter). */
export const OUTBOX_KIND_ATTRIBUTE = 'kind';
export const OUTBOX_KIND_VALUE = 'outbox';

/** Name of the table at run time. */
export function tableName(): string {
  return process.env.TABLE_NAME ?? table.logicalName;
}

/**
 * Which stream records feed the outbox publisher: new outbox items only. Lambda's event filtering
 * and EventBridge share this pattern syntax, so the CDK event source mapping and the local cloud use
 * this one object.
 */
export const OUTBOX_STREAM_FILTER = {
  eventName: ['INSERT'],
  dynamodb: { NewImage: { [OUTBOX_KIND_ATTRIBUTE]: { S: [OUTBOX_KIND_VALUE] } } },
} as const;
