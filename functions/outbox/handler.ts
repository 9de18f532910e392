import { createProcessHandler } from '#shared/platform/process-handler.ts';
import { manifest } from './manifest.ts';
import { publishOutbox } from './publish.ts';

export const handler = createProcessHandler(manifest, {
  routes: {},
  subscriptions: {},
  schedules: {},
  tableStream: publishOutbox,
});
