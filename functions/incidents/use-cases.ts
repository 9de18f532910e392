import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { getDatabase } from '#shared/data/database.ts';
import {
  type IncidentReferences,
  type IncidentRules,
  type IncidentWriteInputs,
  readForIncidentWrite,
  readIncidentRules,
  targetFor,
} from '#shared/data/incident-rules.ts';
import {
  type NewTimelineEntry,
  readIncident,
  readIncidentWithTimeline,
  type StoredIncident,
  saveIncident,
  withSla,
} from '#shared/data/incident-store.ts';
import {
  type Assignment,
  diffIncident,
  type Incident,
  type IncidentChanges,
  type IncidentSummary,
  incidentSummarySchema,
  isFinal,
  isOpen,
  type NewIncident,
  type Queue,
  type StateChangeRequest,
  type TimelineEntry,
} from '#shared/domain/incidents/incident.ts';
import { closeDueAt, transition } from '#shared/domain/incidents/lifecycle.ts';
import { decidePriority, incidentNumber } from '#shared/domain/incidents/priority.ts';
import { isOfferedTo } from '#shared/domain/service-catalogue/service.ts';
import type { SlaTarget } from '#shared/domain/sla/policy.ts';
import type { EventDefinition } from '#shared/events/envelope.ts';
import {
  IncidentAssigned,
  IncidentCommented,
  IncidentCreated,
  IncidentReopened,
  IncidentResolved,
  IncidentStateChanged,
  IncidentUpdated,
} from '#shared/events/incidents.ts';
import type { FieldChange } from '#shared/events/service-catalogue.ts';
import { openCursor, sealCursor } from '#shared/platform/cursor.ts';
import {
  ConflictError,
  ForbiddenError,
  HttpError,
  NotFoundError,
  PreconditionFailedError,
  ValidationError,
} from '#shared/platform/errors.ts';
import { type OutboxRecord, outboxRecord } from '#shared/platform/outbox.ts';
import { IT_STAFF } from '#shared/platform/roles.ts';
import type { TenantContext } from '#shared/platform/tenant-context.ts';

export interface Command {
  ctx: TenantContext;
  correlationId: string;
  now: Date;
}

interface PageQuery {
  limit: number;
  cursor?: string | undefined;
}

export type IncidentRecord = Incident & { timeline: TimelineEntry[] };

function isStaff(ctx: TenantContext): boolean {
  return ctx.roles.some((role) => IT_STAFF.includes(role));
}

function actorOf(ctx: TenantContext) {
  return { userId: ctx.userId, name: ctx.userName };
}

function noSuch(path: string, what: string): ValidationError {
  return new ValidationError([{ path, message: `There is no such ${what}` }]);
}

// ── Reference checks (on what readForIncidentWrite read) ────────────────────────────────────

function requireFound(found: boolean, path: string, what: string): void {
  if (!found) throw noSuch(path, what);
}

function assigneeNameIn(inputs: IncidentWriteInputs, userId: string, path: string): string {
  const user = inputs.users.get(userId);
  if (
    !user ||
    user.status === 'deactivated' ||
    !user.roles.some((role) => (IT_STAFF as string[]).includes(role))
  ) {
    throw noSuch(path, 'active IT staff member');
  }
  return user.name;
}

// ── Reads ────────────────────────────────────────────────────────────────────────────────────

/** The record for this caller: requesters reach only their own (another's is as unknown as none). */
function visibleTo(
  ctx: TenantContext,
  stored: StoredIncident | undefined,
  incidentId: string,
): StoredIncident {
  if (!stored || (!isStaff(ctx) && stored.incident.caller.userId !== ctx.userId)) {
    throw new NotFoundError(`No incident ${incidentId}`);
  }
  return stored;
}

function checkVersion(stored: StoredIncident, expected: number): void {
  if (stored.incident.version !== expected) {
    throw new PreconditionFailedError(
      `The incident is at version ${stored.incident.version}, not ${expected}; read it again and retry`,
      { currentVersion: stored.incident.version },
    );
  }
}

export async function getIncident(ctx: TenantContext, incidentId: string): Promise<IncidentRecord> {
  const found = await readIncidentWithTimeline(ctx.tenantId, incidentId);
  const staff = isStaff(ctx);
  if (!found || (!staff && found.stored.incident.caller.userId !== ctx.userId)) {
    throw new NotFoundError(`No incident ${incidentId}`);
  }
  const timeline = staff ? found.timeline : found.timeline.filter((entry) => entry.visibility === 'public');
  return { ...found.stored.incident, timeline };
}

