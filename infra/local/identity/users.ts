import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ROLES, type Role } from '#shared/platform/roles.ts';
import { decoyHash, hashPassword, verifyPasswordHash } from './password.ts';

/** Cognito's user statuses that occur here: invited (no password of one's own yet) and signed up. */
export type UserStatus = 'FORCE_CHANGE_PASSWORD' | 'CONFIRMED';

/** The attributes the local pool knows, as Cognito names them. */
export interface UserAttributes {
  readonly name?: string | undefined;
  /** Written once at creation; no operation changes it, as in the Cognito pool (immutable attribute). */
  readonly 'custom:tenantId': string;
  readonly email_verified: boolean;
}

/** A user as the rest of the local cloud sees it: never with its password hash or invitation. */
export interface User {
  /** Stable id, a UUID, as Cognito's `sub`. */
  readonly sub: string;
  /** The username; lower-cased and unique in the directory. */
  readonly email: string;
  readonly attributes: UserAttributes;
  /** Cognito groups: one per role. */
  readonly groups: readonly Role[];
  /** A disabled user cannot log in; tokens already issued stay valid until they expire, as in Cognito. */
  readonly enabled: boolean;
  readonly status: UserStatus;
  readonly createdAt: string;
  readonly updatedAt: string;
}

interface PendingInvitation {
  /** SHA-256 of the token, hex: the token itself is only in the invitation mail. */
  readonly tokenHash: string;
  readonly createdAt: string;
  readonly expiresAt: string;
}

/** A user as stored in `users.json`. */
export interface UserRecord extends User {
  /** `scrypt$N$r$p$salt$key` (see password.ts); null until the user has set a password. */
  readonly passwordHash: string | null;
  readonly invitation: PendingInvitation | null;
}

/** A confirmed user with a password, as the demo seed and tests create them. */
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

/** What AdminCreateUser asks for. */
export interface InvitedUser {
  readonly email: string;
  readonly name?: string | undefined;
  readonly tenantId: string;
  readonly groups?: readonly Role[];
}

/** The one-time secret of an invitation, for the mail; the directory keeps only its hash. */
export interface Invitation {
  readonly email: string;
  readonly tenantId: string;
  readonly token: string;
  readonly createdAt: string;
  readonly expiresAt: string;
}

/**
 * Where the directory lives: a string is the path of the JSON file itself; `{ dataDir }` means
 * `<dataDir>/users.json`; nothing (or `{}`) keeps the users in memory only.
 */
export type UserDirectoryLocation = string | { readonly dataDir?: string };

export interface UserDirectoryOptions {
  /** The clock for timestamps and invitation expiry; tests move it. */
  readonly now?: () => Date;
}

/** Thrown for an email that already has an account. */
export class DuplicateUserError extends Error {
  readonly email: string;

  constructor(email: string) {
    super(`A user with email ${email} already exists`);
    this.name = 'DuplicateUserError';
    this.email = email;
  }
}

/** Thrown for a username (email or sub) nobody has. */
export class UnknownUserError extends Error {
  constructor(username: string) {
    super(`No user ${username}`);
    this.name = 'UnknownUserError';
  }
}

/** Thrown for an invitation token that is unknown, used, expired, or of a disabled user: one answer. */
export class InvitationNotValidError extends Error {
  constructor() {
    super('This invitation was already used or has expired');
    this.name = 'InvitationNotValidError';
  }
}

/** How long an invitation link works. */
export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;
const INVITATION_TOKEN_BYTES = 32;

