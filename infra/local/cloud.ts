import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
  DynamoDBBatchResponse,
  DynamoDBRecord,
} from 'aws-lambda';
import { manifests } from '#functions/manifests.ts';
import type { BusEnvelope } from '#shared/events/envelope.ts';
import { matchesPattern } from '#shared/platform/event-pattern-match.ts';
import type { ProcessManifest } from '#shared/platform/manifest.ts';
import { OUTBOX_STREAM_FILTER, table } from '#shared/platform/table.ts';
import { LocalEventBus } from './bus/event-bus.ts';
import { startPutEventsServer } from './bus/put-events-endpoint.ts';
import { ensureTable, startLocalDatabase } from './database/index.ts';
import { DEMO_PASSWORD, demoUsers } from './demo-data.ts';
import { seedDemoData } from './demo-seed.ts';
import { startGateway } from './gateway/index.ts';
import {
  createLocalIdentityProvider,
  InvitationMailbox,
  LOCAL_USER_POOL_ID,
  startCognitoAdminServer,
  UserDirectory,
} from './identity/index.ts';
import { LocalMailbox, startMailCaptureServer } from './mail/mailbox.ts';
import { LocalScheduler } from './schedules/local-scheduler.ts';

export interface LocalCloudOptions {
  /** Where the database, users, keys and dead letters live; kept between starts. */
  readonly dataDir: string;
  /** 0 picks a free port. */
  readonly port?: number;
  readonly host?: string;
  /** The built web app; served with `/api` on the same origin. */
  readonly webDir?: string;
  /** Create the demo tenants, users and services on first start. */
  readonly seedDemo?: boolean;
  /** With the demo, a handful of incidents in every state, so the desk and dashboard have work. */
  readonly demoIncidents?: boolean;
  /** Print one line per request and per event delivery. */
  readonly print?: (line: string) => void;
  /** Retry policy of the local bus; tests shorten it. */
  readonly busRetry?: { attempts: number; baseDelayMs: number };
  /** How often expired items are swept (DynamoDB TTL); 0 turns the sweeper off. */
  readonly ttlSweepMs?: number;
  /**
   * Wraps every function invocation (route, subscription, schedule, stream batch) and must call `run`
   * once. For measuring (`npm run bench` attributes table requests and durations to what ran); what
   * the handler gets and returns is unchanged.
   */
  readonly aroundInvoke?: (invocation: LocalInvocation, run: () => Promise<unknown>) => Promise<unknown>;
}

/** One function invocation as {@link LocalCloudOptions.aroundInvoke} sees it. */
export interface LocalInvocation {
  readonly processName: string;
  /** What the handler gets: a payload 2.0 request, a bus or scheduled envelope, or a stream batch. */
  readonly event: unknown;
}

export interface LocalCloud {
  readonly url: string;
  readonly bus: LocalEventBus;
  readonly scheduler: LocalScheduler;
  /** Resolves when every stream record and bus delivery so far has been handled. */
  idle(): Promise<void>;
  /** Signs in like the web app does and returns an ID token. */
  login(email: string, password?: string): Promise<string>;
  stop(): Promise<void>;
}

type Handler = (event: unknown, context: Context) => Promise<unknown>;

const AUDIENCE = 'itsm-local-web';
const BUS_NAME = 'itsm-local';

