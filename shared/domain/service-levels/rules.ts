import type { z } from 'zod';
import type { FieldChange } from '../../events/service-catalogue.ts';
import type { FieldError } from '../../platform/errors.ts';
import { IT_STAFF } from '../../platform/roles.ts';
import { INCIDENT_SETTINGS_NAME, incidentSettingsSchema } from '../incidents/settings.ts';
import { PAUSABLE_STATES } from '../sla/policy.ts';
import {
  CALENDARS_SETTING,
  type CalendarsSetting,
  calendarNames,
  calendarsSettingSchema,
  DEFAULT_CALENDAR,
  SLA_POLICIES_SETTING,
  type SlaPoliciesSetting,
  slaPoliciesSettingSchema,
} from '../sla/settings.ts';
import {
  type BusinessHours,
  businessHoursSchema,
  priorityMatrixSchema,
  slaPolicySchema,
  WEEKDAYS,
} from '../tenancy/defaults.ts';

/*
 * The rules of the service level settings a tenant admin edits, pure: the request bodies (the shared
 * setting schemas, plus the refinements a reader of the setting relies on), the checks against other
 * records, and the audit diff. The setting shapes themselves belong to `shared/domain` and are read by
 * the incidents process and the SLA monitor; nothing here changes them.
 */

/** Every setting this process edits; each is one `tenantSetting` item under its name. */
export const SERVICE_LEVEL_SETTINGS = [
  'priority-matrix',
  DEFAULT_CALENDAR,
  CALENDARS_SETTING,
  'sla-policy',
  SLA_POLICIES_SETTING,
  INCIDENT_SETTINGS_NAME,
] as const;
export type ServiceLevelSettingName = (typeof SERVICE_LEVEL_SETTINGS)[number];

/** Seeded on TenantCreated; the others are absent until first saved, and then read as their default. */
export const SEEDED_SETTINGS: readonly ServiceLevelSettingName[] = [
  'priority-matrix',
  DEFAULT_CALENDAR,
  'sla-policy',
];

type Path = (string | number)[];
interface Problem {
  path: Path;
  message: string;
}

const DAY_LABEL = Object.fromEntries(
  WEEKDAYS.map((day) => [day, `${day.charAt(0).toUpperCase()}${day.slice(1)}`]),
) as Record<(typeof WEEKDAYS)[number], string>;

/**
 * What a calendar must also be for an SLA clock to run on it: the incidents process turns it into a
 * business calendar that refuses overlapping slots and a week without open hours, so such a calendar
 * would fail every incident write instead of this request.
 */
export function calendarProblems(hours: Pick<BusinessHours, 'week' | 'holidays'>): Problem[] {
  const problems: Problem[] = [];
  if (hours.week.length === 0) {
    problems.push({
      path: ['week'],
      message: 'Open on at least one weekday, or an SLA clock could never fall due',
    });
  }
  for (const day of WEEKDAYS) {
    const slots = hours.week
      .map((slot, index) => ({ ...slot, index }))
      .filter((slot) => slot.day === day)
      .sort((a, b) => a.start.localeCompare(b.start));
    for (const [position, slot] of slots.entries()) {
      const before = slots[position - 1];
      if (before && before.end > slot.start) {
        problems.push({
          path: ['week', slot.index],
          message: `${DAY_LABEL[day]} ${slot.start}–${slot.end} overlaps ${before.start}–${before.end}`,
        });
      }
    }
  }
  const seen = new Set<string>();
  for (const [index, holiday] of hours.holidays.entries()) {
    if (seen.has(holiday.date)) {
      problems.push({ path: ['holidays', index, 'date'], message: `${holiday.date} is listed twice` });
    }
    seen.add(holiday.date);
  }
  return problems;
}

function report(ctx: z.RefinementCtx, problems: readonly Problem[], base: Path = []): void {
  for (const problem of problems) {
    ctx.addIssue({ code: 'custom', message: problem.message, path: [...base, ...problem.path] });
  }
}

/** `PUT /service-levels/priority-matrix`. */
export const priorityMatrixBodySchema = priorityMatrixSchema;

/** `PUT /service-levels/calendars/business-hours`: the default calendar. */
export const businessHoursBodySchema = businessHoursSchema.superRefine((hours, ctx) =>
  report(ctx, calendarProblems(hours)),
);

/** `PUT /service-levels/calendars`: the extra calendars, by id. */
export const calendarsBodySchema = calendarsSettingSchema.superRefine((setting, ctx) => {
  for (const [index, calendar] of setting.calendars.entries()) {
    report(ctx, calendarProblems(calendar), ['calendars', index]);
  }
});

