import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTable, type LocalDatabase, startLocalDatabase } from '#infra/local/database/index.ts';
import { getDatabase } from '#shared/data/database.ts';
import { SAVED_VIEW_LIMIT } from '#shared/domain/incidents/saved-view.ts';
import { table } from '#shared/platform/table.ts';
import { type Caller, httpEvent, lambdaContext } from '../support/http-event.ts';
import { createTenantRecords } from '../support/tenants.ts';

/*
 * Saved queue views against the local database: create, replace, list and delete one's own views,
 * the limit of 20, names that must differ, filters that must name real records, and that nobody
 * else (another agent, another tenant, a requester) sees or touches them.
 */
let database: LocalDatabase;
let handler: typeof import('#functions/incidents/handler.ts').handler;
let manifest: typeof import('#functions/incidents/manifest.ts').manifest;

const agent: Caller = { tenantId: 'acme', userId: 'u-views-agent', name: 'Vera Views', roles: ['agent'] };
const colleague: Caller = { tenantId: 'acme', userId: 'u-views-colleague', name: 'Carl', roles: ['agent'] };
const requester: Caller = { tenantId: 'acme', userId: 'u-views-req', name: 'Rita', roles: ['requester'] };
const globex: Caller = { tenantId: 'globex', userId: 'u-views-agent', name: 'Gus', roles: ['agent'] };

interface View {
  viewId: string;
  name: string;
  queue: string;
  priority: string | null;
  serviceId: string | null;
  teamId: string | null;
  sort: string;
  createdAt: string;
  updatedAt: string;
}

interface Answer {
  status: number;
  json: {
    items: View[];
    errors?: { path: string; message: string }[];
    detail?: string;
  } & Partial<View>;
}

async function call(event: ReturnType<typeof httpEvent>): Promise<Answer> {
  const result = (await handler(event, lambdaContext())) as APIGatewayProxyStructuredResultV2;
  return { status: result.statusCode ?? 0, json: JSON.parse(result.body || 'null') as Answer['json'] };
}

const list = (caller: Caller) => call(httpEvent(manifest.routes.listSavedViews, { caller }));
const put = (caller: Caller, viewId: string, body: unknown) =>
  call(httpEvent(manifest.routes.putSavedView, { caller, params: { viewId }, body }));
const remove = (caller: Caller, viewId: string) =>
  call(httpEvent(manifest.routes.deleteSavedView, { caller, params: { viewId } }));

const paths = (answer: Answer) => (answer.json.errors ?? []).map((error) => error.path).sort();

beforeAll(async () => {
  database = await startLocalDatabase();
  process.env.AWS_ENDPOINT_URL_DYNAMODB = database.endpoint;
  await ensureTable(new DynamoDBClient({ endpoint: database.endpoint }), table.logicalName, table);
  await createTenantRecords(['acme', 'globex']);
  const at = '2026-01-01T00:00:00.000Z';
  await getDatabase()
    .entities.team.put({
      tenantId: 'acme',
      teamId: 'team-desk',
      name: 'Service Desk',
      description: '',
      version: 1,
      createdAt: at,
      updatedAt: at,
    })
    .go();
  await getDatabase()
    .entities.service.put({
      tenantId: 'acme',
      serviceId: 'svc-mail',
      name: 'Email',
      description: '',
      owner: 'Messaging',
      status: 'live',
      version: 1,
      createdAt: at,
      createdBy: 'u-owner',
      updatedAt: at,
      updatedBy: 'u-owner',
    })
    .go();
  ({ handler } = await import('#functions/incidents/handler.ts'));
  ({ manifest } = await import('#functions/incidents/manifest.ts'));
});

afterAll(async () => {
  await database.stop();
});

