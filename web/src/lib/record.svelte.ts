import { untrack } from 'svelte';
import { ApiError, type Versioned } from './api.ts';
import { errorMessage, isSignedOut } from './errors.ts';

export interface RecordOptions<T> {
  /** The id of the record, e.g. from the route's params; a change of it reads the other record. */
  id?: () => string;
  /** Reads the record with its version (and anything the page shows beside it). */
  read: (id: string) => Promise<Versioned<T>>;
}

/** One record read from the API, with loading, "not found" and failure states (see RecordView). */
export class RecordLoader<T> {
  record = $state.raw<T | null>(null);
  loading = $state(true);
  /** Why the record could not be loaded, as one sentence; empty when it could. */
  failure = $state('');
  notFound = $state(false);
  /** The version on screen; sent back as If-Match so a concurrent change is refused, not lost. */
  protected etag = '';
  readonly #id: () => string;
  readonly #read: (id: string) => Promise<Versioned<T>>;

  constructor({ id = () => '', read }: RecordOptions<T>) {
    this.#id = id;
    this.#read = read;
    // Keyed on the id alone, so moving from one record to another reloads, and nothing else does.
    $effect(() => {
      id();
      untrack(() => void this.load());
    });
  }

  /** Reads the record again, e.g. "Try again" or "Load the latest version". */
  load = async (): Promise<void> => {
    this.loading = true;
    this.failure = '';
    this.notFound = false;
    try {
      this.loaded(await this.#read(this.#id()));
    } catch (error) {
      if (isSignedOut(error)) return;
      this.notFound = error instanceof ApiError && error.status === 404;
      this.failure = errorMessage(error);
    } finally {
      this.loading = false;
    }
  };

  protected loaded(latest: Versioned<T>): void {
    this.show(latest);
  }

  protected show({ value, etag }: Versioned<T>): void {
    this.record = value;
    this.etag = etag;
  }
}

/** A record for a page that shows it; call it while the component initialises. */
export function createRecord<T>(options: RecordOptions<T>): RecordLoader<T> {
  return new RecordLoader(options);
}
