import { describe, expect, it } from 'vitest';
import {
  removeView,
  SAVED_VIEW_LIMIT,
  type SavedView,
  savedViewInputSchema,
  saveView,
  storedViews,
} from './saved-view.ts';

const now = new Date('2026-03-02T08:00:00.000Z');
const later = new Date('2026-03-02T09:30:00.000Z');
const input = (name: string) => savedViewInputSchema.parse({ name, queue: 'mine' });

function saved(views: readonly SavedView[], viewId: string, name: string, at = now): SavedView[] {
  const result = saveView(views, viewId, input(name), at);
  if (!result.ok) throw new Error(`could not save ${viewId}: ${result.error}`);
  return result.views;
}

describe('saveView', () => {
  it('creates a view with its times and keeps the views by name', () => {
    const views = saved(saved([], 'b', 'bravo'), 'a', 'Alpha');

    expect(views.map((view) => view.viewId)).toEqual(['a', 'b']);
    expect(views[0]).toEqual({
      viewId: 'a',
      name: 'Alpha',
      queue: 'mine',
      priority: null,
      serviceId: null,
      teamId: null,
      sort: 'due',
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    });
  });

  it('replaces a view in place, keeping when it was created', () => {
    const views = saved([], 'a', 'Alpha');

    const result = saveView(
      views,
      'a',
      savedViewInputSchema.parse({ name: 'Alpha', queue: 'all-open' }),
      later,
    );

    expect(result).toMatchObject({ ok: true, created: false });
    if (!result.ok) return;
    expect(result.views).toHaveLength(1);
    expect(result.view).toMatchObject({
      queue: 'all-open',
      createdAt: now.toISOString(),
      updatedAt: later.toISOString(),
    });
  });

  it('refuses a name another view has, whatever the letter case', () => {
    const views = saved([], 'a', 'Morning queue');

    expect(saveView(views, 'b', input('MORNING QUEUE'), now)).toEqual({
      ok: false,
      error: 'name-taken',
      name: 'Morning queue',
    });
    expect(saveView(views, 'a', input('MORNING QUEUE'), now).ok).toBe(true);
  });

  it(`refuses a new view beyond ${SAVED_VIEW_LIMIT}, but not a replacement`, () => {
    let views: SavedView[] = [];
    for (let n = 0; n < SAVED_VIEW_LIMIT; n += 1) views = saved(views, `v${n}`, `View ${n}`);

    expect(saveView(views, 'new', input('New'), now)).toEqual({
      ok: false,
      error: 'limit-reached',
      limit: SAVED_VIEW_LIMIT,
    });
    expect(saveView(views, 'v0', input('Renamed'), now).ok).toBe(true);
  });
});

describe('removeView', () => {
  it('leaves the others, or says there was no such view', () => {
    const views = saved(saved([], 'a', 'Alpha'), 'b', 'Bravo');

    expect(removeView(views, 'a')?.map((view) => view.viewId)).toEqual(['b']);
    expect(removeView(views, 'zzz')).toBeNull();
  });
});

describe('storedViews', () => {
  it('reads what was written and refuses what no view looks like', () => {
    const views = saved([], 'a', 'Alpha');

    expect(storedViews(JSON.stringify(views))).toEqual(views);
    expect(storedViews(undefined)).toEqual([]);
    expect(() => storedViews(JSON.stringify([{ viewId: 'a' }]))).toThrow();
  });
});

describe('savedViewInputSchema', () => {
  it('trims the name and reads missing filters as none', () => {
    expect(savedViewInputSchema.parse({ name: '  Mine  ', queue: 'mine', priority: null })).toEqual({
      name: 'Mine',
      queue: 'mine',
      priority: null,
      serviceId: null,
      teamId: null,
      sort: 'due',
    });
  });
});
