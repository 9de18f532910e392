import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { currentTenantScope, TENANT_ACCESS_ROLE_ENV, TENANT_SESSION_TAG } from './tenant-scope.ts';

/*
 * AWS clients, created once per container and reused across invocations. Endpoints come from the
 * SDK's own environment variables (AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_EVENTBRIDGE), which is
 * how the local cloud points the same code at its emulators.
 */
let documentClient: DynamoDBDocumentClient | undefined;
let eventBridgeClient: EventBridgeClient | undefined;

/** Credentials as the SDK's signer takes them. */
export interface TableCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
  readonly accountId?: string;
}

/**
 * A credentials provider the SDK calls for every request. `memoized: true` tells the SDK the provider
 * caches by itself: without it the SDK wraps the function and keeps the first answer until it
 * expires, so every later request would be signed for whichever tenant came first.
 */
export type TableCredentialsProvider = ((
  properties?: Record<string, unknown>,
) => Promise<TableCredentials>) & {
  memoized: true;
};

export interface TenantCredentialsOptions {
  /** The role whose policy limits table access to `t#${aws:PrincipalTag/tenantId}#*` keys. */
  readonly roleArn: string;
  /** Signed with the function's own credentials; these also serve requests outside any tenant scope. */
  readonly sts?: STSClient;
  readonly now?: () => number;
}

/** STS's minimum session; short, because a leaked session key then dies quickly. */
export const TENANT_SESSION_SECONDS = 15 * 60;
/** A cached session is replaced this long before it expires, so no request is signed with a dying key. */
export const TENANT_SESSION_REFRESH_MS = 60_000;
/** A container serves few tenants at a time; the bound only keeps a long-lived one from growing. */
const MAX_CACHED_TENANTS = 100;

interface CacheEntry {
  readonly promise: Promise<TableCredentials>;
  settled?: TableCredentials;
}

/** `arn:aws:sts::123456789012:assumed-role/...` → `123456789012`, for account-based endpoints. */
function accountOf(arn: string | undefined): string | undefined {
  return arn?.split(':')[4] || undefined;
}

/**
 * Inside a tenant scope: temporary credentials of `roleArn`, assumed with the session tag
 * `tenantId=<tenant>`, so IAM allows only that tenant's leading keys; cached per tenant until a minute
 * before they expire. Outside a scope (platform operator routes, platform sweeps): the function's own
 * credentials, which for a tenant-scoped process carry no table rights at all.
 */
export function tenantScopedCredentials(options: TenantCredentialsOptions): TableCredentialsProvider {
  const sts = options.sts ?? new STSClient({});
  const now = options.now ?? Date.now;
  const ownCredentials = sts.config.credentials;
  const cache = new Map<string, CacheEntry>();

  async function assume(tenantId: string): Promise<TableCredentials> {
    const { Credentials: issued, AssumedRoleUser } = await sts.send(
      new AssumeRoleCommand({
        RoleArn: options.roleArn,
        // At most 64 characters; the tag, not the session name, is what the policy trusts.
        RoleSessionName: `tenant-${tenantId}`.slice(0, 64),
        DurationSeconds: TENANT_SESSION_SECONDS,
        Tags: [{ Key: TENANT_SESSION_TAG, Value: tenantId }],
      }),
    );
    if (!issued?.AccessKeyId || !issued.SecretAccessKey) {
      throw new Error(`STS answered AssumeRole for tenant ${tenantId} without credentials`);
    }
    const accountId = accountOf(AssumedRoleUser?.Arn);
    return {
      accessKeyId: issued.AccessKeyId,
      secretAccessKey: issued.SecretAccessKey,
      ...(issued.SessionToken ? { sessionToken: issued.SessionToken } : {}),
      ...(issued.Expiration ? { expiration: issued.Expiration } : {}),
      ...(accountId ? { accountId } : {}),
    };
  }

  function fresh(entry: CacheEntry): boolean {
    // Still pending: share the one AssumeRole call instead of starting another.
    if (entry.settled === undefined) return true;
    const expiration = entry.settled.expiration;
    return expiration === undefined || expiration.getTime() - now() > TENANT_SESSION_REFRESH_MS;
  }

  function forTenant(tenantId: string): Promise<TableCredentials> {
    const cached = cache.get(tenantId);
    if (cached !== undefined && fresh(cached)) return cached.promise;
    const entry: CacheEntry = { promise: assume(tenantId) };
    cache.delete(tenantId);
    cache.set(tenantId, entry);
    entry.promise.then(
      (credentials) => {
        entry.settled = credentials;
      },
      () => {
        // A refused AssumeRole is not cached: the next request tries again.
        if (cache.get(tenantId) === entry) cache.delete(tenantId);
      },
    );
    for (const oldest of cache.keys()) {
      if (cache.size <= MAX_CACHED_TENANTS) break;
      cache.delete(oldest);
    }
    return entry.promise;
  }

  const provider = async (properties?: Record<string, unknown>): Promise<TableCredentials> => {
    const tenantId = currentTenantScope();
    if (tenantId === undefined) return ownCredentials(properties);
    return forTenant(tenantId);
  };
  return Object.assign(provider, { memoized: true as const });
}

/**
 * The table client's configuration from the function's environment: tenant-scoped credentials when
 * the stack gave the function a `TENANT_ACCESS_ROLE_ARN`, the default credentials otherwise (the
 * local cloud, and processes the manifest marks `platformWide`).
 */
export function tableClientConfig(env: NodeJS.ProcessEnv = process.env): DynamoDBClientConfig {
  const roleArn = env[TENANT_ACCESS_ROLE_ENV];
  if (roleArn === undefined || roleArn === '') return {};
  return { credentials: tenantScopedCredentials({ roleArn }) };
}

export function createDocumentClient(
  config: DynamoDBClientConfig = tableClientConfig(),
): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient(config), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

export function getDocumentClient(): DynamoDBDocumentClient {
  documentClient ??= createDocumentClient();
  return documentClient;
}

export function getEventBridgeClient(): EventBridgeClient {
  eventBridgeClient ??= new EventBridgeClient({});
  return eventBridgeClient;
}

/** Name of the project's event bus. */
export function eventBusName(): string {
  return process.env.EVENT_BUS_NAME ?? 'itsm';
}
