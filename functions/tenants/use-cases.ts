import { randomUUID } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import { getDatabase } from '#shared/data/database.ts';
import { processedMarker, wasAlreadyProcessed } from '#shared/data/processed-events.ts';
import { throwOnCancelled } from '#shared/data/transactions.ts';
import {
  changeTenant,
  type TenantAdministrationChanges,
  type TenantSettingsChanges,
  tenantChanges,
} from '#shared/domain/tenancy/changes.ts';
import { defaultSettings, TENANT_SETTING_NAMES } from '#shared/domain/tenancy/defaults.ts';
import { brandingSchema, type NewTenant, type Tenant } from '#shared/domain/tenancy/tenant.ts';
import type { FieldChange } from '#shared/events/service-catalogue.ts';
import { TenantCreated, TenantDeletionRequested, TenantUpdated } from '#shared/events/tenancy.ts';
import { openCursor, sealCursor } from '#shared/platform/cursor.ts';
import {
  ConflictError,
  NotFoundError,
  PayloadTooLargeError,
  PreconditionFailedError,
} from '#shared/platform/errors.ts';
import { deleteIdentity, inviteIdentity } from '#shared/platform/identity-admin.ts';
import { outboxRecord } from '#shared/platform/outbox.ts';
import type { EventRequest } from '#shared/platform/process-handler.ts';
import { operatorActingOn, type TenantContext } from '#shared/platform/tenant-context.ts';
import { forgetTenantStatus } from '#shared/platform/tenant-gate.ts';
import { TENANT_ITEM_SOURCES, tenantItems, tenantUsage } from './tenant-data.ts';

export interface Command {
  ctx: TenantContext;
  correlationId: string;
  now: Date;
  logger: Logger;
}

/** Usage costs a few queries per tenant, so the operator's list pages are kept small. */
export const MAX_TENANTS_PER_PAGE = 25;
export const MAX_EXPORT_ITEMS = 20_000;
/** Under Lambda's 6 MB response limit, with room for the envelope. */
export const MAX_EXPORT_BYTES = 5_500_000;

type TenantRecord = Omit<Tenant, 'branding'> & { branding: string };

function toTenant({ branding, ...record }: TenantRecord): Tenant {
  return { ...record, branding: brandingSchema.parse(JSON.parse(branding)) };
}

function toRecord(tenant: Tenant): TenantRecord {
  return { ...tenant, branding: JSON.stringify(tenant.branding) };
}

async function readTenant(tenantId: string): Promise<Tenant | undefined> {
  const found = await getDatabase().entities.tenant.get({ tenantId }).go();
  return found.data ? toTenant(found.data) : undefined;
}

async function requireTenant(tenantId: string): Promise<Tenant> {
  const tenant = await readTenant(tenantId);
  if (!tenant) throw new NotFoundError(`No tenant ${tenantId}`);
  return tenant;
}

async function readDeletionJob(tenantId: string) {
  return (await getDatabase().entities.tenantDeletion.get({ deletedTenantId: tenantId }).go()).data;
}

function assertVersion(tenant: Tenant, expected: number): void {
  if (tenant.version !== expected) {
    throw new PreconditionFailedError(
      `The tenant is at version ${tenant.version}, not ${expected}; read it again and retry`,
      { currentVersion: tenant.version },
    );
  }
}

/**
 * Events about a tenant belong to that tenant, whoever acts: its audit trail shows who onboarded or
 * suspended it, and consumers seed or delete within its keys. The operator stays the actor.
 */
/** Consumers act within the event's tenant; an event naming another tenant in its data is a bug. */
export function assertOwnTenant(ctx: TenantContext, tenantId: string): void {
  if (ctx.tenantId !== tenantId) {
    throw new Error(`Event of tenant ${ctx.tenantId} names tenant ${tenantId}`);
  }
}

// ── Platform operator ──────────────────────────────────────────────────────────────────────────

