import { z } from 'zod';
import { defineEvent } from './envelope.ts';
import { fieldChangeSchema } from './service-catalogue.ts';

const SOURCE = 'itsm.service-levels';

export const ServiceLevelSettingChanged = defineEvent({
  source: SOURCE,
  detailType: 'ServiceLevelSettingChanged',
  version: 1,
  description:
    'A tenant admin saved a service level setting (`priority-matrix`, `business-hours`, `calendars`, `sla-policy`, `sla-policies` or `incidents`); `changes` lists each changed field, e.g. `policies.gold.priorities.P1.resolutionMinutes`. Incidents apply it on their next write, or all open ones at once through an SLA recomputation.',
  audit: { entityType: 'service-level', idField: 'name', action: 'updated' },
  data: z.object({
    name: z.string().min(1),
    recordVersion: z.number().int().positive(),
    changes: z.array(fieldChangeSchema).min(1),
  }),
});

export const SERVICE_LEVEL_EVENTS = [ServiceLevelSettingChanged] as const;
