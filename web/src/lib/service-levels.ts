/**
 * What the service level settings pages share: the settings' shapes as `api.ts` reads and saves them
 * whole with their version (`functions/service-levels/manifest.ts`), the SLA recomputation's progress,
 * and the form rules that turn a calendar into rows and back.
 */
import type { z } from 'zod';
import type {
  EscalationRule as EscalationRuleType,
  escalationRuleSchema,
} from '../../../shared/domain/incidents/escalation.ts';
import type { IncidentSettings as IncidentSettingsType } from '../../../shared/domain/incidents/settings.ts';
import type { SlaPolicyDefinition } from '../../../shared/domain/sla/policy.ts';
import type { CalendarsSetting, NamedCalendar } from '../../../shared/domain/sla/settings.ts';
import type {
  BusinessHours as BusinessHoursType,
  PriorityMatrix as PriorityMatrixType,
  SlaPolicy,
} from '../../../shared/domain/tenancy/defaults.ts';
import type { Priority } from './domain.ts';

export type PriorityMatrix = PriorityMatrixType;
export type BusinessHours = BusinessHoursType;
export type Calendar = NamedCalendar;
export type Calendars = CalendarsSetting;
export type DefaultPolicy = SlaPolicy;
export type Policy = SlaPolicyDefinition;
export type Policies = { policies: Policy[] };
export type IncidentSettings = IncidentSettingsType;
export type EscalationRule = EscalationRuleType;
export type EscalationRuleInput = z.input<typeof escalationRuleSchema>;

/** Each setting's value, by the path of its route under `/service-levels/`. */
export interface SettingValues {
  'priority-matrix': PriorityMatrix;
  'calendars/business-hours': BusinessHours;
  calendars: Calendars;
  'default-policy': DefaultPolicy;
  policies: Policies;
  'incident-settings': IncidentSettings;
}
export type SettingPath = keyof SettingValues;

/** A setting as read: its value and version; version 0 is a setting never saved, read as its default. */
export interface SettingRecord<T> {
  name: string;
  version: number;
  updatedAt: string | null;
  value: T;
}

/** An SLA recomputation of every open incident: `done` of `total`, until `status` is `done`. */
export interface Recomputation {
  jobId: string;
  status: 'running' | 'done';
  total: number;
  done: number;
  changed: number;
}

// ── Form rules ─────────────────────────────────────────────────────────────────────────────────

/** Mirrors WEEKDAYS in shared/domain/tenancy/defaults.ts (that module would ship zod). */
export const WEEKDAYS = [
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
  'sunday',
] as const;
export type Weekday = (typeof WEEKDAYS)[number];
export const WEEKDAY_LABEL: Record<Weekday, string> = {
  monday: 'Monday',
  tuesday: 'Tuesday',
  wednesday: 'Wednesday',
  thursday: 'Thursday',
  friday: 'Friday',
  saturday: 'Saturday',
  sunday: 'Sunday',
};

/** The states a clock can be paused in: a clock stops anyway once resolved, closed or cancelled. */
export type PausableState = Policy['pauseStates'][number];
/** Mirrors PAUSABLE_STATES in shared/domain/sla/policy.ts (that module would ship zod). */
const PAUSABLE: Record<PausableState, true> = {
  new: true,
  assigned: true,
  'in-progress': true,
  'on-hold': true,
};
export const PAUSABLE_STATES = Object.keys(PAUSABLE) as PausableState[];

/** Minutes as a reader counts them: "15 min", "4 h", "1 h 30 min". */
export function minutesAsHours(minutes: number | null | undefined): string {
  if (typeof minutes !== 'number' || !Number.isFinite(minutes) || minutes < 0) return '—';
  const hours = Math.floor(minutes / 60);
  const rest = Math.round(minutes % 60);
  if (hours === 0) return `${rest} min`;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

export interface Slot {
  start: string;
  end: string;
}

/** A calendar as its form edits it: the hours grouped by day, so a day reads as one row. */
export interface CalendarForm {
  calendarId: string;
  name: string;
  timeZone: string;
  days: Record<Weekday, Slot[]>;
  holidays: { date: string; name: string }[];
}

export function calendarForm(calendar: BusinessHours & { calendarId?: string }): CalendarForm {
  const days = Object.fromEntries(
    WEEKDAYS.map((day) => [
      day,
      calendar.week
        .filter((slot) => slot.day === day)
        .map((slot) => ({ start: slot.start, end: slot.end === END_OF_DAY ? '00:00' : slot.end })),
    ]),
  ) as Record<Weekday, Slot[]>;
  return {
    calendarId: calendar.calendarId ?? '',
    name: calendar.name,
    timeZone: calendar.timeZone,
    days,
    holidays: calendar.holidays.map((holiday) => ({ ...holiday })),
  };
}

const END_OF_DAY = '24:00';

/** The calendar a form describes; the hours in weekday order, as the form shows them. */
export function calendarValue(form: CalendarForm): BusinessHours {
  return {
    name: form.name,
    timeZone: form.timeZone,
    week: WEEKDAYS.flatMap((day) =>
      // A time field cannot say 24:00: a slot closing at 00:00 closes at midnight, the end of its day.
      form.days[day].map((slot) => ({
        day,
        start: slot.start,
        end: slot.end === '00:00' ? END_OF_DAY : slot.end,
      })),
    ),
    holidays: form.holidays.map((holiday) => ({ date: holiday.date, name: holiday.name })),
  };
}

/** Monday to Friday, 9 to 5: what a new calendar starts with. */
export function newCalendarForm(timeZone: string): CalendarForm {
  const days = Object.fromEntries(
    WEEKDAYS.map((day, index) => [day, index < 5 ? [{ start: '09:00', end: '17:00' }] : []]),
  ) as Record<Weekday, Slot[]>;
  return { calendarId: '', name: '', timeZone, days, holidays: [] };
}

/** Whether two values of a setting say the same (the API would find nothing to save). */
export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The API's field paths a form shows beside its fields, for a list of `count` items under `list`
 * (`policies.3.name`); `formProblem` puts a deeper path on the longest of these it starts with.
 */
export function listFields(list: string, count: number, fields: readonly string[]): string[] {
  return [
    list,
    ...Array.from({ length: count }, (_, index) => [
      `${list}.${index}`,
      ...fields.map((field) => `${list}.${index}.${field}`),
    ]).flat(),
  ];
}

export type { Priority };
