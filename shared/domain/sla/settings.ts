import { z } from 'zod';
import { businessHoursSchema } from '../tenancy/defaults.ts';
import { slaPolicyDefinitionSchema } from './policy.ts';

/*
 * The tenant settings that shape SLA clocks beyond the seeded defaults: extra business calendars
 * (the seeded `business-hours` setting is the calendar named `business-hours`) and SLA policies
 * limited to services, business units and priorities. Each is one setting item, so an incident write
 * reads every rule it needs in the one BatchGetItem that already reads the matrix and the default.
 */

export const DEFAULT_CALENDAR = 'business-hours';
export const CALENDARS_SETTING = 'calendars';
export const SLA_POLICIES_SETTING = 'sla-policies';

export const calendarIdSchema = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'Use lower-case letters, digits and dashes')
  .refine((id) => id !== DEFAULT_CALENDAR, 'This name is the default calendar’s');

export const namedCalendarSchema = businessHoursSchema.extend({ calendarId: calendarIdSchema });
export type NamedCalendar = z.infer<typeof namedCalendarSchema>;

/** The `calendars` setting: calendars other than the default, by id. */
export const calendarsSettingSchema = z.object({
  calendars: z
    .array(namedCalendarSchema)
    .max(20, 'Use at most 20 calendars')
    .refine(
      (calendars) => new Set(calendars.map((calendar) => calendar.calendarId)).size === calendars.length,
      'Each calendar needs its own id',
    ),
});
export type CalendarsSetting = z.infer<typeof calendarsSettingSchema>;

/** The `sla-policies` setting: policies limited to some services / units / priorities. */
export const slaPoliciesSettingSchema = z.object({
  policies: z
    .array(slaPolicyDefinitionSchema)
    .max(50, 'Use at most 50 policies')
    .refine(
      (policies) => new Set(policies.map((policy) => policy.policyId)).size === policies.length,
      'Each policy needs its own id',
    )
    .refine(
      (policies) => policies.every((policy) => policy.policyId !== 'default'),
      'The id `default` is the tenant’s default policy',
    ),
});
export type SlaPoliciesSetting = z.infer<typeof slaPoliciesSettingSchema>;

/** Calendar names a policy may use: the default and every extra calendar. */
export function calendarNames(setting: CalendarsSetting | undefined): string[] {
  return [DEFAULT_CALENDAR, ...(setting?.calendars.map((calendar) => calendar.calendarId) ?? [])];
}
