import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyStructuredResultV2, DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTable, type LocalDatabase, startLocalDatabase } from '#infra/local/database/index.ts';
import {
  type CognitoAdminEndpoint,
  type Invitation,
  LOCAL_USER_POOL_ID,
  startCognitoAdminServer,
  UserDirectory,
} from '#infra/local/identity/index.ts';
import { table } from '#shared/platform/table.ts';
import { type Caller, httpEvent, lambdaContext } from '../support/http-event.ts';
import { createTenantRecords } from '../support/tenants.ts';

/*
 * The directory's handler against the local database and the local Cognito admin endpoint, both
 * through the real SDK clients: what the API says and what the identity provider holds agree.
 */
let database: LocalDatabase;
let cognito: CognitoAdminEndpoint;
const users = new UserDirectory();
const invitations: Invitation[] = [];
const changes: DynamoDBRecord[] = [];
let handler: typeof import('#functions/directory/handler.ts').handler;
let routes: typeof import('#functions/directory/manifest.ts')['manifest']['routes'];

const admin: Caller = { tenantId: 'acme', userId: 'admin-acme', name: 'Ada Admin', roles: ['tenant-admin'] };
const globexAdmin: Caller = { tenantId: 'globex', userId: 'admin-globex', roles: ['tenant-admin'] };

interface Json {
  [key: string]: unknown;
  items: Record<string, unknown>[];
}

async function call(event: ReturnType<typeof httpEvent>) {
  const result = (await handler(event, lambdaContext())) as APIGatewayProxyStructuredResultV2;
  return {
    status: result.statusCode,
    etag: String(result.headers?.etag ?? ''),
    json: JSON.parse(result.body ?? 'null') as Json,
  };
}

/** Detail types of the outbox items written since `from`. */
function eventsSince(from: number): string[] {
  return changes
    .slice(from)
    .flatMap((record) => (record.eventName === 'INSERT' ? [record.dynamodb?.NewImage?.detailType?.S] : []))
    .filter((detailType): detailType is string => detailType !== undefined);
}

async function invite(email: string, roles: string[] = ['agent'], caller = admin) {
  return call(httpEvent(routes.inviteUser, { caller, body: { email, name: email.split('@')[0], roles } }));
}

beforeAll(async () => {
  database = await startLocalDatabase();
  cognito = await startCognitoAdminServer(users, {
    poolId: LOCAL_USER_POOL_ID,
    onInvitation: (invitation) => invitations.push(invitation),
  });
  process.env.AWS_ENDPOINT_URL_DYNAMODB = database.endpoint;
  process.env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER = cognito.endpoint;
  process.env.USER_POOL_ID = LOCAL_USER_POOL_ID;
  await ensureTable(new DynamoDBClient({ endpoint: database.endpoint }), table.logicalName, table);
  database.onChange((records) => changes.push(...records));
  await createTenantRecords(['acme', 'globex']);
  ({ handler } = await import('#functions/directory/handler.ts'));
  ({
    manifest: { routes },
  } = await import('#functions/directory/manifest.ts'));
});

afterAll(async () => {
  await cognito.stop();
  await database.stop();
});

describe('users', () => {
  it('invites: the record, its event, and a sign-in with the tenant and the roles as groups', async () => {
    const before = changes.length;

    const invited = await invite('Grace@Acme.Example', ['agent', 'change-manager']);

    expect(invited.status).toBe(201);
    const user = invited.json.user as { userId: string; email: string; status: string };
    expect(user).toMatchObject({ email: 'grace@acme.example', status: 'invited', version: 1 });
    expect(invited.json.invitation).toEqual({ userId: user.userId, email: user.email, status: 'invited' });
    const identity = users.findByEmail('grace@acme.example');
    expect(identity).toMatchObject({
      sub: user.userId,
      status: 'FORCE_CHANGE_PASSWORD',
      enabled: true,
      attributes: { 'custom:tenantId': 'acme', name: 'Grace' },
    });
    expect([...(identity?.groups ?? [])].sort()).toEqual(['agent', 'change-manager']);
    expect(invitations.map((sent) => sent.email)).toContain('grace@acme.example');
    expect(eventsSince(before)).toEqual(['UserInvited']);

    const read = await call(httpEvent(routes.getUser, { caller: admin, params: { userId: user.userId } }));
    expect(read.json).toMatchObject({ email: 'grace@acme.example', roles: ['agent', 'change-manager'] });
    const listed = await call(httpEvent(routes.listUsers, { caller: admin }));
    expect(listed.json.items.map((item) => item.email)).toContain('grace@acme.example');
  });

  it('refuses an email that exists, in this tenant or (through the identity provider) in another', async () => {
    await invite('hal@acme.example');

    const again = await invite('HAL@acme.example');
    const elsewhere = await invite('hal@acme.example', ['agent'], globexAdmin);

    expect(again.status).toBe(409);
    expect(elsewhere.status).toBe(409);
    const globexUsers = await call(httpEvent(routes.listUsers, { caller: globexAdmin }));
    expect(globexUsers.json.items).toEqual([]);
  });

  it('activates an invited user on their first /me, and disables and enables their sign-in', async () => {
    const invited = await invite('ivy@acme.example');
    const userId = (invited.json.user as { userId: string }).userId;
    const ivy: Caller = { tenantId: 'acme', userId, roles: ['agent'] };

    const me = await call(httpEvent(routes.getMe, { caller: ivy }));
    expect(me.json).toMatchObject({ userId, status: 'active', version: 2, teamIds: [] });

    const deactivated = await call(
      httpEvent(routes.updateUser, {
        caller: admin,
        params: { userId },
        headers: { 'if-match': me.etag },
        body: { status: 'deactivated', roles: ['agent', 'problem-manager'] },
      }),
    );
    expect(deactivated.status).toBe(200);
    expect(users.findByEmail('ivy@acme.example')).toMatchObject({
      enabled: false,
      groups: ['agent', 'problem-manager'],
    });

    const reactivated = await call(
      httpEvent(routes.updateUser, {
        caller: admin,
        params: { userId },
        headers: { 'if-match': deactivated.etag },
        body: { status: 'active' },
      }),
    );
    expect(reactivated.json).toMatchObject({ status: 'active', version: 4 });
    expect(users.findByEmail('ivy@acme.example')?.enabled).toBe(true);
  });

  it('lets exactly one of two concurrent edits of a user win', async () => {
    const invited = await invite('jay@acme.example');
    const userId = (invited.json.user as { userId: string }).userId;
    const rename = (name: string) =>
      call(
        httpEvent(routes.updateUser, {
          caller: admin,
          params: { userId },
          headers: { 'if-match': '"1"' },
          body: { name },
        }),
      );

    const results = await Promise.all([rename('Jay A'), rename('Jay B')]);

    expect(results.map((result) => result.status).sort()).toEqual([200, 412]);
  });
});

