import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { manifests } from '#functions/manifests.ts';
import { ESM_REQUIRE_BANNER, tableAccessOf } from '#infra/aws/constructs/process-function.ts';
import { type ItsmStack, stageFromContext } from '#infra/aws/itsm-stack.ts';
import { type ProcessManifest, routeKey } from '#shared/platform/manifest.ts';
import { ROLES } from '#shared/platform/roles.ts';
import {
  OUTBOX_KIND_ATTRIBUTE,
  OUTBOX_KIND_VALUE,
  table as tableDefinition,
} from '#shared/platform/table.ts';
import {
  actionsOf,
  buildStack,
  projectFunctions,
  resourcesOf,
  resourcesOfType,
  type Statement,
  statementsOfFunction,
} from './synth.ts';

let app: App;
let stack: ItsmStack;
let template: Template;

beforeAll(() => {
  ({ app, stack } = buildStack({ manifests, stage: 'test' }));
  template = Template.fromStack(stack);
});

/** `{ 'Fn::GetAtt': [<function>, 'Arn'] }` of a process's function. */
function functionArn(name: string): unknown {
  const process = stack.processes.get(name);
  if (process === undefined) throw new Error(`no process ${name}`);
  return stack.resolve(process.function.functionArn);
}

function manifestNamed(name: string) {
  const manifest = manifests.find((candidate) => candidate.name === name);
  if (manifest === undefined) throw new Error(`no manifest ${name}`);
  return manifest;
}

describe('stage', () => {
  it('defaults to dev and accepts -c stage=<name>', () => {
    expect(stageFromContext(new App())).toBe('dev');
    expect(stageFromContext(new App({ context: { stage: 'prod' } }))).toBe('prod');
  });

  it('rejects a stage that cannot be part of resource names', () => {
    expect(() => stageFromContext(new App({ context: { stage: 'Prod_1' } }))).toThrow(/stage/);
  });
});

describe('HTTP API', () => {
  const routes = manifests.flatMap((manifest) =>
    Object.values(manifest.routes).map((route) => ({ process: manifest.name, route })),
  );

  it('has exactly the manifest routes', () => {
    const keys = Object.values(resourcesOfType(template, 'AWS::ApiGatewayV2::Route')).map(
      (resource) => resource.Properties.RouteKey,
    );
    expect(keys.sort()).toEqual(routes.map(({ route }) => routeKey(route)).sort());
  });

  it.each(routes.map(({ process, route }) => [routeKey(route), process, route] as const))(
    '%s goes to the %s function with the right authorizer',
    (key, process, route) => {
      const found = Object.values(
        template.findResources('AWS::ApiGatewayV2::Route', { Properties: { RouteKey: key } }),
      ) as { Properties: Record<string, unknown> }[];
      expect(found).toHaveLength(1);
      const properties = found[0]?.Properties ?? {};
      if (route.public === true) {
        expect(properties.AuthorizationType).toBe('NONE');
        expect(properties.AuthorizerId).toBeUndefined();
      } else {
        expect(properties.AuthorizationType).toBe('JWT');
        const [authorizerId] = Object.keys(resourcesOfType(template, 'AWS::ApiGatewayV2::Authorizer'));
        expect(properties.AuthorizerId).toEqual({ Ref: authorizerId });
      }
      const integrationId = (properties.Target as { 'Fn::Join': [string, [string, { Ref: string }]] })[
        'Fn::Join'
      ][1][1].Ref;
      const integration = resourcesOfType(template, 'AWS::ApiGatewayV2::Integration')[integrationId];
      expect(integration?.Properties).toMatchObject({
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
        IntegrationUri: functionArn(process),
      });
    },
  );

  it('authorizes with Cognito JWTs issued to the web client only', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Audience: [stack.resolve(stack.identity.webClient.userPoolClientId)],
        Issuer: {
          'Fn::Join': [
            '',
            [
              'https://cognito-idp.',
              { Ref: 'AWS::Region' },
              '.amazonaws.com/',
              stack.resolve(stack.identity.userPool.userPoolId),
            ],
          ],
        },
      },
    });
  });

  it('logs access and throttles the default stage', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
      DefaultRouteSettings: { ThrottlingRateLimit: Match.anyValue(), ThrottlingBurstLimit: Match.anyValue() },
    });
  });
});

