import { existsSync } from 'node:fs';
import path from 'node:path';
import { Annotations, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { MAIL_FROM_ENV } from '#shared/platform/mailer.ts';
import { API_PREFIX, type ProcessManifest } from '#shared/platform/manifest.ts';
import { ROLES } from '#shared/platform/roles.ts';
import { table as tableDefinition } from '#shared/platform/table.ts';
import { Alarms } from './constructs/alarms.ts';
import { DataTable } from './constructs/data-table.ts';
import { EventTriggers } from './constructs/event-triggers.ts';
import { ItsmHttpApi } from './constructs/http-api.ts';
import { Identity } from './constructs/identity.ts';
import { ProcessFunction, tableAccessOf } from './constructs/process-function.ts';
import { TenantAccess, type TenantAccessGrantee } from './constructs/tenant-access.ts';
import { WebHosting } from './constructs/web-hosting.ts';
import { acknowledgeNagFindings } from './nag-suppressions.ts';

/** SendEmail from the sender's address and its domain (SES checks the identity that verified it). */
function grantMailSending(stack: Stack, fn: NodejsFunction, from: string, appUrl: string): void {
  const domain = from.slice(from.indexOf('@') + 1);
  fn.addEnvironment(MAIL_FROM_ENV, from);
  // Links in mail lead to the site (the portal's confirm / reopen links among them).
  fn.addEnvironment('APP_URL', appUrl);
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: ['ses:SendEmail'],
      resources: [from, domain].map((identity) =>
        stack.formatArn({ service: 'ses', resource: 'identity', resourceName: identity }),
      ),
    }),
  );
}

/** The repository root, two levels above this file. */
export const PROJECT_ROOT = path.resolve(import.meta.dirname, '..', '..');

/** Where a process's handler lives by convention: `functions/<name>/handler.ts`. */
export function defaultEntryFor(name: string): string {
  return path.join(PROJECT_ROOT, 'functions', name, 'handler.ts');
}

/** The web app's static build, deployed only when it exists at synth time. */
export const DEFAULT_WEB_BUILD_PATH = path.join(PROJECT_ROOT, 'web', 'build');

const STAGE_PATTERN = /^[a-z][a-z0-9-]{0,19}$/;

/** Stage from the `stage` context value (`cdk synth -c stage=prod`), `dev` when absent. */
export function stageFromContext(scope: Construct): string {
  const value: unknown = scope.node.tryGetContext('stage') ?? 'dev';
  if (typeof value !== 'string' || !STAGE_PATTERN.test(value)) {
    throw new Error(`Context "stage" must match ${STAGE_PATTERN} (lower case, used in resource names)`);
  }
  return value;
}

/**
 * The sender of notification mail (`-c mailFrom=desk@example.com`), an address or domain verified in
 * SES. Without it no function may send mail, and notifications record mail as unavailable.
 */
export function mailFromContext(scope: Construct): string | undefined {
  const value: unknown = scope.node.tryGetContext('mailFrom');
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value)) {
    throw new Error('Context "mailFrom" must be an email address verified in SES');
  }
  return value;
}

export interface ItsmStackProps extends StackProps {
  /** Stage name (`dev`, `prod`, ...), part of the bus name and of schedule rule names. */
  readonly stage: string;
  /** Every process; each becomes a function, its routes, subscriptions and schedules. */
  readonly manifests: readonly ProcessManifest[];
  /** Handler module of a process; tests point this at a tiny fixture so bundling stays fast. */
  readonly entryFor?: (name: string) => string;
  /**
   * The web app's static build. Defaults to `web/build`; when the folder does not exist the site bucket
   * stays empty and a note says so (the infrastructure can be deployed before the first web build).
   */
  readonly webBuildPath?: string;
}

/**
 * The whole platform for one stage, generated from the process manifests and the shared table
 * definition: nothing about routes or event wiring is written here by hand.
 */
export class ItsmStack extends Stack {
  readonly stage: string;
  readonly dataTable: DataTable;
  readonly eventBus: EventBus;
  readonly cursorSigningKey: Secret;
  readonly identity: Identity;
  readonly httpApi: ItsmHttpApi;
  readonly web: WebHosting;
  readonly alarms: Alarms;
  /** The roles through which tenant-scoped processes reach the table (ARCHITECTURE.md, "Tenant isolation"). */
  readonly tenantAccess: TenantAccess;
  /** Process functions by manifest name. */
  readonly processes = new Map<string, ProcessFunction>();
  /** Subscription and schedule wiring by manifest name, for processes that have any. */
  readonly triggers = new Map<string, EventTriggers>();

