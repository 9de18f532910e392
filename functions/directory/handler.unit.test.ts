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
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BusinessUnitCreated,
  BusinessUnitUpdated,
  TeamCreated,
  TeamUpdated,
  UserInvited,
  UserUpdated,
} from '#shared/events/directory.ts';
import { detailSchema, type EventDefinition } from '#shared/events/envelope.ts';
import { type Caller, httpEvent, lambdaContext } from '../../test/support/http-event.ts';
import { mockTenants } from '../../test/support/tenants.ts';
import { handler } from './handler.ts';
import { manifest } from './manifest.ts';

process.env.USER_POOL_ID = 'local_pool';

const dynamo = mockClient(DynamoDBDocumentClient);
const cognito = mockClient(CognitoIdentityProviderClient);
const routes = manifest.routes;

const admin: Caller = { tenantId: 'acme', userId: 'u-admin', name: 'Ada Admin', roles: ['tenant-admin'] };
const agent: Caller = { tenantId: 'acme', userId: 'u-agent', roles: ['agent'] };
const requester: Caller = { tenantId: 'acme', userId: 'u-req', roles: ['requester'] };

async function call(event: ReturnType<typeof httpEvent>) {
  const result = (await handler(event, lambdaContext())) as APIGatewayProxyStructuredResultV2;
  return {
    ...result,
    json: result.body ? (JSON.parse(result.body) as Record<string, unknown>) : undefined,
  };
}

const AT = '2026-11-01T08:00:00.000Z';

function item(entity: string, pk: string, sk: string, attributes: Record<string, unknown>) {
  return { tenantId: 'acme', ...attributes, pk, sk, __edb_e__: entity, __edb_v__: '1' };
}

function userItem(userId: string, attributes: Record<string, unknown> = {}) {
  const email = `${userId}@acme.example`;
  return item('user', `t#acme#user#${userId}`, 'user', {
    userId,
    email,
    emailKey: email,
    name: `User ${userId}`,
    roles: ['agent'],
    status: 'active',
    version: 3,
    createdAt: AT,
    updatedAt: AT,
    ...attributes,
  });
}

function teamItem(teamId: string, attributes: Record<string, unknown> = {}) {
  return item('team', `t#acme#team#${teamId}`, 'team', {
    teamId,
    name: 'Service Desk',
    sortName: 'service desk',
    description: '',
    version: 2,
    createdAt: AT,
    updatedAt: AT,
    ...attributes,
  });
}

function unitItem(businessUnitId: string, parentId?: string) {
  return item('businessUnit', `t#acme#business-unit#${businessUnitId}`, 'business-unit', {
    businessUnitId,
    name: businessUnitId,
    sortName: businessUnitId,
    costCentre: 'CC-1',
    ...(parentId ? { parentId } : {}),
    version: 1,
    createdAt: AT,
    updatedAt: AT,
  });
}

function membershipItem(teamId: string, userId: string) {
  return item('membership', `t#acme#team#${teamId}`, `member#${userId}`, { teamId, userId, addedAt: AT });
}

/** Answers GetItem for these items by key; anything else reads as missing. */
function stored(...items: { pk: string; sk: string }[]) {
  dynamo.on(GetCommand).resolves({});
  for (const entry of items)
    dynamo.on(GetCommand, { Key: { pk: entry.pk, sk: entry.sk } }).resolves({ Item: entry });
  mockTenants(dynamo, { acme: 'active' });
}

function writes() {
  return dynamo.commandCalls(TransactWriteCommand).map((call) => call.args[0].input.TransactItems ?? []);
}

/** The event in the outbox item of a transaction, checked against the catalogue. */
function eventIn<D extends EventDefinition>(
  items: ReturnType<typeof writes>[number],
  definition: D,
): ReturnType<ReturnType<typeof detailSchema<D['data']>>['parse']> {
  const outbox = items.find((entry) => entry.Put?.Item?.kind === 'outbox')?.Put?.Item;
  expect(outbox?.detailType).toBe(definition.detailType);
  return detailSchema(definition.data).parse(JSON.parse(String(outbox?.detail)));
}

/** Nothing but the tenant gate's read reached the table, and nothing reached the identity provider. */
function expectUntouched() {
  for (const entry of dynamo.calls()) {
    expect((entry.args[0].input as { Key?: { sk?: string } }).Key?.sk).toBe('tenant');
  }
  expect(cognito.calls()).toHaveLength(0);
}