/** `PUT /service-levels/default-policy`: the `sla-policy` setting, its clock paused only where one can be. */
export const defaultPolicyBodySchema = slaPolicySchema.superRefine((policy, ctx) => {
  for (const [index, state] of policy.pausedInStatuses.entries()) {
    if (!(PAUSABLE_STATES as readonly string[]).includes(state)) {
      ctx.addIssue({
        code: 'custom',
        path: ['pausedInStatuses', index],
        message: `A clock cannot pause in ${state}; use ${PAUSABLE_STATES.join(', ')}`,
      });
    }
  }
});

/** `PUT /service-levels/policies`: the policies limited to services, business units and priorities. */
export const policiesBodySchema = slaPoliciesSettingSchema;

/** `PUT /service-levels/incident-settings`. */
export const incidentSettingsBodySchema = incidentSettingsSchema;

/** The schema each setting's stored value is read with. */
export const STORED_SCHEMAS = {
  'priority-matrix': priorityMatrixSchema,
  [DEFAULT_CALENDAR]: businessHoursSchema,
  [CALENDARS_SETTING]: calendarsSettingSchema,
  'sla-policy': slaPolicySchema,
  [SLA_POLICIES_SETTING]: slaPoliciesSettingSchema,
  [INCIDENT_SETTINGS_NAME]: incidentSettingsSchema,
} as const satisfies Record<ServiceLevelSettingName, z.ZodType>;

// ── Checks against other records ───────────────────────────────────────────────────────────────

const bodyPath = (path: Path) => ['body', ...path].join('.');

/** The service and business unit ids the policies name, for one read of them all. */
export function policyReferences(setting: SlaPoliciesSetting): {
  serviceIds: string[];
  businessUnitIds: string[];
} {
  const unique = (lists: (string[] | undefined)[]) => [...new Set(lists.flatMap((list) => list ?? []))];
  return {
    serviceIds: unique(setting.policies.map((policy) => policy.serviceIds)),
    businessUnitIds: unique(setting.policies.map((policy) => policy.businessUnitIds)),
  };
}

/** Each policy's calendar, services and business units must exist in the tenant. */
export function policyErrors(
  setting: SlaPoliciesSetting,
  known: {
    calendars: CalendarsSetting | undefined;
    serviceIds: ReadonlySet<string>;
    businessUnitIds: ReadonlySet<string>;
  },
): FieldError[] {
  const names = calendarNames(known.calendars);
  const errors: FieldError[] = [];
  for (const [index, policy] of setting.policies.entries()) {
    if (!names.includes(policy.calendarName)) {
      errors.push({
        path: bodyPath(['policies', index, 'calendarName']),
        message: `There is no calendar named ${policy.calendarName}; use one of ${names.join(', ')}`,
      });
    }
    for (const [position, serviceId] of (policy.serviceIds ?? []).entries()) {
      if (!known.serviceIds.has(serviceId)) {
        errors.push({
          path: bodyPath(['policies', index, 'serviceIds', position]),
          message: `There is no service ${serviceId} in the catalogue`,
        });
      }
    }
    for (const [position, businessUnitId] of (policy.businessUnitIds ?? []).entries()) {
      if (!known.businessUnitIds.has(businessUnitId)) {
        errors.push({
          path: bodyPath(['policies', index, 'businessUnitIds', position]),
          message: `There is no business unit ${businessUnitId}`,
        });
      }
    }
  }
  return errors;
}

/** A calendar a policy still counts on cannot go: the policy's clocks would have nothing to run on. */
export function removedCalendarErrors(
  before: CalendarsSetting | undefined,
  after: CalendarsSetting,
  policies: SlaPoliciesSetting | undefined,
): FieldError[] {
  const kept = new Set(after.calendars.map((calendar) => calendar.calendarId));
  return (before?.calendars ?? [])
    .filter((calendar) => !kept.has(calendar.calendarId))
    .flatMap((calendar) => {
      const users = (policies?.policies ?? []).filter(
        (policy) => policy.calendarName === calendar.calendarId,
      );
      if (users.length === 0) return [];
      return [
        {
          path: 'body.calendars',
          message: `The calendar ${calendar.calendarId} is still used by ${
            users.length === 1 ? 'the policy' : 'the policies'
          } ${users.map((policy) => `“${policy.name}”`).join(', ')}; give ${
            users.length === 1 ? 'it' : 'them'
          } another calendar first`,
        },
      ];
    });
}

export type IncidentSettingsBody = z.infer<typeof incidentSettingsBodySchema>;

/** The teams and users the escalation rules name, for one read of them all. */
export function escalationReferences(settings: IncidentSettingsBody): {
  teamIds: string[];
  userIds: string[];
} {
  const rules = settings.escalationRules;
  return {
    teamIds: [
      ...new Set(
        rules.flatMap((rule) => [
          ...rule.notifyTeamIds,
          ...(rule.reassignTeamId ? [rule.reassignTeamId] : []),
        ]),
      ),
    ],
    userIds: [...new Set(rules.flatMap((rule) => rule.notifyUserIds))],
  };
}

