import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { type LocalCloud, startLocalCloud } from '#infra/local/cloud.ts';
import { type DemoUser, demoUsers } from '#infra/local/demo-data.ts';
import type { BusEnvelope, DomainEventDetail } from '#shared/events/envelope.ts';
import { ServiceUpdated } from '#shared/events/service-catalogue.ts';
import { ACME_PARAM_SOURCES, AcmeRecords, PROBER, VICTIM } from './acme-records.ts';
import { BODIES, bodyFor, withForeignTenant } from './bodies.ts';
import { type Answer, callRoute, headerText, pathOf } from './http.ts';
import {
  demoUser,
  everyRoute,
  isListRoute,
  isPlatformRoute,
  isPublicRoute,
  isTenantRoute,
  loginName,
  loginsFor,
  operator,
  routeNamed,
  type WalkedRoute,
} from './routes.ts';
import { forgeTokens, REFUSED_TOKENS, type TokenForge } from './tokens.ts';

/*
 * Tenant isolation, proven against the whole product on one machine: every route of every manifest
 * (read from functions/manifests.ts, so a new route is walked without editing this file) is called by
 * the second tenant's users with the first tenant's real ids, and must refuse with nothing of the
 * first tenant in the answer. Then role escalation, forged tokens, cursors and forged events.
 */

const dataDir = mkdtempSync(join(tmpdir(), 'itsm-isolation-'));
let cloud: LocalCloud;
let acme: AcmeRecords;
let tokens: TokenForge;
/** Part of every name the probes create, so their own records can be told from acme's. */
const probeMarker = `${PROBER}-probe-${randomBytes(4).toString('hex')}`;
/** Every event put on the bus, from before acme's records are made. */
const published: BusEnvelope<DomainEventDetail>[] = [];
/** What acme's users read on every tenant GET route before the walk. */
let acmeBefore: Map<string, string>;

/**
 * What a public route may show of the tenant its path names; the rest of its answer is searched for
 * acme's secrets like any other. A public route not listed here fails: say what it may show.
 */
const PUBLIC_FACE: Readonly<Record<string, (body: Record<string, unknown>) => Record<string, unknown>>> = {
  // acme's branded sign-in page shows acme's display name, logo and colour to anyone: its purpose.
  getPublicBranding: ({ branding: _shownOnTheSignInPage, ...rest }) => rest,
  // The API description is the same for everyone and names no tenant.
  getOpenApi: (body) => body,
};

/**
 * Routes whose path id is a name in the caller's own space, not a reference to a record: a saved view
 * is keyed by the token's tenant and user plus an id the client chooses, so acme's view id sent by
 * globex only names (creates, then deletes) a globex view. These may answer 2xx; their answers are
 * searched for acme's secrets like any other, and acme's view staying as it was is checked by "acme
 * reads exactly what it read before" (acme's admin, who saved it, is the first reader of the list).
 */
const CALLER_NAMED_IDS: ReadonlySet<string> = new Set(['putSavedView', 'deleteSavedView']);

function tokenOf(user: DemoUser): string {
  return acme.token(user.email);
}

function mayCall(walked: WalkedRoute, user: DemoUser): boolean {
  return walked.route.roles.some((role) => user.roles.includes(role));
}

