import { type CfnElement, DefaultStackSynthesizer, Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { table as tableDefinition } from '#shared/platform/table.ts';
import { tableAccessOf } from './constructs/process-function.ts';
import type { ItsmStack } from './itsm-stack.ts';

/**
 * Every cdk-nag (AwsSolutions) finding this project accepts, with the reason, in one place.
 *
 * cdk-nag 3 reads acknowledgments from `Validations.of(construct).acknowledge()` on the resource or
 * any parent, matching ids exactly: wildcard findings are acknowledged one by one in the
 * `Rule[Finding]` form cdk-nag reports (`AwsSolutions-IAM5[Resource::<Logical.Arn>/index/*]`), so a
 * new wildcard anywhere still fails the synth.
 *
 * cdk-nag 3 fails the synthesis on warnings too (its report fails on any violation), so the three
 * warning-level findings (COG2, CFR1, CFR2) are acknowledged here as well, each with its reason.
 */
export function acknowledgeNagFindings(stack: ItsmStack): void {
  // Lambda roles: the process functions' and aws-cdk-lib's BucketDeployment handler's.
  ack(
    stack,
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    'Every Lambda role in this stack gets AWSLambdaBasicExecutionRole, which only lets a function write ' +
      'its CloudWatch logs; the process functions log to their own 30-day log groups. A hand-copied ' +
      'customer policy would add upkeep without removing any right.',
  );

  const tableArn = arnToken(stack.dataTable.table);
  const indexNames = tableDefinition.globalIndexes.map((index) => index.name).join(', ');
  for (const [name, processFunction] of stack.processes) {
    const fn = processFunction.function;
    const access = processFunction.manifest.access;
    const noResourceLevel = [
      `X-Ray tracing is active on the ${name} function; xray:PutTraceSegments and xray:PutTelemetryRecords ` +
        'support no resource-level permissions, so they are granted on "*".',
    ];
    if (access.tableStream !== undefined) {
      noResourceLevel.push(
        'dynamodb:ListStreams, added by the table-stream event source of the outbox publisher, has no ' +
          'resource-level permissions either; reading records is scoped to the table stream ARN.',
      );
    }
    ack(fn, 'AwsSolutions-IAM5[Resource::*]', noResourceLevel.join(' '));
    if (tableAccessOf(processFunction.manifest) === 'platform-wide') {
      ack(
        fn,
        `AwsSolutions-IAM5[Resource::${tableArn}/index/*]`,
        `The ${name} process is platform-wide (it reads across tenants, see ARCHITECTURE.md "Tenant ` +
          `isolation") and lists records with Query on the single table's GSIs (${indexNames}); ` +
          `grant${access.table === 'read' ? 'Read' : 'ReadWrite'}Data scopes this to the ` +
          "indexes of the project's own table, the wildcard only spans its index names.",
      );
    }
    for (const queue of processFunction.deadLetterQueues) {
      ack(
        queue,
        'AwsSolutions-SQS3',
        `This queue is the on-failure destination of the ${name} function's table-stream event source ` +
          "(a dead-letter queue itself); cdk-nag only recognises another queue's redrive policy.",
      );
    }
  }

  for (const [level, role] of stack.tenantAccess.roles) {
    ack(
      role,
      `AwsSolutions-IAM5[Resource::${tableArn}/index/*]`,
      `The tenant ${level} role lets tenant-scoped processes Query the single table's GSIs (${indexNames}); ` +
        "the wildcard only spans the index names of the project's own table, and every request is " +
        "limited to keys starting with the session tag's tenant (dynamodb:LeadingKeys).",
    );
  }

  for (const [name, triggers] of stack.triggers) {
    ack(
      triggers.deadLetterQueue,
      'AwsSolutions-SQS3',
      `This queue is the dead-letter queue of every EventBridge target (subscriptions, schedules) of the ` +
        `${name} process; cdk-nag only recognises a queue used in another queue's redrive policy.`,
    );
  }

  ack(
    stack.cursorSigningKey,
    'AwsSolutions-SMG4',
    'The cursor-signing key reaches the functions as a deploy-time dynamic reference: an automatic ' +
      'rotation would not reach them until the next deploy, and any rotation invalidates every ' +
      'pagination cursor in flight. Rotate by regenerating the secret and deploying.',
  );

  ack(
    stack.identity.userPool,
    'AwsSolutions-COG8',
    'The Plus feature plan (threat protection) is billed per monthly active user of every tenant. The ' +
      'pool uses Essentials with a 12-character password policy, optional TOTP MFA and Cognito lockout; ' +
      'Plus is a cost decision per production stage, not a default.',
  );

  ack(
    stack.identity.userPool,
    'AwsSolutions-COG2',
    "MFA is optional because a tenant's requesters (every employee) must be able to report an incident " +
      'without an authenticator app; TOTP is open to every user, and requiring it pool-wide would apply ' +
      'to all tenants at once.',
  );

  for (const [key, registered] of stack.httpApi.routes) {
    if (registered.definition.public !== true) continue;
    ack(
      registered.route,
      'AwsSolutions-APIG4',
      `${key} is declared public in the ${registered.process} manifest (no roles): it serves the API ` +
        'description only, never tenant data.',
    );
  }

  ack(
    stack.web.distribution,
    'AwsSolutions-CFR4',
    'The distribution has no custom domain yet, so CloudFront serves its default *.cloudfront.net ' +
      'certificate, whose minimum protocol cannot be raised. A custom domain with an ACM certificate and ' +
      'TLSv1.2_2021 fixes this; the API origin is reached over TLS 1.2 only.',
  );

  ack(
    stack.web.distribution,
    'AwsSolutions-CFR1',
    'Tenants are companies in many countries whose staff travel; which countries to block is a business ' +
      'decision per deployment, not a platform default.',
  );
  ack(
    stack.web.distribution,
    'AwsSolutions-CFR2',
    'A CloudFront web ACL must be created in us-east-1 while this stack is region-agnostic; until a WAF ' +
      'stack exists, the API relies on JWT authorisation on every non-public route and stage throttling.',
  );

  if (stack.web.deployment !== undefined) acknowledgeBucketDeployment(stack, stack.web.bucket);
}

/** aws-cdk-lib's BucketDeployment: a singleton Python handler at stack level, run only while deploying. */
function acknowledgeBucketDeployment(stack: Stack, siteBucket: IConstruct): void {
  const handler = stack.node.children.find((child) =>
    child.node.id.startsWith('Custom::CDKBucketDeployment'),
  );
  if (handler === undefined) throw new Error('BucketDeployment handler not found; cdk-nag findings unowned');
  const assetBucket = `cdk-${DefaultStackSynthesizer.DEFAULT_QUALIFIER}-assets-<AWS::AccountId>-<AWS::Region>`;
  ack(
    handler,
    'AwsSolutions-L1',
    "aws-cdk-lib's own BucketDeployment handler: its Python runtime is pinned by the aws-cdk-lib version " +
      'and it runs only during a deployment, to copy the web build into the site bucket.',
  );
  const reasons: Readonly<Record<string, string>> = {
    'Action::s3:GetObject*': 'reads the zipped web build from the CDK asset bucket and the site bucket',
    'Action::s3:GetBucket*': 'reads bucket metadata of the CDK asset bucket and the site bucket',
    'Action::s3:List*': 'lists the site bucket to prune files of an older build',
    'Action::s3:DeleteObject*': 'prunes files of an older build from the site bucket',
    'Action::s3:Abort*': 'aborts its own failed multipart uploads of large build files',
    [`Resource::${arnToken(siteBucket)}/*`]: 'every object of the site bucket is part of the web build',
    [`Resource::arn:<AWS::Partition>:s3:::${assetBucket}/*`]:
      'CDK stages the zipped web build in the bootstrap asset bucket under a content hash',
    'Resource::*': 'cloudfront:CreateInvalidation/GetInvalidation, to invalidate the site after a deploy',
  };
  for (const [finding, reason] of Object.entries(reasons)) {
    ack(handler, `AwsSolutions-IAM5[${finding}]`, `aws-cdk-lib's BucketDeployment handler ${reason}.`);
  }
}

function ack(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/** How cdk-nag writes `Fn::GetAtt [<logical id>, Arn]` of a construct's resource in a finding. */
function arnToken(construct: IConstruct): string {
  const resource = construct.node.defaultChild as CfnElement | undefined;
  if (resource === undefined) throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return `<${Stack.of(construct).getLogicalId(resource)}.Arn>`;
}
