import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  AccountRecovery,
  ClientAttributes,
  FeaturePlan,
  Mfa,
  StringAttribute,
  UserPool,
  type UserPoolClient,
} from 'aws-cdk-lib/aws-cognito';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import type { Role } from '#shared/platform/roles.ts';

/** The custom attribute's name without Cognito's `custom:` prefix (tokens carry `custom:tenantId`). */
export const TENANT_ATTRIBUTE = 'tenantId';

export interface IdentityProps {
  /** Every role; each becomes a Cognito group of the same name, so it arrives in `cognito:groups`. */
  readonly roles: readonly Role[];
}

/**
 * Cognito user pool and the web app's client. The tenant of a user is an immutable custom attribute
 * that no app client may write: it is set once, by the platform, when the user is created, and every
 * request's tenant comes from it.
 */
export class Identity extends Construct {
  readonly userPool: UserPool;
  readonly webClient: UserPoolClient;

  constructor(scope: Construct, id: string, props: IdentityProps) {
    super(scope, id);
    this.userPool = new UserPool(this, 'UserPool', {
      // Tenant admins and the platform operator create users; strangers cannot join a tenant.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      standardAttributes: {
        email: { required: true, mutable: true },
        fullname: { required: false, mutable: true },
      },
      customAttributes: {
        [TENANT_ATTRIBUTE]: new StringAttribute({ mutable: false, minLen: 1, maxLen: 64 }),
      },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      // Optional TOTP: a tenant can require it of its staff without locking out requesters; SMS is off
      // because it needs an SNS spending limit and a sender identity per region.
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: FeaturePlan.ESSENTIALS,
      // Users are tenants' data: losing the pool to a stack deletion would lock every tenant out.
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const standard = { email: true, fullname: true } as const;
    this.webClient = this.userPool.addClient('WebClient', {
      // A browser cannot keep a secret.
      generateSecret: false,
      authFlows: { userPassword: true, userSrp: true },
      // The SPA signs in through the Cognito API; no hosted UI, so no OAuth callback URLs to keep.
      disableOAuth: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
      readAttributes: new ClientAttributes()
        .withStandardAttributes({ ...standard, emailVerified: true })
        .withCustomAttributes(TENANT_ATTRIBUTE),
      // Deliberately without custom:tenantId: a user must never move themselves to another tenant.
      writeAttributes: new ClientAttributes().withStandardAttributes(standard),
    });

    props.roles.forEach((role, index) => {
      this.userPool.addGroup(`Group-${role}`, {
        groupName: role,
        description: `ITSM role ${role}`,
        // Order of ROLES, most privileged first; Cognito only uses it to pick an IAM role, which we do not.
        precedence: index,
      });
    });
  }

  /**
   * Lets a process invite, re-role, disable and delete users of this pool, and only that: the calls
   * `shared/platform/identity-admin.ts` makes, on this pool alone. The function learns the pool from
   * `USER_POOL_ID`.
   */
  grantUserAdministration(fn: NodejsFunction): void {
    fn.addEnvironment('USER_POOL_ID', this.userPool.userPoolId);
    this.userPool.grant(
      fn,
      'cognito-idp:AdminCreateUser',
      'cognito-idp:AdminListGroupsForUser',
      'cognito-idp:AdminAddUserToGroup',
      'cognito-idp:AdminRemoveUserFromGroup',
      'cognito-idp:AdminDisableUser',
      'cognito-idp:AdminEnableUser',
      'cognito-idp:AdminUserGlobalSignOut',
      'cognito-idp:AdminDeleteUser',
    );
  }
}
