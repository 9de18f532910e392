import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { manifests } from '#functions/manifests.ts';
import { tableAccessOf } from '#infra/aws/constructs/process-function.ts';
import type { TenantTableAccess } from '#infra/aws/constructs/tenant-access.ts';
import type { ItsmStack } from '#infra/aws/itsm-stack.ts';
import { defineProcess, type ProcessManifest } from '#shared/platform/manifest.ts';
import { actionsOf, buildStack, projectFunctions, resourcesOfType, statementsOfFunction } from './synth.ts';

/*
 * In AWS a tenant-scoped process reaches the table only through a role whose policy allows the keys
 * of the tenant named by the session tag (dynamodb:LeadingKeys); its own role has no table rights.
 * These tests show that policy as synthesized, for the real manifests and for a set covering every
 * kind of access (read, read-write, platform-wide, none).
 */

const READ = ['dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:Query'];
const WRITE = ['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];

/** The condition every tenant-role statement carries, written out as IAM will see it. */
const LEADING_KEYS_CONDITION = {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a JS template
  'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['t#${aws:PrincipalTag/tenantId}#*'] },
  Null: { 'dynamodb:LeadingKeys': 'false' },
};

const TRUST_CONDITION = {
  Null: { 'aws:RequestTag/tenantId': 'false' },
  'ForAllValues:StringEquals': { 'aws:TagKeys': ['tenantId'] },
};

function processWith(name: string, access: ProcessManifest['access']): ProcessManifest {
  return defineProcess({ name, description: name, access, routes: {}, subscriptions: {}, schedules: {} });
}

/** One process of each kind, so every branch is shown whatever the real manifests hold today. */
const kinds: readonly ProcessManifest[] = [
  processWith('scoped-writer', { table: 'read-write', putEvents: false }),
  processWith('scoped-reader', { table: 'read', putEvents: false }),
  processWith('platform-sweeper', { table: 'read-write', putEvents: false, platformWide: true }),
  processWith('no-table', { table: 'none', putEvents: false }),
];

interface Synthesized {
  readonly stack: ItsmStack;
  readonly template: Template;
  readonly manifests: readonly ProcessManifest[];
}

function synthesize(list: readonly ProcessManifest[], stage: string): Synthesized {
  const { stack } = buildStack({ manifests: list, stage });
  return { stack, template: Template.fromStack(stack), manifests: list };
}

function levelOf(manifest: ProcessManifest): TenantTableAccess {
  return manifest.access.table === 'read' ? 'read' : 'read-write';
}

function roleResource(synth: Synthesized, level: TenantTableAccess) {
  const role = synth.stack.tenantAccess.roles.get(level);
  if (role === undefined) throw new Error(`no tenant ${level} role`);
  const logicalId = (synth.stack.resolve(role.roleArn) as { 'Fn::GetAtt': [string, string] })[
    'Fn::GetAtt'
  ][0];
  const resource = resourcesOfType(synth.template, 'AWS::IAM::Role')[logicalId];
  if (resource === undefined) throw new Error(`no resource ${logicalId}`);
  return { role, resource, logicalId };
}

function environmentOf(synth: Synthesized, name: string): Record<string, unknown> {
  const environment = projectFunctions(synth.template).get(name)?.Properties.Environment as
    | { Variables: Record<string, unknown> }
    | undefined;
  if (environment === undefined) throw new Error(`no function for ${name}`);
  return environment.Variables;
}

function functionRoleArn(synth: Synthesized, name: string): unknown {
  return synth.stack.resolve(synth.stack.processes.get(name)?.function.role?.roleArn);
}

describe.each([
  ['the real manifests', () => synthesize(manifests, 'isolation')],
  ['one process of each kind', () => synthesize(kinds, 'kinds')],
])('tenant-scoped table access, %s', (_label, build) => {
  let synth: Synthesized;
  beforeAll(() => {
    synth = build();
  });

  const scopedIn = (list: readonly ProcessManifest[]) =>
    list.filter((manifest) => tableAccessOf(manifest) === 'tenant-scoped');

  it('has one role per access level in use, and no other', () => {
    const levels = new Set(scopedIn(synth.manifests).map(levelOf));
    expect([...synth.stack.tenantAccess.roles.keys()].sort()).toEqual([...levels].sort());
  });

  it('each role allows item actions on the table and its indexes only under the tenant’s leading keys', () => {
    const tableArn = synth.stack.resolve(synth.stack.dataTable.table.tableArn);
    for (const level of synth.stack.tenantAccess.roles.keys()) {
      const { resource } = roleResource(synth, level);
      expect(resource.Properties.Policies).toEqual([
        {
          PolicyName: 'TenantPartition',
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: level === 'read' ? READ : [...READ, ...WRITE].sort(),
                Resource: [tableArn, { 'Fn::Join': ['', [tableArn, '/index/*']] }],
                Condition: LEADING_KEYS_CONDITION,
              },
            ],
          },
        },
      ]);
      // Nothing else is attached to the role: no managed policy, no separate AWS::IAM::Policy.
      expect(resource.Properties.ManagedPolicyArns).toBeUndefined();
      const roleRef = { Ref: roleResource(synth, level).logicalId };
      const attached = Object.values(resourcesOfType(synth.template, 'AWS::IAM::Policy')).filter((policy) =>
        JSON.stringify(policy.Properties.Roles).includes(JSON.stringify(roleRef)),
      );
      expect(attached).toEqual([]);
    }
  });

  it('each role trusts only the roles of its processes, and only with a tenantId session tag', () => {
    for (const [level] of synth.stack.tenantAccess.roles) {
      const { resource } = roleResource(synth, level);
      const callers = scopedIn(synth.manifests)
        .filter((manifest) => levelOf(manifest) === level)
        .map((manifest) => functionRoleArn(synth, manifest.name));
      const document = resource.Properties.AssumeRolePolicyDocument as {
        Statement: Record<string, unknown>[];
      };
      expect(document.Statement).toHaveLength(1);
      const [trust] = document.Statement;
      expect(trust).toMatchObject({
        Effect: 'Allow',
        Action: ['sts:AssumeRole', 'sts:TagSession'],
        Condition: TRUST_CONDITION,
      });
      const principal = (trust?.Principal as { AWS?: unknown } | undefined)?.AWS;
      const principals = Array.isArray(principal) ? principal : [principal];
      expect(principals).toEqual(expect.arrayContaining(callers));
      expect(principals).toHaveLength(callers.length);
    }
  });

  it('tenant-scoped processes have no table rights of their own, only the right to assume their role', () => {
    const names = scopedIn(synth.manifests).map((manifest) => manifest.name);
    expect(names.length).toBeGreaterThan(0);
    for (const manifest of scopedIn(synth.manifests)) {
      const statements = statementsOfFunction(synth.template, synth.stack, manifest.name);
      expect(
        actionsOf(statements).filter((action) => action.startsWith('dynamodb:')),
        manifest.name,
      ).toEqual([]);
      const role = synth.stack.tenantAccess.roles.get(levelOf(manifest));
      const assume = statements.filter((statement) => actionsOf([statement]).includes('sts:AssumeRole'));
      expect(assume, manifest.name).toEqual([
        {
          Effect: 'Allow',
          Action: ['sts:AssumeRole', 'sts:TagSession'],
          Resource: synth.stack.resolve(role?.roleArn),
        },
      ]);
      const variables = environmentOf(synth, manifest.name);
      expect(variables.TENANT_ACCESS_ROLE_ARN, manifest.name).toEqual(synth.stack.resolve(role?.roleArn));
    }
  });

  it('platform-wide processes keep direct table rights and no tenant role; others get neither', () => {
    for (const manifest of synth.manifests.filter(
      (candidate) => tableAccessOf(candidate) !== 'tenant-scoped',
    )) {
      const actions = actionsOf(statementsOfFunction(synth.template, synth.stack, manifest.name));
      const variables = environmentOf(synth, manifest.name);
      expect(actions, manifest.name).not.toContain('sts:AssumeRole');
      expect(variables.TENANT_ACCESS_ROLE_ARN, manifest.name).toBeUndefined();
      if (tableAccessOf(manifest) === 'platform-wide') {
        expect(actions, manifest.name).toEqual(
          expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query']),
        );
      } else {
        // Stream reads (the outbox publisher) are not table data rights.
        const tableData = actions.filter((action) => [...READ, ...WRITE].includes(action));
        expect(tableData, manifest.name).toEqual([]);
      }
    }
  });
});

describe('the real manifests', () => {
  it('mark only the tenants and sla-monitor processes platform-wide (ARCHITECTURE.md, "Tenant isolation", says why)', () => {
    const platformWide = manifests.filter((manifest) => tableAccessOf(manifest) === 'platform-wide');
    expect(platformWide.map((manifest) => manifest.name)).toEqual(
      ['tenants', 'sla-monitor'].filter((name) => manifests.some((manifest) => manifest.name === name)),
    );
  });
});