  constructor(scope: Construct, id: string, props: ItsmStackProps) {
    const {
      stage,
      manifests,
      entryFor = defaultEntryFor,
      webBuildPath = DEFAULT_WEB_BUILD_PATH,
      ...stackProps
    } = props;
    super(scope, id, { description: `ITSM platform, stage ${stage}`, ...stackProps });
    this.stage = stage;

    const mailFrom = mailFromContext(this);
    this.dataTable = new DataTable(this, 'Data', { definition: tableDefinition });
    const table = this.dataTable.table;

    this.eventBus = new EventBus(this, 'Bus', { eventBusName: `itsm-${stage}` });
    // Every event on the bus is kept a week, so a consumer fixed after an incident can be fed again.
    this.eventBus.archive('Archive', {
      description: `All events of itsm-${stage}, for replay`,
      eventPattern: { account: [this.account] },
      retention: Duration.days(7),
    });

    this.cursorSigningKey = new Secret(this, 'CursorSigningKey', {
      description: 'HMAC key that signs pagination cursors of the ITSM API',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
    });

    this.identity = new Identity(this, 'Identity', { roles: ROLES });
    this.httpApi = new ItsmHttpApi(this, 'Http', {
      apiName: `itsm-${stage}`,
      userPool: this.identity.userPool,
      userPoolClient: this.identity.webClient,
    });
    this.alarms = new Alarms(this, 'Alarms');

    for (const manifest of manifests) {
      if (this.processes.has(manifest.name)) throw new Error(`Process ${manifest.name} is listed twice`);
      const processFunction = new ProcessFunction(this, `Process-${manifest.name}`, {
        manifest,
        entry: entryFor(manifest.name),
        table,
        eventBus: this.eventBus,
        cursorSigningKey: this.cursorSigningKey,
      });
      const fn = processFunction.function;
      if (manifest.access.identityAdmin) this.identity.grantUserAdministration(fn);
      this.processes.set(manifest.name, processFunction);
      this.httpApi.addProcessRoutes(manifest, fn);
      this.alarms.watchFunction(`Errors-${manifest.name}`, fn, manifest.name);
      processFunction.deadLetterQueues.forEach((queue, index) => {
        this.alarms.watchDeadLetterQueue(
          `StreamDlq-${manifest.name}-${index}`,
          queue,
          `${manifest.name} (table stream)`,
        );
      });

      if (Object.keys(manifest.subscriptions).length > 0 || Object.keys(manifest.schedules).length > 0) {
        const triggers = new EventTriggers(this, `Triggers-${manifest.name}`, {
          manifest,
          function: fn,
          eventBus: this.eventBus,
          stage,
        });
        this.triggers.set(manifest.name, triggers);
        this.alarms.watchDeadLetterQueue(
          `EventDlq-${manifest.name}`,
          triggers.deadLetterQueue,
          `${manifest.name} (events)`,
        );
      }
    }

    const grantees: TenantAccessGrantee[] = [];
    for (const [name, { manifest, function: fn }] of this.processes) {
      const level = manifest.access.table;
      if (tableAccessOf(manifest) === 'tenant-scoped' && level !== 'none') {
        grantees.push({ name, function: fn, access: level });
      }
    }
    this.tenantAccess = new TenantAccess(this, 'TenantAccess', { table, grantees });

    const hasWebBuild = existsSync(webBuildPath);
    this.web = new WebHosting(this, 'Web', {
      apiDomainName: `${this.httpApi.api.apiId}.execute-api.${this.region}.${this.urlSuffix}`,
      webBuildPath: hasWebBuild ? webBuildPath : undefined,
      runtimeConfig: {
        mode: 'cognito',
        region: this.region,
        userPoolId: this.identity.userPool.userPoolId,
        clientId: this.identity.webClient.userPoolClientId,
        apiBase: API_PREFIX,
      },
    });
    if (mailFrom !== undefined) {
      const appUrl = `https://${this.web.distribution.distributionDomainName}`;
      for (const { manifest, function: fn } of this.processes.values()) {
        if (manifest.access.sendMail) grantMailSending(this, fn, mailFrom, appUrl);
      }
    }
    if (!hasWebBuild) {
      Annotations.of(this.web).addInfo(
        `No web build at ${path.relative(PROJECT_ROOT, webBuildPath)}: the site bucket is left empty. ` +
          'Build the web app and synthesize again to deploy it.',
      );
    }

    new CfnOutput(this, 'ApiUrl', { description: 'HTTP API endpoint', value: this.httpApi.stage.url });
    new CfnOutput(this, 'SiteUrl', {
      description: 'Web app (and the API under /api)',
      value: `https://${this.web.distribution.distributionDomainName}`,
    });
    new CfnOutput(this, 'UserPoolId', { value: this.identity.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.identity.webClient.userPoolClientId });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'EventBusName', { value: this.eventBus.eventBusName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn });

    acknowledgeNagFindings(this);
  }
}
