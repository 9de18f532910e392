import { z } from 'zod';
import { type ProcessManifest, publicPath, type RouteDefinition } from './manifest.ts';

type JsonSchema = Record<string, unknown>;

function schemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

function parameters(location: 'path' | 'query', schema: z.ZodObject | undefined) {
  if (!schema) return [];
  const json = schemaOf(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: location,
    required: location === 'path' || (json.required ?? []).includes(name),
    schema: property,
  }));
}

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

function responses(route: RouteDefinition) {
  const status = String(route.successStatus ?? 200);
  const success =
    status === '204'
      ? { description: 'Done' }
      : {
          description: route.summary,
          content: { 'application/json': { schema: schemaOf(route.response, 'output') } },
          ...(route.requiresIfMatch || route.method === 'GET'
            ? {
                headers: {
                  ETag: {
                    description: 'Version of the record, where it has one',
                    schema: { type: 'string' },
                  },
                },
              }
            : {}),
        };
  return {
    [status]: success,
    '400': problem('Invalid input; `errors` lists each field'),
    ...(route.public
      ? {}
      : {
          '401': problem('No valid token'),
          '403': problem('The role may not do this, or the tenant is suspended'),
        }),
    ...(route.params ? { '404': problem('No such record in your tenant') } : {}),
    ...(route.method !== 'GET' ? { '409': problem('The change conflicts with the record’s state') } : {}),
    ...(route.requiresIfMatch
      ? { '412': problem('The record changed since it was read'), '428': problem('If-Match is missing') }
      : {}),
    ...(route.body
      ? { '413': problem('The body is too large'), '415': problem('The body is not JSON') }
      : {}),
    '500': problem('Failure on our side; nothing was changed'),
  };
}

/** The OpenAPI 3.1 document of every route, generated from the manifests and their zod schemas. */
export function openApiDocument(manifests: readonly ProcessManifest[], info: { version: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const manifest of manifests) {
    for (const [name, route] of Object.entries(manifest.routes)) {
      const path = publicPath(route);
      paths[path] ??= {};
      paths[path][route.method.toLowerCase()] = {
        operationId: `${manifest.name}.${name}`,
        summary: route.summary,
        tags: [manifest.name],
        ...(route.public ? { security: [] } : { 'x-roles': route.roles }),
        parameters: [
          ...parameters('path', route.params),
          ...parameters('query', route.query),
          ...(route.requiresIfMatch
            ? [{ name: 'If-Match', in: 'header', required: true, schema: { type: 'string', example: '"3"' } }]
            : []),
        ],
        ...(route.body
          ? {
              requestBody: {
                required: true,
                content: { 'application/json': { schema: schemaOf(route.body, 'input') } },
              },
            }
          : {}),
        responses: responses(route),
      };
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'ITSM API',
      version: info.version,
      description: 'Every route of every process. Errors are RFC 9457 problem+json.',
    },
    servers: [{ url: '/' }],
    tags: manifests.map((manifest) => ({ name: manifest.name, description: manifest.description })),
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: {
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status', 'detail'],
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            instance: { type: 'string' },
            errors: {
              type: 'array',
              items: {
                type: 'object',
                required: ['path', 'message'],
                properties: { path: { type: 'string' }, message: { type: 'string' } },
              },
            },
          },
        },
      },
    },
  };
}