export async function listReported(ctx: TenantContext, query: PageQuery) {
  const cursor = openCursor(ctx, 'incidents:reported', query.cursor);
  const page = await getDatabase()
    .entities.incident.query.byCaller({ tenantId: ctx.tenantId, callerId: ctx.userId })
    .go({ cursor, limit: query.limit, order: 'desc' });
  const items = page.data.map((item) =>
    incidentSummarySchema.parse((JSON.parse(item.record) as StoredIncident).incident),
  );
  return { items, nextCursor: sealCursor(ctx, 'incidents:reported', page.cursor) };
}

export interface QueueQuery extends PageQuery {
  queue: Queue;
  priority?: string | undefined;
  serviceId?: string | undefined;
  teamId?: string | undefined;
}

interface QueuePage {
  data: { summary: string }[];
  cursor: string | null;
}

/**
 * A page of a queue: one Query on a queue index (plus one for the caller's teams in `my-teams`).
 * Filters are applied by DynamoDB to the page read, so a filtered page may hold fewer items than
 * asked for while a next cursor remains.
 */
export async function listQueue(ctx: TenantContext, query: QueueQuery) {
  const scope = `incidents:${query.queue}:${query.priority ?? ''}:${query.serviceId ?? ''}:${query.teamId ?? ''}`;
  const cursor = openCursor(ctx, scope, query.cursor);
  const queues = getDatabase().entities.incidentQueue.query;
  const tenantId = ctx.tenantId;
  const { priority, serviceId, teamId } = query;
  const filtering = priority !== undefined || serviceId !== undefined || teamId !== undefined;
  const filter: Parameters<ReturnType<typeof queues.byList1>['where']>[0] = (attributes, { eq }) =>
    [
      priority !== undefined ? eq(attributes.priority, priority) : '',
      serviceId !== undefined ? eq(attributes.serviceId, serviceId) : '',
      teamId !== undefined ? eq(attributes.teamId, teamId) : '',
    ]
      .filter((part) => part !== '')
      .join(' AND ');
  const run = async (list: { index: 1 | 2; name: string }, from: string | null): Promise<QueuePage> => {
    const options = { cursor: from, limit: query.limit };
    if (list.index === 1) {
      const byList = queues.byList1({ tenantId, list1: list.name });
      return filtering ? byList.where(filter).go(options) : byList.go(options);
    }
    const byList = queues.byList2({ tenantId, list2: list.name });
    return filtering ? byList.where(filter).go(options) : byList.go(options);
  };
  let page: QueuePage;
  let next: string | null;
  if (query.queue === 'my-teams') {
    ({ page, next } = await myTeamsPage(ctx, cursor, (team, from) =>
      run({ index: 1, name: `team#${team}` }, from),
    ));
  } else {
    const list = {
      mine: { index: 1 as const, name: `assignee#${ctx.userId}` },
      unassigned: { index: 1 as const, name: 'assignee#none' },
      'breaching-soon': { index: 2 as const, name: 'open#by-due' },
      'all-open': { index: 2 as const, name: 'open#by-created' },
    }[query.queue];
    page = await run(list, cursor);
    next = page.cursor;
  }
  const items = page.data.map(
    (item) => incidentSummarySchema.parse(JSON.parse(item.summary)) as IncidentSummary,
  );
  return { items, nextCursor: sealCursor(ctx, scope, next) };
}

/**
 * `my-teams` goes through the caller's teams one after the other (each by resolution due time), so a
 * page is still one Query: the cursor says which team and where in it.
 */
async function myTeamsPage(
  ctx: TenantContext,
  cursor: string | null,
  run: (teamId: string, from: string | null) => Promise<QueuePage>,
): Promise<{ page: QueuePage; next: string | null }> {
  const memberships = await getDatabase()
    .entities.membership.query.byUser({ tenantId: ctx.tenantId, userId: ctx.userId })
    .go({ limit: 100 });
  const teams = memberships.data.map((membership) => membership.teamId).sort();
  const position = cursor ? (JSON.parse(cursor) as { team: string; from: string | null }) : null;
  const index = position ? teams.indexOf(position.team) : 0;
  const team = teams[index];
  if (team === undefined) return { page: { data: [], cursor: null }, next: null };
  const page = await run(team, position?.from ?? null);
  const following = teams[index + 1];
  const next = page.cursor
    ? JSON.stringify({ team, from: page.cursor })
    : following !== undefined
      ? JSON.stringify({ team: following, from: null })
      : null;
  return { page, next };
}

