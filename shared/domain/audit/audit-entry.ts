import { z } from 'zod';
import { actorSchema } from '../../events/envelope.ts';
import { fieldChangeSchema } from '../../events/service-catalogue.ts';
import { csvText } from '../common/csv.ts';

/** Kinds of record the audit trail knows; each audited event in the catalogue names one. */
export const AUDITED_ENTITY_TYPES = [
  'service',
  'tenant',
  'user',
  'team',
  'business-unit',
  'incident',
  /** A service level setting of the tenant, by setting name (`priority-matrix`, `sla-policies`, …). */
  'service-level',
] as const;
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

/** Filters of the tenant-wide trail; `from`/`to` bound the time, inclusive. */
export const auditFilterShape = {
  entityType: z.enum(AUDITED_ENTITY_TYPES).optional(),
  actorId: z.string().min(1).max(128).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
};

export const auditFilterSchema = z
  .object(auditFilterShape)
  .refine((filter) => !filter.from || !filter.to || filter.from <= filter.to, {
    message: '`from` must not be after `to`',
    path: ['from'],
  });

const CSV_COLUMNS = [
  'at',
  'entityType',
  'entityId',
  'action',
  'actorId',
  'actorName',
  'field',
  'from',
  'to',
  'correlationId',
];

/** One CSV line per changed field (an entry without changes still gets one line). */
export function auditCsv(entries: readonly AuditEntry[]): string {
  const rows: unknown[][] = [];
  for (const entry of entries) {
    const base = [
      entry.at,
      entry.entityType,
      entry.entityId,
      entry.action,
      entry.actor.userId,
      entry.actor.name,
    ];
    const changes = entry.changes.length > 0 ? entry.changes : [{ field: '', from: null, to: null }];
    for (const change of changes)
      rows.push([...base, change.field, change.from, change.to, entry.correlationId]);
  }
  return csvText(CSV_COLUMNS, rows);
}
