import { randomUUID } from 'node:crypto';
import { getDatabase } from '#shared/data/database.ts';
import type { Database } from '#shared/data/entities.ts';
import { type CancelledItem, throwOnCancelled } from '#shared/data/transactions.ts';
import {
  checkParent,
  MAX_BUSINESS_UNIT_DEPTH,
  PARENT_REFUSALS,
} from '#shared/domain/directory/business-units.ts';
import { creationChanges, diffFields, memberChange } from '#shared/domain/directory/changes.ts';
import {
  type BusinessUnit,
  type BusinessUnitChanges,
  type InviteUser,
  isTenantRole,
  type Membership,
  type NewBusinessUnit,
  type NewTeam,
  type Team,
  type TeamChanges,
  type TenantRole,
  type User,
  type UserChanges,
  type UserStatus,
} from '#shared/domain/directory/directory.ts';
import {
  BusinessUnitCreated,
  BusinessUnitUpdated,
  TeamCreated,
  TeamUpdated,
  UserInvited,
  UserUpdated,
} from '#shared/events/directory.ts';
import { openCursor, sealCursor } from '#shared/platform/cursor.ts';
import {
  ConflictError,
  NotFoundError,
  PreconditionFailedError,
  ValidationError,
} from '#shared/platform/errors.ts';
import {
  deleteIdentity,
  inviteIdentity,
  setIdentityEnabled,
  setIdentityRoles,
} from '#shared/platform/identity-admin.ts';
import { outboxRecord } from '#shared/platform/outbox.ts';
import type { TenantContext } from '#shared/platform/tenant-context.ts';

interface Command {
  ctx: TenantContext;
  correlationId: string;
  now: Date;
}

interface PageQuery {
  limit: number;
  cursor?: string | undefined;
}

export type Me = User & { teamIds: string[] };

/** The entities as a transaction callback receives them. */
type WriteEntities = Parameters<Parameters<Database['transaction']['write']>[0]>[0];

function stale(what: string, current: number, expected: number): PreconditionFailedError {
  return new PreconditionFailedError(
    `The ${what} is at version ${current}, not ${expected}; read it again and retry`,
    { currentVersion: current },
  );
}

/** A reference to a record that is not in the tenant: the field is wrong, not the URL. */
function noSuch(path: string, message: string): ValidationError {
  return new ValidationError([{ path, message }]);
}

/** The table keeps no nulls: an absent optional attribute reads as null. */
function orNull(value: string | undefined): string | null {
  return value ?? null;
}

/** Optional attributes to write: a null is left out (create) or removed (update). */
function present<T extends Record<string, string | null>>(values: T) {
  const set: Record<string, string> = {};
  const removed: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    if (value === null) removed.push(key);
    else set[key] = value;
  }
  return { set, removed };
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

// ---------------------------------------------------------------- users

interface StoredUser {
  userId: string;
  email: string;
  name: string;
  roles: string[];
  status: UserStatus;
  businessUnitId?: string | undefined;
  version: number;
  createdAt: string;
  updatedAt: string;
}

function toUser(item: StoredUser): User {
  return {
    userId: item.userId,
    email: item.email,
    name: item.name,
    roles: item.roles.filter(isTenantRole),
    status: item.status,
    businessUnitId: orNull(item.businessUnitId),
    version: item.version,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
  };
}

const USER_FIELDS = ['name', 'roles', 'status', 'businessUnitId'] as const;

async function readUser(ctx: TenantContext, userId: string): Promise<User | undefined> {
  const found = await getDatabase().entities.user.get({ tenantId: ctx.tenantId, userId }).go();
  return found.data ? toUser(found.data) : undefined;
}

async function findUserByEmail(ctx: TenantContext, email: string): Promise<User | undefined> {
  const found = await getDatabase()
    .entities.user.query.byEmail({ tenantId: ctx.tenantId, emailKey: email.toLowerCase() })
    .go({ limit: 1 });
  const item = found.data[0];
  return item ? toUser(item) : undefined;
}

