import { createProcessHandler } from '#shared/platform/process-handler.ts';
import { manifest } from './manifest.ts';
import { runDueMoments } from './use-cases.ts';

export const handler = createProcessHandler(manifest, {
  routes: {},
  subscriptions: {},
  schedules: {
    // The run's "now" is the scheduled time the event carries, so a late or replayed run (or a test
    // clock) reads exactly the minutes it was meant for.
    slaMoments: async ({ envelope, logger }) => {
      const report = await runDueMoments(new Date(envelope.time), envelope.id);
      logger.info('due moments handled', { ...report });
    },
  },
});
