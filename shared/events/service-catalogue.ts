import { z } from 'zod';
import { defineEvent } from './envelope.ts';

const SOURCE = 'itsm.service-catalogue';

/** A field that changed: its name and the values before and after. */
export const fieldChangeSchema = z.object({
  field: z.string(),
  from: z.unknown(),
  to: z.unknown(),
});
export type FieldChange = z.infer<typeof fieldChangeSchema>;

export const ServiceCreated = defineEvent({
  source: SOURCE,
  detailType: 'ServiceCreated',
  version: 1,
  description: 'A service was added to the catalogue.',
  audit: { entityType: 'service', idField: 'serviceId', action: 'created' },
  data: z.object({
    serviceId: z.string(),
    name: z.string(),
    status: z.string(),
    changes: z.array(fieldChangeSchema),
  }),
});

export const ServiceUpdated = defineEvent({
  source: SOURCE,
  detailType: 'ServiceUpdated',
  version: 1,
  description:
    'Fields of a catalogue service changed; `changes` lists each field with its old and new value.',
  audit: { entityType: 'service', idField: 'serviceId', action: 'updated' },
  data: z.object({
    serviceId: z.string(),
    name: z.string(),
    status: z.string(),
    recordVersion: z.number().int().positive(),
    changes: z.array(fieldChangeSchema).min(1),
  }),
});
