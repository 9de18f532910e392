import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import dynalite from 'dynalite';
import type { TableDefinition } from '#shared/platform/table.ts';
import { Backend } from './backend.ts';
import { ChangeFeed } from './change-feed.ts';
import { createLock } from './lock.ts';
import { createProxy, type ProxyContext } from './proxy.ts';
import { sweepExpired, TimeToLiveSettings } from './time-to-live.ts';

export interface LocalDatabaseOptions {
  /** Directory that keeps the data between restarts; in memory when undefined. */
  readonly dataDir?: string;
  /** Port of the DynamoDB endpoint; 0 or undefined picks a free one. */
  readonly port?: number;
  /** Interface to listen on; 127.0.0.1 unless given. */
  readonly host?: string;
}

export interface LocalDatabase {
  /** URL to give the AWS SDK as `endpoint`. */
  readonly endpoint: string;
  /** Calls the listener with the DynamoDB Streams records of every committed write; returns an unsubscribe. */
  onChange(listener: (records: DynamoDBRecord[]) => void): () => void;
  /** Deletes the items whose TTL attribute is at or before `nowEpochSeconds` (default: now); returns how many. */
  sweepExpired(nowEpochSeconds?: number): Promise<number>;
  stop(): Promise<void>;
}

/** Starts dynalite behind a proxy that adds transactions, TTL and a change feed. */
export async function startLocalDatabase(options: LocalDatabaseOptions = {}): Promise<LocalDatabase> {
  const { dataDir, port = 0, host = '127.0.0.1' } = options;
  const storePath = dataDir && join(dataDir, 'dynalite');
  if (storePath) await mkdir(storePath, { recursive: true });
  const release = dataDir ? await claim(dataDir) : async () => undefined;
  // Zero delays: otherwise a table stays CREATING for a while and the first write to it fails.
  const store = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(storePath && { path: storePath }),
  });
  const storeAddress = await listen(store, 0, '127.0.0.1');
  const context: ProxyContext = {
    backend: new Backend(`http://127.0.0.1:${storeAddress.port}`),
    feed: new ChangeFeed(),
    ttl: await TimeToLiveSettings.load(dataDir && join(dataDir, 'time-to-live.json')),
    tokens: new Map(),
    lock: createLock(),
  };
  const proxy = createProxy(context);
  const address = await listen(proxy, port, host).catch(async (error: unknown) => {
    await close(store);
    await release();
    throw error;
  });

  let stopping: Promise<void> | undefined;
  return {
    endpoint: `http://${connectableHost(host)}:${address.port}`,
    onChange: (listener) => context.feed.subscribe(listener),
    sweepExpired: async (now = Math.floor(Date.now() / 1000)) => (stopping ? 0 : sweepExpired(now, context)),
    stop: () => {
      stopping ??= (async () => {
        await close(proxy);
        // Let the work already queued finish before the store closes under it.
        await context.lock(async () => undefined);
        await close(store);
        await release();
      })();
      return stopping;
    },
  };
}

/** Creates the table from its shared definition unless it exists, and makes sure TTL is on. */
export async function ensureTable(
  client: DynamoDBClient,
  name: string,
  definition: TableDefinition,
): Promise<void> {
  const exists = await client.send(new DescribeTableCommand({ TableName: name })).then(
    () => true,
    (error: unknown) => {
      if (errorName(error) === 'ResourceNotFoundException') return false;
      throw error;
    },
  );
  if (!exists) {
    const keys = [definition, ...definition.globalIndexes].flatMap((keys) => [
      keys.partitionKey,
      keys.sortKey,
    ]);
    await client
      .send(
        new CreateTableCommand({
          TableName: name,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [...new Set(keys)].map((key) => ({ AttributeName: key, AttributeType: 'S' })),
          KeySchema: [
            { AttributeName: definition.partitionKey, KeyType: 'HASH' },
            { AttributeName: definition.sortKey, KeyType: 'RANGE' },
          ],
          GlobalSecondaryIndexes: definition.globalIndexes.map((index) => ({
            IndexName: index.name,
            KeySchema: [
              { AttributeName: index.partitionKey, KeyType: 'HASH' },
              { AttributeName: index.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          })),
          StreamSpecification: { StreamEnabled: true, StreamViewType: definition.streamView },
        }),
      )
      .catch((error: unknown) => {
        // Someone else created it meanwhile: that is what we wanted.
        if (errorName(error) !== 'ResourceInUseException') throw error;
      });
  }
  const { TimeToLiveDescription } = await client.send(new DescribeTimeToLiveCommand({ TableName: name }));
  const status = TimeToLiveDescription?.TimeToLiveStatus;
  if (status === undefined || status === 'DISABLED') {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: name,
        TimeToLiveSpecification: { Enabled: true, AttributeName: definition.timeToLiveAttribute },
      }),
    );
  }
}

/**
 * Makes this process the only user of dataDir: LevelDB admits one opener, and dynalite brings the whole
 * process down when a second one tries. Returns the release.
 */
async function claim(dataDir: string): Promise<() => Promise<void>> {
  const file = join(dataDir, 'owner.pid');
  for (;;) {
    try {
      await writeFile(file, String(process.pid), { flag: 'wx' });
      return () => rm(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number(await readFile(file, 'utf8').catch(() => '0'));
    if (owner > 0 && isRunning(owner)) {
      throw new Error(
        `local database: ${dataDir} is in use by process ${owner} (if it is not, delete ${file})`,
      );
    }
    // Left behind by a process that ended without stopping the database.
    await rm(file, { force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}

// A wildcard address accepts connections but cannot be connected to.
function connectableHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