/** A problem for every property named `tenantId` that names a tenant other than `tenantId`. */
function foreignTenantIds(value: unknown, tenantId: string, at = 'body'): string[] {
  if (Array.isArray(value))
    return value.flatMap((item, i) => foreignTenantIds(item, tenantId, `${at}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    key === 'tenantId' && inner !== tenantId
      ? [`${at}.${key} = ${String(inner)}`]
      : foreignTenantIds(inner, tenantId, `${at}.${key}`),
  );
}

/** Keys of an answer its response schema does not declare (objects only, followed as deep as the schema). */
function undeclaredKeys(schema: z.ZodType, value: unknown, at = 'body'): string[] {
  const shape = (schema as { shape?: Record<string, z.ZodType> }).shape;
  if (shape === undefined || value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  return Object.entries(value).flatMap(([key, inner]) => {
    const declared = shape[key];
    return declared === undefined ? [`${at}.${key}`] : undeclaredKeys(declared, inner, `${at}.${key}`);
  });
}

/** The request as one string, so values it carried are not mistaken for leaks when echoed back. */
function sentText(
  walked: WalkedRoute,
  sent: { params: object; query: object; body: unknown; headers: object },
) {
  return JSON.stringify({ path: pathOf(walked.route, sent.params as Record<string, string>), ...sent });
}

/** Calls a route with acme's ids, a valid body and `If-Match: "1"`, as `user`, naming acme wherever a client could. */
async function probe(walked: WalkedRoute, token: string | undefined, marker: string) {
  const params = await acme.values(walked.params);
  const body = withForeignTenant(walked, bodyFor(walked, marker), VICTIM);
  const query = { tenantId: VICTIM };
  const headers: Record<string, string> = {
    'x-tenant-id': VICTIM,
    'x-correlation-id': `isolation-${randomUUID()}`,
    ...(walked.route.requiresIfMatch === true ? { 'if-match': '"1"' } : {}),
  };
  const answer = await callRoute(cloud.url, walked.route, { token, params, query, body, headers });
  return { answer, sent: sentText(walked, { params, query, body, headers }) };
}

/** acme's answer on every tenant GET route, for comparing before and after the walk. */
async function readAcme(): Promise<Map<string, string>> {
  const reads = new Map<string, string>();
  const acmeUsers = demoUsers.filter((user) => user.tenantId === VICTIM);
  for (const walked of everyRoute) {
    if (walked.route.method !== 'GET' || !isTenantRoute(walked)) continue;
    if (walked.params.some((param) => ACME_PARAM_SOURCES[param] === undefined)) continue;
    const reader = acmeUsers.find((user) => mayCall(walked, user));
    if (reader === undefined) continue;
    const answer = await callRoute(cloud.url, walked.route, {
      token: tokenOf(reader),
      params: await acme.values(walked.params),
    });
    // The moment of an export is the only thing allowed to differ between two reads.
    reads.set(walked.key, `${answer.status} ${answer.text.replace(/"exportedAt":"[^"]*"/g, '')}`);
  }
  return reads;
}

beforeAll(async () => {
  cloud = await startLocalCloud({
    dataDir,
    seedDemo: true,
    busRetry: { attempts: 2, baseDelayMs: 10 },
    ttlSweepMs: 0,
  });
  cloud.bus.addRule({
    name: 'isolation.recorder',
    pattern: { source: [{ prefix: 'itsm.' }] },
    target: async (envelope) => {
      published.push(envelope as BusEnvelope<DomainEventDetail>);
    },
  });
  acme = await AcmeRecords.open(
    cloud,
    demoUsers.map((user) => user.email),
  );
  acme.addSecret(`t#${VICTIM}#`);

  const seeded = await acme.call('listServices', 'admin', { query: { limit: '100' } });
  for (const service of (seeded.json as { items: { serviceId: string }[] }).items)
    acme.addSecret(service.serviceId);
  // One real acme record per path parameter any manifest route uses (unknown ones fail below).
  for (const param of new Set(everyRoute.flatMap((walked) => walked.params))) {
    if (ACME_PARAM_SOURCES[param] !== undefined) await acme.value(param);
  }
  await acme.settle();
  // acme's own first reads may change acme (the first /me of an invited user activates it); the
  // snapshot is taken once reading changes nothing any more.
  await readAcme();
  await acme.settle();
  acmeBefore = await readAcme();
  tokens = await forgeTokens({
    cloudUrl: cloud.url,
    dataDir,
    acmeToken: acme.token(`admin@${VICTIM}.example`),
    globexToken: acme.token(`admin@${PROBER}.example`),
  });
});

afterAll(async () => {
  await cloud?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the walk covers every route', () => {
  it('every path parameter of every route has an acme source in acme-records.ts', () => {
    const missing = everyRoute.flatMap((walked) =>
      walked.params
        .filter((param) => ACME_PARAM_SOURCES[param] === undefined)
        .map((param) => `${walked.key} (${walked.process}.${walked.name}): {${param}}`),
    );
    expect(missing, 'add a source for each to ACME_PARAM_SOURCES').toEqual([]);
  });

  it('every route with a body has a valid body in bodies.ts', () => {
    const missing = everyRoute
      .filter((walked) => walked.route.body !== undefined && BODIES[walked.name] === undefined)
      .map((walked) => `${walked.key} (${walked.process}.${walked.name})`);
    expect(missing, 'add a minimal valid body for each to BODIES').toEqual([]);
  });

  it('every public route says what it may show', () => {
    const missing = everyRoute
      .filter((walked) => isPublicRoute(walked) && PUBLIC_FACE[walked.name] === undefined)
      .map((walked) => walked.key);
    expect(missing, 'add each to PUBLIC_FACE in this file').toEqual([]);
  });

  it('acme has real records to find', () => {
    expect(acme.secretCount).toBeGreaterThan(10);
    expect(acmeBefore.size).toBeGreaterThan(0);
  });
});

const walkCases = everyRoute.flatMap((walked) =>
  loginsFor(walked, PROBER).map(
    (user) => [`${walked.key} (${walked.name}) as globex ${loginName(user)}`, walked, user] as const,
  ),
);

describe('globex users on every route with acme’s ids', () => {
  it.each(walkCases)('%s', async (_name, walked, user) => {
    const { answer, sent } = await probe(walked, tokenOf(user), probeMarker);
    const where = `${walked.key} as ${user.email} answered ${answer.status} ${answer.text.slice(0, 300)}`;

    if (isPublicRoute(walked)) {
      // A public route may answer (getPublicBranding of acme: acme's sign-in branding), nothing more.
      expect([200, 404], where).toContain(answer.status);
      const face = PUBLIC_FACE[walked.name];
      expect(face, `${walked.name} is public: say in PUBLIC_FACE what it may show`).toBeDefined();
      if (answer.status === 200 && face !== undefined) {
        expect(undeclaredKeys(walked.route.response, answer.json), where).toEqual([]);
        const rest = JSON.stringify(face(answer.json as Record<string, unknown>));
        expect(acme.secretsIn(rest + headerText(answer.headers), sent), where).toEqual([]);
      }
      return;
    }

    if (!mayCall(walked, user)) {
      expect(answer.status, where).toBe(403);
    } else if (CALLER_NAMED_IDS.has(walked.name)) {
      // 404: a delete of a name the caller has no view under (e.g. when run without the PUT before it).
      expect([200, 201, 204, 404], where).toContain(answer.status);
      expect(foreignTenantIds(answer.json, PROBER), where).toEqual([]);
    } else if (walked.params.length > 0) {
      // A page of a list keyed by another tenant's id may also come back empty: that reveals neither
      // data nor whether the id exists anywhere.
      const emptyPage =
        answer.status === 200 &&
        isListRoute(walked) &&
        (answer.json as { items?: unknown[] }).items?.length === 0;
      if (!emptyPage) expect([403, 404], where).toContain(answer.status);
    } else {
      // No id in the path: the route acts on globex's own records (a list, a create, its own tenant).
      expect(answer.status, where).toBeLessThan(500);
      expect(answer.status, where).not.toBe(401);
      expect(foreignTenantIds(answer.json, PROBER), where).toEqual([]);
    }
    expect(acme.secretsIn(answer.text + headerText(answer.headers), sent), where).toEqual([]);
  });
});

const escalationCases = [
  ...everyRoute
    .filter((walked) => !isPublicRoute(walked) && !walked.route.roles.includes('requester'))
    .map(
      (walked) => [`${walked.key} (${walked.name}) refuses acme's requester`, walked, 'requester'] as const,
    ),
  ...everyRoute
    .filter(isPlatformRoute)
    .map(
      (walked) => [`${walked.key} (${walked.name}) refuses acme's tenant admin`, walked, 'admin'] as const,
    ),
  ...everyRoute
    .filter(isTenantRoute)
    .map(
      (walked) =>
        [`${walked.key} (${walked.name}) refuses the platform operator`, walked, 'operator'] as const,
    ),
];

describe('role escalation', () => {
  it.each(escalationCases)('%s', async (_name, walked, who) => {
    const user = who === 'operator' ? operator : demoUser(VICTIM, who);
    const { answer } = await probe(walked, tokenOf(user), `${VICTIM}-escalation`);

    expect(answer.status, `${walked.key} as ${user.email}: ${answer.text.slice(0, 300)}`).toBe(403);
  });
});

const protectedRoutes = everyRoute.filter((walked) => !isPublicRoute(walked));

describe('tokens', () => {
  it('a token re-signed by the real key with unchanged claims is accepted (the forged ones differ only as named)', async () => {
    const listServices = routeNamed('listServices');
    if (listServices === undefined)
      throw new Error('listServices is the control route; no manifest serves it');
    const answer = await callRoute(cloud.url, listServices.route, { token: await tokens.signed({}) });
    expect(answer.status).toBe(200);
  });

  it.each(REFUSED_TOKENS)('%s: 401 on every protected route', async (kind) => {
    const answers = await Promise.all(
      protectedRoutes.map(async (walked) => {
        const { answer } = await probe(walked, tokens.refused[kind], `${PROBER}-forged`);
        return `${walked.key} ${answer.status}`;
      }),
    );

    expect(answers).toEqual(protectedRoutes.map((walked) => `${walked.key} 401`));
  });
});

describe('pagination cursors', () => {
  function route(name: string): WalkedRoute {
    const walked = routeNamed(name);
    if (walked === undefined) throw new Error(`The cursor tests use ${name}; no manifest serves it`);
    return walked;
  }

  async function page(
    email: string,
    name: string,
    query: Record<string, string>,
    params = {},
  ): Promise<Answer> {
    return callRoute(cloud.url, route(name).route, { token: acme.token(email), params, query });
  }

  /** The first page's cursor of acme's catalogue, one service per page. */
  async function servicesCursor(email: string): Promise<string> {
    const first = await page(email, 'listServices', { limit: '1' });
    const cursor = (first.json as { nextCursor: string | null }).nextCursor;
    if (cursor === null) throw new Error('acme’s catalogue has a single page');
    return cursor;
  }

  function changeOneCharacter(cursor: string, index: number): string {
    const character = cursor[index] === 'A' ? 'B' : 'A';
    return `${cursor.slice(0, index)}${character}${cursor.slice(index + 1)}`;
  }

  it('works for the user, list and query it was made for', async () => {
    const cursor = await servicesCursor('owner@acme.example');
    expect((await page('owner@acme.example', 'listServices', { limit: '1', cursor })).status).toBe(200);
  });

  it('from acme’s list is refused to globex', async () => {
    const cursor = await servicesCursor('admin@acme.example');
    expect((await page('admin@globex.example', 'listServices', { limit: '1', cursor })).status).toBe(400);
  });

  it('from acme’s owner is refused to acme’s agent on the same list', async () => {
    const cursor = await servicesCursor('owner@acme.example');
    expect((await page('agent@acme.example', 'listServices', { limit: '1', cursor })).status).toBe(400);
  });

  it('from the services list is refused on the audit list', async () => {
    const cursor = await servicesCursor('owner@acme.example');
    const params = { entityType: 'service', entityId: await acme.value('serviceId') };
    expect((await page('owner@acme.example', 'listRecordAudit', { cursor }, params)).status).toBe(400);
  });

  it('with one character changed is refused, in the payload or in the signature', async () => {
    const cursor = await servicesCursor('owner@acme.example');
    const signatureAt = cursor.indexOf('.') + 10;
    for (const tampered of [changeOneCharacter(cursor, 10), changeOneCharacter(cursor, signatureAt)]) {
      expect(tampered).not.toBe(cursor);
      expect(
        (await page('owner@acme.example', 'listServices', { limit: '1', cursor: tampered })).status,
      ).toBe(400);
    }
  });
});

describe('after the walk', () => {
  it('acme reads exactly what it read before', async () => {
    await cloud.idle();
    expect(Object.fromEntries(await readAcme())).toEqual(Object.fromEntries(acmeBefore));
  });

  it('every event names the tenant whose records it carries', async () => {
    await cloud.idle();
    const mentioning = (needle: string) =>
      published.filter((envelope) => JSON.stringify(envelope.detail).includes(needle));
    expect(mentioning(acme.marker).length).toBeGreaterThan(0);
    for (const envelope of mentioning(acme.marker)) expect(envelope.detail.tenantId).toBe(VICTIM);
    for (const envelope of mentioning(probeMarker)) expect(envelope.detail.tenantId).toBe(PROBER);
  });
});

describe('events', () => {
  it('a ServiceUpdated claiming globex for an acme service touches nothing of acme', async () => {
    const serviceId = await acme.value('serviceId');
    const params = { entityType: 'service', entityId: serviceId };
    const trail = () => acme.call('listRecordAudit', 'owner', { params });
    const service = () => acme.call('getService', 'owner', { params: { serviceId } });
    const [trailBefore, serviceBefore] = [await trail(), await service()];
    const correlationId = `isolation-forged-${randomUUID()}`;
    const detail = {
      eventId: randomUUID(),
      tenantId: PROBER,
      occurredAt: new Date().toISOString(),
      version: 1,
      correlationId,
      actor: { userId: 'forger', name: 'Forger' },
      data: {
        serviceId,
        name: 'Forged',
        status: 'retired',
        recordVersion: 2,
        changes: [{ field: 'status', from: 'live', to: 'retired' }],
      },
    };

    const result = cloud.bus.putEvents([
      {
        Source: ServiceUpdated.source,
        DetailType: ServiceUpdated.detailType,
        EventBusName: 'itsm-local',
        Detail: JSON.stringify(detail),
      },
    ]);
    await cloud.idle();

    expect(result.FailedEntryCount).toBe(0);
    expect((await trail()).json).toEqual(trailBefore.json);
    expect((await service()).text).toBe(serviceBefore.text);
    // Whatever the consumer recorded lives in globex's partition and holds only what the event said.
    const globexTrail = await callRoute(cloud.url, route('listRecordAudit'), {
      token: acme.token(`admin@${PROBER}.example`),
      params,
    });
    expect(globexTrail.status).toBe(200);
    for (const entry of (globexTrail.json as { items: { correlationId: string }[] }).items) {
      expect(entry.correlationId).toBe(correlationId);
    }
    expect(acme.secretsIn(globexTrail.text, JSON.stringify(detail))).toEqual([]);
  });

  function route(name: string) {
    const walked = routeNamed(name);
    if (walked === undefined) throw new Error(`The event test uses ${name}; no manifest serves it`);
    return walked.route;
  }
});