describe('process functions', () => {
  it('one per manifest (aws-cdk-lib helper functions aside)', () => {
    expect([...projectFunctions(template).keys()].sort()).toEqual(
      manifests.map((manifest) => manifest.name).sort(),
    );
  });

  it.each(manifests.map((manifest) => [manifest.name]))(
    '%s: nodejs24.x on arm64, traced, 512 MB, 10 s',
    (name) => {
      const manifest = manifestNamed(name);
      const environment: Record<string, unknown> = {
        POWERTOOLS_SERVICE_NAME: name,
        TABLE_NAME: stack.resolve(stack.dataTable.table.tableName),
        EVENT_BUS_NAME: stack.resolve(stack.eventBus.eventBusName),
        NODE_OPTIONS: '--enable-source-maps',
      };
      if (manifest.access.table !== 'none') {
        if (tableAccessOf(manifest) === 'tenant-scoped') {
          environment.TENANT_ACCESS_ROLE_ARN = stack.resolve(
            stack.tenantAccess.roles.get(manifest.access.table === 'read' ? 'read' : 'read-write')?.roleArn,
          );
        }
        environment.CURSOR_SIGNING_KEY = {
          'Fn::Join': [
            '',
            [
              '{{resolve:secretsmanager:',
              stack.resolve(stack.cursorSigningKey.secretArn),
              ':SecretString:::}}',
            ],
          ],
        };
      }
      if (manifest.access.identityAdmin) {
        environment.USER_POOL_ID = stack.resolve(stack.identity.userPool.userPoolId);
      }
      template.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: 512,
        Timeout: 10,
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogGroup: Match.anyValue() },
        Environment: { Variables: Match.objectEquals(environment) },
      });
    },
  );

  it('log to their own log groups kept 30 days', () => {
    for (const [, process] of stack.processes) {
      const logGroup = stack.resolve(process.function.logGroup.logGroupName) as { Ref: string };
      expect(resourcesOfType(template, 'AWS::Logs::LogGroup')[logGroup.Ref]?.Properties).toMatchObject({
        RetentionInDays: 30,
      });
    }
  });

  it('are bundled as minified ESM with a require shim and a source map', () => {
    for (const [name, fn] of projectFunctions(template)) {
      const { S3Key } = fn.Properties.Code as { S3Key: string };
      const assetDir = path.join(app.outdir, `asset.${S3Key.replace(/\.zip$/, '')}`);
      const bundle = readFileSync(path.join(assetDir, 'index.mjs'), 'utf8');
      expect(bundle.startsWith(ESM_REQUIRE_BANNER), name).toBe(true);
      expect(existsSync(path.join(assetDir, 'index.mjs.map')), name).toBe(true);
    }
  });
});