export async function createTenant({ ctx, correlationId, now, logger }: Command, input: NewTenant) {
  const { tenantId, firstAdmin } = input;
  const db = getDatabase();
  if (await readTenant(tenantId)) {
    throw new ConflictError(`A tenant with the id ${tenantId} already exists; choose another id`);
  }
  const at = now.toISOString();
  const tenant: Tenant = {
    tenantId,
    name: input.name,
    plan: input.plan,
    status: 'active',
    timeZone: input.timeZone,
    locale: input.locale,
    currency: input.currency,
    branding: brandingSchema.parse({
      ...input.branding,
      displayName: input.branding?.displayName ?? input.name,
    }),
    version: 1,
    createdAt: at,
    updatedAt: at,
  };
  const { userId } = await inviteIdentity({
    tenantId,
    email: firstAdmin.email,
    name: firstAdmin.name,
    roles: ['tenant-admin'],
  });
  try {
    const event = outboxRecord(
      operatorActingOn(ctx, tenantId),
      TenantCreated,
      {
        tenantId,
        name: tenant.name,
        plan: tenant.plan,
        timeZone: tenant.timeZone,
        firstAdminUserId: userId,
        changes: tenantChanges(null, tenant),
      },
      { correlationId, now },
    );
    const result = await db.transaction
      .write(({ tenant: tenants, user, outbox }) => [
        tenants.create(toRecord(tenant)).commit(),
        user
          .create({
            tenantId,
            userId,
            email: firstAdmin.email,
            name: firstAdmin.name,
            roles: ['tenant-admin'],
            status: 'invited',
            version: 1,
            createdAt: at,
            updatedAt: at,
          })
          .commit(),
        outbox.create(event).commit(),
      ])
      .go();
    if (result.canceled && result.data[0]?.code === 'ConditionalCheckFailed') {
      throw new ConflictError(`A tenant with the id ${tenantId} already exists; choose another id`);
    }
    throwOnCancelled(result, 'The tenant');
  } catch (error) {
    // A sign-in whose tenant was never written must not stay behind (it would also block the email).
    await deleteIdentity(firstAdmin.email).catch((cleanup: unknown) =>
      logger.error('could not remove the invited identity again', cleanup as Error),
    );
    throw error;
  }
  return { tenant, firstAdmin: { userId, email: firstAdmin.email, status: 'invited' as const } };
}

async function overview(tenant: Tenant) {
  const [usage, job] = await Promise.all([tenantUsage(tenant.tenantId), readDeletionJob(tenant.tenantId)]);
  // A job older than the tenant belongs to an earlier tenant of the same id.
  const current = job && job.requestedAt >= tenant.createdAt ? job : undefined;
  return {
    ...tenant,
    usage,
    deletion: current
      ? { jobId: current.jobId, status: current.status, itemsDeleted: current.itemsDeleted }
      : null,
  };
}

export async function listTenants(ctx: TenantContext, query: { limit: number; cursor?: string | undefined }) {
  const scope = 'tenants';
  const cursor = openCursor(ctx, scope, query.cursor);
  const page = await getDatabase()
    .entities.tenant.query.all({})
    .go({ cursor, limit: Math.min(query.limit, MAX_TENANTS_PER_PAGE) });
  const items = await Promise.all(page.data.map((record) => overview(toTenant(record))));
  return { items, nextCursor: sealCursor(ctx, scope, page.cursor) };
}

export async function getTenant(tenantId: string) {
  return overview(await requireTenant(tenantId));
}

/** Writes a changed tenant under a version condition with its TenantUpdated event. */
async function saveTenantChange(
  { ctx, correlationId, now }: Command,
  current: Tenant,
  next: Tenant,
  diff: FieldChange[],
): Promise<void> {
  const { tenantId } = current;
  const event = outboxRecord(
    ctx.tenantId === tenantId ? ctx : operatorActingOn(ctx, tenantId),
    TenantUpdated,
    { tenantId, status: next.status, recordVersion: next.version, changes: diff },
    { correlationId, now },
  );
  const { name, plan, status, timeZone, locale, currency, branding, version, updatedAt } = toRecord(next);
  const result = await getDatabase()
    .transaction.write(({ tenant, tenantDeletion, outbox }) => [
      tenant
        .patch({ tenantId })
        .set({ name, plan, status, timeZone, locale, currency, branding, version, updatedAt })
        .where((attributes, { eq }) => eq(attributes.version, current.version))
        .commit(),
      // Atomic with the deletion request's own check: a tenant is never resumed while being deleted.
      tenantDeletion
        .check({ deletedTenantId: tenantId })
        .where(
          ({ status: jobStatus }, { eq, notExists }) => `${notExists(jobStatus)} OR ${eq(jobStatus, 'done')}`,
        )
        .commit(),
      outbox.create(event).commit(),
    ])
    .go();
  if (result.canceled && result.data[1]?.code === 'ConditionalCheckFailed') throw beingDeleted();
  throwOnCancelled(result, 'The tenant');
}

