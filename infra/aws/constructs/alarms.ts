import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/**
 * Alarms that tell an operator something needs a hand: any message in a dead-letter queue (an event
 * that will not be processed without a replay) and any function error. They notify one encrypted
 * SNS topic; who subscribes to it (mail, chat, pager) is an operations choice, not code.
 */
export class Alarms extends Construct {
  readonly topic: Topic;
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    // A customer-managed key, because CloudWatch cannot publish to a topic encrypted with the
    // AWS-managed SNS key (its key policy cannot be changed to let CloudWatch use it).
    const key = new Key(this, 'TopicKey', {
      description: 'Encrypts the ITSM alarm topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic = new Topic(this, 'Topic', { masterKey: key, enforceSSL: true });
    this.action = new SnsAction(this.topic);
  }

  /** Alarms as soon as one message waits in the queue. */
  watchDeadLetterQueue(id: string, queue: IQueue, what: string): Alarm {
    const alarm = new Alarm(this, id, {
      alarmDescription: `A message is waiting in the dead-letter queue of ${what}; inspect and replay it.`,
      metric: queue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.action);
    return alarm;
  }

  /** Alarms on any error of the function within five minutes. */
  watchFunction(id: string, fn: IFunction, what: string): Alarm {
    const alarm = new Alarm(this, id, {
      alarmDescription: `The ${what} function failed at least once in five minutes.`,
      metric: fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.action);
    return alarm;
  }
}
