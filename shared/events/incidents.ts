import { z } from 'zod';
import { defineEvent } from './envelope.ts';
import { fieldChangeSchema } from './service-catalogue.ts';

const SOURCE = 'itsm.incidents';
const changes = z.array(fieldChangeSchema);
/** What every incident event says about the record, so consumers need not read it back. */
const incident = {
  incidentId: z.string(),
  number: z.string(),
  priority: z.string(),
  state: z.string(),
  teamId: z.string().nullable(),
  assigneeId: z.string().nullable(),
};
const audit = (action: string) => ({ entityType: 'incident', idField: 'incidentId', action }) as const;

export const IncidentCreated = defineEvent({
  source: SOURCE,
  detailType: 'IncidentCreated',
  version: 1,
  description: 'An incident was reported; `changes` lists every field from nothing to its first value.',
  audit: audit('created'),
  data: z.object({ ...incident, callerId: z.string(), changes }),
});

export const IncidentUpdated = defineEvent({
  source: SOURCE,
  detailType: 'IncidentUpdated',
  version: 1,
  description:
    'Fields of an incident changed (description, service, impact, urgency, priority with its override reason, links, major flag, comments count as no change).',
  audit: audit('updated'),
  data: z.object({ ...incident, recordVersion: z.number().int().positive(), changes: changes.min(1) }),
});

export const IncidentAssigned = defineEvent({
  source: SOURCE,
  detailType: 'IncidentAssigned',
  version: 1,
  description: 'The assignment team or assignee of an incident changed.',
  audit: audit('assigned'),
  data: z.object({ ...incident, recordVersion: z.number().int().positive(), changes: changes.min(1) }),
});

const stateChange = z.object({
  ...incident,
  recordVersion: z.number().int().positive(),
  from: z.string(),
  kind: z.string(),
  reason: z.string().nullable(),
  changes: changes.min(1),
});

export const IncidentStateChanged = defineEvent({
  source: SOURCE,
  detailType: 'IncidentStateChanged',
  version: 1,
  description:
    'An incident moved in its lifecycle (assigned, started, put on hold with a reason, resumed, cancelled); resolution, reopening and closure have their own events.',
  audit: audit('state-changed'),
  data: stateChange,
});

export const IncidentResolved = defineEvent({
  source: SOURCE,
  detailType: 'IncidentResolved',
  version: 1,
  description: 'An incident was resolved with a resolution code and notes.',
  audit: audit('resolved'),
  data: stateChange.extend({ resolutionCode: z.string() }),
});

export const IncidentReopened = defineEvent({
  source: SOURCE,
  detailType: 'IncidentReopened',
  version: 1,
  description: 'A resolved incident was reopened by its caller or an agent.',
  audit: audit('reopened'),
  data: stateChange,
});

export const IncidentClosed = defineEvent({
  source: SOURCE,
  detailType: 'IncidentClosed',
  version: 1,
  description: 'A resolved incident closed automatically, the tenant’s number of days after resolution.',
  audit: audit('closed'),
  data: stateChange,
});

export const IncidentCommented = defineEvent({
  source: SOURCE,
  detailType: 'IncidentCommented',
  version: 1,
  description:
    'Someone added a public comment to an incident (never sent for work notes). Not audited: the comment is in the incident’s timeline.',
  data: z.object({ ...incident, callerId: z.string(), recordVersion: z.number().int().positive() }),
});

const slaMark = z.object({
  ...incident,
  recordVersion: z.number().int().positive(),
  clock: z.enum(['response', 'resolution']),
  /** The moment the threshold was (or will be) reached. */
  at: z.iso.datetime(),
  dueAt: z.iso.datetime().nullable(),
  policyId: z.string(),
  changes,
});

export const SlaWarning = defineEvent({
  source: SOURCE,
  detailType: 'SlaWarning',
  version: 1,
  description: 'An SLA clock of an incident passed its warning threshold (by default 75 % of the target).',
  audit: audit('sla-warning'),
  data: slaMark,
});

export const SlaBreached = defineEvent({
  source: SOURCE,
  detailType: 'SlaBreached',
  version: 1,
  description: 'An SLA clock of an incident reached its target without the response or resolution.',
  audit: audit('sla-breached'),
  data: slaMark,
});

export const IncidentEscalated = defineEvent({
  source: SOURCE,
  detailType: 'IncidentEscalated',
  version: 1,
  description:
    'Escalation rules acted on an SLA warning or breach: people to notify, and the team or priority they changed (in `changes`).',
  audit: audit('escalated'),
  data: z.object({
    ...incident,
    recordVersion: z.number().int().positive(),
    clock: z.enum(['response', 'resolution']),
    level: z.enum(['warning', 'breach']),
    rules: z.array(z.object({ ruleId: z.string(), name: z.string() })).min(1),
    notifyUserIds: z.array(z.string()),
    notifyTeamIds: z.array(z.string()),
    changes,
  }),
});

export const SlaRecomputationRequested = defineEvent({
  source: SOURCE,
  detailType: 'SlaRecomputationRequested',
  version: 1,
  description:
    'A tenant admin asked to recompute the SLA clocks of the open incidents after a policy change; the run hands on to a new event every few hundred incidents (`after` is where it goes on).',
  data: z.object({
    jobId: z.string(),
    after: z.string().nullable(),
    doneBefore: z.number().int().nonnegative(),
    changedBefore: z.number().int().nonnegative(),
  }),
});

export const INCIDENT_EVENTS = [
  IncidentCreated,
  IncidentUpdated,
  IncidentAssigned,
  IncidentStateChanged,
  IncidentResolved,
  IncidentReopened,
  IncidentClosed,
  IncidentCommented,
  SlaWarning,
  SlaBreached,
  IncidentEscalated,
  SlaRecomputationRequested,
] as const;