function beingDeleted(): ConflictError {
  return new ConflictError('This tenant is being deleted; it can no longer be changed');
}

export async function administerTenant(
  command: Command,
  tenantId: string,
  expectedVersion: number,
  changes: TenantAdministrationChanges,
): Promise<Tenant> {
  const current = await requireTenant(tenantId);
  assertVersion(current, expectedVersion);
  if ((await readDeletionJob(tenantId))?.status === 'running') throw beingDeleted();
  const { next, diff } = changeTenant(current, changes, command.now.toISOString());
  if (diff.length === 0) return current;
  await saveTenantChange(command, current, next, diff);
  // This container refuses or admits the tenant's users at once; others within the gate's 5 s cache.
  forgetTenantStatus(tenantId);
  return next;
}

export async function deleteTenant({ ctx, correlationId, now }: Command, tenantId: string) {
  const current = await requireTenant(tenantId);
  const job = await readDeletionJob(tenantId);
  // Asking again while it runs is no error: the answer is the same job.
  if (job?.status === 'running') return { jobId: job.jobId, status: 'running' as const };
  if (current.status !== 'suspended') {
    throw new ConflictError(
      'Only a suspended tenant can be deleted: suspend it first, so its users are out before its data goes',
      { tenantStatus: current.status },
    );
  }
  const at = now.toISOString();
  const jobId = randomUUID();
  const event = outboxRecord(
    operatorActingOn(ctx, tenantId),
    TenantDeletionRequested,
    { tenantId, jobId },
    { correlationId, now },
  );
  const result = await getDatabase()
    .transaction.write(({ tenant, tenantDeletion, outbox }) => [
      tenant
        .check({ tenantId })
        .where(
          ({ status, version }, { eq }) => `${eq(status, 'suspended')} AND ${eq(version, current.version)}`,
        )
        .commit(),
      tenantDeletion
        .put({
          deletedTenantId: tenantId,
          jobId,
          status: 'running',
          itemsDeleted: 0,
          requestedAt: at,
          requestedBy: ctx.userName,
          updatedAt: at,
        })
        .where(({ status }, { eq, notExists }) => `${notExists(status)} OR ${eq(status, 'done')}`)
        .commit(),
      outbox.create(event).commit(),
    ])
    .go();
  if (result.canceled) {
    throw new ConflictError(
      'The tenant changed, or its deletion started, meanwhile; read it again and retry',
    );
  }
  return { jobId, status: 'running' as const };
}

// ── The tenant's own admin and members ─────────────────────────────────────────────────────────

export async function getMyTenant(ctx: TenantContext): Promise<Tenant> {
  return requireTenant(ctx.tenantId);
}

export async function updateMyTenant(
  command: Command,
  expectedVersion: number,
  changes: TenantSettingsChanges,
): Promise<Tenant> {
  const current = await requireTenant(command.ctx.tenantId);
  assertVersion(current, expectedVersion);
  const { next, diff } = changeTenant(current, changes, command.now.toISOString());
  if (diff.length === 0) return current;
  await saveTenantChange(command, current, next, diff);
  return next;
}

