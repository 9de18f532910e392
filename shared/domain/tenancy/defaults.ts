import { z } from 'zod';
import { currencySchema, type Tenant, timeZoneSchema } from './tenant.ts';

/*
 * What a new tenant starts with, written as `tenantSetting` records on TenantCreated and read by the
 * processes that need them (SLA clocks, priorities, costs). Each setting is one JSON value under its
 * name; these schemas are the one definition of each shape.
 */

export const PRIORITIES = ['P1', 'P2', 'P3', 'P4', 'P5'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** Impact and urgency share one three-step scale. */
export const LEVELS = ['high', 'medium', 'low'] as const;
export type Level = (typeof LEVELS)[number];

export const WEEKDAYS = [
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
  'sunday',
] as const;

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Use HH:MM, 00:00 to 23:59');
/** A slot may end at 24:00, the end of its day, so a round-the-clock calendar loses no minute. */
const closingTime = z
  .string()
  .regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'Use HH:MM, 00:01 to 24:00 (24:00: the end of the day)');

/** Working hours per weekday in the calendar's time zone; a day not listed is closed. */
export const businessHoursSchema = z.object({
  name: z.string().min(1).max(120),
  timeZone: timeZoneSchema,
  week: z.array(
    z
      .object({ day: z.enum(WEEKDAYS), start: clockTime, end: closingTime })
      .refine((slot) => slot.start < slot.end, 'A slot must end after it starts'),
  ),
  holidays: z.array(z.object({ date: z.iso.date(), name: z.string().min(1).max(120) })),
});
export type BusinessHours = z.infer<typeof businessHoursSchema>;

/** Priority from impact × urgency: every combination exactly once. */
export const priorityMatrixSchema = z.object({
  cells: z
    .array(z.object({ impact: z.enum(LEVELS), urgency: z.enum(LEVELS), priority: z.enum(PRIORITIES) }))
    .refine(
      (cells) =>
        cells.length === LEVELS.length ** 2 &&
        new Set(cells.map((cell) => `${cell.impact}/${cell.urgency}`)).size === cells.length,
      'Give one priority for every impact and urgency',
    ),
});
export type PriorityMatrix = z.infer<typeof priorityMatrixSchema>;

/** Targets count business minutes of the `business-hours` calendar; the clock stops in the paused statuses. */
export const slaPolicySchema = z.object({
  name: z.string().min(1).max(120),
  calendar: z.literal('business-hours'),
  targets: z
    .array(
      z
        .object({
          priority: z.enum(PRIORITIES),
          responseMinutes: z.number().int().positive(),
          resolutionMinutes: z.number().int().positive(),
        })
        .refine((target) => target.responseMinutes <= target.resolutionMinutes, {
          message: 'Response must not take longer than resolution',
        }),
    )
    .refine(
      (targets) => new Set(targets.map((target) => target.priority)).size === PRIORITIES.length,
      'Give one target for every priority',
    ),
  pausedInStatuses: z.array(z.string().min(1)),
});
export type SlaPolicy = z.infer<typeof slaPolicySchema>;

/** Prices in the currency's minor unit (cents), so sums stay exact. */
export const priceCatalogueSchema = z.object({
  currency: currencySchema,
  items: z.array(
    z.object({
      itemId: z.string().min(1).max(64),
      name: z.string().min(1).max(120),
      serviceId: z.string().nullable(),
      unit: z.string().min(1).max(40),
      unitPriceMinor: z.number().int().nonnegative(),
    }),
  ),
});
export type PriceCatalogue = z.infer<typeof priceCatalogueSchema>;

/** Each setting name with the schema of its value. */
export const tenantSettingSchemas = {
  'business-hours': businessHoursSchema,
  'priority-matrix': priorityMatrixSchema,
  'sla-policy': slaPolicySchema,
  'price-catalogue': priceCatalogueSchema,
} as const;
export type TenantSettingName = keyof typeof tenantSettingSchemas;
export type TenantSettings = { [K in TenantSettingName]: z.infer<(typeof tenantSettingSchemas)[K]> };
export const TENANT_SETTING_NAMES = Object.keys(tenantSettingSchemas) as TenantSettingName[];

/** The usual ITIL table: the higher of impact and urgency counts most, both high is P1. */
const DEFAULT_MATRIX: Record<Level, Record<Level, Priority>> = {
  high: { high: 'P1', medium: 'P2', low: 'P3' },
  medium: { high: 'P2', medium: 'P3', low: 'P4' },
  low: { high: 'P3', medium: 'P4', low: 'P5' },
};

const DEFAULT_TARGETS: Record<Priority, [response: number, resolution: number]> = {
  P1: [15, 240],
  P2: [30, 480],
  P3: [120, 1440],
  P4: [480, 2880],
  P5: [1440, 5760],
};

/** The settings a tenant starts with; pure, so the seed and its tests agree. */
export function defaultSettings(tenant: Pick<Tenant, 'timeZone' | 'currency'>): TenantSettings {
  return {
    'business-hours': {
      name: 'Business hours',
      timeZone: tenant.timeZone,
      week: WEEKDAYS.slice(0, 5).map((day) => ({ day, start: '09:00', end: '17:00' })),
      holidays: [],
    },
    'priority-matrix': {
      cells: LEVELS.flatMap((impact) =>
        LEVELS.map((urgency) => ({ impact, urgency, priority: DEFAULT_MATRIX[impact][urgency] })),
      ),
    },
    'sla-policy': {
      name: 'Default SLA',
      calendar: 'business-hours',
      targets: PRIORITIES.map((priority) => ({
        priority,
        responseMinutes: DEFAULT_TARGETS[priority][0],
        resolutionMinutes: DEFAULT_TARGETS[priority][1],
      })),
      pausedInStatuses: ['on-hold'],
    },
    'price-catalogue': { currency: tenant.currency, items: [] },
  };
}

/** The priority a matrix gives; every matrix that passed its schema has every cell. */
export function priorityFor(matrix: PriorityMatrix, impact: Level, urgency: Level): Priority {
  const cell = matrix.cells.find((entry) => entry.impact === impact && entry.urgency === urgency);
  if (!cell) throw new Error(`The priority matrix has no cell for ${impact}/${urgency}`);
  return cell.priority;
}