export async function getUser(ctx: TenantContext, userId: string): Promise<User> {
  const user = await readUser(ctx, userId);
  if (!user) throw new NotFoundError(`No user ${userId}`);
  return user;
}

export async function listUsers(ctx: TenantContext, query: PageQuery) {
  const cursor = openCursor(ctx, 'users', query.cursor);
  const page = await getDatabase()
    .entities.user.query.byEmail({ tenantId: ctx.tenantId })
    .go({ cursor, limit: query.limit });
  return { items: page.data.map(toUser), nextCursor: sealCursor(ctx, 'users', page.cursor) };
}

async function requireBusinessUnit(ctx: TenantContext, businessUnitId: string, path: string): Promise<void> {
  if (!(await readBusinessUnit(ctx, businessUnitId))) {
    throw noSuch(path, 'There is no such business unit');
  }
}

/**
 * The sign-in comes first, because it gives the user's id (its `sub`); the record and its event
 * follow in one transaction. If that fails, the sign-in is deleted again so no identity is left
 * without a record, and the email can be invited again.
 */
export async function inviteUser({ ctx, correlationId, now }: Command, input: InviteUser) {
  const email = input.email.toLowerCase();
  if (input.businessUnitId !== null) {
    await requireBusinessUnit(ctx, input.businessUnitId, 'body.businessUnitId');
  }
  if (await findUserByEmail(ctx, email)) throw new ConflictError('A user with this email already exists');
  const roles = unique(input.roles);
  let userId: string;
  try {
    ({ userId } = await inviteIdentity({ tenantId: ctx.tenantId, email, name: input.name, roles }));
  } catch (error) {
    // A refusal (409) created nothing; any other failure may have left a half-made sign-in.
    if (!(error instanceof ConflictError)) await undoIdentity(email, error);
    throw error;
  }
  const at = now.toISOString();
  const user: User = {
    userId,
    email,
    name: input.name,
    roles,
    status: 'invited',
    businessUnitId: input.businessUnitId,
    version: 1,
    createdAt: at,
    updatedAt: at,
  };
  const event = outboxRecord(
    ctx,
    UserInvited,
    { userId, email, roles, changes: creationChanges(user, ['email', ...USER_FIELDS]) },
    { correlationId, now },
  );
  try {
    const { businessUnitId, ...required } = user;
    const result = await getDatabase()
      .transaction.write(({ user: users, outbox }) => [
        users.create({ tenantId: ctx.tenantId, ...required, ...present({ businessUnitId }).set }).commit(),
        outbox.create(event).commit(),
      ])
      .go();
    throwOnCancelled(result, 'The user');
  } catch (error) {
    await undoIdentity(email, error);
    throw error;
  }
  return { user, invitation: { userId, email, status: 'invited' as const } };
}

async function undoIdentity(email: string, cause: unknown): Promise<void> {
  try {
    await deleteIdentity(email);
  } catch (cleanup) {
    throw new AggregateError(
      [cause, cleanup],
      `Inviting ${email} failed and its sign-in could not be removed`,
    );
  }
}

/** A tenant admin locking themself out needs another admin to undo it; refuse it up front. */
function refuseSelfLockout(ctx: TenantContext, userId: string, changes: UserChanges): void {
  if (userId !== ctx.userId) return;
  if (changes.status === 'deactivated') {
    throw new ConflictError('You cannot deactivate yourself; ask another tenant admin');
  }
  if (changes.roles && !changes.roles.includes('tenant-admin')) {
    throw new ConflictError('You cannot remove your own tenant-admin role; ask another tenant admin');
  }
}

interface IdentityState {
  roles?: readonly TenantRole[] | undefined;
  enabled?: boolean | undefined;
}