// ── Writes ───────────────────────────────────────────────────────────────────────────────────

function eventBase(incident: Incident) {
  return {
    incidentId: incident.incidentId,
    number: incident.number,
    priority: incident.priority,
    state: incident.state,
    teamId: incident.teamId,
    assigneeId: incident.assigneeId,
  };
}

interface Change {
  incident: Incident;
  history?: StoredIncident['history'];
  target?: SlaTarget;
  timeline: NewTimelineEntry[];
  events: (incident: Incident) => OutboxRecord[];
}

/** Bumps the version, recomputes the SLA, and writes everything of the change in one transaction. */
async function commit({ ctx, now }: Command, current: StoredIncident, change: Change): Promise<Incident> {
  const incident: Incident = {
    ...change.incident,
    version: current.incident.version + 1,
    updatedAt: now.toISOString(),
  };
  const { stored, clocks } = withSla(
    {
      ...current,
      incident,
      history: change.history ?? current.history,
      target: change.target ?? current.target,
    },
    now,
  );
  await saveIncident({
    tenantId: ctx.tenantId,
    expectedVersion: current.incident.version,
    next: stored,
    clocks,
    timeline: change.timeline,
    events: change.events(stored.incident),
    now,
  });
  return stored.incident;
}

/** The incident alone (one GetItem), for changes that need no rules. */
async function readForChange(
  ctx: TenantContext,
  incidentId: string,
  expected: number,
): Promise<StoredIncident> {
  const stored = visibleTo(ctx, await readIncident(ctx.tenantId, incidentId), incidentId);
  checkVersion(stored, expected);
  return stored;
}

/**
 * The incident with the tenant's rules and what the request names, in one BatchGetItem. The incident
 * is checked first: an id of another tenant answers 404 whatever the body names.
 */
async function readChangeInputs(
  ctx: TenantContext,
  incidentId: string,
  expected: number,
  references: Omit<IncidentReferences, 'incidentId'> = {},
): Promise<{ current: StoredIncident; inputs: IncidentWriteInputs }> {
  const inputs = await readForIncidentWrite(ctx.tenantId, { incidentId, ...references });
  const current = visibleTo(ctx, inputs.stored, incidentId);
  checkVersion(current, expected);
  return { current, inputs };
}

function emit(command: Command) {
  return <S extends z.ZodType>(event: EventDefinition<S>, data: z.input<S>): OutboxRecord =>
    outboxRecord(command.ctx, event, data, command);
}