export interface KnownUser {
  name: string;
  roles: readonly string[];
  status: string;
}

/** Escalation rules may only name teams of the tenant and active IT staff (who work incidents). */
export function escalationErrors(
  settings: IncidentSettingsBody,
  known: { teamIds: ReadonlySet<string>; users: ReadonlyMap<string, KnownUser> },
): FieldError[] {
  const errors: FieldError[] = [];
  for (const [index, rule] of settings.escalationRules.entries()) {
    const at = (...rest: Path) => bodyPath(['escalationRules', index, ...rest]);
    for (const [position, teamId] of rule.notifyTeamIds.entries()) {
      if (!known.teamIds.has(teamId)) {
        errors.push({ path: at('notifyTeamIds', position), message: `There is no team ${teamId}` });
      }
    }
    if (rule.reassignTeamId !== null && !known.teamIds.has(rule.reassignTeamId)) {
      errors.push({ path: at('reassignTeamId'), message: `There is no team ${rule.reassignTeamId}` });
    }
    for (const [position, userId] of rule.notifyUserIds.entries()) {
      const user = known.users.get(userId);
      const message = !user
        ? `There is no user ${userId}`
        : !user.roles.some((role) => (IT_STAFF as readonly string[]).includes(role))
          ? `${user.name} is not IT staff; escalations notify only people who work incidents`
          : user.status === 'deactivated'
            ? `${user.name} is deactivated; remove them from the rule`
            : undefined;
      if (message) errors.push({ path: at('notifyUserIds', position), message });
    }
  }
  return errors;
}

// ── Audit diff ────────────────────────────────────────────────────────────────────────────────

/** Lists whose items have an identity: compared item by item, so the trail names the one that changed. */
const ITEM_KEYS: Readonly<Record<string, (item: Record<string, unknown>) => string>> = {
  cells: (cell) => `impact ${String(cell.impact)} × urgency ${String(cell.urgency)}`,
  targets: (target) => String(target.priority),
  policies: (policy) => String(policy.policyId),
  escalationRules: (rule) => String(rule.ruleId),
  calendars: (calendar) => String(calendar.calendarId),
  holidays: (holiday) => String(holiday.date),
};

/** Lists whose order means something: escalation rules are applied one after the other. */
const ORDERED = new Set(['escalationRules']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function same(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, index) => same(item, b[index]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((key) => same(a[key], b[key]));
  }
  return a === b || (a === undefined && b === null) || (a === null && b === undefined);
}

/** A value as the audit trail shows it: named things by name, opening hours as "monday 09:00–17:00". */
function shown(value: unknown): unknown {
  if (value === undefined) return null;
  if (Array.isArray(value)) return value.map(shown);
  if (!isObject(value)) return value;
  if (typeof value.day === 'string' && typeof value.start === 'string' && typeof value.end === 'string') {
    return `${value.day} ${value.start}–${value.end}`;
  }
  if (typeof value.name === 'string') return value.name;
  return JSON.stringify(value);
}

function walk(path: string, field: string, before: unknown, after: unknown, out: FieldChange[]): void {
  const at = (key: string) => (path ? `${path}.${key}` : key);
  if (isObject(before) && isObject(after)) {
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      walk(at(key), key, before[key], after[key], out);
    }
    return;
  }
  const keyOf = ITEM_KEYS[field];
  if (keyOf && Array.isArray(before) && Array.isArray(after) && [...before, ...after].every(isObject)) {
    const old = new Map(before.map((item) => [keyOf(item), item] as const));
    const next = new Map(after.map((item) => [keyOf(item), item] as const));
    for (const [key, item] of next) {
      if (!old.has(key)) out.push({ field: at(key), from: null, to: shown(item) });
      else walk(at(key), key, old.get(key), item, out);
    }
    for (const [key, item] of old) {
      if (!next.has(key)) out.push({ field: at(key), from: shown(item), to: null });
    }
    if (ORDERED.has(field)) {
      const kept = (map: Map<string, unknown>, other: Map<string, unknown>) =>
        [...map.keys()].filter((key) => other.has(key));
      const from = kept(old, next);
      const to = kept(next, old);
      if (!same(from, to)) out.push({ field: at('order'), from, to });
    }
    return;
  }
  if (!same(before, after)) out.push({ field: path, from: shown(before), to: shown(after) });
}

/**
 * What changed from one value of a setting to the next, field by field (`policies.gold.priorities.P1.
 * resolutionMinutes`); a setting saved for the first time (`before` undefined) lists each field.
 */
export function settingChanges(before: unknown, after: unknown): FieldChange[] {
  const changes: FieldChange[] = [];
  walk('', '', before ?? {}, after, changes);
  return changes;
}
