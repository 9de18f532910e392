import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { manifests } from '#functions/manifests.ts';
import { publicPath, type RouteDefinition } from '#shared/platform/manifest.ts';
import { normaliseTable, roleMatrixMarkdown } from '#shared/platform/role-matrix.ts';
import { PLATFORM_TENANT_ID, ROLES, type Role } from '#shared/platform/roles.ts';
import { httpEvent, lambdaContext } from '../support/http-event.ts';
import { mockTenants } from '../support/tenants.ts';

/*
 * The role matrix, cell by cell: each role a route does not list is refused with 403 by the real
 * handler before any data is read; each role it lists gets past the role check.
 */
const root = resolve(import.meta.dirname, '../..');
const dynamo = mockClient(DynamoDBDocumentClient);
mockClient(CognitoIdentityProviderClient);

type Handler = (event: unknown, context: Context) => Promise<unknown>;
const handlers = new Map<string, Handler>();
for (const manifest of manifests) {
  const module = (await import(`#functions/${manifest.name}/handler.ts`)) as { handler: Handler };
  handlers.set(manifest.name, module.handler);
}

function placeholderParams(route: RouteDefinition): Record<string, string> {
  const names = [...publicPath(route).matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? '');
  return Object.fromEntries(names.map((name) => [name, name === 'entityType' ? 'service' : 'acme']));
}

const cells = manifests.flatMap((manifest) =>
  Object.entries(manifest.routes)
    .filter(([, route]) => !route.public)
    .flatMap(([name, route]) =>
      ROLES.map((role) => ({
        process: manifest.name,
        name,
        route,
        role,
        allowed: route.roles.includes(role),
      })),
    ),
);

beforeEach(() => {
  dynamo.reset();
  mockTenants(dynamo, { acme: 'active' });
});

function tenantOf(role: Role): string {
  return role === 'platform-operator' ? PLATFORM_TENANT_ID : 'acme';
}

describe('role matrix', () => {
  it('in ARCHITECTURE.md is the one the manifests define', () => {
    const text = readFileSync(join(root, 'ARCHITECTURE.md'), 'utf8');
    const documented = text.slice(
      text.indexOf('<!-- role-matrix:start -->') + 26,
      text.indexOf('<!-- role-matrix:end -->'),
    );
    expect(normaliseTable(documented)).toEqual(normaliseTable(roleMatrixMarkdown(manifests)));
  });

  it.each(
    cells.map(
      (cell) => [`${cell.route.method} ${publicPath(cell.route)}`, cell.role, cell.allowed, cell] as const,
    ),
  )('%s as %s: allowed %s', async (_route, role, allowed, cell) => {
    const handler = handlers.get(cell.process);
    const event = httpEvent(cell.route, {
      caller: { tenantId: tenantOf(role), userId: `user-${role}`, roles: [role] },
      params: placeholderParams(cell.route),
      ...(cell.route.body ? { body: {} } : {}),
      ...(cell.route.requiresIfMatch ? { headers: { 'if-match': '"1"' } } : {}),
    });

    const result = (await handler?.(event, lambdaContext())) as APIGatewayProxyStructuredResultV2;

    if (allowed) {
      expect(result.statusCode).not.toBe(403);
      expect(result.statusCode).not.toBe(401);
    } else {
      expect(result.statusCode).toBe(403);
      const dataReads = dynamo
        .calls()
        .filter((call) => (call.args[0].input as { Key?: { sk?: string } }).Key?.sk !== 'tenant');
      expect(dataReads).toHaveLength(0);
    }
  });
});
