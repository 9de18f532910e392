import { createProcessHandler } from '#shared/platform/process-handler.ts';
import { manifest } from './manifest.ts';
import { createService, getService, listServices, updateService } from './use-cases.ts';

export const handler = createProcessHandler(manifest, {
  routes: {
    listServices: async ({ ctx, query }) => ({ body: await listServices(ctx, query) }),
    createService: async ({ body, ...command }) => {
      const service = await createService(command, body);
      return { body: service, version: service.version };
    },
    getService: async ({ ctx, params }) => {
      const service = await getService(ctx, params.serviceId);
      return { body: service, version: service.version };
    },
    updateService: async ({ params, body, ifMatch, ...command }) => {
      const service = await updateService(command, params.serviceId, ifMatch, body);
      return { body: service, version: service.version };
    },
  },
  subscriptions: {},
  schedules: {},
});
