import { z } from 'zod';

/** Who caused an event: a user from a verified token, or the platform itself. */
export const actorSchema = z.object({
  userId: z.string().min(1),
  name: z.string(),
});
export type Actor = z.infer<typeof actorSchema>;

/** One entry of the catalogue: where an event comes from, its name, version and the shape of its data. */
export interface EventDefinition<S extends z.ZodType = z.ZodType> {
  /** EventBridge `source`, `itsm.<process>`. */
  readonly source: string;
  /** EventBridge `detail-type`, PascalCase past tense. */
  readonly detailType: string;
  /** Bumped on a breaking change of `data`; consumers can match on it. */
  readonly version: number;
  readonly description: string;
  readonly data: S;
  /**
   * Which record the event changes, for the audit trail: the entity type and the field of `data`
   * holding its id. Audited events carry `changes` (field, from, to) in their data.
   */
  readonly audit?: { readonly entityType: string; readonly idField: string; readonly action: string };
}

export function defineEvent<const S extends z.ZodType>(definition: EventDefinition<S>): EventDefinition<S> {
  return definition;
}

/** The `detail` of every domain event: routing facts first, then the event's own data. */
export function detailSchema<S extends z.ZodType>(data: S) {
  return z.object({
    eventId: z.string().min(1),
    tenantId: z.string().min(1),
    occurredAt: z.iso.datetime(),
    version: z.number().int().positive(),
    correlationId: z.string().min(1),
    actor: actorSchema,
    data,
  });
}

export type DomainEventDetail<T = unknown> = {
  eventId: string;
  tenantId: string;
  occurredAt: string;
  version: number;
  correlationId: string;
  actor: Actor;
  data: T;
};

/** The EventBridge envelope a consumer's function receives (same shape locally and in AWS). */
export interface BusEnvelope<D = unknown> {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: D;
}