async function applyIdentity(email: string, state: IdentityState): Promise<void> {
  if (state.roles) await setIdentityRoles(email, state.roles);
  if (state.enabled !== undefined) await setIdentityEnabled(email, state.enabled);
}

/**
 * Changes name, roles, business unit and status. Roles and status live in the identity provider too:
 * it is changed first (a deactivation must stop sign-ins even if the record write then fails), and
 * put back if the record write fails, so the two never disagree for long.
 */
export async function updateUser(
  { ctx, correlationId, now }: Command,
  userId: string,
  expectedVersion: number,
  changes: UserChanges,
): Promise<User> {
  const current = await getUser(ctx, userId);
  if (current.version !== expectedVersion) throw stale('user', current.version, expectedVersion);
  refuseSelfLockout(ctx, userId, changes);
  const requested = {
    ...changes,
    roles: changes.roles && unique(changes.roles),
    // An invited user becomes active by signing in; asking for "active" only undoes a deactivation.
    status: changes.status === 'active' && current.status === 'invited' ? undefined : changes.status,
  };
  const diff = diffFields(current, requested, USER_FIELDS);
  if (diff.length === 0) return current;
  const next: User = {
    ...current,
    ...Object.fromEntries(diff.map((change) => [change.field, change.to])),
    version: current.version + 1,
    updatedAt: now.toISOString(),
  };
  if (next.businessUnitId !== null && next.businessUnitId !== current.businessUnitId) {
    await requireBusinessUnit(ctx, next.businessUnitId, 'body.businessUnitId');
  }
  const rolesChanged = diff.some((change) => change.field === 'roles');
  const statusChanged = diff.some((change) => change.field === 'status');
  const wasEnabled = current.status !== 'deactivated';
  const enabled = next.status !== 'deactivated';
  const identityChange: IdentityState = {
    roles: rolesChanged ? next.roles : undefined,
    enabled: statusChanged && enabled !== wasEnabled ? enabled : undefined,
  };
  await applyIdentity(current.email, identityChange);
  const event = outboxRecord(
    ctx,
    UserUpdated,
    { userId, status: next.status, roles: next.roles, changes: diff },
    { correlationId, now },
  );
  const { set, removed } = present({ businessUnitId: next.businessUnitId });
  try {
    const result = await getDatabase()
      .transaction.write(({ user, outbox }) => {
        const update = user.patch({ tenantId: ctx.tenantId, userId }).set({
          name: next.name,
          roles: next.roles,
          status: next.status,
          ...set,
          updatedAt: next.updatedAt,
          version: next.version,
        });
        const write = removed.length > 0 ? update.remove(['businessUnitId']) : update;
        return [
          write.where(({ version }, { eq }) => eq(version, current.version)).commit(),
          outbox.create(event).commit(),
        ];
      })
      .go();
    throwOnCancelled(result, 'The user');
  } catch (error) {
    try {
      await applyIdentity(current.email, {
        roles: rolesChanged ? current.roles : undefined,
        enabled: identityChange.enabled === undefined ? undefined : wasEnabled,
      });
    } catch (undo) {
      // Sign-in and record now disagree: fail loudly (500, both causes in the log), not as a plain 412.
      throw new AggregateError(
        [error, undo],
        `Changing ${current.email} failed and its sign-in could not be put back`,
      );
    }
    throw error;
  }
  return next;
}

async function teamIdsOf(ctx: TenantContext, userId: string): Promise<string[]> {
  const found = await getDatabase()
    .entities.membership.query.byUser({ tenantId: ctx.tenantId, userId })
    .go({ pages: 'all' });
  return found.data.map((membership) => membership.teamId);
}

/** A caller without a record (e.g. a tenant's first admin before the directory knew them): their token. */
function fromClaims(ctx: TenantContext, now: Date): User {
  const at = now.toISOString();
  return {
    userId: ctx.userId,
    email: ctx.email ?? '',
    name: ctx.userName,
    roles: ctx.roles.filter(isTenantRole),
    status: 'active',
    businessUnitId: null,
    version: 1,
    createdAt: at,
    updatedAt: at,
  };
}

