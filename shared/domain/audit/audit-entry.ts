import { z } from 'zod';
import { actorSchema } from '../../events/envelope.ts';
import { fieldChangeSchema } from '../../events/service-catalogue.ts';

/** Kinds of record the audit trail knows; each process adds its own. */
export const AUDITED_ENTITY_TYPES = ['service'] as const;
export type AuditedEntityType = (typeof AUDITED_ENTITY_TYPES)[number];

export const auditEntrySchema = z.object({
  entityType: z.enum(AUDITED_ENTITY_TYPES),
  entityId: z.string(),
  eventId: z.string(),
  action: z.string(),
  at: z.iso.datetime(),
  actor: actorSchema,
  correlationId: z.string(),
  changes: z.array(fieldChangeSchema),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;
