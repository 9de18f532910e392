import type { z } from 'zod';
import { batchGetItems, keyOf } from '#shared/data/batch-get.ts';
import { getDatabase } from '#shared/data/database.ts';
import { throwOnCancelled } from '#shared/data/transactions.ts';
import { defaultIncidentSettings } from '#shared/domain/incidents/settings.ts';
import {
  escalationErrors,
  escalationReferences,
  type KnownUser,
  policyErrors,
  policyReferences,
  removedCalendarErrors,
  SEEDED_SETTINGS,
  type ServiceLevelSettingName,
  STORED_SCHEMAS,
  settingChanges,
} from '#shared/domain/service-levels/rules.ts';
import { defaultSettings } from '#shared/domain/tenancy/defaults.ts';
import { ServiceLevelSettingChanged } from '#shared/events/service-levels.ts';
import {
  ConflictError,
  type FieldError,
  NotFoundError,
  PreconditionFailedError,
  ValidationError,
} from '#shared/platform/errors.ts';
import { outboxRecord } from '#shared/platform/outbox.ts';
import type { TenantContext } from '#shared/platform/tenant-context.ts';

/*
 * Reading and saving the service level settings. Each setting is one `tenantSetting` item whose
 * version is its ETag; a setting never saved is version 0 and reads as its default. A save reads the
 * setting, the settings it must agree with and the records it names in one BatchGetItem, then writes
 * the setting and its `ServiceLevelSettingChanged` event in one transaction, conditional on the
 * version read (and on the versions of the settings it was checked against).
 */

export type SettingValue<N extends ServiceLevelSettingName> = z.output<(typeof STORED_SCHEMAS)[N]>;

export interface SettingRecord<N extends ServiceLevelSettingName> {
  name: N;
  version: number;
  updatedAt: string | null;
  value: SettingValue<N>;
}

interface Command {
  ctx: TenantContext;
  correlationId: string;
  now: Date;
}

const LABEL: Record<ServiceLevelSettingName, string> = {
  'priority-matrix': 'The priority matrix',
  'business-hours': 'The default calendar',
  calendars: 'The calendars',
  'sla-policy': 'The default SLA policy',
  'sla-policies': 'The SLA policies',
  incidents: 'The incident settings',
};

/** The value of a setting never saved: what the incidents process reads in its absence. */
function unsavedValue<N extends ServiceLevelSettingName>(
  name: N,
  tenant: { timeZone: string; currency: string } | undefined,
): SettingValue<N> | undefined {
  switch (name) {
    case 'calendars':
      return { calendars: [] } as SettingValue<N>;
    case 'sla-policies':
      return { policies: [] } as SettingValue<N>;
    case 'incidents':
      return defaultIncidentSettings() as SettingValue<N>;
    default:
      return tenant ? (defaultSettings(tenant)[name as 'priority-matrix'] as SettingValue<N>) : undefined;
  }
}

function parseValue<N extends ServiceLevelSettingName>(name: N, text: string): SettingValue<N> {
  return STORED_SCHEMAS[name].parse(JSON.parse(text)) as SettingValue<N>;
}

/** One setting with its version; 1 GetItem (a seeded setting not there yet: + 1 GetItem of the tenant). */
export async function getSetting<N extends ServiceLevelSettingName>(
  ctx: TenantContext,
  name: N,
): Promise<SettingRecord<N>> {
  const db = getDatabase().entities;
  const found = await db.tenantSetting.get({ tenantId: ctx.tenantId, name }).go();
  if (found.data) {
    return {
      name,
      version: found.data.version,
      updatedAt: found.data.updatedAt,
      value: parseValue(name, found.data.value),
    };
  }
  // Seeded on TenantCreated, so absent only for a moment after onboarding: the seed is what it will be.
  const tenant = SEEDED_SETTINGS.includes(name)
    ? (await db.tenant.get({ tenantId: ctx.tenantId }).go()).data
    : undefined;
  const value = unsavedValue(name, tenant ?? undefined);
  if (value === undefined) throw new NotFoundError(`${LABEL[name]} is not set up yet`);
  return { name, version: 0, updatedAt: null, value };
}

