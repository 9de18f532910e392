import { z } from 'zod';
import { defineEvent } from './envelope.ts';
import { fieldChangeSchema } from './service-catalogue.ts';

const SOURCE = 'itsm.directory';
const changes = z.array(fieldChangeSchema);

export const UserInvited = defineEvent({
  source: SOURCE,
  detailType: 'UserInvited',
  version: 1,
  description: 'A tenant admin invited a user with roles.',
  audit: { entityType: 'user', idField: 'userId', action: 'invited' },
  data: z.object({ userId: z.string(), email: z.string(), roles: z.array(z.string()), changes }),
});

export const UserUpdated = defineEvent({
  source: SOURCE,
  detailType: 'UserUpdated',
  version: 1,
  description: 'Name, roles, business unit or status (activated, deactivated) of a user changed.',
  audit: { entityType: 'user', idField: 'userId', action: 'updated' },
  data: z.object({
    userId: z.string(),
    status: z.string(),
    roles: z.array(z.string()),
    changes: changes.min(1),
  }),
});

export const TeamCreated = defineEvent({
  source: SOURCE,
  detailType: 'TeamCreated',
  version: 1,
  description: 'An assignment group was created.',
  audit: { entityType: 'team', idField: 'teamId', action: 'created' },
  data: z.object({ teamId: z.string(), name: z.string(), changes }),
});

export const TeamUpdated = defineEvent({
  source: SOURCE,
  detailType: 'TeamUpdated',
  version: 1,
  description: 'A team changed, or a member joined or left (`changes` names `members`).',
  audit: { entityType: 'team', idField: 'teamId', action: 'updated' },
  data: z.object({ teamId: z.string(), name: z.string(), changes: changes.min(1) }),
});

export const BusinessUnitCreated = defineEvent({
  source: SOURCE,
  detailType: 'BusinessUnitCreated',
  version: 1,
  description: 'A business unit (a consumer of IT services) was added.',
  audit: { entityType: 'business-unit', idField: 'businessUnitId', action: 'created' },
  data: z.object({ businessUnitId: z.string(), name: z.string(), changes }),
});

export const BusinessUnitUpdated = defineEvent({
  source: SOURCE,
  detailType: 'BusinessUnitUpdated',
  version: 1,
  description: 'Name, cost centre or parent of a business unit changed.',
  audit: { entityType: 'business-unit', idField: 'businessUnitId', action: 'updated' },
  data: z.object({ businessUnitId: z.string(), name: z.string(), changes: changes.min(1) }),
});