export async function createIncident(command: Command, input: NewIncident): Promise<Incident> {
  const { ctx, now } = command;
  if (input.priorityOverride !== undefined && !isStaff(ctx)) {
    throw new ForbiddenError('Only IT staff may override the priority');
  }
  if (input.callerId !== undefined && !isStaff(ctx)) {
    throw new ForbiddenError('Only IT staff may log an incident for someone else');
  }
  const db = getDatabase();
  const callerId = input.callerId ?? ctx.userId;
  const inputs = await readForIncidentWrite(ctx.tenantId, {
    serviceId: input.serviceId,
    userIds: [callerId],
  });
  if (input.serviceId !== null)
    requireFound(inputs.serviceExists, 'body.serviceId', 'service in the catalogue');
  const caller = inputs.users.get(callerId);
  if (input.callerId !== undefined && (!caller || caller.status === 'deactivated')) {
    throw noSuch('body.callerId', 'active user');
  }
  // A requester reports against the services their unit uses; IT staff may log against any.
  if (
    input.serviceId !== null &&
    !isStaff(ctx) &&
    !isOfferedTo({ consumerBusinessUnitIds: [...inputs.serviceConsumers] }, caller?.businessUnitId ?? null)
  ) {
    throw new ValidationError([
      {
        path: 'body.serviceId',
        message: 'Your business unit does not use this service; pick one it subscribes to',
      },
    ]);
  }
  const rules = inputs.rules;
  const decision = decidePriority(rules.matrix, input);
  // The number comes first: a transaction cannot return the counter's new value to use in the same write.
  const counted = await db.entities.counter
    .update({ tenantId: ctx.tenantId, name: 'incident' })
    .add({ value: 1 })
    .go({ response: 'updated_new' });
  const number = incidentNumber(counted.data.value ?? 0);
  const at = now.toISOString();
  const incident: Incident = {
    incidentId: randomUUID(),
    number,
    state: 'new',
    holdReason: null,
    caller: caller && input.callerId !== undefined ? { userId: callerId, name: caller.name } : actorOf(ctx),
    businessUnitId: caller?.businessUnitId ?? null,
    serviceId: input.serviceId,
    configurationItem: input.configurationItem,
    category: input.category,
    impact: input.impact,
    urgency: input.urgency,
    priority: decision.priority,
    priorityOverride: decision.override,
    teamId: null,
    assigneeId: null,
    assigneeName: null,
    shortDescription: input.shortDescription,
    description: input.description,
    resolutionCode: null,
    resolutionNotes: null,
    resolvedAt: null,
    resolutionConfirmedAt: null,
    closeDueAt: null,
    closedAt: null,
    major: false,
    links: [],
    satisfaction: null,
    firstResponseAt: null,
    assignmentCount: 0,
    sla: {
      policyId: '',
      policyName: '',
      responseDueAt: null,
      responseWarningAt: null,
      responseStatus: 'running',
      resolutionDueAt: null,
      resolutionWarningAt: null,
      resolutionStatus: 'running',
      pausedMinutes: 0,
      computedAt: at,
    },
    version: 1,
    createdAt: at,
    updatedAt: at,
  };
  const { stored, clocks } = withSla(
    {
      incident,
      history: [{ at, state: 'new', priority: decision.priority }],
      target: targetFor(rules, incident),
      warningThreshold: rules.settings.warningThreshold,
      announced: [],
    },
    now,
  );
  const created = stored.incident;
  const fields = [
    'shortDescription',
    'description',
    'serviceId',
    'businessUnitId',
    'impact',
    'urgency',
    'priority',
  ] as const;
  const changes: FieldChange[] = fields.map((field) => ({ field, from: null, to: created[field] }));
  if (decision.override) changes.push({ field: 'priorityOverride', from: null, to: decision.override });
  await saveIncident({
    tenantId: ctx.tenantId,
    expectedVersion: null,
    next: stored,
    clocks,
    timeline: [
      {
        kind: 'created',
        visibility: 'public',
        actor: actorOf(ctx),
        text: callerId === ctx.userId ? `${number} reported` : `${number} logged for ${created.caller.name}`,
        changes: [],
      },
      ...(decision.override
        ? [
            {
              kind: 'priority-change' as const,
              visibility: 'internal' as const,
              actor: actorOf(ctx),
              text: `Priority set to ${decision.override.to} instead of ${decision.override.from}: ${decision.override.reason}`,
              changes: [{ field: 'priority', from: decision.override.from, to: decision.override.to }],
            },
          ]
        : []),
    ],
    events: [emit(command)(IncidentCreated, { ...eventBase(created), callerId, changes })],
    now,
  });
  return created;
}

function refuseFinal(incident: Incident): void {
  if (isFinal(incident.state)) {
    throw new ConflictError(`A ${incident.state} incident does not change any more`, { allowed: [] });
  }
}

const EDITABLE = [
  'shortDescription',
  'description',
  'serviceId',
  'businessUnitId',
  'configurationItem',
  'category',
  'impact',
  'urgency',
  'major',
  'links',
] as const;