function lambdaContext(functionName: string): Context {
  const deadline = Date.now() + 10_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** A secret that survives restarts, so cursors handed out before a restart still work. */
function persistentSecret(dataDir: string, name: string): string {
  const file = join(dataDir, name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

/**
 * Handlers read the same environment variables as in Lambda; the AWS SDK's own endpoint variables
 * point them at the emulators. Set before any handler creates a client.
 */
function configureEnvironment(values: Record<string, string>): void {
  for (const [key, value] of Object.entries(values)) process.env[key] = value;
}

async function loadHandlers(list: readonly ProcessManifest[]): Promise<Map<string, Handler>> {
  const handlers = new Map<string, Handler>();
  for (const manifest of list) {
    const module = (await import(`#functions/${manifest.name}/handler.ts`)) as { handler: Handler };
    handlers.set(manifest.name, module.handler);
  }
  return handlers;
}

/**
 * The whole product on one machine, from the same manifests and table definition as the CDK stack:
 * database with stream and TTL, event bus with retries and dead letters, timers, identity provider,
 * HTTP API and the web app.
 */
export async function startLocalCloud(options: LocalCloudOptions): Promise<LocalCloud> {
  const print = options.print ?? (() => undefined);
  mkdirSync(options.dataDir, { recursive: true });

  const database = await startLocalDatabase({ dataDir: join(options.dataDir, 'database') });
  const bus = new LocalEventBus({
    busName: BUS_NAME,
    dataDir: options.dataDir,
    ...(options.busRetry ? { retry: options.busRetry } : {}),
    log: (line) =>
      print(
        `event ${line.detailType} -> ${line.rule} ${line.status}${line.attempt > 1 ? ` (attempt ${line.attempt})` : ''} ${line.ms}ms ${line.tenantId ?? '-'}`,
      ),
  });
  const busEndpoint = await startPutEventsServer(bus);

  const users = new UserDirectory(join(options.dataDir, 'users.json'));
  const mailbox = new InvitationMailbox(users, join(options.dataDir, 'invitations.json'));
  // Invitations are only sent once the gateway runs, so its URL is known by then.
  let publicUrl = '';
  const cognitoAdmin = await startCognitoAdminServer(users, {
    poolId: LOCAL_USER_POOL_ID,
    onInvitation: (invitation) => {
      const mail = mailbox.deliver(invitation, publicUrl);
      print(`mail  invitation for ${mail.email} (${mail.tenantId}): ${mail.acceptUrl}`);
    },
  });

  const mail = new LocalMailbox();
  const mailCapture = await startMailCaptureServer(mail, (sent) =>
    print(`mail  ${sent.subject} -> ${sent.to}`),
  );

  configureEnvironment({
    LOCAL_MAIL_ENDPOINT: mailCapture.endpoint,
    AWS_REGION: 'local',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: database.endpoint,
    AWS_ENDPOINT_URL_EVENTBRIDGE: busEndpoint.endpoint,
    AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: cognitoAdmin.endpoint,
    USER_POOL_ID: LOCAL_USER_POOL_ID,
    TABLE_NAME: table.logicalName,
    EVENT_BUS_NAME: BUS_NAME,
    CURSOR_SIGNING_KEY: persistentSecret(options.dataDir, 'cursor-signing-key'),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'WARN',
  });
  await ensureTable(new DynamoDBClient({ endpoint: database.endpoint }), table.logicalName, table);

  const handlers = await loadHandlers(manifests);
  const invoke = async (processName: string, event: unknown): Promise<unknown> => {
    const handler = handlers.get(processName);
    if (!handler) throw new Error(`No function for process ${processName}`);
    const run = () => handler(event, lambdaContext(processName));
    return options.aroundInvoke ? options.aroundInvoke({ processName, event }, run) : run();
  };

  for (const manifest of manifests) {
    for (const [name, subscription] of Object.entries(manifest.subscriptions)) {
      bus.addRule({
        name: `${manifest.name}.${name}`,
        pattern: subscription.pattern,
        target: async (envelope) => {
          await invoke(manifest.name, envelope);
        },
      });
    }
  }

  const scheduler = new LocalScheduler({});
  for (const manifest of manifests) {
    for (const [name, schedule] of Object.entries(manifest.schedules)) {
      scheduler.add({
        name,
        expression: schedule.expression,
        target: async (envelope: BusEnvelope) => {
          await invoke(manifest.name, envelope);
        },
      });
    }
  }
  scheduler.start();

  const streamReaders = manifests.filter((manifest) => manifest.access.tableStream);
  const stream = createStreamPump(streamReaders, invoke, print);
  const unsubscribe = database.onChange((records) => stream.push(records));
  const sweepMs = options.ttlSweepMs ?? 30_000;
  const sweeper =
    sweepMs > 0 ? setInterval(() => void database.sweepExpired().catch(() => undefined), sweepMs) : undefined;

  let identity: Awaited<ReturnType<typeof createLocalIdentityProvider>> | undefined;
  const seeded = options.seedDemo === true;

  const gateway = await startGateway({
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
    manifests,
    invoke: async (processName, event: APIGatewayProxyEventV2WithJWTAuthorizer) =>
      (await invoke(processName, event)) as APIGatewayProxyStructuredResultV2,
    verifyToken: async (token) => {
      if (!identity) throw new Error('The identity provider is starting');
      return identity.verify(token);
    },
    ...(options.webDir && existsSync(options.webDir) ? { staticDir: options.webDir } : {}),
    extraHandlers: [
      async (req, res) => (identity ? identity.handle(req, res) : false),
      async (req, res) => serveConfig(req, res, seeded),
      async (req, res) => serveDeadLetters(req, res, bus),
      async (req, res) => mailbox.handle(req, res),
      async (req, res) => mail.handle(req, res),
    ],
    log: (line) =>
      print(
        `http  ${line.method} ${line.path} ${line.status} ${line.ms}ms ${line.tenantId ?? '-'}${line.route ? '' : ' (no route)'}`,
      ),
  });
  publicUrl = gateway.url;
  // Links in mails point at the web app this cloud serves.
  configureEnvironment({ APP_URL: gateway.url });
  identity = await createLocalIdentityProvider({
    dataDir: options.dataDir,
    issuer: `${gateway.url}/auth`,
    audience: AUDIENCE,
    users,
  });

  const cloud: LocalCloud = {
    url: gateway.url,
    bus,
    scheduler,
    async idle() {
      // A delivery can write (and so publish) again; settle until both are quiet.
      for (let round = 0; round < 10; round += 1) {
        await stream.idle();
        await bus.idle();
        if (stream.isIdle()) return;
      }
    },
    async login(email, password = DEMO_PASSWORD) {
      const response = await fetch(`${gateway.url}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
      });
      if (!response.ok) throw new Error(`Login of ${email} failed with ${response.status}`);
      return ((await response.json()) as { idToken: string }).idToken;
    },
    async stop() {
      scheduler.stop();
      if (sweeper) clearInterval(sweeper);
      unsubscribe();
      await stream.idle();
      bus.stop();
      await gateway.stop();
      await busEndpoint.stop();
      await cognitoAdmin.stop();
      await mailCapture.stop();
      await database.stop();
    },
  };

  if (seeded) {
    await seedDemoData(cloud, users, demoUsers, join(options.dataDir, 'demo-seeded.json'), {
      incidents: options.demoIncidents === true,
    });
  }
  return cloud;
}

/**
 * Hands table changes to the stream readers in order, in batches, the way Lambda's event source
 * mapping does: a reported failure retries from the failed record on.
 */
function createStreamPump(
  readers: readonly ProcessManifest[],
  invoke: (processName: string, event: unknown) => Promise<unknown>,
  print: (line: string) => void,
) {
  const queue: DynamoDBRecord[] = [];
  let running: Promise<void> | undefined;

  async function drain(): Promise<void> {
    let attempts = 0;
    while (queue.length > 0) {
      const batch = queue.slice(0, 25).filter((record) => matchesPattern(OUTBOX_STREAM_FILTER, record));
      const taken = Math.min(25, queue.length);
      if (batch.length === 0) {
        queue.splice(0, taken);
        continue;
      }
      let failedFrom: string | undefined;
      for (const reader of readers) {
        try {
          const result = (await invoke(reader.name, { Records: batch })) as DynamoDBBatchResponse | undefined;
          failedFrom = result?.batchItemFailures[0]?.itemIdentifier;
        } catch (error) {
          failedFrom = batch[0]?.dynamodb?.SequenceNumber;
          print(`stream ${reader.name} failed: ${(error as Error).message}`);
        }
      }
      if (failedFrom === undefined || attempts >= 5) {
        queue.splice(0, taken);
        attempts = 0;
        continue;
      }
      attempts += 1;
      const failedIndex = queue.findIndex((record) => record.dynamodb?.SequenceNumber === failedFrom);
      queue.splice(0, Math.max(0, failedIndex));
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempts));
    }
  }

  return {
    push(records: DynamoDBRecord[]) {
      queue.push(...records);
      running ??= drain().finally(() => {
        running = undefined;
      });
    },
    async idle() {
      while (running) await running;
    },
    isIdle: () => running === undefined && queue.length === 0,
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

async function serveConfig(req: IncomingMessage, res: ServerResponse, demo: boolean): Promise<boolean> {
  if (req.method !== 'GET' || req.url !== '/config.json') return false;
  sendJson(res, 200, {
    mode: 'local',
    apiBase: '/api',
    authBase: '/auth',
    ...(demo
      ? {
          demoPassword: DEMO_PASSWORD,
          demoLogins: demoUsers.map(({ email, name, roles, tenantId }) => ({ email, name, roles, tenantId })),
        }
      : {}),
  });
  return true;
}

/** The operator's view of the dead-letter store: list, and replay one or all. */
async function serveDeadLetters(
  req: IncomingMessage,
  res: ServerResponse,
  bus: LocalEventBus,
): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://local');
  if (!url.pathname.startsWith('/_local/dead-letters')) return false;
  if (req.method === 'GET' && url.pathname === '/_local/dead-letters') {
    sendJson(res, 200, { items: bus.listDeadLetters() });
    return true;
  }
  const replay = /^\/_local\/dead-letters\/([^/]+)\/replay$/.exec(url.pathname);
  if (req.method === 'POST' && replay?.[1]) {
    const id = decodeURIComponent(replay[1]);
    sendJson(res, 200, id === 'all' ? await bus.replayAll() : await bus.replayDeadLetter(id));
    return true;
  }
  sendJson(res, 404, {
    type: 'about:blank',
    title: 'Not Found',
    status: 404,
    detail: 'No such dead-letter operation',
  });
  return true;
}