const canceled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

beforeEach(() => {
  dynamo.reset();
  cognito.reset();
  mockTenants(dynamo, { acme: 'active' });
  dynamo.on(QueryCommand).resolves({ Items: [] });
  dynamo.on(TransactWriteCommand).resolves({});
  cognito.on(AdminCreateUserCommand).resolves({
    User: { Username: 'new@acme.example', Attributes: [{ Name: 'sub', Value: 'sub-new' }] },
  });
  cognito.on(AdminListGroupsForUserCommand).resolves({ Groups: [] });
});
afterEach(() => {
  dynamo.reset();
  cognito.reset();
});

describe('GET /api/me', () => {
  it('answers the caller record with their team ids from the membership index', async () => {
    stored(userItem('u-agent'));
    dynamo
      .on(QueryCommand)
      .resolves({ Items: [membershipItem('t-1', 'u-agent'), membershipItem('t-2', 'u-agent')] });

    const response = await call(httpEvent(routes.getMe, { caller: agent }));

    expect(response.statusCode).toBe(200);
    expect(response.headers?.etag).toBe('"3"');
    expect(response.json).toMatchObject({ userId: 'u-agent', status: 'active', teamIds: ['t-1', 't-2'] });
    const query = dynamo.commandCalls(QueryCommand)[0]?.args[0].input;
    expect(query?.IndexName).toBe('gsi1');
    expect(query?.ExpressionAttributeValues?.[':pk']).toBe('t#acme#user#u-agent#teams');
    expect(writes()).toHaveLength(0);
  });

  it('activates an invited user on their first call, under a version condition', async () => {
    stored(userItem('u-req', { status: 'invited', version: 1, roles: ['requester'] }));

    const response = await call(httpEvent(routes.getMe, { caller: requester }));

    expect(response.json).toMatchObject({ status: 'active', version: 2 });
    const [items = []] = writes();
    expect(items[0]?.Update?.ConditionExpression).toContain('#version = :version');
    expect(eventIn(items, UserUpdated).data).toMatchObject({
      userId: 'u-req',
      changes: [{ field: 'status', from: 'invited', to: 'active' }],
    });
  });

  it('answers from the token when the caller has no record yet', async () => {
    stored();

    const response = await call(httpEvent(routes.getMe, { caller: admin }));

    expect(response.statusCode).toBe(200);
    expect(response.headers?.etag).toBeUndefined();
    expect(response.json).toMatchObject({
      userId: 'u-admin',
      name: 'Ada Admin',
      roles: ['tenant-admin'],
      status: 'active',
      teamIds: [],
    });
    expect(writes()).toHaveLength(0);
  });
});

describe('GET /api/users', () => {
  it('lets an agent list users by email', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [userItem('u-1')] });

    const response = await call(httpEvent(routes.listUsers, { caller: agent }));

    expect(response.statusCode).toBe(200);
    expect(response.json).toMatchObject({
      items: [{ userId: 'u-1', businessUnitId: null }],
      nextCursor: null,
    });
    expect(dynamo.commandCalls(QueryCommand)[0]?.args[0].input.ExpressionAttributeValues?.[':pk']).toBe(
      't#acme#users',
    );
  });

  it('refuses a requester', async () => {
    const response = await call(httpEvent(routes.listUsers, { caller: requester }));

    expect(response.statusCode).toBe(403);
    expectUntouched();
  });
});

