import { z } from 'zod';
import { defineEvent } from './envelope.ts';
import { fieldChangeSchema } from './service-catalogue.ts';

const SOURCE = 'itsm.tenants';
const tenantAudit = (action: string) => ({ entityType: 'tenant', idField: 'tenantId', action });

export const TenantCreated = defineEvent({
  source: SOURCE,
  detailType: 'TenantCreated',
  version: 1,
  description: 'A company was onboarded; its defaults are seeded on this event.',
  audit: tenantAudit('created'),
  data: z.object({
    tenantId: z.string(),
    name: z.string(),
    plan: z.string(),
    timeZone: z.string(),
    firstAdminUserId: z.string(),
    changes: z.array(fieldChangeSchema),
  }),
});

export const TenantUpdated = defineEvent({
  source: SOURCE,
  detailType: 'TenantUpdated',
  version: 1,
  description:
    'Settings, branding, plan or status of a tenant changed (a status change suspends or resumes it).',
  audit: tenantAudit('updated'),
  data: z.object({
    tenantId: z.string(),
    status: z.enum(['active', 'suspended']),
    recordVersion: z.number().int().positive(),
    changes: z.array(fieldChangeSchema).min(1),
  }),
});

export const TenantDeletionRequested = defineEvent({
  source: SOURCE,
  detailType: 'TenantDeletionRequested',
  version: 1,
  description: 'The platform operator asked to delete a tenant and all of its data.',
  data: z.object({ tenantId: z.string(), jobId: z.string() }),
});

export const TenantDeleted = defineEvent({
  source: SOURCE,
  detailType: 'TenantDeleted',
  version: 1,
  description: 'Every item of the tenant is gone.',
  data: z.object({ tenantId: z.string(), jobId: z.string(), itemsDeleted: z.number().int().nonnegative() }),
});
