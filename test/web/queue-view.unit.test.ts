/*
 * The desk's queue view in the URL, and the orders the API gives or the page applies itself.
 */
import { describe, expect, it } from 'vitest';
import type { IncidentSummary } from '../../web/src/lib/domain.ts';
import {
  matchesView,
  orderPage,
  type QueueState,
  queueHref,
  readQueueState,
  serverKey,
  sortsInBrowser,
  stateOfView,
} from '../../web/src/lib/queue-view.ts';

function summary(
  number: string,
  priority: IncidentSummary['priority'],
  createdAt: string,
  due: string | null,
) {
  return {
    incidentId: `id-${number}`,
    number,
    priority,
    createdAt,
    sla: { resolutionDueAt: due },
  } as IncidentSummary;
}

const base: QueueState = {
  queue: 'all-open',
  priority: null,
  serviceId: null,
  teamId: null,
  sort: 'due',
  viewId: null,
};

describe('the queue state in the URL', () => {
  it('round-trips every field through a link', () => {
    const state: QueueState = {
      queue: 'my-teams',
      priority: 'P2',
      serviceId: 'svc 1',
      teamId: 'team-a',
      sort: 'priority',
      viewId: 'v-1',
    };

    const href = queueHref(state);

    expect(href.startsWith('/desk?')).toBe(true);
    expect(readQueueState(new URL(href, 'https://desk.example').searchParams)).toEqual(state);
  });

  it('leaves defaults out of the link and reads unknown values as the defaults', () => {
    expect(queueHref({ ...base, queue: 'unassigned' })).toBe('/desk?queue=unassigned');
    expect(readQueueState(new URLSearchParams('queue=everything&priority=P9&sort=random'))).toEqual({
      ...base,
      queue: 'unassigned',
    });
  });

  it('asks the API again only for what the API answers differently', () => {
    expect(serverKey({ ...base, sort: 'age', viewId: 'v-2' })).toBe(serverKey(base));
    expect(serverKey({ ...base, priority: 'P1' })).not.toBe(serverKey(base));
  });

  it('tells a saved view from a changed one', () => {
    const view = {
      viewId: 'v-3',
      name: 'Mine',
      queue: 'mine' as const,
      priority: null,
      serviceId: null,
      teamId: 'team-a',
      sort: 'due' as const,
      createdAt: '2026-03-01T00:00:00.000Z',
      updatedAt: '2026-03-01T00:00:00.000Z',
    };

    expect(matchesView(stateOfView(view), view)).toBe(true);
    expect(matchesView({ ...stateOfView(view), teamId: null }, view)).toBe(false);
  });
});

describe('orderPage', () => {
  const items = [
    summary('INC1', 'P3', '2026-03-01T08:00:00.000Z', '2026-03-03T08:00:00.000Z'),
    summary('INC2', 'P1', '2026-03-01T09:00:00.000Z', '2026-03-01T13:00:00.000Z'),
    summary('INC3', 'P3', '2026-03-01T10:00:00.000Z', null),
    summary('INC4', 'P2', '2026-03-01T11:00:00.000Z', '2026-03-02T08:00:00.000Z'),
  ];
  const numbers = (state: QueueState) => orderPage(items, state).map((item) => item.number);

  it('keeps the API’s order when it is the order asked for', () => {
    expect(sortsInBrowser({ ...base, queue: 'all-open', sort: 'age' })).toBe(false);
    expect(sortsInBrowser({ ...base, queue: 'unassigned', sort: 'due' })).toBe(false);
    expect(numbers({ ...base, queue: 'unassigned', sort: 'due' })).toEqual(['INC1', 'INC2', 'INC3', 'INC4']);
  });

  it('orders the page by due time, a stopped clock last', () => {
    expect(sortsInBrowser({ ...base, sort: 'due' })).toBe(true);
    expect(numbers({ ...base, sort: 'due' })).toEqual(['INC2', 'INC4', 'INC1', 'INC3']);
  });

  it('orders the page by priority, then by due time', () => {
    expect(numbers({ ...base, queue: 'mine', sort: 'priority' })).toEqual(['INC2', 'INC4', 'INC1', 'INC3']);
  });

  it('orders the page by age, oldest first', () => {
    expect(numbers({ ...base, queue: 'mine', sort: 'age' })).toEqual(['INC1', 'INC2', 'INC3', 'INC4']);
  });
});
