import { defineProcess } from '#shared/platform/manifest.ts';

export const manifest = defineProcess({
  name: 'sla-monitor',
  description:
    'Every minute, reads the incidents’ due moments of the minutes since its last run and raises SlaWarning / SlaBreached or closes resolved incidents.',
  // Platform-wide: the minute buckets of due moments span every tenant (ARCHITECTURE.md §10).
  access: { table: 'read-write', putEvents: false, platformWide: true },
  routes: {},
  subscriptions: {},
  schedules: {
    slaMoments: {
      summary: 'Handle the due moments (SLA warnings, breaches, auto-closure) up to now',
      expression: 'rate(1 minute)',
    },
  },
});
