import { defineProcess } from '#shared/platform/manifest.ts';

export const manifest = defineProcess({
  name: 'outbox',
  description: 'Publishes the events written to the outbox to the event bus, fed by the table stream.',
  access: {
    table: 'none',
    putEvents: true,
    tableStream: { summary: 'New outbox items, filtered on kind = outbox' },
  },
  routes: {},
  subscriptions: {},
  schedules: {},
});
