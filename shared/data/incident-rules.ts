import type { Incident } from '../domain/incidents/incident.ts';
import {
  defaultIncidentSettings,
  INCIDENT_SETTINGS_NAME,
  type IncidentSettings,
  incidentSettingsSchema,
} from '../domain/incidents/settings.ts';
import { type BusinessCalendar, calendarFromBusinessHours } from '../domain/sla/calendar.ts';
import {
  policyFromTenantSetting,
  type SlaPolicyDefinition,
  type SlaTarget,
  selectTarget,
} from '../domain/sla/policy.ts';
import {
  CALENDARS_SETTING,
  calendarsSettingSchema,
  DEFAULT_CALENDAR,
  SLA_POLICIES_SETTING,
  slaPoliciesSettingSchema,
} from '../domain/sla/settings.ts';
import {
  businessHoursSchema,
  type PriorityMatrix,
  priorityMatrixSchema,
  slaPolicySchema,
} from '../domain/tenancy/defaults.ts';
import { ConflictError } from '../platform/errors.ts';
import { getDatabase } from './database.ts';

/*
 * The tenant rules an incident write applies: the priority matrix, the SLA policies with their
 * calendars, and the incident settings (auto-close, warning threshold, escalation rules). Read in one
 * BatchGetItem, shared by the incidents process and the SLA monitor.
 */

export interface IncidentRules {
  matrix: PriorityMatrix;
  defaultPolicy: SlaPolicyDefinition;
  policies: SlaPolicyDefinition[];
  calendars: Record<string, BusinessCalendar>;
  settings: IncidentSettings;
  /** The default calendar's zone: calendar days (auto-close) count in it. */
  timeZone: string;
}

const SETTING_NAMES = [
  'priority-matrix',
  'sla-policy',
  'business-hours',
  INCIDENT_SETTINGS_NAME,
  SLA_POLICIES_SETTING,
  CALENDARS_SETTING,
];

export async function readIncidentRules(tenantId: string): Promise<IncidentRules> {
  const found = await getDatabase()
    .entities.tenantSetting.get(SETTING_NAMES.map((name) => ({ tenantId, name })))
    .go();
  const value = (name: string): unknown => {
    const item = found.data.find((setting) => setting.name === name);
    return item ? JSON.parse(item.value) : undefined;
  };
  const matrix = value('priority-matrix');
  const policy = value('sla-policy');
  const hours = value('business-hours');
  // Seeded on TenantCreated; a tenant without them is not ready for incidents yet.
  if (matrix === undefined || policy === undefined || hours === undefined) {
    throw new ConflictError('The tenant’s priority matrix, SLA policy and business hours are not set up yet');
  }
  const settings = value(INCIDENT_SETTINGS_NAME);
  const policies = value(SLA_POLICIES_SETTING);
  const calendars = value(CALENDARS_SETTING);
  const defaultHours = businessHoursSchema.parse(hours);
  const extraCalendars = calendars === undefined ? [] : calendarsSettingSchema.parse(calendars).calendars;
  return {
    matrix: priorityMatrixSchema.parse(matrix),
    defaultPolicy: policyFromTenantSetting(slaPolicySchema.parse(policy)),
    policies: policies === undefined ? [] : slaPoliciesSettingSchema.parse(policies).policies,
    calendars: Object.fromEntries([
      [DEFAULT_CALENDAR, calendarFromBusinessHours(defaultHours)],
      ...extraCalendars.map(
        (calendar) => [calendar.calendarId, calendarFromBusinessHours(calendar)] as const,
      ),
    ]),
    settings: settings === undefined ? defaultIncidentSettings() : incidentSettingsSchema.parse(settings),
    timeZone: defaultHours.timeZone,
  };
}

/** The SLA target for the incident as it is now: the strictest matching policy, else the default. */
export function targetFor(
  rules: IncidentRules,
  incident: Pick<Incident, 'serviceId' | 'businessUnitId' | 'priority'>,
): SlaTarget {
  return selectTarget(
    rules.policies,
    { serviceId: incident.serviceId, businessUnitId: incident.businessUnitId, priority: incident.priority },
    { defaultPolicy: rules.defaultPolicy, calendars: rules.calendars },
  ).target;
}