// ── Reading for a save ─────────────────────────────────────────────────────────────────────────

interface References {
  serviceIds?: readonly string[];
  businessUnitIds?: readonly string[];
  teamIds?: readonly string[];
  userIds?: readonly string[];
}

interface StoredSetting {
  version: number;
  updatedAt: string;
  value: unknown;
}

interface ReadForSave {
  settings: ReadonlyMap<string, StoredSetting>;
  serviceIds: ReadonlySet<string>;
  businessUnitIds: ReadonlySet<string>;
  teamIds: ReadonlySet<string>;
  users: ReadonlyMap<string, KnownUser>;
}

const BATCH_GET_LIMIT = 100;

/** The settings and records, by key, in one BatchGetItem per 100 keys (retrying what DynamoDB leaves). */
async function readForSave(
  tenantId: string,
  settingNames: readonly ServiceLevelSettingName[],
  references: References,
): Promise<ReadForSave> {
  const db = getDatabase().entities;
  const keys = [
    ...settingNames.map((name) => keyOf(db.tenantSetting.get({ tenantId, name }).params())),
    ...(references.serviceIds ?? []).map((serviceId) =>
      keyOf(db.service.get({ tenantId, serviceId }).params()),
    ),
    ...(references.businessUnitIds ?? []).map((businessUnitId) =>
      keyOf(db.businessUnit.get({ tenantId, businessUnitId }).params()),
    ),
    ...(references.teamIds ?? []).map((teamId) => keyOf(db.team.get({ tenantId, teamId }).params())),
    ...(references.userIds ?? []).map((userId) => keyOf(db.user.get({ tenantId, userId }).params())),
  ];
  const items: Record<string, unknown>[] = [];
  for (let start = 0; start < keys.length; start += BATCH_GET_LIMIT) {
    items.push(...(await batchGetItems(keys.slice(start, start + BATCH_GET_LIMIT))));
  }
  const of = (entity: string) => ({ Items: items.filter((item) => item.__edb_e__ === entity) });
  return {
    settings: new Map(
      db.tenantSetting
        .parse(of('tenantSetting'))
        .data.map((item) => [
          item.name,
          { version: item.version, updatedAt: item.updatedAt, value: JSON.parse(item.value) as unknown },
        ]),
    ),
    serviceIds: new Set(db.service.parse(of('service')).data.map((item) => item.serviceId)),
    businessUnitIds: new Set(
      db.businessUnit.parse(of('businessUnit')).data.map((item) => item.businessUnitId),
    ),
    teamIds: new Set(db.team.parse(of('team')).data.map((item) => item.teamId)),
    users: new Map(
      db.user
        .parse(of('user'))
        .data.map((user) => [user.userId, { name: user.name, roles: user.roles, status: user.status }]),
    ),
  };
}

// ── Saving ─────────────────────────────────────────────────────────────────────────────────────

interface Save<N extends ServiceLevelSettingName> {
  name: N;
  expectedVersion: number;
  value: SettingValue<N>;
  /** Settings the value is checked against; the write holds only while they stay as read. */
  checkedAgainst?: readonly ServiceLevelSettingName[];
  references?: References;
  check?: (read: ReadForSave) => FieldError[];
}

function storedOf<N extends ServiceLevelSettingName>(
  read: ReadForSave,
  name: N,
): SettingValue<N> | undefined {
  const stored = read.settings.get(name);
  return stored === undefined ? undefined : (STORED_SCHEMAS[name].parse(stored.value) as SettingValue<N>);
}

