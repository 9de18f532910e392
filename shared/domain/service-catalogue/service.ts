import { z } from 'zod';
import type { FieldChange } from '../../events/service-catalogue.ts';
import { changesSchema } from '../common/changes.ts';

/** Where a service is in its life: being built, in use, or withdrawn (ITIL service portfolio). */
export const SERVICE_STATUSES = ['pipeline', 'live', 'retired'] as const;
export type ServiceStatus = (typeof SERVICE_STATUSES)[number];

/** Allowed moves between statuses; retired is final. */
const NEXT_STATUSES: Record<ServiceStatus, readonly ServiceStatus[]> = {
  pipeline: ['live', 'retired'],
  live: ['retired'],
  retired: [],
};

export function allowedNextStatuses(from: ServiceStatus): readonly ServiceStatus[] {
  return NEXT_STATUSES[from];
}

export function canMoveStatus(from: ServiceStatus, to: ServiceStatus): boolean {
  return from === to || NEXT_STATUSES[from].includes(to);
}

const name = z.string().trim().min(1, 'Name is required').max(120, 'Name must be at most 120 characters');
const description = z.string().trim().max(4000, 'Description must be at most 4000 characters');
const owner = z.string().trim().min(1, 'Owner is required').max(120, 'Owner must be at most 120 characters');

/** How many business units one service may name; a service for more units is offered to every unit. */
export const MAX_CONSUMER_UNITS = 100;

/**
 * The business units that subscribe to the service. Empty means it is offered to every unit, so a
 * service is never hidden by accident; whether each id is a unit of the tenant is checked against the
 * table by the use-case, not here.
 */
const consumerBusinessUnitIds = z
  .array(z.string().min(1).max(64))
  .max(MAX_CONSUMER_UNITS, `Name at most ${MAX_CONSUMER_UNITS} business units`)
  .refine((ids) => new Set(ids).size === ids.length, 'Name each business unit only once');

export const newServiceSchema = z.strictObject({
  name,
  description: description.default(''),
  owner,
  status: z.enum(SERVICE_STATUSES).default('pipeline'),
  consumerBusinessUnitIds: consumerBusinessUnitIds.default([]),
});
export type NewService = z.infer<typeof newServiceSchema>;

export const serviceChangesSchema = changesSchema({
  name: name.optional(),
  description: description.optional(),
  owner: owner.optional(),
  status: z.enum(SERVICE_STATUSES).optional(),
  consumerBusinessUnitIds: consumerBusinessUnitIds.optional(),
});
export type ServiceChanges = z.infer<typeof serviceChangesSchema>;

export const serviceSchema = z.object({
  serviceId: z.string(),
  name: z.string(),
  description: z.string(),
  owner: z.string(),
  status: z.enum(SERVICE_STATUSES),
  /** Business units that subscribe to the service; empty: offered to every unit. */
  consumerBusinessUnitIds: z.array(z.string()),
  version: z.number().int().positive(),
  createdAt: z.iso.datetime(),
  createdBy: z.string(),
  updatedAt: z.iso.datetime(),
  updatedBy: z.string(),
});
export type Service = z.infer<typeof serviceSchema>;

const EDITABLE_FIELDS = ['name', 'description', 'owner', 'status', 'consumerBusinessUnitIds'] as const;
type Editable = Pick<Service, (typeof EDITABLE_FIELDS)[number]>;

/** Same units in any order: the order of a subscription list carries no meaning. */
function sameUnits(a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(a);
  return a.length === b.length && b.every((id) => set.has(id));
}

/** The fields a change really alters, with old and new values; unchanged fields are left out. */
export function diffService(current: Editable, changes: ServiceChanges) {
  const diff: FieldChange[] = [];
  for (const field of EDITABLE_FIELDS) {
    const from = current[field];
    const to = changes[field];
    if (to === undefined) continue;
    const same = Array.isArray(from) && Array.isArray(to) ? sameUnits(from, to) : from === to;
    if (!same) diff.push({ field, from, to });
  }
  return diff;
}

/** The audit view of a creation: every field from nothing to its first value. */
export function creationChanges(service: NewService): FieldChange[] {
  return EDITABLE_FIELDS.map((field) => ({ field, from: null, to: service[field] }));
}

/** Whether a unit may use the service: it subscribes, or the service is offered to every unit. */
export function isOfferedTo(
  service: Pick<Service, 'consumerBusinessUnitIds'>,
  businessUnitId: string | null,
): boolean {
  const units = service.consumerBusinessUnitIds;
  return units.length === 0 || (businessUnitId !== null && units.includes(businessUnitId));
}