describe('POST /api/users', () => {
  const body = { email: 'New@Acme.Example', name: 'Nora New', roles: ['agent', 'requester'] };

  it('creates the sign-in, then the record and UserInvited in one transaction', async () => {
    const response = await call(httpEvent(routes.inviteUser, { caller: admin, body }));

    expect(response.statusCode).toBe(201);
    expect(response.headers?.etag).toBe('"1"');
    expect(response.json).toMatchObject({
      user: {
        userId: 'sub-new',
        email: 'new@acme.example',
        status: 'invited',
        roles: ['agent', 'requester'],
      },
      invitation: { userId: 'sub-new', email: 'new@acme.example', status: 'invited' },
    });
    const created = cognito.commandCalls(AdminCreateUserCommand)[0]?.args[0].input;
    expect(created).toMatchObject({ UserPoolId: 'local_pool', Username: 'new@acme.example' });
    expect(created?.UserAttributes).toContainEqual({ Name: 'custom:tenantId', Value: 'acme' });
    expect(cognito.commandCalls(AdminAddUserToGroupCommand).map((c) => c.args[0].input.GroupName)).toEqual([
      'agent',
      'requester',
    ]);
    const [items = []] = writes();
    expect(items[0]?.Put?.Item?.pk).toBe('t#acme#user#sub-new');
    expect(items[0]?.Put?.ConditionExpression).toContain('attribute_not_exists');
    expect(eventIn(items, UserInvited)).toMatchObject({
      tenantId: 'acme',
      actor: { userId: 'u-admin' },
      data: { userId: 'sub-new', roles: ['agent', 'requester'] },
    });
  });

  it('refuses an agent', async () => {
    const response = await call(httpEvent(routes.inviteUser, { caller: agent, body }));

    expect(response.statusCode).toBe(403);
    expectUntouched();
  });

  it('answers 409 for an email the tenant has, before asking the identity provider', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [userItem('new')] });

    const response = await call(httpEvent(routes.inviteUser, { caller: admin, body }));

    expect(response.statusCode).toBe(409);
    expect(cognito.calls()).toHaveLength(0);
    expect(writes()).toHaveLength(0);
  });

  it('answers 409 when the identity provider has the email (another tenant)', async () => {
    cognito
      .on(AdminCreateUserCommand)
      .rejects(new UsernameExistsException({ message: 'exists', $metadata: {} }));

    const response = await call(httpEvent(routes.inviteUser, { caller: admin, body }));

    expect(response.statusCode).toBe(409);
    expect(writes()).toHaveLength(0);
    expect(cognito.commandCalls(AdminDeleteUserCommand)).toHaveLength(0);
  });

  it('deletes the sign-in again when the record cannot be written', async () => {
    dynamo.on(TransactWriteCommand).rejects(new Error('throttled'));

    const response = await call(httpEvent(routes.inviteUser, { caller: admin, body }));

    expect(response.statusCode).toBe(500);
    expect(cognito.commandCalls(AdminDeleteUserCommand)[0]?.args[0].input.Username).toBe('new@acme.example');
  });

  it('answers 400 for a business unit the tenant does not have', async () => {
    stored();

    const response = await call(
      httpEvent(routes.inviteUser, { caller: admin, body: { ...body, businessUnitId: 'bu-x' } }),
    );

    expect(response.statusCode).toBe(400);
    expect(response.json?.errors).toEqual([
      { path: 'body.businessUnitId', message: 'There is no such business unit' },
    ]);
    expect(cognito.calls()).toHaveLength(0);
  });

  it('answers 400 for roles a tenant cannot give, and none', async () => {
    const operator = await call(
      httpEvent(routes.inviteUser, { caller: admin, body: { ...body, roles: ['platform-operator'] } }),
    );
    const none = await call(httpEvent(routes.inviteUser, { caller: admin, body: { ...body, roles: [] } }));

    expect(operator.statusCode).toBe(400);
    expect(none.json?.errors).toEqual([{ path: 'body.roles', message: 'Give at least one role' }]);
    expectUntouched();
  });
});

describe('GET /api/users/{userId}', () => {
  it('answers the user with its version, and 404 for a user of no record', async () => {
    stored(userItem('u-1'));

    const found = await call(httpEvent(routes.getUser, { caller: agent, params: { userId: 'u-1' } }));
    const missing = await call(httpEvent(routes.getUser, { caller: agent, params: { userId: 'u-2' } }));

    expect(found.headers?.etag).toBe('"3"');
    expect(found.json).not.toHaveProperty('tenantId');
    expect(found.json).not.toHaveProperty('emailKey');
    expect(missing.statusCode).toBe(404);
  });
});