const recordSchema = z.object({
  sub: z.uuid(),
  email: z.string().min(1),
  attributes: z.object({
    name: z.string().min(1).optional(),
    'custom:tenantId': z.string().min(1),
    email_verified: z.boolean(),
  }),
  groups: z.array(z.enum(ROLES)),
  enabled: z.boolean(),
  status: z.enum(['FORCE_CHANGE_PASSWORD', 'CONFIRMED']),
  passwordHash: z.string().startsWith('scrypt$').nullable(),
  invitation: z
    .object({ tokenHash: z.string().length(64), createdAt: z.iso.datetime(), expiresAt: z.iso.datetime() })
    .nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
const fileSchema = z.object({ users: z.array(recordSchema) });

const emailSchema = z.email().max(254);
const nameSchema = z.string().trim().min(1).max(200);
const tenantSchema = z.string().trim().min(1).max(64);

const newUserSchema = z.object({
  email: emailSchema,
  name: nameSchema,
  tenantId: tenantSchema,
  roles: z.array(z.enum(ROLES)),
  // Cognito's default policy asks for at least 8 characters; ask the same here.
  password: z.string().min(8).max(256),
  enabled: z.boolean().optional(),
  sub: z.uuid().optional(),
});

const invitedUserSchema = z.object({
  email: emailSchema,
  name: nameSchema.optional(),
  tenantId: tenantSchema,
  groups: z.array(z.enum(ROLES)).default([]),
});

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function publicView(record: UserRecord): User {
  return {
    sub: record.sub,
    email: record.email,
    attributes: { ...record.attributes },
    groups: [...record.groups],
    enabled: record.enabled,
    status: record.status,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

/**
 * The local stand-in for a Cognito user pool: users with a tenant attribute and groups, passwords as
 * salted scrypt hashes, invitations as hashed one-time tokens. Every change is written through at once
 * (whole file, replaced atomically), so a crash never leaves half a file behind.
 */
export class UserDirectory {
  readonly #file: string | undefined;
  readonly #now: () => Date;
  readonly #byEmail = new Map<string, UserRecord>();

  constructor(location: UserDirectoryLocation = {}, options: UserDirectoryOptions = {}) {
    this.#now = options.now ?? (() => new Date());
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
    if (!parsed.success) {
      throw new Error(
        `${this.#file} is not a valid user directory (delete the local data folder to start afresh): ${parsed.error.message}`,
      );
    }
    for (const record of parsed.data.users) this.#byEmail.set(normaliseEmail(record.email), record);
  }

  /**
   * Adds a confirmed user with a password (demo logins, tests); throws {@link DuplicateUserError}
   * when the email is taken, and on invalid fields.
   */
  async add(user: NewUser): Promise<User> {
    const input = newUserSchema.parse({ ...user, email: normaliseEmail(user.email), roles: [...user.roles] });
    if (this.#byEmail.has(input.email)) throw new DuplicateUserError(input.email);
    const passwordHash = await hashPassword(input.password);
    // Checked again: another add of the same email may have finished while this one was hashing.
    if (this.#byEmail.has(input.email)) throw new DuplicateUserError(input.email);
    const at = this.#now().toISOString();
    const record: UserRecord = {
      sub: input.sub ?? randomUUID(),
      email: input.email,
      attributes: { name: input.name, 'custom:tenantId': input.tenantId, email_verified: true },
      groups: [...new Set(input.roles)],
      enabled: input.enabled ?? true,
      status: 'CONFIRMED',
      passwordHash,
      invitation: null,
      createdAt: at,
      updatedAt: at,
    };
    this.#put(record);
    return publicView(record);
  }

  /**
   * Creates a user who has no password yet (Cognito's FORCE_CHANGE_PASSWORD) and the one-time token
   * of their invitation. Throws {@link DuplicateUserError} when the email is taken.
   */
  invite(user: InvitedUser): { user: User; invitation: Invitation } {
    const input = invitedUserSchema.parse({ ...user, email: normaliseEmail(user.email) });
    if (this.#byEmail.has(input.email)) throw new DuplicateUserError(input.email);
    const now = this.#now();
    const at = now.toISOString();
    const token = randomBytes(INVITATION_TOKEN_BYTES).toString('base64url');
    const expiresAt = new Date(now.getTime() + INVITATION_TTL_MS).toISOString();
    const record: UserRecord = {
      sub: randomUUID(),
      email: input.email,
      attributes: { name: input.name, 'custom:tenantId': input.tenantId, email_verified: true },
      groups: [...new Set(input.groups)],
      enabled: true,
      status: 'FORCE_CHANGE_PASSWORD',
      passwordHash: null,
      invitation: { tokenHash: hashToken(token), createdAt: at, expiresAt },
      createdAt: at,
      updatedAt: at,
    };
    this.#put(record);
    return {
      user: publicView(record),
      invitation: { email: record.email, tenantId: input.tenantId, token, createdAt: at, expiresAt },
    };
  }

  /** By username, which is the email (any case) or, as in Cognito, the `sub`. */
  find(username: string): User | undefined {
    const record = this.#find(username);
    return record === undefined ? undefined : publicView(record);
  }

  findByEmail(email: string): User | undefined {
    const record = this.#byEmail.get(normaliseEmail(email));
    return record === undefined ? undefined : publicView(record);
  }

  list(): User[] {
    return [...this.#byEmail.values()].map(publicView);
  }

  addToGroup(username: string, group: Role): User {
    return this.#change(username, (record) =>
      record.groups.includes(group) ? record : { ...record, groups: [...record.groups, group] },
    );
  }

  removeFromGroup(username: string, group: Role): User {
    return this.#change(username, (record) =>
      record.groups.includes(group)
        ? { ...record, groups: record.groups.filter((member) => member !== group) }
        : record,
    );
  }

  /** Enables or disables a login; throws {@link UnknownUserError} for an unknown user. */
  setEnabled(username: string, enabled: boolean): User {
    return this.#change(username, (record) => (record.enabled === enabled ? record : { ...record, enabled }));
  }

  /** Deletes the user (and so their pending invitation); throws {@link UnknownUserError}. */
  remove(username: string): void {
    const record = this.#find(username);
    if (record === undefined) throw new UnknownUserError(username);
    this.#byEmail.delete(record.email);
    this.#save();
  }

  /**
   * The user when the password is theirs, else undefined. An unknown email, and a user without a
   * password, cost the same hashing as a wrong password. Whether the user is enabled is the caller's
   * question (login refuses all of these with the same answer).
   */
  async verifyPassword(email: string, password: string): Promise<User | undefined> {
    const record = this.#byEmail.get(normaliseEmail(email));
    const hash = record?.passwordHash ?? (await decoyHash());
    const ok = await verifyPasswordHash(password, hash);
    return ok && record?.passwordHash ? publicView(record) : undefined;
  }

  /** Whether `token` is the live invitation of an enabled user, i.e. would be accepted now. */
  isInvitationPending(token: string): boolean {
    return this.#invited(token) !== undefined;
  }

  /**
   * Sets the password of the invited user whose token this is, confirms them and consumes the token.
   * Throws {@link InvitationNotValidError} for a token that cannot be used (any reason, one answer).
   * The password policy is the caller's to check first.
   */
  async acceptInvitation(token: string, password: string): Promise<User> {
    if (this.#invited(token) === undefined) throw new InvitationNotValidError();
    const passwordHash = await hashPassword(password);
    // Looked up again after hashing: two accepts of one token may race, and only the first may win.
    const record = this.#invited(token);
    if (record === undefined) throw new InvitationNotValidError();
    const updated: UserRecord = {
      ...record,
      passwordHash,
      status: 'CONFIRMED',
      invitation: null,
      updatedAt: this.#now().toISOString(),
    };
    this.#put(updated);
    return publicView(updated);
  }

  #invited(token: string): UserRecord | undefined {
    if (token.length === 0 || token.length > 256) return undefined;
    const hash = Buffer.from(hashToken(token), 'hex');
    const now = this.#now().getTime();
    for (const record of this.#byEmail.values()) {
      const invitation = record.invitation;
      if (invitation === null || !record.enabled) continue;
      if (!timingSafeEqual(Buffer.from(invitation.tokenHash, 'hex'), hash)) continue;
      return Date.parse(invitation.expiresAt) > now ? record : undefined;
    }
    return undefined;
  }

  #find(username: string): UserRecord | undefined {
    const byEmail = this.#byEmail.get(normaliseEmail(username));
    if (byEmail !== undefined) return byEmail;
    for (const record of this.#byEmail.values()) if (record.sub === username) return record;
    return undefined;
  }

  #change(username: string, apply: (record: UserRecord) => UserRecord): User {
    const record = this.#find(username);
    if (record === undefined) throw new UnknownUserError(username);
    const changed = apply(record);
    if (changed === record) return publicView(record);
    const updated = { ...changed, updatedAt: this.#now().toISOString() };
    this.#put(updated);
    return publicView(updated);
  }

  #put(record: UserRecord): void {
    this.#byEmail.set(record.email, record);
    this.#save();
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