describe('IAM follows manifest.access exactly', () => {
  const READ = new Set([
    'dynamodb:BatchGetItem',
    'dynamodb:GetItem',
    'dynamodb:Query',
    'dynamodb:Scan',
    'dynamodb:ConditionCheckItem',
    'dynamodb:DescribeTable',
    'dynamodb:GetRecords',
    'dynamodb:GetShardIterator',
  ]);
  const WRITE = new Set([
    'dynamodb:BatchWriteItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
  ]);
  const STREAM = new Set([
    'dynamodb:DescribeStream',
    'dynamodb:GetRecords',
    'dynamodb:GetShardIterator',
    'dynamodb:ListStreams',
  ]);
  const STREAM_DLQ = new Set(['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl']);
  const TRACING = new Set(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']);

  const ASSUME_TENANT_ROLE = new Set(['sts:AssumeRole', 'sts:TagSession']);

  const USER_ADMINISTRATION = new Set([
    'cognito-idp:AdminCreateUser',
    'cognito-idp:AdminListGroupsForUser',
    'cognito-idp:AdminAddUserToGroup',
    'cognito-idp:AdminRemoveUserFromGroup',
    'cognito-idp:AdminDisableUser',
    'cognito-idp:AdminEnableUser',
    'cognito-idp:AdminUserGlobalSignOut',
    'cognito-idp:AdminDeleteUser',
  ]);

  function allowedActions(manifest: ProcessManifest): Set<string> {
    const { access } = manifest;
    const allowed = new Set(TRACING);
    const add = (actions: Set<string>) => {
      for (const action of actions) allowed.add(action);
    };
    // Tenant-scoped processes reach the table only through the tenant role (tenant-access.test.ts).
    if (tableAccessOf(manifest) === 'tenant-scoped') add(ASSUME_TENANT_ROLE);
    if (tableAccessOf(manifest) === 'platform-wide') add(READ);
    if (tableAccessOf(manifest) === 'platform-wide' && access.table === 'read-write') add(WRITE);
    if (access.putEvents) allowed.add('events:PutEvents');
    if (access.identityAdmin) add(USER_ADMINISTRATION);
    if (access.tableStream !== undefined) {
      add(STREAM);
      add(STREAM_DLQ);
    }
    return allowed;
  }

  function statementsWith(statements: readonly Statement[], action: string): Statement[] {
    return statements.filter((statement) => actionsOf([statement]).includes(action));
  }

  it.each(manifests.map((manifest) => [manifest.name]))('%s gets no action beyond its access', (name) => {
    const manifest = manifestNamed(name);
    const { access } = manifest;
    const statements = statementsOfFunction(template, stack, name);
    expect(statements.every((statement) => statement.Effect === 'Allow')).toBe(true);
    const allowed = allowedActions(manifest);
    expect(actionsOf(statements).filter((action) => !allowed.has(action))).toEqual([]);

    const tableArn = stack.resolve(stack.dataTable.table.tableArn);
    if (tableAccessOf(manifest) === 'platform-wide') {
      expect(actionsOf(statements)).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query']));
      // Table rights only on this table and its indexes.
      for (const statement of statementsWith(statements, 'dynamodb:GetItem')) {
        expect(resourcesOf(statement)).toEqual([tableArn, { 'Fn::Join': ['', [tableArn, '/index/*']] }]);
      }
    }
    const writes = actionsOf(statements).filter((action) => WRITE.has(action));
    if (tableAccessOf(manifest) === 'platform-wide' && access.table === 'read-write') {
      expect(writes.sort()).toEqual([...WRITE].sort());
    } else {
      expect(writes).toEqual([]);
    }

    const userAdministration = actionsOf(statements).filter((action) => action.startsWith('cognito-idp:'));
    if (access.identityAdmin) {
      expect(userAdministration.sort()).toEqual([...USER_ADMINISTRATION].sort());
      for (const statement of statementsWith(statements, 'cognito-idp:AdminCreateUser')) {
        expect(resourcesOf(statement)).toEqual([stack.resolve(stack.identity.userPool.userPoolArn)]);
      }
    } else {
      expect(userAdministration).toEqual([]);
    }

    const putEvents = statementsWith(statements, 'events:PutEvents');
    if (access.putEvents) {
      expect(putEvents.flatMap(resourcesOf)).toEqual([stack.resolve(stack.eventBus.eventBusArn)]);
    } else {
      expect(putEvents).toEqual([]);
    }

    const mappings = template.findResources('AWS::Lambda::EventSourceMapping', {
      Properties: { FunctionName: stack.resolve(stack.processes.get(name)?.function.functionName) },
    });
    expect(Object.keys(mappings)).toHaveLength(access.tableStream === undefined ? 0 : 1);
  });

  it('api-docs touches no table', () => {
    const actions = actionsOf(statementsOfFunction(template, stack, 'api-docs'));
    expect(actions.filter((action) => action.startsWith('dynamodb:'))).toEqual([]);
    expect(actions).not.toContain('events:PutEvents');
  });

  it('outbox puts events and reads the stream, but cannot write the table', () => {
    const statements = statementsOfFunction(template, stack, 'outbox');
    const actions = actionsOf(statements);
    expect(actions).toContain('events:PutEvents');
    expect(actions).not.toContain('dynamodb:PutItem');
    const streamArn = stack.resolve(stack.dataTable.table.tableStreamArn);
    for (const statement of statementsWith(statements, 'dynamodb:GetRecords')) {
      expect(resourcesOf(statement)).toEqual([streamArn]);
    }
  });

  it('no other process may put events', () => {
    for (const manifest of manifests.filter((candidate) => candidate.name !== 'outbox')) {
      expect(actionsOf(statementsOfFunction(template, stack, manifest.name))).not.toContain(
        'events:PutEvents',
      );
    }
  });
});

describe('outbox stream source', () => {
  it('reads new outbox items only, in batches, with bisecting retries and a DLQ', () => {
    const outbox = stack.processes.get('outbox');
    const dlq = outbox?.deadLetterQueues[0];
    expect(dlq).toBeDefined();
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: stack.resolve(outbox?.function.functionName),
      EventSourceArn: stack.resolve(stack.dataTable.table.tableStreamArn),
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 25,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: stack.resolve(dlq?.queueArn) } },
      FilterCriteria: {
        Filters: [
          {
            Pattern: JSON.stringify({
              eventName: ['INSERT'],
              dynamodb: { NewImage: { [OUTBOX_KIND_ATTRIBUTE]: { S: [OUTBOX_KIND_VALUE] } } },
            }),
          },
        ],
      },
    });
  });
});

