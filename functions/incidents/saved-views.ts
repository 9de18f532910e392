import { getDatabase } from '#shared/data/database.ts';
import {
  removeView,
  type SavedView,
  type SavedViewInput,
  saveView,
  storedViews,
} from '#shared/domain/incidents/saved-view.ts';
import { ConflictError, NotFoundError, ValidationError } from '#shared/platform/errors.ts';
import type { TenantContext } from '#shared/platform/tenant-context.ts';

/*
 * Saved queue views: each IT staff member's own named queue + filters + order. The caller's views are
 * one item (see shared/data/entities/saved-views.ts); every change reads it, applies the domain rule
 * and writes it back on the condition that nobody wrote it meanwhile, retrying from a fresh read if
 * somebody did (the caller's other tab), so two saves never lose one another's view.
 */

interface Command {
  ctx: TenantContext;
  now: Date;
}

/**
 * Fresh reads before a change gives up with 409. Only the user's own tabs write the item, so a lost
 * race means the other save is done; two tabs always both succeed.
 */
const ATTEMPTS = 4;

interface Stored {
  views: SavedView[];
  /** 0 while the user has no item yet. */
  version: number;
}

async function readViews(ctx: TenantContext): Promise<Stored> {
  const found = await getDatabase()
    .entities.savedViews.get({ tenantId: ctx.tenantId, userId: ctx.userId })
    .go();
  return found.data
    ? { views: storedViews(found.data.views), version: found.data.version }
    : { views: [], version: 0 };
}

/**
 * Writes the views if the item is still at `read.version`; false when another write came first. A
 * transaction of one item, because it reports a failed condition as a code to tell apart from any
 * other failure, where a plain conditional put would throw.
 */
async function writeViews(ctx: TenantContext, read: Stored, views: SavedView[], now: Date): Promise<boolean> {
  const item = {
    tenantId: ctx.tenantId,
    userId: ctx.userId,
    views: JSON.stringify(views),
    version: read.version + 1,
    updatedAt: now.toISOString(),
  };
  const result = await getDatabase()
    .transaction.write(({ savedViews }) => [
      read.version === 0
        ? savedViews.create(item).commit()
        : savedViews
            .put(item)
            .where((attributes, { eq }) => eq(attributes.version, read.version))
            .commit(),
    ])
    .go();
  if (!result.canceled) return true;
  if (result.data[0]?.code === 'ConditionalCheckFailed') return false;
  throw new ConflictError('Your saved views could not be saved because of a concurrent change; try again');
}

async function requireFilterTargets(ctx: TenantContext, input: SavedViewInput): Promise<void> {
  const db = getDatabase().entities;
  const [service, team] = await Promise.all([
    input.serviceId === null
      ? null
      : db.service.get({ tenantId: ctx.tenantId, serviceId: input.serviceId }).go(),
    input.teamId === null ? null : db.team.get({ tenantId: ctx.tenantId, teamId: input.teamId }).go(),
  ]);
  const errors = [
    ...(service && !service.data
      ? [{ path: 'body.serviceId', message: 'There is no such service in the catalogue' }]
      : []),
    ...(team && !team.data ? [{ path: 'body.teamId', message: 'There is no such team' }] : []),
  ];
  if (errors.length > 0) throw new ValidationError(errors);
}

export async function listSavedViews(ctx: TenantContext): Promise<{ items: SavedView[] }> {
  return { items: (await readViews(ctx)).views };
}

/** Creates the view or replaces the caller's view of that id; answers it as saved. */
export async function putSavedView(
  { ctx, now }: Command,
  viewId: string,
  input: SavedViewInput,
): Promise<SavedView> {
  await requireFilterTargets(ctx, input);
  for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
    const read = await readViews(ctx);
    const saved = saveView(read.views, viewId, input, now);
    if (!saved.ok) {
      if (saved.error === 'name-taken') {
        throw new ValidationError([
          { path: 'body.name', message: `You already have a view named “${saved.name}”` },
        ]);
      }
      throw new ConflictError(
        `You have ${saved.limit} saved views, the most there can be; delete one before saving another`,
        { limit: saved.limit },
      );
    }
    if (await writeViews(ctx, read, saved.views, now)) return saved.view;
  }
  throw new ConflictError('Your saved views kept changing while this one was saved; try again');
}

/** Deletes one of the caller's views; 404 for an id the caller has no view under. */
export async function deleteSavedView({ ctx, now }: Command, viewId: string): Promise<void> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
    const read = await readViews(ctx);
    const rest = removeView(read.views, viewId);
    if (rest === null) throw new NotFoundError(`You have no saved view ${viewId}`);
    if (await writeViews(ctx, read, rest, now)) return;
  }
  throw new ConflictError('Your saved views kept changing while this one was deleted; try again');
}