export async function updateIncident(
  command: Command,
  incidentId: string,
  ifMatch: number,
  input: IncidentChanges,
): Promise<Incident> {
  const { ctx, now } = command;
  const { current, inputs } = await readChangeInputs(ctx, incidentId, ifMatch, {
    serviceId: input.serviceId,
    businessUnitId: input.businessUnitId,
  });
  refuseFinal(current.incident);
  if (input.serviceId) requireFound(inputs.serviceExists, 'body.serviceId', 'service in the catalogue');
  if (input.businessUnitId) requireFound(inputs.businessUnitExists, 'body.businessUnitId', 'business unit');
  const rules = inputs.rules;
  const edited: Incident = { ...current.incident };
  for (const field of EDITABLE) {
    if (input[field] !== undefined) Object.assign(edited, { [field]: input[field] });
  }
  const override =
    input.priorityOverride === undefined
      ? (current.incident.priorityOverride?.to ?? undefined)
      : (input.priorityOverride ?? undefined);
  const reason = input.overrideReason ?? current.incident.priorityOverride?.reason;
  const decision = decidePriority(rules.matrix, {
    impact: edited.impact,
    urgency: edited.urgency,
    ...(override !== undefined ? { priorityOverride: override, overrideReason: reason ?? '' } : {}),
  });
  edited.priority = decision.priority;
  edited.priorityOverride = decision.override;
  const changes = diffIncident(current.incident, edited, [...EDITABLE, 'priority', 'priorityOverride']);
  if (changes.length === 0) return current.incident;
  const priorityChanged = edited.priority !== current.incident.priority;
  const timeline: NewTimelineEntry[] = [
    {
      kind: 'field-change',
      visibility: 'internal',
      actor: actorOf(ctx),
      text: `Changed ${changes.map((change) => change.field).join(', ')}`,
      changes,
    },
  ];
  if (priorityChanged) {
    timeline.push({
      kind: 'priority-change',
      visibility: 'internal',
      actor: actorOf(ctx),
      text: `Priority ${current.incident.priority} → ${edited.priority}${decision.override ? `: ${decision.override.reason}` : ''}`,
      changes: [{ field: 'priority', from: current.incident.priority, to: edited.priority }],
    });
  }
  // A new priority restarts nothing: the clocks read the whole history against the new target.
  const history = priorityChanged
    ? [...current.history, { at: now.toISOString(), state: edited.state, priority: edited.priority }]
    : current.history;
  return commit(command, current, {
    incident: edited,
    history,
    target: targetFor(rules, edited),
    timeline,
    events: (next) => [
      emit(command)(IncidentUpdated, { ...eventBase(next), recordVersion: next.version, changes }),
    ],
  });
}

/** Validated once for a whole bulk assignment; gives the assignee's name. */
function checkAssignment(inputs: IncidentWriteInputs, assignment: Assignment): string | null {
  if (assignment.teamId !== null) requireFound(inputs.teamExists, 'body.teamId', 'team');
  return assignment.assigneeId === null
    ? null
    : assigneeNameIn(inputs, assignment.assigneeId, 'body.assigneeId');
}

async function assignChecked(
  command: Command,
  current: StoredIncident,
  assignment: Assignment,
  assigneeName: string | null,
  rules: IncidentRules,
): Promise<Incident> {
  const { ctx, now } = command;
  const incident = current.incident;
  if (!isOpen(incident.state)) {
    throw new ConflictError(`A ${incident.state} incident cannot be assigned`, { allowed: [] });
  }
  const assigned: Incident = {
    ...incident,
    teamId: assignment.teamId,
    assigneeId: assignment.assigneeId,
    assigneeName,
    assignmentCount: incident.assignmentCount + 1,
  };
  const changes = diffIncident(incident, assigned, ['teamId', 'assigneeId']);
  if (changes.length === 0) return incident;
  const at = now.toISOString();
  // Taking a new incident on is its first response and moves it to assigned.
  const moved =
    incident.state === 'new'
      ? transition(incident, 'assigned', { actor: { kind: 'agent', id: ctx.userId } })
      : null;
  if (moved?.ok) assigned.state = moved.state;
  assigned.firstResponseAt ??= at;
  const stateChanges: FieldChange[] = moved?.ok
    ? [{ field: 'state', from: incident.state, to: moved.state }]
    : [];
  return commit(command, current, {
    incident: assigned,
    history: moved?.ok ? [...current.history, { at, state: moved.state }] : current.history,
    target: targetFor(rules, assigned),
    timeline: [
      {
        kind: 'assignment',
        visibility: 'public',
        actor: actorOf(ctx),
        text: `Assigned to ${assigneeName ?? 'no one'}${assignment.teamId ? ' in the team' : ''}`,
        changes: [...changes, ...stateChanges],
      },
    ],
    events: (next) => [
      emit(command)(IncidentAssigned, { ...eventBase(next), recordVersion: next.version, changes }),
      ...(moved?.ok
        ? [
            emit(command)(IncidentStateChanged, {
              ...eventBase(next),
              recordVersion: next.version,
              from: incident.state,
              kind: moved.kind,
              reason: null,
              changes: stateChanges,
            }),
          ]
        : []),
    ],
  });
}

