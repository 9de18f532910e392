import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyStructuredResultV2, DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTable, type LocalDatabase, startLocalDatabase } from '#infra/local/database/index.ts';
import { getDatabase } from '#shared/data/database.ts';
import type { FieldChange } from '#shared/events/service-catalogue.ts';
import { table } from '#shared/platform/table.ts';
import { type Caller, httpEvent, lambdaContext } from '../support/http-event.ts';
import { createTenantRecords } from '../support/tenants.ts';

/*
 * The catalogue's handler against the local database (dynalite with the project's transaction and
 * stream layer): real keys, real conditions, real pagination.
 */
let database: LocalDatabase;
const changes: DynamoDBRecord[] = [];
let handler: typeof import('#functions/service-catalogue/handler.ts').handler;
let manifest: typeof import('#functions/service-catalogue/manifest.ts').manifest;

const owner: Caller = { tenantId: 'acme', userId: 'u-owner', name: 'Olive', roles: ['service-owner'] };
const otherTenant: Caller = { tenantId: 'globex', userId: 'u-g', roles: ['tenant-admin'] };

async function call(event: ReturnType<typeof httpEvent>) {
  const result = (await handler(event, lambdaContext())) as APIGatewayProxyStructuredResultV2;
  return {
    status: result.statusCode,
    headers: result.headers ?? {},
    json: JSON.parse(result.body ?? 'null'),
  };
}

beforeAll(async () => {
  database = await startLocalDatabase();
  process.env.AWS_ENDPOINT_URL_DYNAMODB = database.endpoint;
  await ensureTable(new DynamoDBClient({ endpoint: database.endpoint }), table.logicalName, table);
  await createTenantRecords(['acme', 'globex']);
  database.onChange((records) => changes.push(...records));
  ({ handler } = await import('#functions/service-catalogue/handler.ts'));
  ({ manifest } = await import('#functions/service-catalogue/manifest.ts'));
});

afterAll(async () => {
  await database.stop();
});