/**
 * The caller's profile and teams. The first time an invited user asks (which the web app does right
 * after signing in), their record becomes active: the sign-in itself happens in the identity provider,
 * which tells no one.
 */
export async function getMe({ ctx, correlationId, now }: Command): Promise<{ me: Me; version?: number }> {
  const [stored, teamIds] = await Promise.all([readUser(ctx, ctx.userId), teamIdsOf(ctx, ctx.userId)]);
  if (!stored) return { me: { ...fromClaims(ctx, now), teamIds } };
  if (stored.status !== 'invited') return { me: { ...stored, teamIds }, version: stored.version };
  const active: User = {
    ...stored,
    status: 'active',
    version: stored.version + 1,
    updatedAt: now.toISOString(),
  };
  const event = outboxRecord(
    ctx,
    UserUpdated,
    {
      userId: ctx.userId,
      status: 'active',
      roles: active.roles,
      changes: [{ field: 'status', from: 'invited', to: 'active' }],
    },
    { correlationId, now },
  );
  const result = await getDatabase()
    .transaction.write(({ user, outbox }) => [
      user
        .patch({ tenantId: ctx.tenantId, userId: ctx.userId })
        .set({ status: 'active', version: active.version, updatedAt: active.updatedAt })
        .where(({ version }, { eq }) => eq(version, stored.version))
        .commit(),
      outbox.create(event).commit(),
    ])
    .go();
  if (!result.canceled) return { me: { ...active, teamIds }, version: active.version };
  // Another request changed the record first (perhaps activated it): answer what is there now.
  const latest = await getUser(ctx, ctx.userId);
  return { me: { ...latest, teamIds }, version: latest.version };
}

// ---------------------------------------------------------------- teams

interface StoredTeam {
  teamId: string;
  name: string;
  description: string;
  leadUserId?: string | undefined;
  version: number;
  createdAt: string;
  updatedAt: string;
}

function toTeam(item: StoredTeam): Team {
  return {
    teamId: item.teamId,
    name: item.name,
    description: item.description,
    leadUserId: orNull(item.leadUserId),
    version: item.version,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
  };
}

const TEAM_FIELDS = ['name', 'description', 'leadUserId'] as const;

export async function getTeam(ctx: TenantContext, teamId: string): Promise<Team> {
  const found = await getDatabase().entities.team.get({ tenantId: ctx.tenantId, teamId }).go();
  if (!found.data) throw new NotFoundError(`No team ${teamId}`);
  return toTeam(found.data);
}

export async function listTeams(ctx: TenantContext, query: PageQuery) {
  const cursor = openCursor(ctx, 'teams', query.cursor);
  const page = await getDatabase()
    .entities.team.query.byName({ tenantId: ctx.tenantId })
    .go({ cursor, limit: query.limit });
  return { items: page.data.map(toTeam), nextCursor: sealCursor(ctx, 'teams', page.cursor) };
}

async function requireUser(ctx: TenantContext, userId: string, path: string): Promise<void> {
  if (!(await readUser(ctx, userId))) throw noSuch(path, 'There is no such user');
}

export async function createTeam({ ctx, correlationId, now }: Command, input: NewTeam): Promise<Team> {
  if (input.leadUserId !== null) await requireUser(ctx, input.leadUserId, 'body.leadUserId');
  const at = now.toISOString();
  const team: Team = { teamId: randomUUID(), ...input, version: 1, createdAt: at, updatedAt: at };
  const event = outboxRecord(
    ctx,
    TeamCreated,
    { teamId: team.teamId, name: team.name, changes: creationChanges(team, TEAM_FIELDS) },
    { correlationId, now },
  );
  const { leadUserId, ...required } = team;
  const result = await getDatabase()
    .transaction.write(({ team: teams, outbox }) => [
      teams.create({ tenantId: ctx.tenantId, ...required, ...present({ leadUserId }).set }).commit(),
      outbox.create(event).commit(),
    ])
    .go();
  throwOnCancelled(result, 'The team');
  return team;
}