describe('teams', () => {
  it('adds and removes members, seen from the team and from the user, once each', async () => {
    const invited = await invite('kim@acme.example');
    const userId = (invited.json.user as { userId: string }).userId;
    const kim: Caller = { tenantId: 'acme', userId, roles: ['agent'] };
    const team = await call(
      httpEvent(routes.createTeam, { caller: admin, body: { name: 'Service Desk', leadUserId: userId } }),
    );
    expect(team.status).toBe(201);
    const teamId = String(team.json.teamId);
    const member = { caller: admin, params: { teamId, userId } };
    const before = changes.length;

    const added = await call(httpEvent(routes.addTeamMember, member));
    const addedAgain = await call(httpEvent(routes.addTeamMember, member));

    expect(added.status).toBe(200);
    expect(addedAgain.json).toEqual(added.json);
    const members = await call(httpEvent(routes.listTeamMembers, { caller: admin, params: { teamId } }));
    expect(members.json.items).toEqual([added.json]);
    expect((await call(httpEvent(routes.getMe, { caller: kim }))).json.teamIds).toEqual([teamId]);

    expect((await call(httpEvent(routes.removeTeamMember, member))).status).toBe(204);
    expect((await call(httpEvent(routes.removeTeamMember, member))).status).toBe(204);
    const after = await call(httpEvent(routes.listTeamMembers, { caller: admin, params: { teamId } }));
    expect(after.json.items).toEqual([]);
    expect((await call(httpEvent(routes.getMe, { caller: kim }))).json.teamIds).toEqual([]);
    // One event per real change: the second add and the second removal announce nothing.
    expect(eventsSince(before).filter((type) => type === 'TeamUpdated')).toHaveLength(2);
  });

  it('answers 404 for a member who is not a user of the tenant', async () => {
    const team = await call(httpEvent(routes.createTeam, { caller: admin, body: { name: 'Network' } }));
    const stranger = await invite('lee@globex.example', ['agent'], globexAdmin);

    const added = await call(
      httpEvent(routes.addTeamMember, {
        caller: admin,
        params: {
          teamId: String(team.json.teamId),
          userId: (stranger.json.user as { userId: string }).userId,
        },
      }),
    );

    expect(added.status).toBe(404);
  });
});

describe('business units', () => {
  async function unit(name: string, parentId: string | null = null) {
    const created = await call(
      httpEvent(routes.createBusinessUnit, { caller: admin, body: { name, costCentre: 'CC-1', parentId } }),
    );
    expect(created.status).toBe(201);
    return String(created.json.businessUnitId);
  }

  function move(businessUnitId: string, parentId: string | null, version = '"1"') {
    return call(
      httpEvent(routes.updateBusinessUnit, {
        caller: admin,
        params: { businessUnitId },
        headers: { 'if-match': version },
        body: { parentId },
      }),
    );
  }

  it('refuses a parent below the unit itself, and one that does not exist', async () => {
    const group = await unit('Group');
    const finance = await unit('Finance', group);
    const payroll = await unit('Payroll', finance);

    const cycle = await move(group, payroll);
    const self = await move(group, group);
    const missing = await move(finance, 'no-such-unit');

    expect(cycle.status).toBe(409);
    expect(self.status).toBe(409);
    expect(missing.status).toBe(400);
    expect(missing.json.errors).toEqual([
      { path: 'body.parentId', message: 'There is no such business unit' },
    ]);
    const moved = await move(payroll, group);
    expect(moved.json).toMatchObject({ parentId: group, version: 2 });
    const toTop = await move(payroll, null, '"2"');
    expect(toTop.json).toMatchObject({ parentId: null, version: 3 });
  });

  it('refuses two moves that would make a loop only together', async () => {
    const left = await unit('Left');
    const right = await unit('Right');

    const results = await Promise.all([move(left, right), move(right, left)]);

    expect(results.map((result) => result.status).sort()).toEqual([200, 409]);
  });

  it('places a user in a unit of the tenant only', async () => {
    const sales = await unit('Sales');
    const invited = await call(
      httpEvent(routes.inviteUser, {
        caller: admin,
        body: { email: 'max@acme.example', name: 'Max', roles: ['requester'], businessUnitId: sales },
      }),
    );
    const elsewhere = await call(
      httpEvent(routes.inviteUser, {
        caller: globexAdmin,
        body: { email: 'ned@globex.example', name: 'Ned', roles: ['requester'], businessUnitId: sales },
      }),
    );

    expect(invited.json.user).toMatchObject({ businessUnitId: sales });
    expect(elsewhere.status).toBe(400);
    expect(users.findByEmail('ned@globex.example')).toBeUndefined();
  });
});