describe('service catalogue on the local database', () => {
  it('creates a service and its outbox event atomically', async () => {
    const before = changes.length;

    const created = await call(
      httpEvent(manifest.routes.createService, { caller: owner, body: { name: 'Mail', owner: 'IT' } }),
    );

    expect(created.status).toBe(201);
    const inserted = changes.slice(before).map((record) => record.dynamodb?.NewImage?.pk?.S);
    expect(inserted).toEqual([
      `t#acme#service#${created.json.serviceId}`,
      expect.stringMatching(/^t#acme#outbox#/),
    ]);
  });

  it('lists by name across pages with signed cursors, and only the caller tenant', async () => {
    for (const name of ['Zeta', 'alpha', 'Beta', 'gamma']) {
      await call(httpEvent(manifest.routes.createService, { caller: owner, body: { name, owner: 'IT' } }));
    }
    await call(
      httpEvent(manifest.routes.createService, {
        caller: otherTenant,
        body: { name: 'Globex only', owner: 'IT' },
      }),
    );

    const names: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await call(
        httpEvent(manifest.routes.listServices, {
          caller: owner,
          query: { limit: '2', ...(cursor ? { cursor } : {}) },
        }),
      );
      expect(page.status).toBe(200);
      names.push(...page.json.items.map((item: { name: string }) => item.name));
      cursor = page.json.nextCursor ?? undefined;
      pages += 1;
    } while (cursor && pages < 10);

    expect(names).toEqual(['alpha', 'Beta', 'gamma', 'Mail', 'Zeta']);
  });

  it('lists one status in full pages, following status changes', async () => {
    const ids: string[] = [];
    for (const name of ['Old fax', 'Old pager', 'Old modem']) {
      const created = await call(
        httpEvent(manifest.routes.createService, {
          caller: owner,
          body: { name, owner: 'IT', status: 'retired' },
        }),
      );
      ids.push(created.json.serviceId);
    }
    const live = await call(
      httpEvent(manifest.routes.createService, {
        caller: owner,
        body: { name: 'Old VPN', owner: 'IT', status: 'live' },
      }),
    );
    await call(
      httpEvent(manifest.routes.updateService, {
        caller: owner,
        params: { serviceId: live.json.serviceId },
        headers: { 'if-match': '"1"' },
        body: { status: 'retired' },
      }),
    );

    const first = await call(
      httpEvent(manifest.routes.listServices, { caller: owner, query: { status: 'retired', limit: '2' } }),
    );
    const second = await call(
      httpEvent(manifest.routes.listServices, {
        caller: owner,
        query: { status: 'retired', limit: '2', cursor: first.json.nextCursor },
      }),
    );

    expect(first.json.items.map((s: { name: string }) => s.name)).toEqual(['Old fax', 'Old modem']);
    expect(second.json.items.map((s: { name: string }) => s.name)).toEqual(['Old pager', 'Old VPN']);
  });

  it('refuses a cursor of the same list in another tenant', async () => {
    const page = await call(
      httpEvent(manifest.routes.listServices, { caller: owner, query: { limit: '1' } }),
    );

    const replayed = await call(
      httpEvent(manifest.routes.listServices, {
        caller: otherTenant,
        query: { cursor: page.json.nextCursor },
      }),
    );

    expect(replayed.status).toBe(400);
  });

  it('lets exactly one of two concurrent edits of the same version win', async () => {
    const created = await call(
      httpEvent(manifest.routes.createService, { caller: owner, body: { name: 'VPN', owner: 'Net' } }),
    );
    const edit = (newOwner: string) =>
      call(
        httpEvent(manifest.routes.updateService, {
          caller: owner,
          params: { serviceId: created.json.serviceId },
          headers: { 'if-match': '"1"' },
          body: { owner: newOwner },
        }),
      );

    const results = await Promise.all([edit('Alice'), edit('Bob')]);

    expect(results.map((result) => result.status).sort()).toEqual([200, 412]);
    const winner = results.find((result) => result.status === 200)?.json.owner;
    const stored = await call(
      httpEvent(manifest.routes.getService, { caller: owner, params: { serviceId: created.json.serviceId } }),
    );
    expect(stored.json).toMatchObject({ owner: winner, version: 2 });
    expect(stored.headers.etag).toBe('"2"');
  });

  it('answers 404 for another tenant’s service id and leaves it untouched', async () => {
    const created = await call(
      httpEvent(manifest.routes.createService, { caller: owner, body: { name: 'ERP', owner: 'Apps' } }),
    );
    const serviceId = created.json.serviceId as string;

    const read = await call(
      httpEvent(manifest.routes.getService, { caller: otherTenant, params: { serviceId } }),
    );
    const write = await call(
      httpEvent(manifest.routes.updateService, {
        caller: otherTenant,
        params: { serviceId },
        headers: { 'if-match': '"1"' },
        body: { name: 'Hijacked' },
      }),
    );

    expect(read.status).toBe(404);
    expect(write.status).toBe(404);
    expect(JSON.stringify(read.json)).not.toContain('ERP');
    const mine = await call(httpEvent(manifest.routes.getService, { caller: owner, params: { serviceId } }));
    expect(mine.json.name).toBe('ERP');
  });
});

