/**
 * What the service desk's queue page shows (queue, filters, order, saved view), read from and written
 * to the page's URL, so every view on screen is a link that opens the same view again; and the orders
 * the page offers, with which of them the API gives and which the page applies to what it loaded.
 */
import type { z } from 'zod';
import type {
  QueueSort,
  SavedView,
  savedViewInputSchema,
} from '../../../shared/domain/incidents/saved-view.ts';
import { type IncidentSummary, PRIORITIES, type Priority, QUEUES, type Queue } from './domain.ts';

export const SORT_LABEL: Record<QueueSort, string> = {
  due: 'SLA due, soonest first',
  priority: 'Priority, P1 first',
  age: 'Age, oldest first',
};
export const QUEUE_SORTS = Object.keys(SORT_LABEL) as QueueSort[];

/** The order inside a sentence: "ordered by priority, P1 first". */
export const SORT_PHRASE: Record<QueueSort, string> = {
  due: 'SLA due time, soonest first',
  priority: 'priority, P1 first',
  age: 'age, oldest first',
};

/**
 * The order the API reads each queue in (its index, see `listQueue` in
 * functions/incidents/use-cases.ts): resolution due time, except all-open by creation. The API has
 * no other order, so any other is applied to the page on screen only.
 */
export const SERVER_ORDER: Record<Queue, QueueSort> = {
  mine: 'due',
  'my-teams': 'due',
  unassigned: 'due',
  'breaching-soon': 'due',
  'all-open': 'age',
};

/** The queue the desk opens with. */
export const DEFAULT_QUEUE: Queue = 'unassigned';
export const DEFAULT_SORT: QueueSort = 'due';

export interface QueueState {
  queue: Queue;
  priority: Priority | null;
  serviceId: string | null;
  teamId: string | null;
  sort: QueueSort;
  /** The saved view this state came from, if any (it may have been changed since). */
  viewId: string | null;
}

function oneOf<T extends string>(value: string | null, allowed: readonly T[]): T | null {
  return allowed.find((candidate) => candidate === value) ?? null;
}

/** The state a URL's query names; anything unknown falls back to the default. */
export function readQueueState(params: { get(name: string): string | null }): QueueState {
  return {
    queue: oneOf(params.get('queue'), QUEUES) ?? DEFAULT_QUEUE,
    priority: oneOf(params.get('priority'), PRIORITIES),
    serviceId: params.get('serviceId') || null,
    teamId: params.get('teamId') || null,
    sort: oneOf(params.get('sort'), QUEUE_SORTS) ?? DEFAULT_SORT,
    viewId: params.get('view') || null,
  };
}

/** The link to a state of the desk: defaults are left out, so links stay short. */
export function queueHref(state: QueueState): string {
  const params = new URLSearchParams();
  if (state.viewId) params.set('view', state.viewId);
  params.set('queue', state.queue);
  if (state.priority) params.set('priority', state.priority);
  if (state.serviceId) params.set('serviceId', state.serviceId);
  if (state.teamId) params.set('teamId', state.teamId);
  if (state.sort !== DEFAULT_SORT) params.set('sort', state.sort);
  return `/desk?${params.toString()}`;
}

export function stateOfView(view: SavedView): QueueState {
  return {
    queue: view.queue,
    priority: view.priority,
    serviceId: view.serviceId,
    teamId: view.teamId,
    sort: view.sort,
    viewId: view.viewId,
  };
}

/** The saved view's body for a state and a name. */
export function viewInput(name: string, state: QueueState): z.input<typeof savedViewInputSchema> {
  return {
    name,
    queue: state.queue,
    priority: state.priority,
    serviceId: state.serviceId,
    teamId: state.teamId,
    sort: state.sort,
  };
}

/** True when `state` still shows what `view` saved. */
export function matchesView(state: QueueState, view: SavedView): boolean {
  return (
    state.queue === view.queue &&
    state.priority === view.priority &&
    state.serviceId === view.serviceId &&
    state.teamId === view.teamId &&
    state.sort === view.sort
  );
}

/** What the API is asked for; the order and the view name change nothing the API answers. */
export function serverKey(state: QueueState): string {
  return JSON.stringify([state.queue, state.priority, state.serviceId, state.teamId]);
}

/** True when the page must order what it loaded itself. */
export function sortsInBrowser(state: QueueState): boolean {
  return state.sort !== SERVER_ORDER[state.queue];
}

function dueOf(incident: IncidentSummary): number {
  // A clock that is paused or stopped has no due time: it goes after every running one.
  return incident.sla.resolutionDueAt ? Date.parse(incident.sla.resolutionDueAt) : Number.POSITIVE_INFINITY;
}

function compareDue(a: IncidentSummary, b: IncidentSummary): number {
  return dueOf(a) - dueOf(b) || a.createdAt.localeCompare(b.createdAt);
}

const COMPARE: Record<QueueSort, (a: IncidentSummary, b: IncidentSummary) => number> = {
  due: compareDue,
  priority: (a, b) => PRIORITIES.indexOf(a.priority) - PRIORITIES.indexOf(b.priority) || compareDue(a, b),
  age: (a, b) => a.createdAt.localeCompare(b.createdAt) || a.incidentId.localeCompare(b.incidentId),
};

/** The loaded page in the chosen order; as the API gave it when that is the API's own order. */
export function orderPage(items: readonly IncidentSummary[], state: QueueState): IncidentSummary[] {
  return sortsInBrowser(state) ? items.toSorted(COMPARE[state.sort]) : [...items];
}
