import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BusEnvelope } from '#shared/events/envelope.ts';

/** An event a rule's target kept failing on, kept so it can be looked at and replayed. */
export interface DeadLetter {
  readonly id: string;
  readonly rule: string;
  readonly envelope: BusEnvelope;
  readonly error: string;
  /** Delivery attempts so far, replays included. */
  readonly attempts: number;
  readonly firstFailureAt: string;
  readonly lastFailureAt: string;
}

export const DEAD_LETTERS_FILE = 'dead-letters.json';

/**
 * Dead letters in memory, mirrored to `<dataDir>/dead-letters.json` when a directory is given.
 * Writes are synchronous and whole-file (temp file then rename) so a crash never leaves half a file
 * and the order of writes is the order of changes.
 */
export class DeadLetterStore {
  readonly #letters = new Map<string, DeadLetter>();
  readonly #file: string | undefined;

  constructor(dataDir?: string) {
    this.#file = dataDir === undefined ? undefined : join(dataDir, DEAD_LETTERS_FILE);
    for (const letter of this.#load()) this.#letters.set(letter.id, letter);
  }

  list(): DeadLetter[] {
    return [...this.#letters.values()];
  }

  get(id: string): DeadLetter | undefined {
    return this.#letters.get(id);
  }

  put(letter: DeadLetter): void {
    this.#letters.set(letter.id, letter);
    this.#save();
  }

  delete(id: string): void {
    if (this.#letters.delete(id)) this.#save();
  }

  #load(): DeadLetter[] {
    if (this.#file === undefined) return [];
    let text: string;
    try {
      text = readFileSync(this.#file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    // A corrupt file is reported rather than ignored: ignoring it would silently drop failed events.
    const parsed: unknown = JSON.parse(text);
    if (!Array.isArray(parsed)) throw new Error(`${this.#file} does not hold a list of dead letters`);
    return parsed as DeadLetter[];
  }

  #save(): void {
    if (this.#file === undefined) return;
    mkdirSync(join(this.#file, '..'), { recursive: true });
    const temporary = `${this.#file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(this.list(), null, 2)}\n`);
    renameSync(temporary, this.#file);
  }
}
