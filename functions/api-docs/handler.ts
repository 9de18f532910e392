import { openApiDocument } from '#shared/platform/openapi.ts';
import { createProcessHandler } from '#shared/platform/process-handler.ts';
import { manifests } from '../manifests.ts';
import { manifest } from './manifest.ts';

// Built once per container: the document only changes with a deployment.
let document: ReturnType<typeof openApiDocument> | undefined;

export const handler = createProcessHandler(manifest, {
  routes: {
    getOpenApi: async () => {
      document ??= openApiDocument(manifests, { version: process.env.APP_VERSION ?? '0.1.0' });
      return { body: document };
    },
  },
  subscriptions: {},
  schedules: {},
});
