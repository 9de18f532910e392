import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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
  InvalidParameterException,
  ResourceNotFoundException,
  UserNotFoundException,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CognitoAdminEndpoint,
  createLocalIdentityProvider,
  type Invitation,
  LOCAL_USER_POOL_ID,
  type LocalIdentityProvider,
  startCognitoAdminServer,
  UserDirectory,
} from './index.ts';

/*
 * The local user pool through the real Cognito SDK client, as the processes call it
 * (shared/platform/identity-admin.ts): same operations, same exception classes.
 */
const POOL = LOCAL_USER_POOL_ID;
const users = new UserDirectory();
const invitations: Invitation[] = [];
let admin: CognitoAdminEndpoint;
let cognito: CognitoIdentityProviderClient;
let provider: LocalIdentityProvider;
let auth: Server;
let authBase: string;

beforeAll(async () => {
  admin = await startCognitoAdminServer(users, {
    poolId: POOL,
    onInvitation: (invitation) => invitations.push(invitation),
  });
  cognito = new CognitoIdentityProviderClient({
    endpoint: admin.endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  provider = await createLocalIdentityProvider({ issuer: 'http://local/auth', audience: 'itsm', users });
  auth = createServer((req, res) => void provider.handle(req, res));
  await new Promise<void>((resolve) => auth.listen(0, '127.0.0.1', resolve));
  authBase = `http://127.0.0.1:${(auth.address() as AddressInfo).port}`;
});

afterAll(async () => {
  cognito.destroy();
  await admin.stop();
  auth.closeAllConnections();
  await new Promise((resolve) => auth.close(resolve));
});

function createUser(email: string, extra: { Name: string; Value: string }[] = []) {
  return cognito.send(
    new AdminCreateUserCommand({
      UserPoolId: POOL,
      Username: email,
      DesiredDeliveryMediums: ['EMAIL'],
      UserAttributes: [
        { Name: 'email', Value: email },
        { Name: 'email_verified', Value: 'true' },
        { Name: 'name', Value: 'Dana Agent' },
        { Name: 'custom:tenantId', Value: 'acme' },
        ...extra,
      ],
    }),
  );
}

async function groupsOf(email: string): Promise<string[]> {
  const listed = await cognito.send(new AdminListGroupsForUserCommand({ UserPoolId: POOL, Username: email }));
  return (listed.Groups ?? []).map((group) => group.GroupName ?? '');
}

async function login(email: string, password: string): Promise<number> {
  const response = await fetch(`${authBase}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  return response.status;
}

async function accept(token: string, password: string): Promise<number> {
  const response = await fetch(`${authBase}/auth/accept-invitation`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token, password }),
  });
  return response.status;
}

describe('the local Cognito admin API', () => {
  it('creates, groups, disables, enables and deletes a user as Cognito does', async () => {
    // Create: FORCE_CHANGE_PASSWORD with the sub among the attributes, and an invitation sent.
    const created = await createUser('dana@acme.example');
    const attributes = Object.fromEntries(
      (created.User?.Attributes ?? []).map((attribute) => [attribute.Name, attribute.Value]),
    );
    expect(created.User).toMatchObject({
      Username: 'dana@acme.example',
      Enabled: true,
      UserStatus: 'FORCE_CHANGE_PASSWORD',
    });
    expect(created.User?.UserCreateDate).toBeInstanceOf(Date);
    expect(attributes).toMatchObject({
      sub: expect.stringMatching(/^[0-9a-f-]{36}$/),
      email: 'dana@acme.example',
      name: 'Dana Agent',
      'custom:tenantId': 'acme',
    });
    const invitation = invitations.find((sent) => sent.email === 'dana@acme.example');
    expect(invitation).toMatchObject({ tenantId: 'acme', token: expect.any(String) });

    // Groups: add twice (no duplicate), remove one.
    for (const group of ['agent', 'tenant-admin', 'agent']) {
      await cognito.send(
        new AdminAddUserToGroupCommand({ UserPoolId: POOL, Username: 'dana@acme.example', GroupName: group }),
      );
    }
    await cognito.send(
      new AdminRemoveUserFromGroupCommand({
        UserPoolId: POOL,
        Username: 'dana@acme.example',
        GroupName: 'tenant-admin',
      }),
    );
    expect(await groupsOf('dana@acme.example')).toEqual(['agent']);

    // The user accepts the invitation and signs in with the groups as claims.
    expect(await accept(invitation?.token ?? '', 'Dana-chose-2026')).toBe(200);
    expect(await login('dana@acme.example', 'Dana-chose-2026')).toBe(200);

    // Disabled: login refused; enabled again: login works.
    await cognito.send(new AdminDisableUserCommand({ UserPoolId: POOL, Username: 'dana@acme.example' }));
    await cognito.send(
      new AdminUserGlobalSignOutCommand({ UserPoolId: POOL, Username: 'dana@acme.example' }),
    );
    expect(await login('dana@acme.example', 'Dana-chose-2026')).toBe(401);
    await cognito.send(new AdminEnableUserCommand({ UserPoolId: POOL, Username: 'dana@acme.example' }));
    expect(await login('dana@acme.example', 'Dana-chose-2026')).toBe(200);

    // Deleted, by sub as Cognito allows: gone for every operation.
    await cognito.send(new AdminDeleteUserCommand({ UserPoolId: POOL, Username: String(attributes.sub) }));
    expect(users.findByEmail('dana@acme.example')).toBeUndefined();
    expect(await login('dana@acme.example', 'Dana-chose-2026')).toBe(401);
    await expect(groupsOf('dana@acme.example')).rejects.toBeInstanceOf(UserNotFoundException);
  });

  it('refuses a second user with the same email, whatever its case', async () => {
    await createUser('erin@acme.example');

    const second = createUser('Erin@Acme.Example');

    await expect(second).rejects.toBeInstanceOf(UsernameExistsException);
    await expect(second).rejects.toMatchObject({
      name: 'UsernameExistsException',
      $metadata: { httpStatusCode: 400 },
    });
  });

  const nobody = { UserPoolId: POOL, Username: 'nobody@x.example' };
  it.each<[string, () => Promise<unknown>]>([
    ['AdminListGroupsForUser', () => cognito.send(new AdminListGroupsForUserCommand(nobody))],
    ['AdminDisableUser', () => cognito.send(new AdminDisableUserCommand(nobody))],
    ['AdminEnableUser', () => cognito.send(new AdminEnableUserCommand(nobody))],
    ['AdminDeleteUser', () => cognito.send(new AdminDeleteUserCommand(nobody))],
    ['AdminUserGlobalSignOut', () => cognito.send(new AdminUserGlobalSignOutCommand(nobody))],
    [
      'AdminAddUserToGroup',
      () => cognito.send(new AdminAddUserToGroupCommand({ ...nobody, GroupName: 'agent' })),
    ],
  ])('answers %s for an unknown user with UserNotFoundException', async (_operation, call) => {
    await expect(call()).rejects.toBeInstanceOf(UserNotFoundException);
  });

  it('refuses an unknown group and an unknown pool with ResourceNotFoundException', async () => {
    await createUser('frank@acme.example');

    await expect(
      cognito.send(
        new AdminAddUserToGroupCommand({
          UserPoolId: POOL,
          Username: 'frank@acme.example',
          GroupName: 'root',
        }),
      ),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(
      cognito.send(
        new AdminListGroupsForUserCommand({ UserPoolId: 'eu-west-1_other', Username: 'frank@acme.example' }),
      ),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it.each([
    ['without a tenant', 'gina@acme.example', [{ Name: 'custom:tenantId', Value: '' }]],
    ['with an attribute outside the schema', 'hank@acme.example', [{ Name: 'custom:role', Value: 'root' }]],
    ['with a sub of its choosing', 'ivan@acme.example', [{ Name: 'sub', Value: 'mine' }]],
    ['whose username is not an email', 'not-an-email', [{ Name: 'email', Value: 'not-an-email' }]],
  ])('refuses a user %s with InvalidParameterException', async (_label, email, extra) => {
    await expect(createUser(email, extra)).rejects.toBeInstanceOf(InvalidParameterException);
    expect(users.findByEmail(email)).toBeUndefined();
  });

  it('sends no invitation when asked to suppress it', async () => {
    const before = invitations.length;

    await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: POOL,
        Username: 'quiet@acme.example',
        MessageAction: 'SUPPRESS',
        UserAttributes: [{ Name: 'custom:tenantId', Value: 'acme' }],
      }),
    );

    expect(invitations).toHaveLength(before);
    expect(users.findByEmail('quiet@acme.example')?.status).toBe('FORCE_CHANGE_PASSWORD');
  });
});