describe('subscriptions and schedules', () => {
  const subscriptions = manifests.flatMap((manifest) =>
    Object.entries(manifest.subscriptions).map(
      ([name, subscription]) => [manifest.name, name, subscription] as const,
    ),
  );
  const schedules = manifests.flatMap((manifest) =>
    Object.entries(manifest.schedules).map(([name, schedule]) => [manifest.name, name, schedule] as const),
  );

  it('one rule per subscription and schedule, nothing else', () => {
    template.resourceCountIs('AWS::Events::Rule', subscriptions.length + schedules.length);
  });

  it.each(subscriptions)(
    '%s.%s listens on the bus with the manifest pattern',
    (process, _name, subscription) => {
      const dlq = stack.triggers.get(process)?.deadLetterQueue;
      template.hasResourceProperties('AWS::Events::Rule', {
        EventBusName: stack.resolve(stack.eventBus.eventBusName),
        EventPattern: Match.objectEquals(subscription.pattern as Record<string, unknown>),
        Targets: [
          Match.objectLike({
            Arn: functionArn(process),
            DeadLetterConfig: { Arn: stack.resolve(dlq?.queueArn) },
            RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 7200 },
          }),
        ],
      });
    },
  );

  it.each(schedules)('%s.%s runs on its schedule with retries and a DLQ', (process, name, schedule) => {
    const dlq = stack.triggers.get(process)?.deadLetterQueue;
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: schedule.expression,
      Targets: [
        Match.objectLike({
          Arn: functionArn(process),
          DeadLetterConfig: { Arn: stack.resolve(dlq?.queueArn) },
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 7200 },
          // The template joins in the rule's ARN, so it is a Fn::Join, not a plain string.
          InputTransformer: Match.objectLike({ InputTemplate: Match.anyValue() }),
        }),
      ],
    });
    const rules = template.findResources('AWS::Events::Rule', {
      Properties: {
        ScheduleExpression: schedule.expression,
        Targets: [Match.objectLike({ Arn: functionArn(process) })],
      },
    });
    expect(JSON.stringify(rules)).toContain(`\\"schedule\\":\\"${name}\\"`);
  });
});

describe('event bus', () => {
  it('is named after the stage and archived for a week', () => {
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'itsm-test' });
    template.hasResourceProperties('AWS::Events::Archive', {
      SourceArn: stack.resolve(stack.eventBus.eventBusArn),
      RetentionDays: 7,
    });
  });
});

describe('table', () => {
  it('is built from the shared definition, protected and streamed', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        DeletionProtectionEnabled: true,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        StreamSpecification: { StreamViewType: tableDefinition.streamView },
        TimeToLiveSpecification: { AttributeName: tableDefinition.timeToLiveAttribute, Enabled: true },
        // SSE on without a key of our own = the AWS-managed key (alias/aws/dynamodb).
        SSESpecification: Match.objectEquals({ SSEEnabled: true }),
        KeySchema: [
          { AttributeName: tableDefinition.partitionKey, KeyType: 'HASH' },
          { AttributeName: tableDefinition.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: tableDefinition.globalIndexes.map((index) => ({
          IndexName: index.name,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
      },
    });
  });
});

describe('Cognito', () => {
  it('has an immutable tenantId and no self sign-up', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      UsernameAttributes: ['email'],
      MfaConfiguration: 'OPTIONAL',
      Schema: Match.arrayWith([
        Match.objectLike({ Name: 'tenantId', AttributeDataType: 'String', Mutable: false }),
      ]),
      Policies: {
        PasswordPolicy: Match.objectLike({
          MinimumLength: 12,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        }),
      },
    });
  });

  it('lets the web client read but never write custom:tenantId', () => {
    const clients = Object.values(resourcesOfType(template, 'AWS::Cognito::UserPoolClient'));
    expect(clients).toHaveLength(1);
    const client = clients[0]?.Properties ?? {};
    expect(client.GenerateSecret).toBe(false);
    expect(client.ExplicitAuthFlows).toEqual(
      expect.arrayContaining(['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH']),
    );
    expect(client.ReadAttributes).toContain('custom:tenantId');
    expect(client.WriteAttributes).toBeDefined();
    expect(client.WriteAttributes).not.toContain('custom:tenantId');
  });

  it('has one group per role, named exactly as the role', () => {
    const groups = Object.values(resourcesOfType(template, 'AWS::Cognito::UserPoolGroup')).map(
      (group) => group.Properties.GroupName,
    );
    expect(groups.sort()).toEqual([...ROLES].sort());
  });
});

