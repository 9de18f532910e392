import { createHash } from 'node:crypto';
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import { EventField, type IEventBus, Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ProcessManifest } from '#shared/platform/manifest.ts';
import { toCdkEventPattern } from '../event-pattern.ts';
import { createDeadLetterQueue } from './dead-letter-queue.ts';

/** EventBridge retries a failed delivery this often before the event goes to the dead-letter queue. */
export const TARGET_RETRY_ATTEMPTS = 8;
/** An event older than this is not delivered any more but dead-lettered. */
export const TARGET_MAX_EVENT_AGE = Duration.hours(2);

export interface EventTriggersProps {
  /** Whose subscriptions and schedules to wire. */
  readonly manifest: ProcessManifest;
  /** The process's function, the target of every rule. */
  readonly function: IFunction;
  /** The project's bus; subscriptions listen here (schedules use the account's default bus). */
  readonly eventBus: IEventBus;
  /** Stage name, part of schedule rule names. */
  readonly stage: string;
}

/**
 * Turns a manifest's subscriptions and schedules into EventBridge rules targeting the process's
 * function, each with retries, a maximum event age and the process's dead-letter queue, so a failing
 * consumer never silently drops an event. Create it only for a process that has a rule.
 */
export class EventTriggers extends Construct {
  /** The process's dead-letter queue, shared by all its rules' targets. */
  readonly deadLetterQueue: Queue;
  /** Rules by subscription name. */
  readonly subscriptionRules: ReadonlyMap<string, Rule>;
  /** Rules by schedule name. */
  readonly scheduleRules: ReadonlyMap<string, Rule>;

  constructor(scope: Construct, id: string, props: EventTriggersProps) {
    super(scope, id);
    const { manifest } = props;
    const subscriptions = Object.entries(manifest.subscriptions);
    const schedules = Object.entries(manifest.schedules);
    const subscriptionRules = new Map<string, Rule>();
    const scheduleRules = new Map<string, Rule>();
    this.subscriptionRules = subscriptionRules;
    this.scheduleRules = scheduleRules;

    const deadLetterQueue = createDeadLetterQueue(this, 'DeadLetters');
    this.deadLetterQueue = deadLetterQueue;
    const target = (event?: RuleTargetInput) =>
      new LambdaFunction(props.function, {
        event,
        retryAttempts: TARGET_RETRY_ATTEMPTS,
        maxEventAge: TARGET_MAX_EVENT_AGE,
        deadLetterQueue,
      });

    for (const [name, subscription] of subscriptions) {
      const rule = new Rule(this, `Subscription-${name}`, {
        description: `${manifest.name}: ${subscription.summary}`.slice(0, 512),
        eventBus: props.eventBus,
        eventPattern: toCdkEventPattern(subscription.pattern),
      });
      rule.addTarget(target());
      subscriptionRules.set(name, rule);
    }

    for (const [name, schedule] of schedules) {
      // A physical name lets the input below carry the rule's ARN the way a real scheduled event does;
      // the rule's own Arn attribute cannot be used in its own targets (a circular reference).
      const ruleName = scheduleRuleName(props.stage, manifest.name, name);
      const ruleArn = Stack.of(this).formatArn({
        service: 'events',
        resource: 'rule',
        resourceName: ruleName,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      });
      const rule = new Rule(this, `Schedule-${name}`, {
        ruleName,
        description: `${manifest.name}: ${schedule.summary}`.slice(0, 512),
        schedule: Schedule.expression(schedule.expression),
      });
      // The shape of a scheduled event from EventBridge, plus the schedule's name so one handler can
      // serve several schedules; the local scheduler (infra/local/schedules) sends the same envelope.
      rule.addTarget(
        target(
          RuleTargetInput.fromObject({
            version: '0',
            id: EventField.eventId,
            'detail-type': 'Scheduled Event',
            source: 'aws.events',
            account: EventField.account,
            time: EventField.time,
            region: EventField.region,
            resources: [ruleArn],
            detail: { schedule: name },
          }),
        ),
      );
      scheduleRules.set(name, rule);
    }
  }
}

/** `itsm-<stage>-<process>-<schedule>`, shortened with a hash when it would pass EventBridge's 64 characters. */
export function scheduleRuleName(stage: string, process: string, schedule: string): string {
  const name = `itsm-${stage}-${process}-${schedule}`;
  if (name.length <= 64) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, 64 - hash.length - 1)}-${hash}`;
}