export async function updateTeam(
  { ctx, correlationId, now }: Command,
  teamId: string,
  expectedVersion: number,
  changes: TeamChanges,
): Promise<Team> {
  const current = await getTeam(ctx, teamId);
  if (current.version !== expectedVersion) throw stale('team', current.version, expectedVersion);
  const diff = diffFields(current, changes, TEAM_FIELDS);
  if (diff.length === 0) return current;
  const next: Team = {
    ...current,
    ...Object.fromEntries(diff.map((change) => [change.field, change.to])),
    version: current.version + 1,
    updatedAt: now.toISOString(),
  };
  if (next.leadUserId !== null && next.leadUserId !== current.leadUserId) {
    await requireUser(ctx, next.leadUserId, 'body.leadUserId');
  }
  const event = outboxRecord(
    ctx,
    TeamUpdated,
    { teamId, name: next.name, changes: diff },
    { correlationId, now },
  );
  const { set, removed } = present({ leadUserId: next.leadUserId });
  const result = await getDatabase()
    .transaction.write(({ team, outbox }) => {
      const update = team.patch({ tenantId: ctx.tenantId, teamId }).set({
        name: next.name,
        description: next.description,
        ...set,
        updatedAt: next.updatedAt,
        version: next.version,
      });
      const write = removed.length > 0 ? update.remove(['leadUserId']) : update;
      return [
        write.where(({ version }, { eq }) => eq(version, current.version)).commit(),
        outbox.create(event).commit(),
      ];
    })
    .go();
  throwOnCancelled(result, 'The team');
  return next;
}

function toMembership(item: Membership): Membership {
  return { teamId: item.teamId, userId: item.userId, addedAt: item.addedAt };
}

async function readMembership(ctx: TenantContext, teamId: string, userId: string) {
  const found = await getDatabase().entities.membership.get({ tenantId: ctx.tenantId, teamId, userId }).go();
  return found.data ? toMembership(found.data) : undefined;
}

export async function listTeamMembers(ctx: TenantContext, teamId: string, query: PageQuery) {
  await getTeam(ctx, teamId);
  const scope = `team-members:${teamId}`;
  const cursor = openCursor(ctx, scope, query.cursor);
  const page = await getDatabase()
    .entities.membership.query.byTeam({ tenantId: ctx.tenantId, teamId })
    .go({ cursor, limit: query.limit });
  return { items: page.data.map(toMembership), nextCursor: sealCursor(ctx, scope, page.cursor) };
}

/** Idempotent: adding a member twice answers the first membership and announces nothing. */
export async function addTeamMember(
  { ctx, correlationId, now }: Command,
  teamId: string,
  userId: string,
): Promise<Membership> {
  const team = await getTeam(ctx, teamId);
  await getUser(ctx, userId);
  const existing = await readMembership(ctx, teamId, userId);
  if (existing) return existing;
  const membership: Membership = { teamId, userId, addedAt: now.toISOString() };
  const event = outboxRecord(
    ctx,
    TeamUpdated,
    { teamId, name: team.name, changes: [memberChange(userId, true)] },
    { correlationId, now },
  );
  const result = await getDatabase()
    .transaction.write(({ membership: memberships, outbox }) => [
      memberships.create({ tenantId: ctx.tenantId, ...membership }).commit(),
      outbox.create(event).commit(),
    ])
    .go();
  if (result.canceled) {
    // A concurrent add of the same member won: the result is the same.
    const added = await readMembership(ctx, teamId, userId);
    if (added) return added;
    throwOnCancelled(result, 'The membership');
  }
  return membership;
}