describe('saved views on the local database', () => {
  it('creates, lists by name, replaces and deletes the caller’s own views', async () => {
    expect(await list(agent)).toEqual({ status: 200, json: { items: [] } });

    const created = await put(agent, 'p1-mail', {
      name: 'P1 on mail',
      queue: 'all-open',
      priority: 'P1',
      serviceId: 'svc-mail',
      sort: 'priority',
    });
    const second = await put(agent, 'desk-due', {
      name: 'Desk by due',
      queue: 'my-teams',
      teamId: 'team-desk',
    });

    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({
      viewId: 'p1-mail',
      name: 'P1 on mail',
      queue: 'all-open',
      priority: 'P1',
      serviceId: 'svc-mail',
      teamId: null,
      sort: 'priority',
    });
    // The order defaults to SLA due, the server's own order for most queues.
    expect(second.json).toMatchObject({ sort: 'due', priority: null, serviceId: null, teamId: 'team-desk' });
    const listed = await list(agent);
    expect(listed.json.items.map((view) => view.name)).toEqual(['Desk by due', 'P1 on mail']);

    const replaced = await put(agent, 'p1-mail', { name: 'All P1', queue: 'breaching-soon', priority: 'P1' });
    expect(replaced.status).toBe(200);
    expect(replaced.json).toMatchObject({ name: 'All P1', queue: 'breaching-soon', serviceId: null });
    expect(replaced.json.createdAt).toBe(created.json.createdAt);
    const afterReplace = (await list(agent)).json.items;
    expect(afterReplace).toHaveLength(2);
    expect(afterReplace.find((view) => view.viewId === 'p1-mail')?.name).toBe('All P1');

    expect((await remove(agent, 'p1-mail')).status).toBe(204);
    expect((await list(agent)).json.items.map((view) => view.viewId)).toEqual(['desk-due']);
    expect((await remove(agent, 'p1-mail')).status).toBe(404);
    expect((await remove(agent, 'desk-due')).status).toBe(204);
    expect((await list(agent)).json.items).toEqual([]);
  });

  it(`keeps at most ${SAVED_VIEW_LIMIT} views per user, and a replace still works at the limit`, async () => {
    const caller: Caller = { ...agent, userId: 'u-views-many' };
    for (let n = 1; n <= SAVED_VIEW_LIMIT; n += 1) {
      expect((await put(caller, `v${n}`, { name: `View ${n}`, queue: 'mine' })).status).toBe(200);
    }

    const beyond = await put(caller, 'v-too-many', { name: 'One too many', queue: 'mine' });
    expect(beyond.status).toBe(409);
    expect(beyond.json.detail).toContain(`${SAVED_VIEW_LIMIT} saved views`);
    expect((await list(caller)).json.items).toHaveLength(SAVED_VIEW_LIMIT);

    expect((await put(caller, 'v3', { name: 'View 3 renamed', queue: 'unassigned' })).status).toBe(200);
    expect((await remove(caller, 'v1')).status).toBe(204);
    expect((await put(caller, 'v-too-many', { name: 'Now it fits', queue: 'mine' })).status).toBe(200);
    expect((await list(caller)).json.items).toHaveLength(SAVED_VIEW_LIMIT);
  });

  it('loses no view when two tabs of one user save at once', async () => {
    const caller: Caller = { ...agent, userId: 'u-views-two-tabs' };
    const answers = await Promise.all([
      put(caller, 'left', { name: 'Left tab', queue: 'mine' }),
      put(caller, 'right', { name: 'Right tab', queue: 'unassigned' }),
    ]);

    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    expect((await list(caller)).json.items.map((view) => view.viewId)).toEqual(['left', 'right']);
  });

  it('under many racing saves keeps every view it confirmed and asks the rest to try again', async () => {
    const caller: Caller = { ...agent, userId: 'u-views-racer' };
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, n) => put(caller, `race-${n}`, { name: `Race ${n}`, queue: 'mine' })),
    );

    const confirmed = answers.flatMap((answer) => (answer.status === 200 ? [answer.json.viewId] : []));
    const refused = answers.filter((answer) => answer.status !== 200);
    expect(confirmed.length).toBeGreaterThanOrEqual(4);
    for (const answer of refused) {
      expect(answer.status).toBe(409);
      expect(answer.json.detail).toContain('try again');
    }
    expect((await list(caller)).json.items.map((view) => view.viewId).sort()).toEqual(confirmed.sort());
  });

  it('shows nobody else’s views: not a colleague’s, not another tenant’s user with the same id', async () => {
    await put(agent, 'mine-only', { name: 'Mine only', queue: 'mine' });

    expect((await list(colleague)).json.items).toEqual([]);
    expect((await list(globex)).json.items).toEqual([]);
    expect((await remove(colleague, 'mine-only')).status).toBe(404);
    expect((await remove(globex, 'mine-only')).status).toBe(404);
    // The same id saved by someone else is their own view; the agent's stays as it was.
    expect((await put(colleague, 'mine-only', { name: 'Carl’s', queue: 'all-open' })).status).toBe(200);
    expect((await list(agent)).json.items.find((view) => view.viewId === 'mine-only')?.name).toBe(
      'Mine only',
    );
    expect((await list(colleague)).json.items.map((view) => view.name)).toEqual(['Carl’s']);
  });

  it('is for IT staff only', async () => {
    expect((await list(requester)).status).toBe(403);
    expect((await put(requester, 'x', { name: 'X', queue: 'mine' })).status).toBe(403);
    expect((await remove(requester, 'x')).status).toBe(403);
  });

  it.each([
    ['no name', { queue: 'mine' }, ['body.name']],
    ['a blank name', { name: '   ', queue: 'mine' }, ['body.name']],
    ['a name of 61 characters', { name: 'x'.repeat(61), queue: 'mine' }, ['body.name']],
    ['an unknown queue', { name: 'Q', queue: 'everything' }, ['body.queue']],
    [
      'an unknown priority and sort',
      { name: 'Q', queue: 'mine', priority: 'P9', sort: 'random' },
      ['body.priority', 'body.sort'],
    ],
    ['an unknown field', { name: 'Q', queue: 'mine', tenantId: 'globex' }, ['body']],
    [
      'a service not in the catalogue',
      { name: 'Q', queue: 'mine', serviceId: 'svc-none' },
      ['body.serviceId'],
    ],
    ['a team that does not exist', { name: 'Q', queue: 'mine', teamId: 'team-none' }, ['body.teamId']],
    ['another tenant’s team', { name: 'Q', queue: 'mine', teamId: 'team-desk' }, ['body.teamId'], globex],
  ] as const)(
    'answers 400 with field paths for %s, and saves nothing',
    async (_what, body, expected, caller = agent) => {
      const who: Caller = { ...caller, userId: 'u-views-invalid' };

      const answer = await put(who, 'bad', body);

      expect(answer.status).toBe(400);
      expect(paths(answer)).toEqual([...expected]);
      expect((await list(who)).json.items).toEqual([]);
    },
  );

  it('answers 400 for a view id that cannot be part of a path, and for a name already used', async () => {
    const caller: Caller = { ...agent, userId: 'u-views-names' };
    await put(caller, 'first', { name: 'Morning', queue: 'mine' });

    const badId = await put(caller, 'has space', { name: 'Spaced', queue: 'mine' });
    const taken = await put(caller, 'second', { name: 'MORNING', queue: 'unassigned' });

    expect(badId.status).toBe(400);
    expect(paths(badId)).toEqual(['params.viewId']);
    expect(taken.status).toBe(400);
    expect(paths(taken)).toEqual(['body.name']);
    expect(taken.json.errors?.[0]?.message).toContain('Morning');
    expect((await list(caller)).json.items.map((view) => view.viewId)).toEqual(['first']);
    // Renaming a view to its own name in other letter case is no clash.
    expect((await put(caller, 'first', { name: 'MORNING', queue: 'mine' })).status).toBe(200);
  });

  it('stores each user’s views under the tenant and the user', async () => {
    await put(agent, 'keyed', { name: 'Keyed', queue: 'mine' });

    const item = await getDatabase()
      .entities.savedViews.get({ tenantId: 'acme', userId: agent.userId ?? '' })
      .go({ attributes: ['tenantId', 'userId', 'version'] });
    const byTenant = await getDatabase().entities.savedViews.query.byTenant({ tenantId: 'acme' }).go();

    expect(item.data).toMatchObject({ tenantId: 'acme', userId: agent.userId });
    expect(byTenant.data.every((entry) => entry.tenantId === 'acme')).toBe(true);
    expect(byTenant.data.map((entry) => entry.userId)).toContain(agent.userId);
  });
});
