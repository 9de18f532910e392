import { Readable } from 'node:stream';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createDocumentClient,
  TENANT_SESSION_SECONDS,
  tableClientConfig,
  tenantScopedCredentials,
} from './clients.ts';
import { runInTenantScope } from './tenant-scope.ts';

const ROLE_ARN = 'arn:aws:iam::123456789012:role/itsm-test-TenantAccess';
const sts = mockClient(STSClient);

/** What STS answers for a tenant: keys that name the tenant, so a test can tell whose they are. */
function sessionFor(tenantId: string, expiration: Date) {
  return {
    Credentials: {
      AccessKeyId: `ASIA${tenantId.toUpperCase()}`,
      SecretAccessKey: `secret-${tenantId}`,
      SessionToken: `token-${tenantId}`,
      Expiration: expiration,
    },
    AssumedRoleUser: {
      Arn: `arn:aws:sts::123456789012:assumed-role/itsm-test-TenantAccess/tenant-${tenantId}`,
      AssumedRoleId: `AROA:tenant-${tenantId}`,
    },
  };
}

/*
 * The provider's clock starts at the real time: the SDK judges expiry by the real clock too, and a
 * session that looked expired to it would hide the SDK's own caching, which the tests must catch.
 */
let clock = Date.now();
const now = () => clock;

beforeEach(() => {
  clock = Date.now();
  sts.reset();
  sts
    .on(AssumeRoleCommand)
    .callsFake((input: { Tags?: { Value?: string }[] }) =>
      sessionFor(input.Tags?.[0]?.Value ?? 'none', new Date(clock + TENANT_SESSION_SECONDS * 1000)),
    );
});
afterEach(() => sts.reset());

function provider() {
  return tenantScopedCredentials({ roleArn: ROLE_ARN, sts: new STSClient({}), now });
}

describe('tenantScopedCredentials', () => {
  it('assumes the tenant role with the tenant as session tag, for 15 minutes', async () => {
    const credentials = await runInTenantScope('acme', () => provider()());

    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
    expect(sts.commandCalls(AssumeRoleCommand)[0]?.args[0].input).toEqual({
      RoleArn: ROLE_ARN,
      RoleSessionName: 'tenant-acme',
      DurationSeconds: 900,
      Tags: [{ Key: 'tenantId', Value: 'acme' }],
    });
    expect(credentials).toMatchObject({
      accessKeyId: 'ASIAACME',
      secretAccessKey: 'secret-acme',
      sessionToken: 'token-acme',
      accountId: '123456789012',
    });
  });

  it('caches per tenant, and gives another tenant its own session', async () => {
    const credentials = provider();

    const first = await runInTenantScope('acme', () => credentials());
    const again = await runInTenantScope('acme', () => credentials());
    const other = await runInTenantScope('globex', () => credentials());
    const [concurrentA, concurrentB] = await runInTenantScope('initech', () =>
      Promise.all([credentials(), credentials()]),
    );

    expect(again).toBe(first);
    expect(other.accessKeyId).toBe('ASIAGLOBEX');
    expect(concurrentA).toBe(concurrentB);
    expect(sts.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input.Tags?.[0]?.Value)).toEqual([
      'acme',
      'globex',
      'initech',
    ]);
  });

  it('renews a session a minute before it expires, not earlier', async () => {
    const credentials = provider();
    await runInTenantScope('acme', () => credentials());

    clock += (TENANT_SESSION_SECONDS - 61) * 1000;
    await runInTenantScope('acme', () => credentials());
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);

    clock += 2000;
    await runInTenantScope('acme', () => credentials());
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
  });

  it('does not cache a refused AssumeRole', async () => {
    sts
      .on(AssumeRoleCommand)
      .rejectsOnce(new Error('AccessDenied'))
      .resolves(sessionFor('acme', new Date(clock + 900_000)));
    const credentials = provider();

    await expect(runInTenantScope('acme', () => credentials())).rejects.toThrow('AccessDenied');
    await expect(runInTenantScope('acme', () => credentials())).resolves.toMatchObject({
      accessKeyId: 'ASIAACME',
    });
  });

  it("uses the function's own credentials outside a tenant scope", async () => {
    const credentials = await provider()();

    expect(credentials.accessKeyId).toBe(process.env.AWS_ACCESS_KEY_ID);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });
});

describe('the table client', () => {
  /**
   * A real DynamoDB client whose HTTP layer records each signed request instead of sending it, so the
   * test sees which key signed what. The SDK must ask the provider on every request for this to hold.
   */
  function recordingClient(config: ReturnType<typeof tableClientConfig>) {
    const signedWith: string[] = [];
    const requestHandler = {
      handle: async (request: { headers: Record<string, string> }) => {
        const credential =
          /Credential=([^/]+)\//.exec(request.headers.authorization ?? '')?.[1] ?? 'unsigned';
        signedWith.push(credential);
        return {
          response: {
            statusCode: 200,
            reason: 'OK',
            headers: { 'content-type': 'application/x-amz-json-1.0' },
            body: Readable.from([Buffer.from('{}')]),
          },
        };
      },
    };
    // The SDK's handler type is a class with more members than this stub needs; only `handle` is called.
    const client = DynamoDBDocumentClient.from(
      new DynamoDBClient({ ...config, requestHandler: requestHandler as never }),
    );
    return { client, signedWith };
  }

  const get = new GetCommand({ TableName: 'itsm', Key: { pk: 't#acme#service#1', sk: 'service' } });

  it('signs each request with the credentials of the tenant in scope', async () => {
    const { client, signedWith } = recordingClient({
      credentials: tenantScopedCredentials({ roleArn: ROLE_ARN, sts: new STSClient({}), now }),
    });

    await runInTenantScope('acme', () => client.send(get));
    await runInTenantScope('globex', () => client.send(get));
    await runInTenantScope('acme', () => client.send(get));
    await client.send(get);

    expect(signedWith).toEqual(['ASIAACME', 'ASIAGLOBEX', 'ASIAACME', process.env.AWS_ACCESS_KEY_ID]);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
  });

  it('assumes nothing when TENANT_ACCESS_ROLE_ARN is not set (the local cloud)', async () => {
    expect(tableClientConfig({})).toEqual({});
    const { client, signedWith } = recordingClient(tableClientConfig({}));

    await runInTenantScope('acme', () => client.send(get));

    expect(signedWith).toEqual([process.env.AWS_ACCESS_KEY_ID]);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });

  it('is configured from TENANT_ACCESS_ROLE_ARN when set', async () => {
    const config = tableClientConfig({ TENANT_ACCESS_ROLE_ARN: ROLE_ARN });
    const { client, signedWith } = recordingClient(config);

    await runInTenantScope('acme', () => client.send(get));

    expect(signedWith).toEqual(['ASIAACME']);
    expect(sts.commandCalls(AssumeRoleCommand)[0]?.args[0].input.RoleArn).toBe(ROLE_ARN);
    expect(createDocumentClient(config)).toBeInstanceOf(DynamoDBDocumentClient);
  });
});
