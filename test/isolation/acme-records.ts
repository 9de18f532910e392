import { randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import type { LocalCloud } from '#infra/local/cloud.ts';
import { demoTenants } from '#infra/local/demo-data.ts';
import { bodyFor } from './bodies.ts';
import { type Answer, type Call, callRoute } from './http.ts';
import { routeNamed, usersOf } from './routes.ts';

/** The first tenant, whose data the second one must never see or touch. */
export const VICTIM = 'acme';
/** The second tenant, whose users try. */
export const PROBER = 'globex';

/** What a source may use to make an acme record through the API. */
export interface AcmeRecordMaker {
  /** Calls the named manifest route as the acme login `local` (`admin`, `owner`, ...). */
  call(routeName: string, local: string, call?: Omit<Call, 'token'>): Promise<Answer>;
  /** Calls a create route with its body from bodies.ts (carrying the acme marker); expects 2xx. */
  create(routeName: string, local: string, params?: Record<string, string>): Promise<Answer>;
  /** The acme value of another path parameter (sources may build on each other). */
  value(param: string): Promise<string>;
  /** Whether some manifest serves the route (processes are added over time). */
  has(routeName: string): boolean;
  /** The `sub` of an acme login, which is its user id. */
  userIdOf(local: string): string;
  /** Lets the outbox, bus and consumers finish, so the record's audit trail exists. */
  settle(): Promise<void>;
}

export interface ParamSource {
  /** How the value is obtained, for people reading a failure. */
  readonly how: string;
  readonly obtain: (acme: AcmeRecordMaker) => Promise<string>;
  /** A value any tenant knows (`acme`, `service`): not searched for in answers. */
  readonly notSecret?: true;
}

function field(answer: Answer, path: readonly string[]): string {
  let value: unknown = answer.json;
  for (const key of path) value = (value as Record<string, unknown> | undefined)?.[key];
  if (typeof value !== 'string') {
    throw new Error(`Expected ${path.join('.')} in the answer, got ${answer.status} ${answer.text}`);
  }
  return value;
}

/**
 * Where every path parameter of every manifest route gets a real acme value from. A route with a
 * parameter that is not listed here fails the walk by name: add a source here, made through the API.
 */
export const ACME_PARAM_SOURCES: Readonly<Record<string, ParamSource>> = {
  tenantId: { how: 'acme’s own tenant id', obtain: async () => VICTIM, notSecret: true },
  serviceId: {
    how: 'a service acme’s service owner adds to the catalogue',
    obtain: async (acme) => field(await acme.create('createService', 'owner'), ['serviceId']),
  },
  entityType: { how: 'service, the kind of record below', obtain: async () => 'service', notSecret: true },
  entityId: {
    how: 'the acme service above, once its audit trail is written',
    obtain: async (acme) => {
      const serviceId = await acme.value('serviceId');
      await acme.settle();
      return serviceId;
    },
  },
  userId: {
    how: 'a user acme’s admin invites (the acme agent where no process invites users yet)',
    obtain: async (acme) =>
      acme.has('inviteUser')
        ? field(await acme.create('inviteUser', 'admin'), ['user', 'userId'])
        : acme.userIdOf('agent'),
  },
  teamId: {
    how: 'a team acme’s admin creates, with the acme user above as a member',
    obtain: async (acme) => {
      const teamId = field(await acme.create('createTeam', 'admin'), ['teamId']);
      if (acme.has('addTeamMember')) {
        const added = await acme.call('addTeamMember', 'admin', {
          params: { teamId, userId: await acme.value('userId') },
        });
        if (added.status >= 300) throw new Error(`Adding an acme team member failed: ${added.text}`);
      }
      return teamId;
    },
  },
  incidentId: {
    how: 'an incident acme’s requester reports',
    obtain: async (acme) => field(await acme.create('createIncident', 'requester'), ['incidentId']),
  },
  notificationId: {
    how: 'the notification acme’s agent gets when acme’s admin assigns a new acme incident to them',
    obtain: async (acme) => {
      const incidentId = field(await acme.create('createIncident', 'requester'), ['incidentId']);
      const assigned = await acme.call('assignIncident', 'admin', {
        params: { incidentId },
        body: { teamId: null, assigneeId: acme.userIdOf('agent') },
        headers: { 'if-match': '"1"' },
      });
      if (assigned.status >= 300) throw new Error(`Assigning an acme incident failed: ${assigned.text}`);
      await acme.settle();
      const listed = await acme.call('listNotifications', 'agent');
      const items = (listed.json as { items?: { notificationId: string; incidentId: string }[] }).items ?? [];
      const mine = items.find((item) => item.incidentId === incidentId);
      if (mine === undefined) throw new Error(`The acme agent got no notification: ${listed.text}`);
      return mine.notificationId;
    },
  },
  recomputationId: {
    how: 'an SLA recomputation acme’s admin starts',
    obtain: async (acme) => field(await acme.create('startSlaRecomputation', 'admin'), ['jobId']),
  },
  importId: {
    how: 'an import of one past incident acme’s admin starts',
    obtain: async (acme) => field(await acme.create('startIncidentImport', 'admin'), ['jobId']),
  },
  businessUnitId: {
    how: 'a business unit acme’s admin creates',
    obtain: async (acme) => field(await acme.create('createBusinessUnit', 'admin'), ['businessUnitId']),
  },
  viewId: {
    how: 'a saved queue view acme’s admin saves (the first acme reader of the saved views list)',
    obtain: async (acme) =>
      field(
        await acme.create('putSavedView', 'admin', { viewId: `view-${randomBytes(6).toString('hex')}` }),
        ['viewId'],
      ),
  },
};

/**
 * Acme's logins, records and secrets: every id, name and email the walk must never find in an answer
 * given to globex.
 */
export class AcmeRecords implements AcmeRecordMaker {
  /** Part of every name and email the test creates in acme. */
  readonly marker = `${VICTIM}-secret-${randomBytes(4).toString('hex')}`;
  readonly #secrets = new Set<string>();
  readonly #values = new Map<string, Promise<string>>();
  readonly #tokens = new Map<string, string>();
  readonly #cloud: LocalCloud;

  private constructor(cloud: LocalCloud) {
    this.#cloud = cloud;
  }

  /** Signs in every demo login of both tenants and the operator, and notes acme's known secrets. */
  static async open(cloud: LocalCloud, emails: readonly string[]): Promise<AcmeRecords> {
    const records = new AcmeRecords(cloud);
    for (const email of emails) records.#tokens.set(email, await cloud.login(email));
    records.#secrets.add(records.marker);
    const tenant = demoTenants.find((candidate) => candidate.tenantId === VICTIM);
    if (tenant !== undefined) {
      records.#secrets.add(`@${tenant.emailDomain}`);
      records.#secrets.add(tenant.name);
    }
    for (const user of usersOf(VICTIM)) {
      records.#secrets.add(user.name);
      records.#secrets.add(records.userIdOf(user.email.split('@')[0] ?? ''));
    }
    return records;
  }

  token(email: string): string {
    const token = this.#tokens.get(email);
    if (token === undefined) throw new Error(`${email} did not sign in`);
    return token;
  }

  userIdOf(local: string): string {
    const sub = decodeJwt(this.token(`${local}@${VICTIM}.example`)).sub;
    if (sub === undefined) throw new Error(`The token of ${local} has no sub`);
    return sub;
  }

  has(routeName: string): boolean {
    return routeNamed(routeName) !== undefined;
  }

  async call(routeName: string, local: string, call: Omit<Call, 'token'> = {}): Promise<Answer> {
    const walked = routeNamed(routeName);
    if (walked === undefined) {
      throw new Error(`No manifest serves ${routeName}, which test/isolation/acme-records.ts uses`);
    }
    return callRoute(this.#cloud.url, walked.route, {
      ...call,
      token: this.token(`${local}@${VICTIM}.example`),
    });
  }

  async create(routeName: string, local: string, params: Record<string, string> = {}): Promise<Answer> {
    const walked = routeNamed(routeName);
    if (walked === undefined) throw new Error(`No manifest serves ${routeName}`);
    const answer = await this.call(routeName, local, { params, body: bodyFor(walked, this.marker) });
    if (answer.status < 200 || answer.status >= 300) {
      throw new Error(`Creating an acme record with ${routeName} failed: ${answer.status} ${answer.text}`);
    }
    return answer;
  }

  value(param: string): Promise<string> {
    const source = ACME_PARAM_SOURCES[param];
    if (source === undefined) {
      return Promise.reject(new Error(`test/isolation/acme-records.ts has no source for {${param}}`));
    }
    let pending = this.#values.get(param);
    if (pending === undefined) {
      pending = source.obtain(this).then((value) => {
        if (source.notSecret !== true) this.#secrets.add(value);
        return value;
      });
      this.#values.set(param, pending);
    }
    return pending;
  }

  /** Values of the given parameters; all must have a source. */
  async values(params: readonly string[]): Promise<Record<string, string>> {
    const entries = await Promise.all(params.map(async (param) => [param, await this.value(param)] as const));
    return Object.fromEntries(entries);
  }

  addSecret(value: string): void {
    this.#secrets.add(value);
  }

  settle(): Promise<void> {
    return this.#cloud.idle();
  }

  /** Acme secrets found in `text`, leaving out those the request itself carried (echoes are no leak). */
  secretsIn(text: string, request: string): string[] {
    return [...this.#secrets].filter((secret) => text.includes(secret) && !request.includes(secret));
  }

  get secretCount(): number {
    return this.#secrets.size;
  }
}
