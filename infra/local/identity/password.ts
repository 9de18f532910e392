import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

/** scrypt's cost settings; written into every hash so they can be raised without breaking old ones. */
const COST = { N: 16_384, r: 8, p: 1 } as const;
const KEY_LENGTH = 64;
const SALT_BYTES = 16;

function derive(password: string, salt: Buffer, options: ScryptOptions, keyLength: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // The async form runs on libuv's pool, so a login does not stall every other request.
    scrypt(
      password.normalize('NFKC'),
      salt,
      keyLength,
      { ...options, maxmem: 64 * 1024 * 1024 },
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });
}

/** `scrypt$N$r$p$salt$key`, salt and key in base64url. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, COST, KEY_LENGTH);
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** True when `password` produces `hash`; false for a wrong password and for a hash it cannot read. */
export async function verifyPasswordHash(password: string, hash: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = hash.split('$');
  if (scheme !== 'scrypt' || salt === undefined || key === undefined) return false;
  const expected = Buffer.from(key, 'base64url');
  if (expected.length === 0) return false;
  try {
    const cost = { N: Number(n), r: Number(r), p: Number(p) };
    const actual = await derive(password, Buffer.from(salt, 'base64url'), cost, expected.length);
    return timingSafeEqual(actual, expected);
  } catch {
    // Cost settings scrypt refuses: a damaged hash, which matches no password.
    return false;
  }
}

/**
 * A hash of a password nobody has, checked when the email is unknown so that an unknown email takes
 * as long to refuse as a wrong password and the answer time does not reveal who has an account.
 */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(32).toString('base64url'));
  return decoy;
}

/**
 * The local pool's policy for a password a user chooses: at least 10 characters, with a letter and a
 * digit (the AWS pool's own policy is in infra/aws/constructs/identity.ts). One message per unmet
 * rule; empty when the password is acceptable.
 */
export function passwordPolicyProblems(password: string): string[] {
  const problems: string[] = [];
  if (password.length < 10) problems.push('Use at least 10 characters');
  if (password.length > 256) problems.push('Use at most 256 characters');
  if (!/\p{L}/u.test(password)) problems.push('Use at least one letter');
  if (!/\p{Nd}/u.test(password)) problems.push('Use at least one digit');
  return problems;
}
