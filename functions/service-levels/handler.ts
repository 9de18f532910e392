import type { ServiceLevelSettingName } from '#shared/domain/service-levels/rules.ts';
import { createProcessHandler } from '#shared/platform/process-handler.ts';
import { manifest } from './manifest.ts';
import {
  getSetting,
  putCalendars,
  putDefaultCalendar,
  putDefaultPolicy,
  putIncidentSettings,
  putPolicies,
  putPriorityMatrix,
  type SettingRecord,
} from './use-cases.ts';

const reply = <N extends ServiceLevelSettingName>(setting: SettingRecord<N>) => ({
  body: setting,
  version: setting.version,
});

export const handler = createProcessHandler(manifest, {
  routes: {
    getPriorityMatrix: async ({ ctx }) => reply(await getSetting(ctx, 'priority-matrix')),
    putPriorityMatrix: async ({ body, ifMatch, ...command }) =>
      reply(await putPriorityMatrix(command, ifMatch, body)),
    getDefaultCalendar: async ({ ctx }) => reply(await getSetting(ctx, 'business-hours')),
    putDefaultCalendar: async ({ body, ifMatch, ...command }) =>
      reply(await putDefaultCalendar(command, ifMatch, body)),
    getCalendars: async ({ ctx }) => reply(await getSetting(ctx, 'calendars')),
    putCalendars: async ({ body, ifMatch, ...command }) => reply(await putCalendars(command, ifMatch, body)),
    getDefaultSlaPolicy: async ({ ctx }) => reply(await getSetting(ctx, 'sla-policy')),
    putDefaultSlaPolicy: async ({ body, ifMatch, ...command }) =>
      reply(await putDefaultPolicy(command, ifMatch, body)),
    getSlaPolicies: async ({ ctx }) => reply(await getSetting(ctx, 'sla-policies')),
    putSlaPolicies: async ({ body, ifMatch, ...command }) => reply(await putPolicies(command, ifMatch, body)),
    getIncidentSettings: async ({ ctx }) => reply(await getSetting(ctx, 'incidents')),
    putIncidentSettings: async ({ body, ifMatch, ...command }) =>
      reply(await putIncidentSettings(command, ifMatch, body)),
  },
  subscriptions: {},
  schedules: {},
});
