import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminUserGlobalSignOutCommand,
  CognitoIdentityProviderClient,
  UserNotFoundException,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import { CLAIM } from './claims.ts';
import { ConflictError } from './errors.ts';
import type { Role } from './roles.ts';

/*
 * The identity provider's admin side: Cognito in AWS, the local identity provider (which speaks the
 * same JSON protocol for these operations) on one machine, through AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER.
 * The tenant id is written once, as an immutable attribute, and roles are groups: neither can be
 * changed by the user or by any app client.
 */
let client: CognitoIdentityProviderClient | undefined;

function cognito(): CognitoIdentityProviderClient {
  client ??= new CognitoIdentityProviderClient({});
  return client;
}

function userPoolId(): string {
  const id = process.env.USER_POOL_ID;
  if (!id) throw new Error('USER_POOL_ID is not set');
  return id;
}

export interface InvitedUser {
  tenantId: string;
  email: string;
  name: string;
  roles: readonly Role[];
}

/**
 * Creates the sign-in for a user and sends the invitation (Cognito mails a temporary password).
 * Returns the identity's `sub`, which is the user's id everywhere (it is the token's subject).
 */
export async function inviteIdentity(user: InvitedUser): Promise<{ userId: string }> {
  let userId: string | undefined;
  try {
    const created = await cognito().send(
      new AdminCreateUserCommand({
        UserPoolId: userPoolId(),
        Username: user.email,
        DesiredDeliveryMediums: ['EMAIL'],
        UserAttributes: [
          { Name: CLAIM.email, Value: user.email },
          { Name: 'email_verified', Value: 'true' },
          { Name: CLAIM.name, Value: user.name },
          { Name: CLAIM.tenantId, Value: user.tenantId },
        ],
      }),
    );
    userId = created.User?.Attributes?.find((attribute) => attribute.Name === CLAIM.subject)?.Value;
  } catch (error) {
    if (error instanceof UsernameExistsException) {
      throw new ConflictError('A user with this email already exists');
    }
    throw error;
  }
  if (!userId) throw new Error('The identity provider returned no subject for the new user');
  await setIdentityRoles(user.email, user.roles);
  return { userId };
}

/** Makes the user's groups exactly `roles`. */
export async function setIdentityRoles(email: string, roles: readonly Role[]): Promise<void> {
  const current = await cognito().send(
    new AdminListGroupsForUserCommand({ UserPoolId: userPoolId(), Username: email }),
  );
  const have = new Set((current.Groups ?? []).map((group) => group.GroupName ?? ''));
  for (const role of roles) {
    if (!have.has(role)) {
      await cognito().send(
        new AdminAddUserToGroupCommand({ UserPoolId: userPoolId(), Username: email, GroupName: role }),
      );
    }
  }
  for (const group of have) {
    if (!roles.includes(group as Role)) {
      await cognito().send(
        new AdminRemoveUserFromGroupCommand({ UserPoolId: userPoolId(), Username: email, GroupName: group }),
      );
    }
  }
}

/** Disabling also signs the user out everywhere, so no new token is issued. */
export async function setIdentityEnabled(email: string, enabled: boolean): Promise<void> {
  if (enabled) {
    await cognito().send(new AdminEnableUserCommand({ UserPoolId: userPoolId(), Username: email }));
    return;
  }
  await cognito().send(new AdminDisableUserCommand({ UserPoolId: userPoolId(), Username: email }));
  await cognito().send(new AdminUserGlobalSignOutCommand({ UserPoolId: userPoolId(), Username: email }));
}

export async function deleteIdentity(email: string): Promise<void> {
  try {
    await cognito().send(new AdminDeleteUserCommand({ UserPoolId: userPoolId(), Username: email }));
  } catch (error) {
    if (!(error instanceof UserNotFoundException)) throw error;
  }
}
