import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { Architecture, FilterCriteria, Runtime, StartingPosition, Tracing } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ProcessManifest } from '#shared/platform/manifest.ts';
import { OUTBOX_STREAM_FILTER } from '#shared/platform/table.ts';
import { createDeadLetterQueue } from './dead-letter-queue.ts';

/**
 * Lets the ESM bundle load CommonJS dependencies that call `require` (some AWS SDK and middy internals
 * do); Node's ESM scope has no `require` of its own.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

export interface ProcessFunctionProps {
  /** The process this function runs; its `access` is the whole of the function's permissions. */
  readonly manifest: ProcessManifest;
  /** Absolute path of the handler module exporting `handler`. */
  readonly entry: string;
  /** The single table; granted directly only to `platformWide` processes (see {@link tableAccessOf}). */
  readonly table: ITable;
  /** The project's bus; put rights only when `manifest.access.putEvents`. */
  readonly eventBus: IEventBus;
  /** Key that signs pagination cursors; given to functions that read the table. */
  readonly cursorSigningKey: ISecret;
}

/**
 * How a process reaches the table: not at all, through the tenant-scoped role (the default for every
 * process with table access), or with its own role's rights (`platformWide` processes only).
 */
export function tableAccessOf(manifest: ProcessManifest): 'none' | 'tenant-scoped' | 'platform-wide' {
  if (manifest.access.table === 'none') return 'none';
  return manifest.access.platformWide === true ? 'platform-wide' : 'tenant-scoped';
}

/**
 * One Lambda function per ITIL process, with exactly the IAM rights its manifest declares. Routes,
 * subscriptions and schedules are attached elsewhere; this construct owns the function, its log group
 * and, for the outbox publisher, the table stream source.
 */
export class ProcessFunction extends Construct {
  /** The manifest the function was built from. */
  readonly manifest: ProcessManifest;
  readonly function: NodejsFunction;
  /** Dead-letter queues this construct created (the stream's on-failure destination). */
  readonly deadLetterQueues: Queue[] = [];

  constructor(scope: Construct, id: string, props: ProcessFunctionProps) {
    super(scope, id);
    const { manifest, table, eventBus, cursorSigningKey } = props;
    this.manifest = manifest;
    const access = manifest.access;

    // An explicit log group instead of the one Lambda creates on first write: the retention is part of
    // the stack and the group goes away with it.
    const logGroup = new LogGroup(this, 'Logs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const environment: Record<string, string> = {
      POWERTOOLS_SERVICE_NAME: manifest.name,
      TABLE_NAME: table.tableName,
      EVENT_BUS_NAME: eventBus.eventBusName,
      NODE_OPTIONS: '--enable-source-maps',
    };
    if (access.table !== 'none') {
      // Trade-off: a dynamic reference is resolved by CloudFormation at deploy time, so the key sits in
      // the function's configuration (encrypted at rest, readable by whoever may read the function's
      // configuration) and a new key needs a deploy. In exchange there is no Secrets Manager call on a
      // cold start and no secretsmanager:GetSecretValue right on the function. Acceptable for a key
      // that only signs pagination cursors: a leak lets someone forge a cursor, and the tenant in a
      // cursor is still checked against the verified token.
      environment.CURSOR_SIGNING_KEY = cursorSigningKey.secretValue.unsafeUnwrap();
    }

    this.function = new NodejsFunction(this, 'Function', {
      description: manifest.description,
      entry: props.entry,
      handler: 'handler',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: 512,
      timeout: Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      logGroup,
      environment,
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        mainFields: ['module', 'main'],
        minify: true,
        sourceMap: true,
        banner: ESM_REQUIRE_BANNER,
        // Bundle the AWS SDK too: the handlers then run the SDK versions the tests ran, not whatever
        // version the Lambda runtime happens to ship.
        externalModules: [],
      },
    });

    // A tenant-scoped process gets no table rights of its own: the TenantAccess construct lets it assume
    // the role that reaches only the keys of the tenant it acts for.
    if (tableAccessOf(manifest) === 'platform-wide') {
      switch (access.table) {
        case 'read':
          table.grantReadData(this.function);
          break;
        case 'read-write':
          table.grantReadWriteData(this.function);
          break;
        case 'none':
          break;
        default:
          access.table satisfies never;
      }
    }

    if (access.putEvents) eventBus.grantPutEventsTo(this.function);

    if (access.tableStream !== undefined) {
      const streamFailures = createDeadLetterQueue(this, 'StreamFailures');
      this.deadLetterQueues.push(streamFailures);
      this.function.addEventSource(
        new DynamoEventSource(table, {
          // TRIM_HORIZON: outbox items written before the mapping existed are still published.
          startingPosition: StartingPosition.TRIM_HORIZON,
          batchSize: 25,
          bisectBatchOnError: true,
          retryAttempts: 5,
          reportBatchItemFailures: true,
          onFailure: new SqsDlq(streamFailures),
          // Only new outbox items invoke the publisher; every other write to the table costs nothing.
          // The pattern is the shared one the local change feed applies too (INSERT, kind = outbox);
          // it is what FilterRule.isEqual would build, written once for both runtimes.
          filters: [FilterCriteria.filter(OUTBOX_STREAM_FILTER)],
        }),
      );
    }
  }
}
