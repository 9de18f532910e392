import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import {
  ArnPrincipal,
  CompositePrincipal,
  PolicyDocument,
  PolicyStatement,
  PrincipalWithConditions,
  Role,
  SessionTagsPrincipal,
} from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { TENANT_ACCESS_ROLE_ENV, TENANT_SESSION_TAG } from '#shared/platform/tenant-scope.ts';

export type TenantTableAccess = 'read' | 'read-write';

/** Item-level actions only: every one of them names its partition keys, so LeadingKeys applies. */
export const TENANT_READ_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
] as const;
export const TENANT_WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
] as const;

/**
 * Every key of a tenant starts with `t#<tenant>#` (shared/data/entities); the tenant comes from the
 * session tag the process runtime sets from the verified token or event. On a Query of a GSI the
 * index's partition key is checked, and those start with `t#<tenant>#` too.
 */
export const TENANT_LEADING_KEYS = `t#\${aws:PrincipalTag/${TENANT_SESSION_TAG}}#*`;

export interface TenantAccessGrantee {
  /** The process, for names and descriptions. */
  readonly name: string;
  readonly function: LambdaFunction;
  readonly access: TenantTableAccess;
}

export interface TenantAccessProps {
  readonly table: ITable;
  /** Processes that reach the table only as the tenant they act for. */
  readonly grantees: readonly TenantAccessGrantee[];
}

/**
 * The roles through which tenant-scoped processes reach the table: one per access level, assumable
 * only by those processes' own roles, only with a `tenantId` session tag, and allowing only items whose
 * partition key starts with that tenant (`dynamodb:LeadingKeys`). The process runtime assumes the role
 * per tenant (shared/platform/clients.ts); the functions' own roles keep no table rights, so code that
 * forgets to open a tenant scope is refused by IAM instead of reaching every tenant.
 */
export class TenantAccess extends Construct {
  /** Roles by access level; only levels some process needs exist. */
  readonly roles = new Map<TenantTableAccess, Role>();

  constructor(scope: Construct, id: string, props: TenantAccessProps) {
    super(scope, id);
    const { table, grantees } = props;
    for (const level of ['read', 'read-write'] as const) {
      const members = grantees.filter((grantee) => grantee.access === level);
      if (members.length === 0) continue;
      const role = this.createRole(level, table, members);
      this.roles.set(level, role);
      for (const member of members) {
        member.function.addToRolePolicy(
          new PolicyStatement({ actions: ['sts:AssumeRole', 'sts:TagSession'], resources: [role.roleArn] }),
        );
        member.function.addEnvironment(TENANT_ACCESS_ROLE_ENV, role.roleArn);
      }
    }
  }

  private createRole(level: TenantTableAccess, table: ITable, members: readonly TenantAccessGrantee[]): Role {
    const callers = members.map((member) => {
      const role = member.function.role;
      if (role === undefined) throw new Error(`The ${member.name} function has no role to trust`);
      return new ArnPrincipal(role.roleArn);
    });
    const actions =
      level === 'read' ? [...TENANT_READ_ACTIONS] : [...TENANT_READ_ACTIONS, ...TENANT_WRITE_ACTIONS];
    return new Role(this, level === 'read' ? 'ReadRole' : 'ReadWriteRole', {
      description:
        `${level} access to one tenant's items of the ITSM table, for ${members.map((m) => m.name).join(', ')}; ` +
        'the tenant is the tenantId session tag',
      // The session must carry a tenantId tag, and only that tag, so the policy's variable is always set.
      assumedBy: new PrincipalWithConditions(new SessionTagsPrincipal(new CompositePrincipal(...callers)), {
        Null: { [`aws:RequestTag/${TENANT_SESSION_TAG}`]: 'false' },
        'ForAllValues:StringEquals': { 'aws:TagKeys': [TENANT_SESSION_TAG] },
      }),
      inlinePolicies: {
        TenantPartition: new PolicyDocument({
          statements: [
            new PolicyStatement({
              actions,
              resources: [table.tableArn, `${table.tableArn}/index/*`],
              conditions: {
                'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [TENANT_LEADING_KEYS] },
                // ForAllValues holds for an empty set; requiring the key keeps a request without
                // partition keys (were such an action ever added) from passing.
                Null: { 'dynamodb:LeadingKeys': 'false' },
              },
            }),
          ],
        }),
      },
    });
  }
}