export async function assignIncident(
  command: Command,
  incidentId: string,
  ifMatch: number,
  assignment: Assignment,
): Promise<Incident> {
  const { current, inputs } = await readChangeInputs(command.ctx, incidentId, ifMatch, {
    teamId: assignment.teamId,
    userIds: [assignment.assigneeId],
  });
  return assignChecked(command, current, assignment, checkAssignment(inputs, assignment), inputs.rules);
}

/** Up to 50 incidents, each with its own If-Match and its own result; one failing stops none. */
export async function bulkAssign(
  command: Command,
  input: Assignment & { items: { incidentId: string; ifMatch: number }[] },
) {
  const inputs = await readForIncidentWrite(command.ctx.tenantId, {
    teamId: input.teamId,
    userIds: [input.assigneeId],
  });
  const name = checkAssignment(inputs, input);
  const results = [];
  for (const item of input.items) {
    try {
      const current = await readForChange(command.ctx, item.incidentId, item.ifMatch);
      const incident = await assignChecked(command, current, input, name, inputs.rules);
      results.push({ incidentId: item.incidentId, status: 200, version: incident.version, detail: null });
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      results.push({
        incidentId: item.incidentId,
        status: error.status,
        version: null,
        detail: error.message,
      });
    }
  }
  return { items: results };
}

function stateText(kind: string, reason: string | null): string {
  const label = kind.replaceAll('-', ' ');
  return reason
    ? `${label[0]?.toUpperCase()}${label.slice(1)}: ${reason}`
    : `${label[0]?.toUpperCase()}${label.slice(1)}`;
}

async function move(
  command: Command,
  current: StoredIncident,
  request: StateChangeRequest,
  actorKind: 'agent' | 'caller',
  rules: IncidentRules,
): Promise<Incident> {
  const { ctx, now } = command;
  const incident = current.incident;
  const result = transition(incident, request.to, {
    actor: { kind: actorKind, id: ctx.userId },
    ...(request.reason !== undefined ? { reason: request.reason } : {}),
  });
  if (!result.ok) {
    if (result.error === 'hold-reason-required') {
      throw new ValidationError([
        { path: 'body.reason', message: `Give one of ${result.allowedReasons.join(', ')}` },
      ]);
    }
    throw new ConflictError(`An incident cannot move from ${result.from} to ${result.to}`, {
      allowed: result.allowed,
    });
  }
  const at = now.toISOString();
  const next: Incident = { ...incident, state: result.state, holdReason: result.holdReason };
  if (result.kind === 'resolved') {
    next.resolutionCode = request.resolutionCode ?? null;
    next.resolutionNotes = request.resolutionNotes ?? null;
    next.resolvedAt = at;
    next.closeDueAt = closeDueAt(at, rules.settings.autoCloseDays, rules.timeZone);
  }
  if (result.kind === 'reopened') {
    next.resolvedAt = null;
    next.closeDueAt = null;
    next.resolutionConfirmedAt = null;
  }
  const changes = diffIncident(incident, next, [
    'state',
    'holdReason',
    'resolutionCode',
    'resolutionNotes',
    'resolvedAt',
    'closeDueAt',
  ]);
  const data = (saved: Incident) => ({
    ...eventBase(saved),
    recordVersion: saved.version,
    from: incident.state,
    kind: result.kind,
    reason: result.reason,
    changes,
  });
  return commit(command, current, {
    incident: next,
    history: [
      ...current.history,
      { at, state: result.state, ...(result.reason ? { reason: result.reason } : {}) },
    ],
    target: targetFor(rules, next),
    timeline: [
      {
        kind: 'state-change',
        visibility: 'public',
        actor: actorOf(ctx),
        text: stateText(
          result.kind,
          result.kind === 'resolved' ? (request.resolutionNotes ?? null) : result.reason,
        ),
        changes,
      },
    ],
    events: (saved) => [
      result.kind === 'resolved'
        ? emit(command)(IncidentResolved, { ...data(saved), resolutionCode: saved.resolutionCode ?? '' })
        : result.kind === 'reopened'
          ? emit(command)(IncidentReopened, data(saved))
          : emit(command)(IncidentStateChanged, data(saved)),
    ],
  });
}

export async function changeState(
  command: Command,
  incidentId: string,
  ifMatch: number,
  request: StateChangeRequest,
): Promise<Incident> {
  const { current, inputs } = await readChangeInputs(command.ctx, incidentId, ifMatch);
  return move(command, current, request, 'agent', inputs.rules);
}