async function saveSetting<N extends ServiceLevelSettingName>(
  { ctx, correlationId, now }: Command,
  save: Save<N>,
): Promise<SettingRecord<N>> {
  const { name, expectedVersion, value } = save;
  const checkedAgainst = save.checkedAgainst ?? [];
  const read = await readForSave(ctx.tenantId, [name, ...checkedAgainst], save.references ?? {});
  const stored = read.settings.get(name);
  const version = stored?.version ?? 0;
  if (version !== expectedVersion) {
    throw new PreconditionFailedError(
      `${LABEL[name]} is at version ${version}, not ${expectedVersion}; read it again and retry`,
      { currentVersion: version },
    );
  }
  const errors = save.check?.(read) ?? [];
  if (errors.length > 0) throw new ValidationError(errors);
  // A setting never saved is compared with the default it was read as, where that needs no tenant.
  const before = stored ? storedOf(read, name) : unsavedValue(name, undefined);
  const changes = settingChanges(before, value);
  const updatedAt = now.toISOString();
  if (changes.length === 0) return { name, version, updatedAt: stored?.updatedAt ?? null, value };
  const next = version + 1;
  const event = outboxRecord(
    ctx,
    ServiceLevelSettingChanged,
    { name, recordVersion: next, changes },
    { correlationId, now },
  );
  const text = JSON.stringify(value);
  const tenantId = ctx.tenantId;
  const result = await getDatabase()
    .transaction.write(({ tenantSetting, outbox }) => [
      version === 0
        ? tenantSetting.create({ tenantId, name, value: text, version: next, updatedAt }).commit()
        : tenantSetting
            .patch({ tenantId, name })
            .set({ value: text, version: next, updatedAt })
            .where((attributes, { eq }) => eq(attributes.version, version))
            .commit(),
      outbox.create(event).commit(),
      ...checkedAgainst.map((other) => {
        const otherVersion = read.settings.get(other)?.version;
        return tenantSetting
          .check({ tenantId, name: other })
          .where((attributes, { eq, notExists }) =>
            otherVersion === undefined ? notExists(attributes.version) : eq(attributes.version, otherVersion),
          )
          .commit();
      }),
    ])
    .go();
  const movedIndex = result.canceled ? result.data.slice(2).findIndex((item) => item.rejected) : -1;
  const moved = checkedAgainst[movedIndex];
  if (moved !== undefined) {
    throw new ConflictError(
      `${LABEL[moved]} changed while this was saved, so the checks against them no longer hold; try again`,
    );
  }
  throwOnCancelled(result, LABEL[name]);
  return { name, version: next, updatedAt, value };
}

export function putPriorityMatrix(
  command: Command,
  expectedVersion: number,
  value: SettingValue<'priority-matrix'>,
) {
  return saveSetting(command, { name: 'priority-matrix', expectedVersion, value });
}

export function putDefaultCalendar(
  command: Command,
  expectedVersion: number,
  value: SettingValue<'business-hours'>,
) {
  return saveSetting(command, { name: 'business-hours', expectedVersion, value });
}

export function putCalendars(command: Command, expectedVersion: number, value: SettingValue<'calendars'>) {
  return saveSetting(command, {
    name: 'calendars',
    expectedVersion,
    value,
    checkedAgainst: ['sla-policies'],
    check: (read) =>
      removedCalendarErrors(storedOf(read, 'calendars'), value, storedOf(read, 'sla-policies')),
  });
}

export function putDefaultPolicy(
  command: Command,
  expectedVersion: number,
  value: SettingValue<'sla-policy'>,
) {
  return saveSetting(command, { name: 'sla-policy', expectedVersion, value });
}

export function putPolicies(command: Command, expectedVersion: number, value: SettingValue<'sla-policies'>) {
  return saveSetting(command, {
    name: 'sla-policies',
    expectedVersion,
    value,
    checkedAgainst: ['calendars'],
    references: policyReferences(value),
    check: (read) =>
      policyErrors(value, {
        calendars: storedOf(read, 'calendars'),
        serviceIds: read.serviceIds,
        businessUnitIds: read.businessUnitIds,
      }),
  });
}

export function putIncidentSettings(
  command: Command,
  expectedVersion: number,
  value: SettingValue<'incidents'>,
) {
  return saveSetting(command, {
    name: 'incidents',
    expectedVersion,
    value,
    references: escalationReferences(value),
    check: (read) => escalationErrors(value, { teamIds: read.teamIds, users: read.users }),
  });
}
