import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/**
 * A dead-letter queue: SQS-managed encryption (no key policy to keep in step with EventBridge and
 * Lambda, which both must write to it), TLS only, and the longest retention SQS allows so an operator
 * has two weeks to inspect and replay what failed.
 */
export function createDeadLetterQueue(scope: Construct, id: string): Queue {
  return new Queue(scope, id, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    // Failed messages are evidence for the operator, not data of record; they go with the stack.
    removalPolicy: RemovalPolicy.DESTROY,
  });
}
