import { readFileSync } from 'node:fs';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { ItsmStack, PROJECT_ROOT } from '#infra/aws/itsm-stack.ts';
import type { ProcessManifest } from '#shared/platform/manifest.ts';

/** A trivial handler: the infra tests check wiring, not handlers, and bundling it takes milliseconds. */
export const FIXTURE_HANDLER = path.join(import.meta.dirname, 'fixtures', 'handler.ts');
/** A one-file "web build", to exercise the BucketDeployment path. */
export const FIXTURE_WEB_BUILD = path.join(import.meta.dirname, 'fixtures', 'web');
/** A path that never exists: the stack then skips the web deployment. */
export const NO_WEB_BUILD = path.join(import.meta.dirname, 'fixtures', 'no-web-build');

/** The feature flags and settings of `cdk.json`, so tests synthesize what `cdk synth` would. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  return cdkJson.context;
}

export interface TestStackOptions {
  readonly manifests: readonly ProcessManifest[];
  readonly stage?: string;
  readonly webBuildPath?: string;
  /** Context beyond cdk.json's (`-c key=value` on the command line). */
  readonly context?: Record<string, unknown>;
}

/** The stack as app.ts builds it, with the fixture handler for every process. */
export function buildStack(options: TestStackOptions): { app: App; stack: ItsmStack } {
  const app = new App({ context: { ...cdkJsonContext(), ...options.context } });
  const stage = options.stage ?? 'test';
  const stack = new ItsmStack(app, `Itsm-${stage}`, {
    stage,
    manifests: options.manifests,
    entryFor: () => FIXTURE_HANDLER,
    webBuildPath: options.webBuildPath ?? NO_WEB_BUILD,
  });
  return { app, stack };
}

export type Resource = { readonly Type: string; readonly Properties: Record<string, unknown> };

/** Resources of one type, by logical id. */
export function resourcesOfType(template: Template, type: string): Record<string, Resource> {
  return template.findResources(type) as Record<string, Resource>;
}

/**
 * The project's own functions by process name. aws-cdk-lib adds helper functions of its own (bucket
 * deployment, auto-delete); only ours carry POWERTOOLS_SERVICE_NAME.
 */
export function projectFunctions(template: Template): Map<string, Resource> {
  const byName = new Map<string, Resource>();
  for (const fn of Object.values(resourcesOfType(template, 'AWS::Lambda::Function'))) {
    const environment = fn.Properties.Environment as { Variables?: Record<string, unknown> } | undefined;
    const name = environment?.Variables?.POWERTOOLS_SERVICE_NAME;
    if (typeof name === 'string') byName.set(name, fn);
  }
  return byName;
}

/** An IAM statement as it appears in a synthesized policy. */
export interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
}

/** Every statement of every policy attached to the role of the given function. */
export function statementsOfFunction(template: Template, stack: ItsmStack, processName: string): Statement[] {
  const process = stack.processes.get(processName);
  if (process === undefined) throw new Error(`no process ${processName}`);
  const roleArn = stack.resolve(process.function.role?.roleArn) as { 'Fn::GetAtt': [string, string] };
  const roleLogicalId = roleArn['Fn::GetAtt'][0];
  const policies = Object.values(resourcesOfType(template, 'AWS::IAM::Policy')).filter((policy) =>
    (policy.Properties.Roles as unknown[]).some(
      (role) => JSON.stringify(role) === JSON.stringify({ Ref: roleLogicalId }),
    ),
  );
  return policies.flatMap(
    (policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
  );
}

export function actionsOf(statements: readonly Statement[]): string[] {
  return statements.flatMap((statement) =>
    Array.isArray(statement.Action) ? statement.Action : [statement.Action],
  );
}

export function resourcesOf(statement: Statement): unknown[] {
  return Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
}
