import { z } from 'zod';
import {
  businessHoursBodySchema,
  calendarsBodySchema,
  defaultPolicyBodySchema,
  incidentSettingsBodySchema,
  policiesBodySchema,
  priorityMatrixBodySchema,
  type ServiceLevelSettingName,
  STORED_SCHEMAS,
} from '#shared/domain/service-levels/rules.ts';
import { defineProcess, type RouteDefinition } from '#shared/platform/manifest.ts';
import { IT_STAFF } from '#shared/platform/roles.ts';

/** A setting as read: its value, and its version (also the ETag; 0 for one never saved). */
function settingRecordSchema<N extends ServiceLevelSettingName>(name: N) {
  return z.object({
    name: z.literal(name),
    version: z.number().int().nonnegative(),
    updatedAt: z.iso.datetime().nullable(),
    value: STORED_SCHEMAS[name],
  });
}

/** The read and the write of one setting: IT staff read it (they work by it), tenant admins change it. */
function settingRoutes<const N extends ServiceLevelSettingName, B extends z.ZodType>(
  path: string,
  name: N,
  body: B,
  what: string,
) {
  const response = settingRecordSchema(name);
  return {
    get: {
      method: 'GET',
      path,
      summary: `${what}, with its version as ETag ("0" while it was never saved and reads as its default)`,
      roles: IT_STAFF,
      response,
    },
    put: {
      method: 'PUT',
      path,
      summary: `Replace ${what.charAt(0).toLowerCase()}${what.slice(1)}; needs If-Match with the ETag last read ("0" for one never saved)`,
      roles: ['tenant-admin'],
      body,
      response,
      requiresIfMatch: true,
    },
  } as const satisfies Record<'get' | 'put', RouteDefinition>;
}

const matrix = settingRoutes(
  '/service-levels/priority-matrix',
  'priority-matrix',
  priorityMatrixBodySchema,
  'The priority matrix: the priority of every impact × urgency',
);
const defaultCalendar = settingRoutes(
  '/service-levels/calendars/business-hours',
  'business-hours',
  businessHoursBodySchema,
  'The default business calendar (`business-hours`): weekly hours, holidays and time zone',
);
const calendars = settingRoutes(
  '/service-levels/calendars',
  'calendars',
  calendarsBodySchema,
  'The business calendars besides the default, by id; one still used by a policy cannot be removed',
);
const defaultPolicy = settingRoutes(
  '/service-levels/default-policy',
  'sla-policy',
  defaultPolicyBodySchema,
  'The default SLA policy: response and resolution minutes per priority on the default calendar',
);
const policies = settingRoutes(
  '/service-levels/policies',
  'sla-policies',
  policiesBodySchema,
  'The SLA policies limited to services, business units and priorities; the strictest match applies',
);
const incidentSettings = settingRoutes(
  '/service-levels/incident-settings',
  'incidents',
  incidentSettingsBodySchema,
  'The incident settings: auto-close days, SLA warning threshold and escalation rules',
);

export const manifest = defineProcess({
  name: 'service-levels',
  description:
    'Service level management: the priority matrix, business calendars, SLA policies and escalation rules incidents are measured by.',
  access: { table: 'read-write', putEvents: false },
  routes: {
    getPriorityMatrix: matrix.get,
    putPriorityMatrix: matrix.put,
    getDefaultCalendar: defaultCalendar.get,
    putDefaultCalendar: defaultCalendar.put,
    getCalendars: calendars.get,
    putCalendars: calendars.put,
    getDefaultSlaPolicy: defaultPolicy.get,
    putDefaultSlaPolicy: defaultPolicy.put,
    getSlaPolicies: policies.get,
    putSlaPolicies: policies.put,
    getIncidentSettings: incidentSettings.get,
    putIncidentSettings: incidentSettings.put,
  },
  subscriptions: {},
  schedules: {},
});
