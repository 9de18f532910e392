import { randomUUID } from 'node:crypto';
import { batchGetItems, keyOf } from '#shared/data/batch-get.ts';
import { getDatabase } from '#shared/data/database.ts';
import { throwOnCancelled } from '#shared/data/transactions.ts';
import {
  allowedNextStatuses,
  canMoveStatus,
  creationChanges,
  diffService,
  type NewService,
  type Service,
  type ServiceChanges,
  type ServiceStatus,
} from '#shared/domain/service-catalogue/service.ts';
import { ServiceCreated, ServiceUpdated } from '#shared/events/service-catalogue.ts';
import { openCursor, sealCursor } from '#shared/platform/cursor.ts';
import {
  ConflictError,
  NotFoundError,
  PreconditionFailedError,
  ValidationError,
} from '#shared/platform/errors.ts';
import { outboxRecord } from '#shared/platform/outbox.ts';
import type { TenantContext } from '#shared/platform/tenant-context.ts';

interface Command {
  ctx: TenantContext;
  correlationId: string;
  now: Date;
}

type StoredService = Omit<Service, 'consumerBusinessUnitIds'> & {
  tenantId: string;
  sortName?: string | undefined;
  /** Absent on items written before services named their business units. */
  consumerBusinessUnitIds?: string[] | undefined;
};

function toService({
  tenantId: _tenant,
  sortName: _sort,
  consumerBusinessUnitIds,
  ...rest
}: StoredService): Service {
  return { ...rest, consumerBusinessUnitIds: consumerBusinessUnitIds ?? [] };
}

/**
 * Refuses ids that are not business units of the tenant, naming them. One BatchGetItem: the schema
 * allows at most 100 ids, which is what one request can read (keys left unprocessed under load are
 * asked again). Units cannot be deleted, so the check need not hold until the write.
 */
async function checkBusinessUnits(ctx: TenantContext, businessUnitIds: readonly string[]): Promise<void> {
  if (businessUnitIds.length === 0) return;
  const units = getDatabase().entities.businessUnit;
  const found = await batchGetItems(
    businessUnitIds.map((businessUnitId) =>
      keyOf(units.get({ tenantId: ctx.tenantId, businessUnitId }).params()),
    ),
  );
  const known = new Set(units.parse({ Items: found }).data.map((unit) => unit.businessUnitId));
  const unknown = businessUnitIds.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new ValidationError([
      {
        path: 'body.consumerBusinessUnitIds',
        message:
          unknown.length === 1
            ? `There is no business unit ${unknown[0]}`
            : `There are no business units ${unknown.join(', ')}`,
      },
    ]);
  }
}

export async function listServices(
  ctx: TenantContext,
  query: { limit: number; cursor?: string | undefined; status?: ServiceStatus | undefined },
) {
  const scope = `services:${query.status ?? 'all'}`;
  const cursor = openCursor(ctx, scope, query.cursor);
  // A status has its own index, so every page is full: a filter would read pages and drop items.
  const services = getDatabase().entities.service.query;
  const page = await (query.status
    ? services.byStatus({ tenantId: ctx.tenantId, status: query.status })
    : services.byName({ tenantId: ctx.tenantId })
  ).go({ cursor, limit: query.limit });
  return { items: page.data.map(toService), nextCursor: sealCursor(ctx, scope, page.cursor) };
}

export async function getService(ctx: TenantContext, serviceId: string): Promise<Service> {
  const found = await getDatabase().entities.service.get({ tenantId: ctx.tenantId, serviceId }).go();
  if (!found.data) throw new NotFoundError(`No service ${serviceId}`);
  return toService(found.data);
}

export async function createService(
  { ctx, correlationId, now }: Command,
  input: NewService,
): Promise<Service> {
  await checkBusinessUnits(ctx, input.consumerBusinessUnitIds);
  const at = now.toISOString();
  const service: Service = {
    serviceId: randomUUID(),
    ...input,
    version: 1,
    createdAt: at,
    createdBy: ctx.userName,
    updatedAt: at,
    updatedBy: ctx.userName,
  };
  const event = outboxRecord(
    ctx,
    ServiceCreated,
    {
      serviceId: service.serviceId,
      name: service.name,
      status: service.status,
      changes: creationChanges(input),
    },
    { correlationId, now },
  );
  const db = getDatabase();
  const result = await db.transaction
    .write(({ service: services, outbox }) => [
      services.create({ tenantId: ctx.tenantId, ...service }).commit(),
      outbox.create(event).commit(),
    ])
    .go();
  throwOnCancelled(result, 'The service');
  return service;
}

export async function updateService(
  { ctx, correlationId, now }: Command,
  serviceId: string,
  expectedVersion: number,
  changes: ServiceChanges,
): Promise<Service> {
  const current = await getService(ctx, serviceId);
  if (current.version !== expectedVersion) {
    throw new PreconditionFailedError(
      `The service is at version ${current.version}, not ${expectedVersion}; read it again and retry`,
      { currentVersion: current.version },
    );
  }
  if (changes.status && !canMoveStatus(current.status, changes.status)) {
    throw new ConflictError(`A ${current.status} service cannot become ${changes.status}`, {
      allowed: allowedNextStatuses(current.status),
    });
  }
  const diff = diffService(current, changes);
  if (diff.length === 0) return current;
  if (diff.some((change) => change.field === 'consumerBusinessUnitIds')) {
    await checkBusinessUnits(ctx, changes.consumerBusinessUnitIds ?? []);
  }
  const next: Service = {
    ...current,
    ...Object.fromEntries(diff.map((change) => [change.field, change.to])),
    version: current.version + 1,
    updatedAt: now.toISOString(),
    updatedBy: ctx.userName,
  };
  const event = outboxRecord(
    ctx,
    ServiceUpdated,
    { serviceId, name: next.name, status: next.status, recordVersion: next.version, changes: diff },
    { correlationId, now },
  );
  const { name, description, owner, status, consumerBusinessUnitIds, updatedAt, updatedBy } = next;
  const db = getDatabase();
  const result = await db.transaction
    .write(({ service, outbox }) => [
      service
        .patch({ tenantId: ctx.tenantId, serviceId })
        .set({
          name,
          description,
          owner,
          status,
          consumerBusinessUnitIds,
          updatedAt,
          updatedBy,
          version: next.version,
        })
        .where(({ version }, { eq }) => eq(version, current.version))
        .commit(),
      outbox.create(event).commit(),
    ])
    .go();
  throwOnCancelled(result, 'The service');
  return next;
}
