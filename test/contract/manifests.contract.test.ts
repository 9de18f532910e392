import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifests } from '#functions/manifests.ts';
import { parseScheduleExpression } from '#infra/local/schedules/schedule-expression.ts';
import { eventCatalogue, findEvent } from '#shared/events/catalogue.ts';
import { validatePattern } from '#shared/platform/event-pattern-match.ts';
import { publicPath, routeKey } from '#shared/platform/manifest.ts';
import { openApiDocument } from '#shared/platform/openapi.ts';

/*
 * The manifests are the one source of routing and wiring for AWS and the local cloud; these checks
 * catch a bad entry before either runtime does.
 */
const root = resolve(import.meta.dirname, '../..');
const routes = manifests.flatMap((manifest) =>
  Object.entries(manifest.routes).map(([name, route]) => ({ process: manifest.name, name, route })),
);
const subscriptions = manifests.flatMap((manifest) =>
  Object.entries(manifest.subscriptions).map(([name, subscription]) => ({
    process: manifest.name,
    name,
    subscription,
  })),
);

describe('process manifests', () => {
  it.each(manifests.map((manifest) => [manifest.name]))(
    '%s has a handler in functions/<name>/handler.ts',
    (name) => {
      expect(existsSync(join(root, 'functions', name, 'handler.ts'))).toBe(true);
      expect(existsSync(join(root, 'functions', name, 'README.md'))).toBe(true);
    },
  );

  it('never serves one route key twice', () => {
    const keys = routes.map(({ route }) => routeKey(route));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it.each(routes.map((entry) => [`${entry.process}.${entry.name}`, entry.route] as const))(
    '%s names its roles, or is public with none',
    (_name, route) => {
      expect(route.path.startsWith('/')).toBe(true);
      if (route.public) expect(route.roles).toEqual([]);
      else expect(route.roles.length).toBeGreaterThan(0);
      const placeholders = [...publicPath(route).matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
      expect(Object.keys(route.params?.shape ?? {}).sort()).toEqual(placeholders.sort());
    },
  );

  it.each(subscriptions.map((entry) => [`${entry.process}.${entry.name}`, entry.subscription] as const))(
    '%s has a valid pattern naming only catalogued events',
    (_name, subscription) => {
      expect(validatePattern(subscription.pattern)).toEqual([]);
      const sources = (subscription.pattern.source ?? []) as string[];
      const detailTypes = (subscription.pattern['detail-type'] ?? []) as string[];
      for (const detailType of detailTypes) {
        expect(sources.some((source) => findEvent(source, detailType) !== undefined)).toBe(true);
      }
    },
  );

  it('schedules parse as EventBridge schedule expressions', () => {
    for (const manifest of manifests) {
      for (const schedule of Object.values(manifest.schedules)) {
        expect(() => parseScheduleExpression(schedule.expression)).not.toThrow();
      }
    }
  });

  it('only the outbox reads the stream or puts events', () => {
    const privileged = manifests.filter(
      (manifest) => manifest.access.putEvents || manifest.access.tableStream,
    );
    expect(privileged.map((manifest) => manifest.name)).toEqual(['outbox']);
  });
});

describe('event catalogue', () => {
  it('names each event once, PascalCase, from an itsm source', () => {
    const names = eventCatalogue.map((event) => `${event.source}/${event.detailType}`);
    expect(new Set(names).size).toBe(names.length);
    for (const event of eventCatalogue) {
      expect(event.source).toMatch(/^itsm\.[a-z-]+$/);
      expect(event.detailType).toMatch(/^[A-Z][A-Za-z]+$/);
      expect(event.version).toBeGreaterThan(0);
    }
  });
});

describe('OpenAPI document', () => {
  const document = openApiDocument(manifests, { version: 'test' });

  it('describes every route with a unique operation id', () => {
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({
        key: `${method.toUpperCase()} ${path}`,
        operation,
      })),
    );
    expect(operations.map((op) => op.key).sort()).toEqual(routes.map(({ route }) => routeKey(route)).sort());
    const ids = operations.map((op) => (op.operation as { operationId: string }).operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('declares problem+json errors and a bearer scheme', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    const create = document.paths['/api/services']?.post as { responses: Record<string, unknown> };
    expect(Object.keys(create.responses)).toEqual(
      expect.arrayContaining(['201', '400', '401', '403', '413']),
    );
  });
});
