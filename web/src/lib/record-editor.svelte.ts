import type { Versioned } from './api.ts';
import { isConflict, isSignedOut } from './errors.ts';
import { focusFirstInvalid } from './focus.ts';
import { formProblem } from './form-problem.ts';
import { RecordLoader, type RecordOptions } from './record.svelte.ts';

export interface RecordEditorOptions<T, V, C> extends RecordOptions<T> {
  /** The form's values for a record. */
  values: (record: T) => V;
  /** Only what the form changes, so a save never overwrites a field it did not mean to touch. */
  changes: (values: V, record: T) => C;
  /** Saves the changes, sending `etag` as If-Match. */
  write: (record: T, etag: string, changes: C) => Promise<Versioned<T>>;
  /** The fields an error from the API can be shown beside (see `formProblem`). */
  fields: readonly string[];
  /** What was not saved, as a sentence ("The team was not saved."). */
  notSaved?: string;
  /** Shown once the form's changes are saved. */
  savedNotice?: string;
  /** Runs after a save, before the page shows the saved record; may leave the page. */
  saved?: (record: T) => unknown;
}

/**
 * A record read with its version into a form, and saved with If-Match: the API's messages land beside
 * the fields, and a change someone else saved first (412) turns `conflict` on instead of being lost.
 */
export class RecordEditor<T, V extends object, C extends object> extends RecordLoader<T> {
  /** Filled by the first load; the form is shown only once the record is there. */
  values = $state({} as V);
  errors = $state<Record<string, string>>({});
  /** What cannot be shown beside a field, for the alert above the form. */
  summary = $state('');
  busy = $state(false);
  conflict = $state(false);
  /** The outcome of the last action, for the page's status line. */
  notice = $state('');
  /** The form, so the first field the API refused gets the focus. */
  form = $state<HTMLFormElement>();
  readonly #options: RecordEditorOptions<T, V, C>;

  constructor(options: RecordEditorOptions<T, V, C>) {
    super(options);
    this.#options = options;
  }

  protected override loaded(latest: Versioned<T>): void {
    this.show(latest);
    this.conflict = false;
    this.errors = {};
    this.summary = '';
  }

  protected override show(latest: Versioned<T>): void {
    super.show(latest);
    this.values = this.#options.values(latest.value);
  }

  /** The form's submit handler: saves what changed, or says that nothing did. */
  submit = (event?: SubmitEvent): void => {
    event?.preventDefault();
    if (!this.record || this.busy) return;
    const changes = this.#options.changes(this.values, this.record);
    this.notice = '';
    if (Object.keys(changes).length === 0) {
      this.notice = 'Nothing has changed, so there is nothing to save.';
      return;
    }
    void this.save(changes, this.#options.savedNotice ?? 'The changes are saved.');
  };

  /** Saves `changes`; `done` is the notice once they are. */
  save = async (changes: C, done: string): Promise<void> => {
    const record = this.record;
    if (!record || this.busy) return;
    this.busy = true;
    this.summary = '';
    this.notice = '';
    try {
      const updated = await this.#options.write(record, this.etag, changes);
      await this.#options.saved?.(updated.value);
      this.show(updated);
      this.errors = {};
      this.notice = done;
    } catch (error) {
      if (isSignedOut(error)) return;
      if (isConflict(error)) {
        this.conflict = true;
        this.errors = {};
        return;
      }
      ({ fieldErrors: this.errors, summary: this.summary } = formProblem(
        error,
        this.#options.fields,
        this.#options.notSaved,
      ));
      void focusFirstInvalid(this.form);
    } finally {
      this.busy = false;
    }
  };
}

/** A record for a page that edits it; call it while the component initialises. */
export function createRecordEditor<T, V extends object, C extends object>(
  options: RecordEditorOptions<T, V, C>,
): RecordEditor<T, V, C> {
  return new RecordEditor(options);
}