/** Key attributes and derived sort keys are storage details, not the tenant's data. */
const INTERNAL_ATTRIBUTE = /^(pk|sk|gsi\d+(pk|sk)|__edb_.*|tenantId|sortName|emailKey)$/;
/** Attributes stored as JSON text, exported as the values they hold. */
const JSON_ATTRIBUTES: Partial<Record<string, string>> = {
  auditEntries: 'changes',
  settings: 'value',
  incidents: 'record',
};

/** Items rebuilt from the incident on every write (queue entries, due moments): not the tenant's data. */
const DERIVED_ENTITIES = new Set(['incidentQueue', 'dueMoment']);

function exportable(source: string, item: Record<string, unknown>): Record<string, unknown> {
  const json = JSON_ATTRIBUTES[source];
  return Object.fromEntries(
    Object.entries(item)
      .filter(([name]) => !INTERNAL_ATTRIBUTE.test(name))
      .map(([name, value]) => [name, name === json && typeof value === 'string' ? JSON.parse(value) : value]),
  );
}

function tooLarge(): PayloadTooLargeError {
  return new PayloadTooLargeError(
    `This tenant holds more than ${MAX_EXPORT_ITEMS.toLocaleString('en')} records or ${MAX_EXPORT_BYTES / 1e6} MB, more than one export answer can carry; ask your service provider for a full export`,
    { maxItems: MAX_EXPORT_ITEMS },
  );
}

export async function exportMyTenant(ctx: TenantContext, now: Date) {
  const tenant = await requireTenant(ctx.tenantId);
  const records: Record<string, Record<string, unknown>[]> = {};
  let total = 1;
  for (const source of TENANT_ITEM_SOURCES) {
    const items: Record<string, unknown>[] = [];
    for await (const chunk of tenantItems(ctx.tenantId, source, 1_000)) {
      total += chunk.items.length;
      // Stop reading at once: a bigger tenant would only cost more reads before the same refusal.
      if (total > MAX_EXPORT_ITEMS) throw tooLarge();
      const own = chunk.items.filter((item) => !DERIVED_ENTITIES.has(String(item.__edb_e__)));
      items.push(...own.map((item) => exportable(source, item)));
    }
    records[source] = items;
  }
  const document = { tenant, exportedAt: now.toISOString(), records };
  if (Buffer.byteLength(JSON.stringify(document)) > MAX_EXPORT_BYTES) throw tooLarge();
  return document;
}

// ── Public ─────────────────────────────────────────────────────────────────────────────────────

/** A suspended tenant is as unknown as a missing one: its sign-in page must say nothing. */
export async function getPublicBranding(tenantId: string) {
  const tenant = await readTenant(tenantId);
  if (tenant?.status !== 'active') throw new NotFoundError(`No tenant ${tenantId}`);
  return { tenantId, branding: tenant.branding };
}

// ── Subscriptions ──────────────────────────────────────────────────────────────────────────────

/** Writes the new tenant's default settings once; a redelivery finds its marker and changes nothing. */
export async function seedDefaults({ ctx, detail, consumer, logger, now }: EventRequest): Promise<void> {
  const { tenantId } = TenantCreated.data.parse(detail.data);
  assertOwnTenant(ctx, tenantId);
  const tenant = await readTenant(tenantId);
  if (!tenant) {
    logger.warn('the tenant no longer exists; nothing to seed');
    return;
  }
  const settings = defaultSettings(tenant);
  const updatedAt = now.toISOString();
  const result = await getDatabase()
    .transaction.write(({ processedEvent, tenantSetting }) => [
      processedEvent.create(processedMarker(ctx, consumer, detail.eventId, now)).commit(),
      ...TENANT_SETTING_NAMES.map((name) =>
        tenantSetting
          .create({ tenantId, name, value: JSON.stringify(settings[name]), version: 1, updatedAt })
          .commit(),
      ),
    ])
    .go();
  if (wasAlreadyProcessed(result, 0)) return;
  if (result.canceled) {
    // The marker expired and the event came back late: the tenant's settings may have changed since.
    if (result.data.some((item) => item.code === 'ConditionalCheckFailed')) {
      logger.info('defaults already seeded; left as they are');
      return;
    }
    throw new Error(`Defaults of ${tenantId} were not seeded; the bus will retry`);
  }
}
