import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AttributeType,
  BillingMode,
  ProjectionType,
  StreamViewType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import type { TableDefinition } from '#shared/platform/table.ts';

export interface DataTableProps {
  /** The one table definition shared with the local cloud (`shared/platform/table.ts`). */
  readonly definition: TableDefinition;
}

/**
 * The single DynamoDB table, built from the shared definition so keys, indexes, stream and TTL are the
 * same as on a laptop. Every tenant's data lives here, hence PITR, deletion protection and RETAIN.
 */
export class DataTable extends Construct {
  /** The table; the name is left to CloudFormation so stages can share an account. */
  readonly table: Table;

  constructor(scope: Construct, id: string, props: DataTableProps) {
    super(scope, id);
    const { definition } = props;
    this.table = new Table(this, 'Table', {
      partitionKey: { name: definition.partitionKey, type: AttributeType.STRING },
      sortKey: { name: definition.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      stream: streamViewType(definition.streamView),
      timeToLiveAttribute: definition.timeToLiveAttribute,
      // AWS-managed key: encrypted at rest with a key the account can audit in CloudTrail, without a
      // customer key's monthly cost or key-policy upkeep; no KMS grants are needed by the functions.
      encryption: TableEncryption.AWS_MANAGED,
    });
    for (const index of definition.globalIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        // Overloaded single-table indexes serve many item types; ALL keeps every list view one Query.
        projectionType: ProjectionType.ALL,
      });
    }
  }
}

function streamViewType(view: TableDefinition['streamView']): StreamViewType {
  switch (view) {
    case 'NEW_AND_OLD_IMAGES':
      return StreamViewType.NEW_AND_OLD_IMAGES;
  }
}
