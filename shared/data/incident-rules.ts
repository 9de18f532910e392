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
import { batchGetItems, keyOf } from './batch-get.ts';
import { getDatabase } from './database.ts';
import { parseStored, type StoredIncident } from './incident-store.ts';

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
  return rulesFrom(found.data);
}

function rulesFrom(items: readonly { name: string; value: string }[]): IncidentRules {
  const value = (name: string): unknown => {
    const item = items.find((setting) => setting.name === name);
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

export interface ReferencedUser {
  userId: string;
  name: string;
  roles: string[];
  status: string;
  businessUnitId: string | null;
}

/** What an incident write names besides the incident: each is checked to exist in the tenant. */
export interface IncidentReferences {
  incidentId?: string | undefined;
  serviceId?: string | null | undefined;
  businessUnitId?: string | null | undefined;
  teamId?: string | null | undefined;
  userIds?: readonly (string | null | undefined)[];
}

export interface IncidentWriteInputs {
  rules: IncidentRules;
  /** The incident, when one was asked for and exists. */
  stored: StoredIncident | undefined;
  serviceExists: boolean;
  /** The units subscribing to the named service (empty: every unit), when it exists. */
  serviceConsumers: readonly string[];
  businessUnitExists: boolean;
  teamExists: boolean;
  users: ReadonlyMap<string, ReferencedUser>;
}

/**
 * Everything an incident write reads, in one BatchGetItem: the tenant's rules, the incident and the
 * records the request names (service, business unit, team, users). So a write costs this read, the
 * transaction, and for a new incident the number counter: at most three requests.
 */
export async function readForIncidentWrite(
  tenantId: string,
  references: IncidentReferences,
): Promise<IncidentWriteInputs> {
  const db = getDatabase().entities;
  const userIds = [...new Set(references.userIds?.filter((id): id is string => typeof id === 'string'))];
  const keys = [
    ...SETTING_NAMES.map((name) => keyOf(db.tenantSetting.get({ tenantId, name }).params())),
    ...(references.incidentId
      ? [keyOf(db.incident.get({ tenantId, incidentId: references.incidentId }).params())]
      : []),
    ...(references.serviceId
      ? [keyOf(db.service.get({ tenantId, serviceId: references.serviceId }).params())]
      : []),
    ...(references.businessUnitId
      ? [keyOf(db.businessUnit.get({ tenantId, businessUnitId: references.businessUnitId }).params())]
      : []),
    ...(references.teamId ? [keyOf(db.team.get({ tenantId, teamId: references.teamId }).params())] : []),
    ...userIds.map((userId) => keyOf(db.user.get({ tenantId, userId }).params())),
  ];
  const items = await batchGetItems(keys);
  const of = (entity: string) => items.filter((item) => item.__edb_e__ === entity);
  const [record] = db.incident.parse({ Items: of('incident') }).data;
  const users = new Map<string, ReferencedUser>();
  for (const user of db.user.parse({ Items: of('user') }).data) {
    users.set(user.userId, {
      userId: user.userId,
      name: user.name,
      roles: [...user.roles],
      status: user.status,
      businessUnitId: user.businessUnitId ?? null,
    });
  }
  return {
    rules: rulesFrom(db.tenantSetting.parse({ Items: of('tenantSetting') }).data),
    stored: record ? parseStored(record.record) : undefined,
    serviceExists: of('service').length > 0,
    serviceConsumers: db.service.parse({ Items: of('service') }).data[0]?.consumerBusinessUnitIds ?? [],
    businessUnitExists: of('businessUnit').length > 0,
    teamExists: of('team').length > 0,
    users,
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
