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

export const newServiceSchema = z.strictObject({
  name,
  description: description.default(''),
  owner,
  status: z.enum(SERVICE_STATUSES).default('pipeline'),
});
export type NewService = z.infer<typeof newServiceSchema>;

export const serviceChangesSchema = changesSchema({
  name: name.optional(),
  description: description.optional(),
  owner: owner.optional(),
  status: z.enum(SERVICE_STATUSES).optional(),
});
export type ServiceChanges = z.infer<typeof serviceChangesSchema>;

export const serviceSchema = z.object({
  serviceId: z.string(),
  name: z.string(),
  description: z.string(),
  owner: z.string(),
  status: z.enum(SERVICE_STATUSES),
  version: z.number().int().positive(),
  createdAt: z.iso.datetime(),
  createdBy: z.string(),
  updatedAt: z.iso.datetime(),
  updatedBy: z.string(),
});
export type Service = z.infer<typeof serviceSchema>;

const EDITABLE_FIELDS = ['name', 'description', 'owner', 'status'] as const;

/** The fields a change really alters, with old and new values; unchanged fields are left out. */
export function diffService(
  current: Pick<Service, (typeof EDITABLE_FIELDS)[number]>,
  changes: ServiceChanges,
) {
  const diff: FieldChange[] = [];
  for (const field of EDITABLE_FIELDS) {
    const next = changes[field];
    if (next !== undefined && next !== current[field]) diff.push({ field, from: current[field], to: next });
  }
  return diff;
}

/** The audit view of a creation: every field from nothing to its first value. */
export function creationChanges(service: NewService): FieldChange[] {
  return EDITABLE_FIELDS.map((field) => ({ field, from: null, to: service[field] }));
}
