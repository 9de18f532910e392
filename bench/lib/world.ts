import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { decodeJwt } from 'jose';
import { type LocalCloud, startLocalCloud } from '#infra/local/cloud.ts';
import { getDocumentClient, getEventBridgeClient } from '#shared/platform/clients.ts';
import { type Answer, Api, type CallOptions, requesterServices } from './api.ts';
import { type InvocationRecord, Recorder } from './instrument.ts';

/*
 * The measuring process's view of the local cloud: started once on the prepared data folder, with the
 * recorder around every invocation, and a way to make one measured call at a time.
 */

export interface TenantWorld {
  readonly tenantId: string;
  readonly tokens: {
    readonly requester: string;
    readonly agent: string;
    readonly admin: string;
    readonly owner: string;
  };
  readonly agentId: string;
  readonly requesterId: string;
  readonly teamId: string;
  /** Services the tenant's requester may report against (offered to their business unit). */
  readonly serviceIds: readonly string[];
}

export interface World {
  readonly cloud: LocalCloud;
  readonly api: Api;
  readonly recorder: Recorder;
  readonly small: TenantWorld;
  readonly large: TenantWorld;
}

export interface Measured {
  readonly label: string;
  readonly answer: Answer;
  /** The route's own invocation. */
  readonly route: InvocationRecord;
  /** What it set off: the outbox batch, the consumers, and what they set off in turn. */
  readonly downstream: InvocationRecord[];
}

async function tenantWorld(
  cloud: LocalCloud,
  api: Api,
  tenantId: string,
  domain: string,
): Promise<TenantWorld> {
  const login = (local: string) => cloud.login(`${local}@${domain}`);
  const tokens = {
    requester: await login('requester'),
    agent: await login('agent'),
    admin: await login('admin'),
    owner: await login('owner'),
  };
  const teams = (await api.expect(tokens.admin, 'GET', '/api/teams?limit=100')).json.items as {
    teamId: string;
    name: string;
  }[];
  const serviceIds = await requesterServices(api, tokens.admin, tokens.requester);
  const teamId = teams.find((team) => team.name === 'Service Desk')?.teamId;
  if (!teamId) throw new Error(`${tenantId} has no Service Desk team`);
  return {
    tenantId,
    tokens,
    agentId: decodeJwt(tokens.agent).sub ?? '',
    requesterId: decodeJwt(tokens.requester).sub ?? '',
    teamId,
    serviceIds,
  };
}

export async function startWorld(dataDir: string, webDir: string | undefined): Promise<World> {
  const recorder = new Recorder();
  // Handlers log as in Lambda (Powertools' default level is INFO); the recorder counts the bytes.
  process.env.LOG_LEVEL = 'INFO';
  recorder.captureStdout();
  const cloud = await startLocalCloud({
    dataDir,
    ...(webDir ? { webDir } : {}),
    seedDemo: true,
    ttlSweepMs: 0,
    aroundInvoke: recorder.aroundInvoke,
    print: recorder.onCloudLine,
  });
  // The monitor runs when the benchmark says (scheduler.runDue), not on the wall clock's minute.
  cloud.scheduler.stop();
  const endpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB;
  if (!endpoint) throw new Error('The local cloud did not set AWS_ENDPOINT_URL_DYNAMODB');
  recorder.attach(
    getDocumentClient(),
    getEventBridgeClient(),
    new DynamoDBClient({
      endpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  const api = new Api(cloud.url);
  return {
    cloud,
    api,
    recorder,
    small: await tenantWorld(cloud, api, 'acme', 'acme.example'),
    large: await tenantWorld(cloud, api, 'globex', 'globex.example'),
  };
}

let measuredCalls = 0;

/**
 * One call with the cloud otherwise quiet: waits until earlier work has settled, makes the call under
 * its own label (which is also its correlation id), waits until everything it set off has run, and
 * returns the invocations by what they were.
 */
export async function measure(
  world: World,
  token: string,
  method: string,
  path: string,
  options: Omit<CallOptions, 'correlationId'> = {},
): Promise<Measured> {
  await world.cloud.idle();
  measuredCalls += 1;
  const label = `measured-${measuredCalls}`;
  world.recorder.label = label;
  let answer: Answer;
  try {
    answer = await world.api.call(token, method, path, { ...options, correlationId: label });
    await world.cloud.idle();
  } finally {
    world.recorder.label = 'setup';
  }
  const records = world.recorder.under((name) => name === label);
  const route = records.find((record) => record.kind === 'route');
  if (!route) throw new Error(`${method} ${path} ran no route invocation (answer ${answer.status})`);
  return { label, answer, route, downstream: records.filter((record) => record !== route) };
}