describe('business units subscribing to services', () => {
  const at = '2026-11-01T08:00:00.000Z';

  async function addUnit(tenantId: string, businessUnitId: string, name: string) {
    await getDatabase()
      .entities.businessUnit.create({
        tenantId,
        businessUnitId,
        name,
        costCentre: 'CC-1',
        version: 1,
        createdAt: at,
        updatedAt: at,
      })
      .go();
  }

  /** The `changes` of the events the catalogue wrote to the outbox since `before`, in order. */
  function announcedChanges(before: number): { detailType: string; changes: FieldChange[] }[] {
    return changes
      .slice(before)
      .map((record) => record.dynamodb?.NewImage)
      .filter((image) => image?.kind?.S === 'outbox')
      .map((image) => ({
        detailType: String(image?.detailType?.S),
        changes: (JSON.parse(String(image?.detail?.S)) as { data: { changes: FieldChange[] } }).data.changes,
      }));
  }

  beforeAll(async () => {
    await addUnit('acme', 'bu-sales', 'Sales');
    await addUnit('acme', 'bu-finance', 'Finance');
    await addUnit('acme', 'bu-hr', 'HR');
    await addUnit('globex', 'bu-globex', 'Globex Sales');
  });

  it('creates a service for some units and announces them in the creation', async () => {
    const before = changes.length;

    const created = await call(
      httpEvent(manifest.routes.createService, {
        caller: owner,
        body: { name: 'CRM', owner: 'Apps', consumerBusinessUnitIds: ['bu-sales', 'bu-finance'] },
      }),
    );

    expect(created.status).toBe(201);
    const read = await call(
      httpEvent(manifest.routes.getService, { caller: owner, params: { serviceId: created.json.serviceId } }),
    );
    expect(read.json.consumerBusinessUnitIds).toEqual(['bu-sales', 'bu-finance']);
    const [event] = announcedChanges(before);
    expect(event?.detailType).toBe('ServiceCreated');
    expect(event?.changes).toContainEqual({
      field: 'consumerBusinessUnitIds',
      from: null,
      to: ['bu-sales', 'bu-finance'],
    });
  });

  it('refuses units the tenant does not have, another tenant’s included, and writes nothing', async () => {
    const before = changes.length;

    const refused = await call(
      httpEvent(manifest.routes.createService, {
        caller: owner,
        body: { name: 'Payroll', owner: 'HR IT', consumerBusinessUnitIds: ['bu-hr', 'bu-globex', 'bu-none'] },
      }),
    );

    expect(refused.status).toBe(400);
    expect(refused.json.errors).toEqual([
      { path: 'body.consumerBusinessUnitIds', message: 'There are no business units bu-globex, bu-none' },
    ]);
    expect(changes.length).toBe(before);
  });

  it('adds and removes units with If-Match, each change in the audit trail’s event', async () => {
    const created = await call(
      httpEvent(manifest.routes.createService, {
        caller: owner,
        body: { name: 'Expenses', owner: 'Apps', consumerBusinessUnitIds: ['bu-finance'] },
      }),
    );
    const serviceId = created.json.serviceId as string;
    const before = changes.length;
    const patch = (version: number, body: unknown) =>
      call(
        httpEvent(manifest.routes.updateService, {
          caller: owner,
          params: { serviceId },
          headers: { 'if-match': `"${version}"` },
          body,
        }),
      );

    const added = await patch(1, { consumerBusinessUnitIds: ['bu-finance', 'bu-sales'] });
    const unknown = await patch(2, { consumerBusinessUnitIds: ['bu-finance', 'bu-globex'] });
    const removed = await patch(2, { consumerBusinessUnitIds: ['bu-sales'] });
    const everyone = await patch(3, { consumerBusinessUnitIds: [] });

    expect([added.status, unknown.status, removed.status, everyone.status]).toEqual([200, 400, 200, 200]);
    expect(added.headers.etag).toBe('"2"');
    expect(unknown.json.errors).toEqual([
      { path: 'body.consumerBusinessUnitIds', message: 'There is no business unit bu-globex' },
    ]);
    expect(everyone.json).toMatchObject({ consumerBusinessUnitIds: [], version: 4 });
    expect(announcedChanges(before)).toEqual([
      {
        detailType: 'ServiceUpdated',
        changes: [{ field: 'consumerBusinessUnitIds', from: ['bu-finance'], to: ['bu-finance', 'bu-sales'] }],
      },
      {
        detailType: 'ServiceUpdated',
        changes: [{ field: 'consumerBusinessUnitIds', from: ['bu-finance', 'bu-sales'], to: ['bu-sales'] }],
      },
      {
        detailType: 'ServiceUpdated',
        changes: [{ field: 'consumerBusinessUnitIds', from: ['bu-sales'], to: [] }],
      },
    ]);
  });

  it('reads a service stored before the field existed as offered to every unit, and can subscribe it', async () => {
    // Prepare: an item as the catalogue wrote it before services named their units
    await getDatabase()
      .entities.service.create({
        tenantId: 'acme',
        serviceId: 'svc-before-units',
        name: 'Intranet',
        description: '',
        owner: 'Web',
        status: 'live',
        version: 1,
        createdAt: at,
        createdBy: 'Ada',
        updatedAt: at,
        updatedBy: 'Ada',
      })
      .go();
    const params = { serviceId: 'svc-before-units' };

    // Act
    const read = await call(httpEvent(manifest.routes.getService, { caller: owner, params }));
    const listed = await call(
      httpEvent(manifest.routes.listServices, { caller: owner, query: { status: 'live', limit: '100' } }),
    );
    const before = changes.length;
    const subscribed = await call(
      httpEvent(manifest.routes.updateService, {
        caller: owner,
        params,
        headers: { 'if-match': '"1"' },
        body: { consumerBusinessUnitIds: ['bu-hr'] },
      }),
    );

    // Assess
    expect(read.json.consumerBusinessUnitIds).toEqual([]);
    expect(
      listed.json.items.find((item: { serviceId: string }) => item.serviceId === 'svc-before-units'),
    ).toMatchObject({ consumerBusinessUnitIds: [] });
    expect(subscribed.status).toBe(200);
    expect(announcedChanges(before)[0]?.changes).toEqual([
      { field: 'consumerBusinessUnitIds', from: [], to: ['bu-hr'] },
    ]);
  });
});