/** Idempotent: removing someone who is not a member changes nothing and announces nothing. */
export async function removeTeamMember(
  { ctx, correlationId, now }: Command,
  teamId: string,
  userId: string,
): Promise<void> {
  const team = await getTeam(ctx, teamId);
  if (!(await readMembership(ctx, teamId, userId))) return;
  const event = outboxRecord(
    ctx,
    TeamUpdated,
    { teamId, name: team.name, changes: [memberChange(userId, false)] },
    { correlationId, now },
  );
  const result = await getDatabase()
    .transaction.write(({ membership, outbox }) => [
      // `remove` fails when the item is gone, so a concurrent removal announces the change only once.
      membership.remove({ tenantId: ctx.tenantId, teamId, userId }).commit(),
      outbox.create(event).commit(),
    ])
    .go();
  if (result.canceled && (await readMembership(ctx, teamId, userId))) {
    throwOnCancelled(result, 'The membership');
  }
}

// ---------------------------------------------------------------- business units

interface StoredBusinessUnit {
  businessUnitId: string;
  name: string;
  costCentre: string;
  parentId?: string | undefined;
  version: number;
  createdAt: string;
  updatedAt: string;
}

function toBusinessUnit(item: StoredBusinessUnit): BusinessUnit {
  return {
    businessUnitId: item.businessUnitId,
    name: item.name,
    costCentre: item.costCentre,
    parentId: orNull(item.parentId),
    version: item.version,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
  };
}

const BUSINESS_UNIT_FIELDS = ['name', 'costCentre', 'parentId'] as const;

async function readBusinessUnit(ctx: TenantContext, businessUnitId: string) {
  const found = await getDatabase()
    .entities.businessUnit.get({ tenantId: ctx.tenantId, businessUnitId })
    .go();
  return found.data ? toBusinessUnit(found.data) : undefined;
}

export async function getBusinessUnit(ctx: TenantContext, businessUnitId: string): Promise<BusinessUnit> {
  const unit = await readBusinessUnit(ctx, businessUnitId);
  if (!unit) throw new NotFoundError(`No business unit ${businessUnitId}`);
  return unit;
}

export async function listBusinessUnits(ctx: TenantContext, query: PageQuery) {
  const cursor = openCursor(ctx, 'business-units', query.cursor);
  const page = await getDatabase()
    .entities.businessUnit.query.byName({ tenantId: ctx.tenantId })
    .go({ cursor, limit: query.limit });
  return {
    items: page.data.map(toBusinessUnit),
    nextCursor: sealCursor(ctx, 'business-units', page.cursor),
  };
}

/**
 * The parents above `parentId`, read one level at a time (one GetItem each, at most
 * {@link MAX_BUSINESS_UNIT_DEPTH}); stops at the top, at the unit being moved, or at a repeat.
 */
async function parentsFrom(ctx: TenantContext, unitId: string, parentId: string) {
  const parents = new Map<string, string | null>();
  let id: string | null = parentId;
  while (id !== null && id !== unitId && !parents.has(id) && parents.size < MAX_BUSINESS_UNIT_DEPTH) {
    const unit = await readBusinessUnit(ctx, id);
    if (!unit) break;
    parents.set(id, unit.parentId);
    id = unit.parentId;
  }
  return parents;
}

/** Checks the new parent; answers the chain above it, which must still be as read when writing. */
async function checkNewParent(ctx: TenantContext, unitId: string, parentId: string) {
  const parents = await parentsFrom(ctx, unitId, parentId);
  const verdict = checkParent(unitId, parentId, (id) => parents.get(id));
  if (verdict.ok) return parents;
  if (verdict.reason === 'missing') throw noSuch('body.parentId', PARENT_REFUSALS.missing);
  throw new ConflictError(PARENT_REFUSALS[verdict.reason]);
}

/**
 * Two moves checked at the same time could each be fine alone and make a loop together (A under B,
 * B under A). So the write also checks that every unit above the new parent still has the parent
 * that was read.
 */