describe('alarms', () => {
  it('watch every function and every dead-letter queue, notifying an encrypted topic', () => {
    const queues = Object.keys(resourcesOfType(template, 'AWS::SQS::Queue'));
    const expected = manifests.length + queues.length;
    template.resourceCountIs('AWS::CloudWatch::Alarm', expected);
    const topic = stack.resolve(stack.alarms.topic.topicArn);
    for (const alarm of Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties.AlarmActions).toEqual([topic]);
      expect(alarm.Properties.Threshold).toBe(1);
      expect(alarm.Properties.ComparisonOperator).toBe('GreaterThanOrEqualToThreshold');
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Period: 300,
    });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
  });

  it('dead-letter queues are encrypted and TLS-only', () => {
    for (const [id, queue] of Object.entries(resourcesOfType(template, 'AWS::SQS::Queue'))) {
      expect(queue.Properties.SqsManagedSseEnabled, id).toBe(true);
    }
    const policies = Object.values(resourcesOfType(template, 'AWS::SQS::QueuePolicy'));
    const denies = policies.flatMap((policy) =>
      (
        policy.Properties.PolicyDocument as { Statement: { Effect: string; Condition?: unknown }[] }
      ).Statement.filter(
        (statement) =>
          statement.Effect === 'Deny' &&
          JSON.stringify(statement.Condition) ===
            JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }),
      ),
    );
    expect(denies).toHaveLength(Object.keys(resourcesOfType(template, 'AWS::SQS::Queue')).length);
  });
});

describe('outputs', () => {
  it('tell the web app and operators where everything is', () => {
    const outputs = Object.keys(template.findOutputs('*'));
    expect(outputs).toEqual(
      expect.arrayContaining([
        'ApiUrl',
        'SiteUrl',
        'UserPoolId',
        'UserPoolClientId',
        'TableName',
        'EventBusName',
      ]),
    );
  });
});

describe('notification mail', () => {
  it('is sent by no function unless the stack has a sender address', () => {
    for (const [name] of stack.processes) {
      expect(actionsOf(statementsOfFunction(template, stack, name))).not.toContain('ses:SendEmail');
    }
  });

  it('lets only mail-sending processes send, from the given address and its domain', () => {
    const { stack: mailing } = buildStack({
      manifests,
      stage: 'mail',
      context: { mailFrom: 'desk@itsm.example' },
    });
    const mailingTemplate = Template.fromStack(mailing);
    for (const manifest of manifests) {
      const statements = statementsOfFunction(mailingTemplate, mailing, manifest.name);
      const sending = statements.filter((statement) => actionsOf([statement]).includes('ses:SendEmail'));
      if (!manifest.access.sendMail) {
        expect(sending).toEqual([]);
        continue;
      }
      expect(sending).toHaveLength(1);
      const arns = JSON.stringify(resourcesOf(sending[0] as Statement));
      expect(arns).toContain(':identity/desk@itsm.example');
      expect(arns).toContain(':identity/itsm.example');
      const fn = projectFunctions(mailingTemplate).get(manifest.name);
      const environment = fn?.Properties.Environment as { Variables?: Record<string, unknown> } | undefined;
      expect(environment?.Variables?.MAIL_FROM_ADDRESS).toBe('desk@itsm.example');
      expect(JSON.stringify(environment?.Variables?.APP_URL)).toContain('DomainName');
    }
    expect(manifests.filter((manifest) => manifest.access.sendMail).map((manifest) => manifest.name)).toEqual(
      ['notifications'],
    );
  });

  it('refuses a sender that is not an address', () => {
    expect(() => buildStack({ manifests, stage: 'bad', context: { mailFrom: 'not-an-address' } })).toThrow(
      /mailFrom/,
    );
  });
});
