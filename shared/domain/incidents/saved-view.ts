import { z } from 'zod';
import { PRIORITIES } from '../tenancy/defaults.ts';
import { QUEUES } from './incident.ts';

/*
 * A saved view: an agent's own named way of looking at the queue (which queue, which filters, which
 * order), kept per user so the desk opens the same lists every day. A user keeps at most
 * SAVED_VIEW_LIMIT views, all in one item, so the limit and the names are checked in one write.
 */

export const SAVED_VIEW_LIMIT = 20;

/**
 * Orders the queue page offers. The server reads every queue in one fixed index order (`due` for
 * mine, my-teams, unassigned and breaching-soon; `age` for all-open); any other order is applied by
 * the web app to the page it has loaded.
 */
export const QUEUE_SORTS = ['due', 'priority', 'age'] as const;
export type QueueSort = (typeof QUEUE_SORTS)[number];

const id = z.string().min(1).max(64);

/** Chosen by the client (a PUT creates or replaces), so it is kept to characters safe in a path. */
export const savedViewIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'Use 1 to 64 letters, digits, hyphens or underscores');

/** The body of `PUT /incidents/saved-views/{viewId}`: the whole view; an empty filter is left out or null. */
export const savedViewInputSchema = z.strictObject({
  name: z.string().trim().min(1, 'Give the view a name').max(60, 'Use at most 60 characters'),
  queue: z.enum(QUEUES),
  priority: z.enum(PRIORITIES).nullable().default(null),
  serviceId: id.nullable().default(null),
  teamId: id.nullable().default(null),
  sort: z.enum(QUEUE_SORTS).default('due'),
});
export type SavedViewInput = z.infer<typeof savedViewInputSchema>;

export const savedViewSchema = z.object({
  viewId: z.string(),
  name: z.string(),
  queue: z.enum(QUEUES),
  priority: z.enum(PRIORITIES).nullable(),
  serviceId: z.string().nullable(),
  teamId: z.string().nullable(),
  sort: z.enum(QUEUE_SORTS),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type SavedView = z.infer<typeof savedViewSchema>;

/** Every view of the caller, by name; never more than SAVED_VIEW_LIMIT, so there is no cursor. */
export const savedViewListSchema = z.object({ items: z.array(savedViewSchema) });

/** The views a stored item holds, checked by the schema on every read (as the incident record is). */
export function storedViews(text: string | undefined): SavedView[] {
  if (text === undefined) return [];
  return z.array(savedViewSchema).parse(JSON.parse(text));
}

function byName(a: SavedView, b: SavedView): number {
  return a.name.localeCompare(b.name, 'en', { sensitivity: 'base' }) || a.viewId.localeCompare(b.viewId);
}

function sameName(a: string, b: string): boolean {
  return a.localeCompare(b, 'en', { sensitivity: 'base' }) === 0;
}

export type SaveViewResult =
  | { ok: true; views: SavedView[]; view: SavedView; created: boolean }
  | { ok: false; error: 'limit-reached'; limit: number }
  | { ok: false; error: 'name-taken'; name: string };

/**
 * The views after creating or replacing `viewId`. A new view beyond the limit is refused, and so is a
 * name another of the user's views already has (names are the tabs people pick by, so they must
 * differ; letter case does not count).
 */
export function saveView(
  views: readonly SavedView[],
  viewId: string,
  input: SavedViewInput,
  now: Date,
): SaveViewResult {
  const existing = views.find((view) => view.viewId === viewId);
  const clash = views.find((view) => view.viewId !== viewId && sameName(view.name, input.name));
  if (clash) return { ok: false, error: 'name-taken', name: clash.name };
  if (!existing && views.length >= SAVED_VIEW_LIMIT) {
    return { ok: false, error: 'limit-reached', limit: SAVED_VIEW_LIMIT };
  }
  const at = now.toISOString();
  const view: SavedView = {
    viewId,
    ...input,
    createdAt: existing?.createdAt ?? at,
    updatedAt: at,
  };
  const rest = views.filter((other) => other.viewId !== viewId);
  return { ok: true, views: [...rest, view].sort(byName), view, created: !existing };
}

/** The views without `viewId`, or null when the user has no such view. */
export function removeView(views: readonly SavedView[], viewId: string): SavedView[] | null {
  const rest = views.filter((view) => view.viewId !== viewId);
  return rest.length === views.length ? null : rest;
}