describe('PATCH /api/users/{userId}', () => {
  const patch = (body: unknown, headers: Record<string, string> = { 'if-match': '"3"' }, userId = 'u-1') =>
    httpEvent(routes.updateUser, { caller: admin, params: { userId }, body, headers });

  it('sets the groups, writes under the version and announces the changes', async () => {
    stored(userItem('u-1'));
    cognito.on(AdminListGroupsForUserCommand).resolves({ Groups: [{ GroupName: 'agent' }] });

    const response = await call(patch({ roles: ['service-owner'], name: 'Una' }));

    expect(response.statusCode).toBe(200);
    expect(response.headers?.etag).toBe('"4"');
    expect(cognito.commandCalls(AdminAddUserToGroupCommand)[0]?.args[0].input.GroupName).toBe(
      'service-owner',
    );
    expect(cognito.commandCalls(AdminRemoveUserFromGroupCommand)[0]?.args[0].input.GroupName).toBe('agent');
    const [items = []] = writes();
    expect(Object.values(items[0]?.Update?.ExpressionAttributeValues ?? {})).toContain(3);
    expect(eventIn(items, UserUpdated).data.changes).toEqual([
      { field: 'name', from: 'User u-1', to: 'Una' },
      { field: 'roles', from: ['agent'], to: ['service-owner'] },
    ]);
  });

  it('disables and signs out the identity of a deactivated user', async () => {
    stored(userItem('u-1'));

    const response = await call(patch({ status: 'deactivated' }));

    expect(response.json).toMatchObject({ status: 'deactivated' });
    expect(cognito.commandCalls(AdminDisableUserCommand)[0]?.args[0].input.Username).toBe('u-1@acme.example');
    expect(cognito.commandCalls(AdminUserGlobalSignOutCommand)).toHaveLength(1);
  });

  it('enables the identity again when the record write loses a race', async () => {
    stored(userItem('u-1'));
    dynamo.on(TransactWriteCommand).rejects(canceled('ConditionalCheckFailed', 'None'));

    const response = await call(patch({ status: 'deactivated' }));

    expect(response.statusCode).toBe(412);
    expect(cognito.commandCalls(AdminEnableUserCommand)).toHaveLength(1);
  });

  it.each([
    ['deactivate themself', { status: 'deactivated' }, /deactivate yourself/],
    ['drop their own tenant-admin role', { roles: ['agent'] }, /own tenant-admin role/],
  ])('refuses a tenant admin who would %s', async (_label, body, detail) => {
    stored(userItem('u-admin', { roles: ['tenant-admin'] }));

    const response = await call(patch(body, { 'if-match': '"3"' }, 'u-admin'));

    expect(response.statusCode).toBe(409);
    expect(String(response.json?.detail)).toMatch(detail);
    expect(cognito.calls()).toHaveLength(0);
    expect(writes()).toHaveLength(0);
  });

  it('answers 400 for a business unit the tenant does not have', async () => {
    stored(userItem('u-1'));

    const response = await call(patch({ businessUnitId: 'bu-x' }));

    expect(response.statusCode).toBe(400);
    expect(response.json?.errors).toEqual([
      { path: 'body.businessUnitId', message: 'There is no such business unit' },
    ]);
    expect(writes()).toHaveLength(0);
  });

  it('answers 428 without If-Match, 412 for a stale one, 404 for no such user', async () => {
    stored(userItem('u-1'));

    const missing = await call(patch({ name: 'X' }, {}));
    const stale = await call(patch({ name: 'X' }, { 'if-match': '"2"' }));
    const unknown = await call(patch({ name: 'X' }, { 'if-match': '"1"' }, 'u-2'));

    expect(missing.statusCode).toBe(428);
    expect(stale.statusCode).toBe(412);
    expect(stale.json).toMatchObject({ currentVersion: 3 });
    expect(unknown.statusCode).toBe(404);
    expect(writes()).toHaveLength(0);
    expect(cognito.calls()).toHaveLength(0);
  });
});

