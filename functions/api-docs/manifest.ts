import { z } from 'zod';
import { defineProcess } from '#shared/platform/manifest.ts';

export const manifest = defineProcess({
  name: 'api-docs',
  description: 'Serves the OpenAPI 3.1 description of every route, generated from the manifests.',
  access: { table: 'none', putEvents: false },
  routes: {
    getOpenApi: {
      method: 'GET',
      path: '/openapi.json',
      summary: 'OpenAPI 3.1 document of the whole API',
      roles: [],
      public: true,
      response: z.record(z.string(), z.unknown()),
    },
  },
  subscriptions: {},
  schedules: {},
});