async function note(
  command: Command,
  incidentId: string,
  ifMatch: number,
  text: string,
  kind: 'comment' | 'work-note',
): Promise<Incident> {
  const { ctx, now } = command;
  const current = await readForChange(ctx, incidentId, ifMatch);
  refuseFinal(current.incident);
  const incident = { ...current.incident };
  // An agent's first public reply to someone else's incident is its first response.
  if (kind === 'comment' && isStaff(ctx) && incident.caller.userId !== ctx.userId) {
    incident.firstResponseAt ??= now.toISOString();
  }
  return commit(command, current, {
    incident,
    timeline: [
      {
        kind,
        visibility: kind === 'comment' ? 'public' : 'internal',
        actor: actorOf(ctx),
        text,
        changes: [],
      },
    ],
    // Public comments are announced (notifications tell the other party); work notes never leave the record.
    events: (saved) =>
      kind === 'comment'
        ? [
            emit(command)(IncidentCommented, {
              ...eventBase(saved),
              callerId: saved.caller.userId,
              recordVersion: saved.version,
            }),
          ]
        : [],
  });
}

export function addComment(command: Command, incidentId: string, ifMatch: number, text: string) {
  return note(command, incidentId, ifMatch, text, 'comment');
}

export function addWorkNote(command: Command, incidentId: string, ifMatch: number, text: string) {
  return note(command, incidentId, ifMatch, text, 'work-note');
}

/** Only the caller of an incident confirms, reopens or rates it. */
async function readAsCaller(ctx: TenantContext, incidentId: string, ifMatch: number) {
  const current = await readForChange(ctx, incidentId, ifMatch);
  if (current.incident.caller.userId !== ctx.userId) {
    throw new ForbiddenError('Only the caller of the incident may do this');
  }
  return current;
}

export async function decideResolution(
  command: Command,
  incidentId: string,
  ifMatch: number,
  input: { decision: 'confirm' | 'reopen'; reason?: string | undefined },
): Promise<Incident> {
  const current = await readAsCaller(command.ctx, incidentId, ifMatch);
  if (input.decision === 'reopen') {
    return move(
      command,
      current,
      { to: 'in-progress', ...(input.reason ? { reason: input.reason } : {}) },
      'caller',
      await readIncidentRules(command.ctx.tenantId),
    );
  }
  const incident = current.incident;
  if (incident.state !== 'resolved' || incident.resolutionConfirmedAt !== null) {
    throw new ConflictError('Only a resolved incident not yet confirmed can be confirmed', {
      allowed: incident.state === 'resolved' ? ['in-progress'] : [],
    });
  }
  const confirmed = { ...incident, resolutionConfirmedAt: command.now.toISOString() };
  const changes = diffIncident(incident, confirmed, ['resolutionConfirmedAt']);
  return commit(command, current, {
    incident: confirmed,
    timeline: [
      {
        kind: 'resolution-confirmed',
        visibility: 'public',
        actor: actorOf(command.ctx),
        text: 'Resolution confirmed by the caller',
        changes,
      },
    ],
    events: (next) => [
      emit(command)(IncidentUpdated, { ...eventBase(next), recordVersion: next.version, changes }),
    ],
  });
}

export async function rateIncident(
  command: Command,
  incidentId: string,
  ifMatch: number,
  input: { rating: number; comment: string | null },
): Promise<Incident> {
  const current = await readAsCaller(command.ctx, incidentId, ifMatch);
  const incident = current.incident;
  if ((incident.state !== 'resolved' && incident.state !== 'closed') || incident.satisfaction !== null) {
    throw new ConflictError('An incident is rated once, after it is resolved', { allowed: [] });
  }
  const rated = { ...incident, satisfaction: { ...input, at: command.now.toISOString() } };
  const changes = diffIncident(incident, rated, ['satisfaction']);
  return commit(command, current, {
    incident: rated,
    timeline: [
      {
        kind: 'satisfaction',
        visibility: 'public',
        actor: actorOf(command.ctx),
        text: `Rated ${input.rating} of 5${input.comment ? `: ${input.comment}` : ''}`,
        changes,
      },
    ],
    events: (next) => [
      emit(command)(IncidentUpdated, { ...eventBase(next), recordVersion: next.version, changes }),
    ],
  });
}
