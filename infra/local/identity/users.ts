import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ROLES, type Role } from '#shared/platform/roles.ts';
import { decoyHash, hashPassword, verifyPasswordHash } from './password.ts';

/** A user as the rest of the local cloud sees it: never with its password hash. */
export interface User {
  /** Stable id, a UUID, as Cognito's `sub`. */
  readonly sub: string;
  /** Lower-cased; unique in the directory. */
  readonly email: string;
  readonly name: string;
  readonly tenantId: string;
  readonly roles: readonly Role[];
  /** A disabled user cannot log in; tokens already issued stay valid until they expire, as in Cognito. */
  readonly enabled: boolean;
}

/** A user as stored in `users.json`. */
export interface UserRecord extends User {
  /** `scrypt$N$r$p$salt$key`; see password.ts. */
  readonly passwordHash: string;
}

export interface NewUser {
  readonly email: string;
  readonly name: string;
  readonly tenantId: string;
  readonly roles: readonly Role[];
  readonly password: string;
  /** Defaults to true. */
  readonly enabled?: boolean;
  /** Generated when absent; give one to keep ids stable across re-seeding. */
  readonly sub?: string;
}

/**
 * Where the directory lives: a string is the path of the JSON file itself; `{ dataDir }` means
 * `<dataDir>/users.json`; nothing (or `{}`) keeps the users in memory only.
 */
export type UserDirectoryLocation = string | { readonly dataDir?: string };

/** Thrown by {@link UserDirectory.add} for an email that already has an account. */
export class DuplicateUserError extends Error {
  readonly email: string;

  constructor(email: string) {
    super(`A user with email ${email} already exists`);
    this.name = 'DuplicateUserError';
    this.email = email;
  }
}

const recordSchema = z.object({
  sub: z.uuid(),
  email: z.string().min(1),
  name: z.string().min(1),
  tenantId: z.string().min(1),
  roles: z.array(z.enum(ROLES)),
  passwordHash: z.string().startsWith('scrypt$'),
  enabled: z.boolean(),
});
const fileSchema = z.object({ users: z.array(recordSchema) });

const newUserSchema = z.object({
  email: z.email().max(254),
  name: z.string().trim().min(1).max(200),
  tenantId: z.string().trim().min(1).max(64),
  roles: z.array(z.enum(ROLES)),
  // Cognito's default policy asks for at least 8 characters; ask the same here.
  password: z.string().min(8).max(256),
  enabled: z.boolean().optional(),
  sub: z.uuid().optional(),
});

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

function publicView(record: UserRecord): User {
  return {
    sub: record.sub,
    email: record.email,
    name: record.name,
    tenantId: record.tenantId,
    roles: [...record.roles],
    enabled: record.enabled,
  };
}

/**
 * The local stand-in for a Cognito user pool: users with a tenant and roles, passwords kept as salted
 * scrypt hashes. Changes are written through at once (whole file, replaced atomically), so a crash
 * never leaves half a file behind.
 */
export class UserDirectory {
  readonly #file: string | undefined;
  readonly #byEmail = new Map<string, UserRecord>();

  constructor(location: UserDirectoryLocation = {}) {
    if (typeof location === 'string') this.#file = path.resolve(location);
    else if (location.dataDir !== undefined) this.#file = path.resolve(location.dataDir, 'users.json');
    if (this.#file === undefined) return;
    mkdirSync(path.dirname(this.#file), { recursive: true });
    let text: string;
    try {
      text = readFileSync(this.#file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    const parsed = fileSchema.safeParse(JSON.parse(text));
    if (!parsed.success)
      throw new Error(`${this.#file} is not a valid user directory: ${parsed.error.message}`);
    for (const record of parsed.data.users) this.#byEmail.set(normaliseEmail(record.email), record);
  }

  /** Adds a user; throws {@link DuplicateUserError} when the email is taken, and on invalid fields. */
  async add(user: NewUser): Promise<User> {
    const input = newUserSchema.parse({ ...user, email: normaliseEmail(user.email), roles: [...user.roles] });
    if (this.#byEmail.has(input.email)) throw new DuplicateUserError(input.email);
    const passwordHash = await hashPassword(input.password);
    // Checked again: another add of the same email may have finished while this one was hashing.
    if (this.#byEmail.has(input.email)) throw new DuplicateUserError(input.email);
    const record: UserRecord = {
      sub: input.sub ?? randomUUID(),
      email: input.email,
      name: input.name,
      tenantId: input.tenantId,
      roles: input.roles,
      passwordHash,
      enabled: input.enabled ?? true,
    };
    this.#byEmail.set(record.email, record);
    this.#save();
    return publicView(record);
  }

  findByEmail(email: string): User | undefined {
    const record = this.#byEmail.get(normaliseEmail(email));
    return record === undefined ? undefined : publicView(record);
  }

  /**
   * The user when the password is theirs, else undefined. An unknown email costs the same hashing
   * as a wrong password. Whether the user is enabled is the caller's question (login refuses both
   * with the same answer).
   */
  async verifyPassword(email: string, password: string): Promise<User | undefined> {
    const record = this.#byEmail.get(normaliseEmail(email));
    const ok = await verifyPasswordHash(password, record?.passwordHash ?? (await decoyHash()));
    return ok && record !== undefined ? publicView(record) : undefined;
  }

  list(): User[] {
    return [...this.#byEmail.values()].map(publicView);
  }

  /** Enables or disables a login; throws for an unknown email. */
  setEnabled(email: string, enabled: boolean): User {
    const record = this.#byEmail.get(normaliseEmail(email));
    if (record === undefined) throw new Error(`No user with email ${normaliseEmail(email)}`);
    const updated: UserRecord = { ...record, enabled };
    this.#byEmail.set(updated.email, updated);
    this.#save();
    return publicView(updated);
  }

  #save(): void {
    if (this.#file === undefined) return;
    const temporary = `${this.#file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify({ users: [...this.#byEmail.values()] }, null, 2)}\n`, {
      mode: 0o600,
    });
    renameSync(temporary, this.#file);
  }
}