function chainUnchanged(
  businessUnit: WriteEntities['businessUnit'],
  ctx: TenantContext,
  parents: ReadonlyMap<string, string | null>,
) {
  return [...parents].map(([businessUnitId, parentId]) =>
    businessUnit
      .check({ tenantId: ctx.tenantId, businessUnitId })
      .where((attributes, { eq, notExists }) =>
        parentId === null ? notExists(attributes.parentId) : eq(attributes.parentId, parentId),
      )
      .commit(),
  );
}

function throwOnCancelledMove(result: { canceled: boolean; data: readonly CancelledItem[] }): void {
  if (!result.canceled) return;
  // Items after the unit and its event are the checks of the chain above the new parent.
  if (result.data.slice(2).some((item) => item.rejected)) {
    throw new ConflictError('The business units above the new parent changed meanwhile; try again');
  }
  throwOnCancelled(result, 'The business unit');
}

export async function createBusinessUnit(
  { ctx, correlationId, now }: Command,
  input: NewBusinessUnit,
): Promise<BusinessUnit> {
  const businessUnitId = randomUUID();
  const parents =
    input.parentId === null
      ? new Map<string, string | null>()
      : await checkNewParent(ctx, businessUnitId, input.parentId);
  const at = now.toISOString();
  const unit: BusinessUnit = { businessUnitId, ...input, version: 1, createdAt: at, updatedAt: at };
  const event = outboxRecord(
    ctx,
    BusinessUnitCreated,
    { businessUnitId, name: unit.name, changes: creationChanges(unit, BUSINESS_UNIT_FIELDS) },
    { correlationId, now },
  );
  const { parentId, ...required } = unit;
  const result = await getDatabase()
    .transaction.write(({ businessUnit, outbox }) => [
      businessUnit.create({ tenantId: ctx.tenantId, ...required, ...present({ parentId }).set }).commit(),
      outbox.create(event).commit(),
      ...chainUnchanged(businessUnit, ctx, parents),
    ])
    .go();
  throwOnCancelledMove(result);
  return unit;
}

export async function updateBusinessUnit(
  { ctx, correlationId, now }: Command,
  businessUnitId: string,
  expectedVersion: number,
  changes: BusinessUnitChanges,
): Promise<BusinessUnit> {
  const current = await getBusinessUnit(ctx, businessUnitId);
  if (current.version !== expectedVersion) throw stale('business unit', current.version, expectedVersion);
  const diff = diffFields(current, changes, BUSINESS_UNIT_FIELDS);
  if (diff.length === 0) return current;
  const next: BusinessUnit = {
    ...current,
    ...Object.fromEntries(diff.map((change) => [change.field, change.to])),
    version: current.version + 1,
    updatedAt: now.toISOString(),
  };
  const parents =
    next.parentId !== null && next.parentId !== current.parentId
      ? await checkNewParent(ctx, businessUnitId, next.parentId)
      : new Map<string, string | null>();
  const event = outboxRecord(
    ctx,
    BusinessUnitUpdated,
    { businessUnitId, name: next.name, changes: diff },
    { correlationId, now },
  );
  const { set, removed } = present({ parentId: next.parentId });
  const result = await getDatabase()
    .transaction.write(({ businessUnit, outbox }) => {
      const update = businessUnit.patch({ tenantId: ctx.tenantId, businessUnitId }).set({
        name: next.name,
        costCentre: next.costCentre,
        ...set,
        updatedAt: next.updatedAt,
        version: next.version,
      });
      const write = removed.length > 0 ? update.remove(['parentId']) : update;
      return [
        write.where(({ version }, { eq }) => eq(version, current.version)).commit(),
        outbox.create(event).commit(),
        ...chainUnchanged(businessUnit, ctx, parents),
      ];
    })
    .go();
  throwOnCancelledMove(result);
  return next;
}