describe('teams', () => {
  it('creates a team with TeamCreated; an agent may not', async () => {
    const created = await call(
      httpEvent(routes.createTeam, { caller: admin, body: { name: 'Network', description: 'Routers' } }),
    );
    const refused = await call(httpEvent(routes.createTeam, { caller: agent, body: { name: 'Mine' } }));

    expect(created.statusCode).toBe(201);
    expect(created.json).toMatchObject({ name: 'Network', leadUserId: null, version: 1 });
    expect(eventIn(writes()[0] ?? [], TeamCreated).data.changes).toContainEqual({
      field: 'name',
      from: null,
      to: 'Network',
    });
    expect(refused.statusCode).toBe(403);
  });

  it('answers 400 for a lead who is not a user of the tenant', async () => {
    stored();

    const response = await call(
      httpEvent(routes.createTeam, { caller: admin, body: { name: 'Network', leadUserId: 'u-x' } }),
    );

    expect(response.json?.errors).toEqual([{ path: 'body.leadUserId', message: 'There is no such user' }]);
  });

  it('lets agents list and read teams, not requesters', async () => {
    stored(teamItem('t-1'));
    dynamo.on(QueryCommand).resolves({ Items: [teamItem('t-1')] });

    const listed = await call(httpEvent(routes.listTeams, { caller: agent }));
    const read = await call(httpEvent(routes.getTeam, { caller: agent, params: { teamId: 't-1' } }));
    const refused = await call(httpEvent(routes.listTeams, { caller: requester }));

    expect(listed.json).toMatchObject({ items: [{ teamId: 't-1', name: 'Service Desk' }] });
    expect(read.headers?.etag).toBe('"2"');
    expect(refused.statusCode).toBe(403);
  });

  it('updates a team under its version, and refuses a stale one', async () => {
    stored(teamItem('t-1', { leadUserId: 'u-1' }));
    const update = (version: string) =>
      httpEvent(routes.updateTeam, {
        caller: admin,
        params: { teamId: 't-1' },
        headers: { 'if-match': version },
        body: { leadUserId: null },
      });

    const updated = await call(update('"2"'));
    const stale = await call(update('"1"'));

    expect(updated.json).toMatchObject({ leadUserId: null, version: 3 });
    const [items = []] = writes();
    expect(items[0]?.Update?.UpdateExpression).toMatch(/REMOVE #leadUserId/);
    expect(eventIn(items, TeamUpdated).data.changes).toEqual([
      { field: 'leadUserId', from: 'u-1', to: null },
    ]);
    expect(stale.statusCode).toBe(412);
  });

  it('adds a member once, announcing it as a change of members', async () => {
    stored(teamItem('t-1'), userItem('u-1'));

    const response = await call(
      httpEvent(routes.addTeamMember, { caller: admin, params: { teamId: 't-1', userId: 'u-1' } }),
    );

    expect(response.statusCode).toBe(200);
    expect(response.json).toMatchObject({ teamId: 't-1', userId: 'u-1' });
    const [items = []] = writes();
    expect(items[0]?.Put?.Item).toMatchObject({
      pk: 't#acme#team#t-1',
      sk: 'member#u-1',
      gsi1pk: 't#acme#user#u-1#teams',
    });
    expect(eventIn(items, TeamUpdated).data.changes).toEqual([{ field: 'members', from: null, to: 'u-1' }]);
  });

  it('answers an existing membership without writing, and 404 for a user of no record', async () => {
    stored(teamItem('t-1'), userItem('u-1'), membershipItem('t-1', 'u-1'));

    const again = await call(
      httpEvent(routes.addTeamMember, { caller: admin, params: { teamId: 't-1', userId: 'u-1' } }),
    );
    const stranger = await call(
      httpEvent(routes.addTeamMember, { caller: admin, params: { teamId: 't-1', userId: 'u-2' } }),
    );

    expect(again.json).toEqual({ teamId: 't-1', userId: 'u-1', addedAt: AT });
    expect(stranger.statusCode).toBe(404);
    expect(writes()).toHaveLength(0);
  });

  it('removes a member with 204 and an event; removing a non-member changes nothing', async () => {
    stored(teamItem('t-1'), membershipItem('t-1', 'u-1'));

    const removed = await call(
      httpEvent(routes.removeTeamMember, { caller: admin, params: { teamId: 't-1', userId: 'u-1' } }),
    );
    const notMember = await call(
      httpEvent(routes.removeTeamMember, { caller: admin, params: { teamId: 't-1', userId: 'u-9' } }),
    );

    expect(removed.statusCode).toBe(204);
    expect(removed.body).toBeUndefined();
    expect(notMember.statusCode).toBe(204);
    expect(writes()).toHaveLength(1);
    const [items = []] = writes();
    expect(items[0]?.Delete?.Key).toEqual({ pk: 't#acme#team#t-1', sk: 'member#u-1' });
    expect(eventIn(items, TeamUpdated).data.changes).toEqual([{ field: 'members', from: 'u-1', to: null }]);
  });

  it('lists the members of a team, and answers 404 for a team of no record', async () => {
    stored(teamItem('t-1'));
    dynamo.on(QueryCommand).resolves({ Items: [membershipItem('t-1', 'u-1')] });

    const listed = await call(
      httpEvent(routes.listTeamMembers, { caller: agent, params: { teamId: 't-1' } }),
    );
    const missing = await call(
      httpEvent(routes.listTeamMembers, { caller: agent, params: { teamId: 't-2' } }),
    );

    expect(listed.json).toEqual({ items: [{ teamId: 't-1', userId: 'u-1', addedAt: AT }], nextCursor: null });
    expect(missing.statusCode).toBe(404);
  });
});

describe('business units', () => {
  const moveTo = (businessUnitId: string, parentId: string | null, headers = { 'if-match': '"1"' }) =>
    httpEvent(routes.updateBusinessUnit, {
      caller: admin,
      params: { businessUnitId },
      headers,
      body: { parentId },
    });

  it('lets a requester list them, not create them', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [unitItem('finance')] });

    const listed = await call(httpEvent(routes.listBusinessUnits, { caller: requester }));
    const refused = await call(
      httpEvent(routes.createBusinessUnit, { caller: requester, body: { name: 'X', costCentre: 'C' } }),
    );

    expect(listed.json).toMatchObject({ items: [{ businessUnitId: 'finance', parentId: null }] });
    expect(refused.statusCode).toBe(403);
  });

  it('creates a unit under an existing parent, checking the chain above it is unchanged', async () => {
    stored(unitItem('group'), unitItem('finance', 'group'));

    const response = await call(
      httpEvent(routes.createBusinessUnit, {
        caller: admin,
        body: { name: 'Payroll', costCentre: 'CC-9', parentId: 'finance' },
      }),
    );

    expect(response.statusCode).toBe(201);
    const [items = []] = writes();
    expect(eventIn(items, BusinessUnitCreated).data.name).toBe('Payroll');
    expect(items.slice(2).map((entry) => entry.ConditionCheck?.Key?.pk)).toEqual([
      't#acme#business-unit#finance',
      't#acme#business-unit#group',
    ]);
  });

  it('answers 400 for a parent the tenant does not have', async () => {
    stored();

    const response = await call(
      httpEvent(routes.createBusinessUnit, {
        caller: admin,
        body: { name: 'Payroll', costCentre: 'CC-9', parentId: 'ghost' },
      }),
    );

    expect(response.statusCode).toBe(400);
    expect(response.json?.errors).toEqual([
      { path: 'body.parentId', message: 'There is no such business unit' },
    ]);
  });

  it('refuses with 409 a move under the unit itself or its descendants', async () => {
    stored(unitItem('group'), unitItem('finance', 'group'), unitItem('payroll', 'finance'));

    const cycle = await call(moveTo('group', 'payroll'));
    const self = await call(moveTo('finance', 'finance'));

    expect(cycle.statusCode).toBe(409);
    expect(self.statusCode).toBe(409);
    expect(writes()).toHaveLength(0);
  });

  it('moves a unit and announces the new parent', async () => {
    stored(unitItem('group'), unitItem('sales'));

    const response = await call(moveTo('sales', 'group'));

    expect(response.json).toMatchObject({ parentId: 'group', version: 2 });
    expect(eventIn(writes()[0] ?? [], BusinessUnitUpdated).data.changes).toEqual([
      { field: 'parentId', from: null, to: 'group' },
    ]);
  });

  it('answers 409 when a unit above the new parent moved meanwhile', async () => {
    stored(unitItem('group'), unitItem('sales'));
    dynamo.on(TransactWriteCommand).rejects(canceled('None', 'None', 'ConditionalCheckFailed'));

    const response = await call(moveTo('sales', 'group'));

    expect(response.statusCode).toBe(409);
  });

  it('answers 428 without If-Match and 404 for a unit of no record', async () => {
    stored();

    const missing = await call(moveTo('sales', null, {} as { 'if-match': string }));
    const unknown = await call(moveTo('sales', null));

    expect(missing.statusCode).toBe(428);
    expect(unknown.statusCode).toBe(404);
  });
});
