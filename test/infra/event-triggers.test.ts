import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { scheduleRuleName } from '#infra/aws/constructs/event-triggers.ts';
import { toCdkEventPattern } from '#infra/aws/event-pattern.ts';
import type { EventPattern } from '#shared/platform/event-pattern.ts';
import { defineProcess } from '#shared/platform/manifest.ts';
import { buildStack, resourcesOfType } from './synth.ts';

/** Patterns with every kind of matcher, to prove the raw pattern reaches EventBridge unchanged. */
const richPattern: EventPattern = {
  source: [{ prefix: 'itsm.' }],
  'detail-type': ['IncidentResolved', 'IncidentClosed'],
  account: [{ 'anything-but': '000000000000' }],
  detail: {
    priority: [{ numeric: ['<=', 2] }],
    tenantId: [{ exists: true }],
    service: { name: [{ 'equals-ignore-case': 'mail' }] },
  },
};

/** A process that exists only here: subscriptions with unusual patterns and two schedules. */
const timerProcess = defineProcess({
  name: 'sla-clock',
  description: 'Test process with schedules',
  access: { table: 'read', putEvents: false },
  routes: {},
  subscriptions: {
    resolved: { summary: 'Stop clocks on resolution', pattern: richPattern },
    anything: { summary: 'Every catalogue event', pattern: { source: ['itsm.service-catalogue'] } },
  },
  schedules: {
    everyMinute: { summary: 'Tick', expression: 'rate(1 minute)' },
    nightly: { summary: 'Nightly report', expression: 'cron(0 2 * * ? *)' },
  },
});

describe('toCdkEventPattern', () => {
  it('renames detail-type and keeps every other field and matcher as it is', () => {
    expect(toCdkEventPattern(richPattern)).toEqual({
      source: [{ prefix: 'itsm.' }],
      detailType: ['IncidentResolved', 'IncidentClosed'],
      account: [{ 'anything-but': '000000000000' }],
      detail: richPattern.detail,
    });
  });

  it('rejects what EventBridge would reject at deploy time', () => {
    expect(() => toCdkEventPattern({ sourcee: ['x'] })).toThrow(/not an EventBridge envelope field/);
    expect(() => toCdkEventPattern({ detail: ['x'] })).toThrow(/must be an object/);
    expect(() => toCdkEventPattern({ source: { name: ['x'] } })).toThrow(/list of matchers/);
    expect(() => toCdkEventPattern({})).toThrow(/empty/);
  });
});

describe('scheduleRuleName', () => {
  it('is readable when short and at most 64 characters, still unique, when long', () => {
    expect(scheduleRuleName('dev', 'sla-clock', 'everyMinute')).toBe('itsm-dev-sla-clock-everyMinute');
    const long = scheduleRuleName(
      'staging',
      'configuration-management',
      'reconcileEveryConfigurationItemNightly',
    );
    const other = scheduleRuleName(
      'staging',
      'configuration-management',
      'reconcileEveryConfigurationItemNightlz',
    );
    expect(long.length).toBeLessThanOrEqual(64);
    expect(long).not.toBe(other);
  });
});

describe('rules generated from a manifest', () => {
  const { stack } = buildStack({ manifests: [timerProcess], stage: 'rules' });
  const template = Template.fromStack(stack);
  const functionArn = stack.resolve(stack.processes.get('sla-clock')?.function.functionArn);
  const dlq = stack.triggers.get('sla-clock')?.deadLetterQueue;
  const target = {
    Arn: functionArn,
    DeadLetterConfig: { Arn: stack.resolve(dlq?.queueArn) },
    RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 7200 },
  };

  it('gives each subscription the exact raw pattern on the project bus', () => {
    for (const subscription of Object.values(timerProcess.subscriptions)) {
      template.hasResourceProperties('AWS::Events::Rule', {
        EventBusName: stack.resolve(stack.eventBus.eventBusName),
        EventPattern: Match.objectEquals(subscription.pattern as Record<string, unknown>),
        Targets: [Match.objectLike(target)],
      });
    }
  });

  it('runs each schedule on the default bus with a scheduled-event envelope naming the schedule', () => {
    for (const [name, schedule] of Object.entries(timerProcess.schedules)) {
      const rules = Object.values(
        template.findResources('AWS::Events::Rule', {
          Properties: { ScheduleExpression: schedule.expression },
        }),
      ) as { Properties: Record<string, unknown> }[];
      expect(rules).toHaveLength(1);
      const properties = rules[0]?.Properties ?? {};
      expect(properties.EventBusName).toBeUndefined();
      expect(properties.Name).toBe(scheduleRuleName('rules', 'sla-clock', name));
      const [ruleTarget] = properties.Targets as Record<string, unknown>[];
      expect(ruleTarget).toMatchObject(target);
      const transformer = ruleTarget?.InputTransformer as {
        InputPathsMap: Record<string, string>;
        InputTemplate: unknown;
      };
      expect(Object.values(transformer.InputPathsMap).sort()).toEqual([
        '$.account',
        '$.id',
        '$.region',
        '$.time',
      ]);
      const inputTemplate = JSON.stringify(transformer.InputTemplate);
      for (const fragment of [
        '\\"detail-type\\":\\"Scheduled Event\\"',
        '\\"source\\":\\"aws.events\\"',
        `\\"detail\\":{\\"schedule\\":\\"${name}\\"}`,
        `:rule/${scheduleRuleName('rules', 'sla-clock', name)}`,
      ]) {
        expect(inputTemplate).toContain(fragment);
      }
    }
  });

  it('shares one dead-letter queue per process, watched by an alarm', () => {
    template.resourceCountIs('AWS::SQS::Queue', 1);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Dimensions: [{ Name: 'QueueName', Value: stack.resolve(dlq?.queueName) }],
    });
    expect(Object.keys(resourcesOfType(template, 'AWS::Events::Rule'))).toHaveLength(4);
  });

  it('lets EventBridge (and nothing else) deliver to the function and the queue', () => {
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      FunctionName: functionArn,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
          }),
        ]),
      },
    });
  });
});
