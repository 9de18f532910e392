import { onMount } from 'svelte';
import { errorMessage, isSignedOut } from './errors.ts';

/** One page of a list, as a page's loader hands it over. */
export interface ListPage<T> {
  items: T[];
  nextCursor: string | null;
  /**
   * The cursor the items were read at, when the loader went past the one it was given (to skip
   * empty pages); "Previous page" then skips them too.
   */
  cursor?: string | null;
}

/** A list read page by page, with "Previous page" and "Next page" (see ListView and Pager). */
export interface PagedList<T> {
  /** The items on screen; a page may replace them, e.g. to add one it has just created. */
  items: T[];
  readonly nextCursor: string | null;
  readonly loading: boolean;
  /** Why the page could not be loaded, as one sentence; empty when it could. */
  readonly failure: string;
  /** The page on screen, from 1. */
  readonly pageNumber: number;
  /** Reads the page on screen again. */
  reload(): Promise<void>;
  /** Back to the first page, e.g. when the filter changes. */
  firstPage(): void;
  nextPage(): void;
  previousPage(): void;
}

/**
 * A paged list that reads its first page once the component is mounted; call it while the component
 * initialises. `read` gets the cursor of the page to show (null: the first). The API pages by cursor,
 * so the cursor of every page visited so far is kept; the last one is the page on screen.
 */
export function createPagedList<T>(read: (cursor: string | null) => Promise<ListPage<T>>): PagedList<T> {
  let items = $state.raw<T[]>([]);
  let nextCursor = $state<string | null>(null);
  let loading = $state(true);
  let failure = $state('');
  let cursors = $state.raw<(string | null)[]>([null]);
  // Answers can arrive out of order when the user pages quickly; only the latest request may land.
  let latest = 0;

  async function reload() {
    const request = ++latest;
    loading = true;
    failure = '';
    try {
      const page = await read(cursors.at(-1) ?? null);
      if (request !== latest) return;
      if (page.cursor !== undefined) cursors = [...cursors.slice(0, -1), page.cursor];
      items = page.items;
      nextCursor = page.nextCursor;
    } catch (error) {
      if (request !== latest || isSignedOut(error)) return;
      items = [];
      nextCursor = null;
      failure = errorMessage(error);
    } finally {
      if (request === latest) loading = false;
    }
  }

  function go(to: (string | null)[]) {
    cursors = to;
    void reload();
  }

  onMount(() => {
    void reload();
  });

  return {
    get items() {
      return items;
    },
    set items(value) {
      items = value;
    },
    get nextCursor() {
      return nextCursor;
    },
    get loading() {
      return loading;
    },
    get failure() {
      return failure;
    },
    get pageNumber() {
      return cursors.length;
    },
    reload,
    firstPage: () => go([null]),
    nextPage: () => {
      if (!loading && nextCursor) go([...cursors, nextCursor]);
    },
    previousPage: () => {
      if (!loading && cursors.length > 1) go(cursors.slice(0, -1));
    },
  };
}
