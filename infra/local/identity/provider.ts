import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import {
  type CryptoKey,
  calculateJwkThumbprint,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JSONWebKeySet,
  type JWK,
  jwtVerify,
  SignJWT,
} from 'jose';
import { z } from 'zod';
import { CLAIM } from '#shared/platform/claims.ts';
import {
  BodyTooLargeError,
  type FieldError,
  readBody,
  requestPath,
  sendJson,
  sendProblem,
} from '../gateway/http.ts';
import { decoyHash, passwordPolicyProblems } from './password.ts';
import { InvitationNotValidError, type User, type UserDirectory } from './users.ts';

export const LOGIN_PATH = '/auth/login';
export const ACCEPT_INVITATION_PATH = '/auth/accept-invitation';
export const JWKS_PATH = '/auth/.well-known/jwks.json';
const SIGNING_KEY_FILE = 'signing-key.json';
const ALGORITHM = 'RS256';
/** A login or acceptance body is two short strings; anything near this size is neither. */
const MAX_AUTH_BODY_BYTES = 16 * 1024;

/** Why a token was refused, in a few words a client may see (`reason`), never a stack. */
export class InvalidTokenError extends Error {
  readonly reason: string;

  constructor(reason: string) {
    super(reason);
    this.name = 'InvalidTokenError';
    this.reason = reason;
  }
}

export interface LocalIdentityProviderOptions {
  /** Where the signing key is kept, so tokens survive a restart; in memory when absent. */
  readonly dataDir?: string;
  /** `iss` of every token, e.g. `http://127.0.0.1:3000/auth`. */
  readonly issuer: string;
  /** `aud` of every token: the app client id in Cognito terms. */
  readonly audience: string;
  /** Lifetime of an ID token; Cognito's default, 3600, unless said. */
  readonly tokenTtlSeconds?: number;
  readonly users: UserDirectory;
  /** The clock for issuing and checking tokens; tests move it. */
  readonly now?: () => Date;
}

/** What `POST /auth/login` answers. */
export interface LoginResponse {
  readonly idToken: string;
  /** Seconds until the token expires. */
  readonly expiresIn: number;
  readonly tokenType: 'Bearer';
}

/** The parts of a user an ID token speaks about. */
export interface TokenSubject {
  readonly sub: string;
  readonly email: string;
  readonly name?: string | undefined;
  readonly tenantId: string;
  readonly roles: readonly string[];
}

/** What a token says of a directory user: its attributes and groups. */
export function tokenSubject(user: User): TokenSubject {
  return {
    sub: user.sub,
    email: user.email,
    name: user.attributes.name,
    tenantId: user.attributes['custom:tenantId'],
    roles: user.groups,
  };
}

export interface LocalIdentityProvider {
  /** An RS256 ID token with the claims Cognito puts in one (see {@link createLocalIdentityProvider}). */
  issueIdToken(user: TokenSubject): Promise<string>;
  /** The public signing key, as a Cognito user pool publishes it. */
  jwks(): JSONWebKeySet;
  /** The claims of a valid ID token of this provider; throws {@link InvalidTokenError} otherwise. */
  verify(token: string): Promise<Record<string, unknown>>;
  /**
   * Serves `POST /auth/login`, `POST /auth/accept-invitation` and `GET /auth/.well-known/jwks.json`;
   * false for any other path.
   */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
}

const storedKeySchema = z.object({
  kty: z.literal('RSA'),
  kid: z.string().min(1),
  n: z.string().min(1),
  e: z.string().min(1),
  d: z.string().min(1),
  p: z.string().min(1),
  q: z.string().min(1),
  dp: z.string().min(1),
  dq: z.string().min(1),
  qi: z.string().min(1),
});
type StoredKey = z.infer<typeof storedKeySchema>;

async function generateSigningKey(): Promise<StoredKey> {
  const { privateKey } = await generateKeyPair(ALGORITHM, { extractable: true });
  const jwk = await exportJWK(privateKey);
  // The thumbprint covers only the public members, so it names the public key in the JWKS too.
  return storedKeySchema.parse({ ...jwk, kid: await calculateJwkThumbprint(jwk) });
}

async function loadSigningKey(dataDir: string | undefined): Promise<StoredKey> {
  if (dataDir === undefined) return generateSigningKey();
  const file = path.join(dataDir, SIGNING_KEY_FILE);
  try {
    return storedKeySchema.parse(JSON.parse(await readFile(file, 'utf8')));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(`${file} does not hold a usable RSA signing key; delete it to start afresh`, {
        cause: error,
      });
    }
  }
  const key = await generateSigningKey();
  await mkdir(dataDir, { recursive: true });
  try {
    // `wx`: when two starts race, the first key written wins and the other start reads it.
    await writeFile(file, `${JSON.stringify(key, null, 2)}\n`, { flag: 'wx', mode: 0o600 });
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return storedKeySchema.parse(JSON.parse(await readFile(file, 'utf8')));
  }
}

/** Maps jose's failures to short reasons; which check failed is useful, the library's wording is not. */
function reasonFor(error: unknown): string {
  const { code, claim } = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown;
    claim?: unknown;
  };
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return 'token expired';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (claim === 'iss') return 'wrong issuer';
      if (claim === 'aud') return 'wrong audience';
      if (claim === 'nbf') return 'token not yet valid';
      return typeof claim === 'string' ? `claim ${claim} is not valid` : 'claims are not valid';
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
    case 'ERR_JOSE_NOT_SUPPORTED':
      return 'algorithm not allowed';
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'bad signature';
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return 'unknown signing key';
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
      return 'malformed token';
    default:
      return 'not verifiable';
  }
}

const requiredString = (max: number) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? 'Required' : 'Must be a string') })
    .min(1, 'Required')
    .max(max, `At most ${max} characters`);

const loginSchema = z.object({ email: requiredString(254), password: requiredString(256) });
// The policy's own messages come after the shape is right; 256 keeps hashing cheap.
const acceptInvitationSchema = z.object({ token: requiredString(256), password: requiredString(256) });

function fieldErrors(issues: readonly z.core.$ZodIssue[]): FieldError[] {
  return issues.map((issue) => ({
    path: ['body', ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
}

/**
 * Starts the local identity provider: the tokens it issues look like Cognito ID tokens (same claims,
 * RS256, `kid`, JWKS), so handlers and the gateway treat them exactly as they treat Cognito's.
 */
export async function createLocalIdentityProvider(
  options: LocalIdentityProviderOptions,
): Promise<LocalIdentityProvider> {
  const { issuer, audience, users } = options;
  const ttl = options.tokenTtlSeconds ?? 3600;
  const now = options.now ?? (() => new Date());
  const stored = await loadSigningKey(options.dataDir);
  // Made now, so the first login with an unknown email is not slower than the ones after it.
  await decoyHash();
  // importJWK answers raw bytes only for symmetric (`oct`) keys; an RSA key is always a CryptoKey.
  const signingKey = (await importJWK({ ...stored, alg: ALGORITHM }, ALGORITHM)) as CryptoKey;
  const publicJwk: JWK = {
    kty: stored.kty,
    kid: stored.kid,
    n: stored.n,
    e: stored.e,
    alg: ALGORITHM,
    use: 'sig',
  };
  const keySet = createLocalJWKSet({ keys: [publicJwk] });

  async function issueIdToken(user: TokenSubject): Promise<string> {
    const issuedAt = Math.floor(now().getTime() / 1000);
    return new SignJWT({
      [CLAIM.email]: user.email,
      email_verified: true,
      // Cognito leaves out an attribute the user does not have.
      ...(user.name ? { [CLAIM.name]: user.name } : {}),
      token_use: 'id',
      auth_time: issuedAt,
      [CLAIM.tenantId]: user.tenantId,
      // Cognito leaves the claim out for a user in no group; so does this provider.
      ...(user.roles.length > 0 ? { [CLAIM.roles]: [...user.roles] } : {}),
    })
      .setProtectedHeader({ alg: ALGORITHM, kid: stored.kid })
      .setIssuer(issuer)
      .setAudience(audience)
      .setSubject(user.sub)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + ttl)
      .setJti(randomUUID())
      .sign(signingKey);
  }

  async function verify(token: string): Promise<Record<string, unknown>> {
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, keySet, {
        issuer,
        audience,
        // Only RS256: this is what refuses `alg: none` and HS256 signed with the public key.
        algorithms: [ALGORITHM],
        currentDate: now(),
        requiredClaims: ['sub', 'iat', 'exp'],
      }));
    } catch (error) {
      throw new InvalidTokenError(reasonFor(error));
    }
    // An access token (or anything else) signed by the same key is not an ID token.
    if (payload.token_use !== 'id') throw new InvalidTokenError('not an ID token');
    return payload;
  }

  /** The body as a JSON object, or undefined once a problem has been answered. */
  async function readJsonObject(
    req: IncomingMessage,
    res: ServerResponse,
    detail: string,
  ): Promise<Record<string, unknown> | undefined> {
    let raw: Buffer;
    try {
      raw = await readBody(req, MAX_AUTH_BODY_BYTES);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        sendProblem(res, {
          title: 'Payload Too Large',
          status: 413,
          detail: 'An auth request body is small',
        });
      } else {
        res.destroy();
      }
      return undefined;
    }
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      json = undefined;
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      sendProblem(res, {
        title: 'Bad Request',
        status: 400,
        detail,
        errors: [{ path: 'body', message: 'Expected a JSON object' }],
      });
      return undefined;
    }
    return json as Record<string, unknown>;
  }

  async function signIn(res: ServerResponse, user: User): Promise<void> {
    const body: LoginResponse = {
      idToken: await issueIdToken(tokenSubject(user)),
      expiresIn: ttl,
      tokenType: 'Bearer',
    };
    sendJson(res, 200, body);
  }

  async function login(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const detail = 'The body must be a JSON object with email and password';
    const json = await readJsonObject(req, res, detail);
    if (json === undefined) return;
    const parsed = loginSchema.safeParse(json);
    if (!parsed.success) {
      sendProblem(res, {
        title: 'Bad Request',
        status: 400,
        detail,
        errors: fieldErrors(parsed.error.issues),
      });
      return;
    }
    const user = await users.verifyPassword(parsed.data.email, parsed.data.password);
    // One answer for unknown email, wrong password, no password yet and disabled user: nothing to
    // learn by probing.
    if (user === undefined || !user.enabled) {
      sendProblem(res, { title: 'Unauthorized', status: 401, detail: 'Email or password is wrong' });
      return;
    }
    await signIn(res, user);
  }

  async function acceptInvitation(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const detail = 'The body must be a JSON object with token and password';
    const json = await readJsonObject(req, res, detail);
    if (json === undefined) return;
    const parsed = acceptInvitationSchema.safeParse(json);
    const errors = parsed.success ? [] : fieldErrors(parsed.error.issues);
    if (parsed.success) {
      errors.push(
        ...passwordPolicyProblems(parsed.data.password).map((message) => ({
          path: 'body.password',
          message,
        })),
      );
    }
    if (!parsed.success || errors.length > 0) {
      sendProblem(res, { title: 'Bad Request', status: 400, detail, errors });
      return;
    }
    let user: User;
    try {
      user = await users.acceptInvitation(parsed.data.token, parsed.data.password);
    } catch (error) {
      if (!(error instanceof InvitationNotValidError)) throw error;
      sendProblem(res, {
        title: 'Bad Request',
        status: 400,
        detail: error.message,
        errors: [{ path: 'body.token', message: error.message }],
      });
      return;
    }
    await signIn(res, user);
  }

  const postRoutes = new Map([
    [LOGIN_PATH, login],
    [ACCEPT_INVITATION_PATH, acceptInvitation],
  ]);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const requested = requestPath(req);
    const post = postRoutes.get(requested);
    if (post !== undefined) {
      if (req.method === 'POST') await post(req, res);
      else sendProblem(res, { title: 'Method Not Allowed', status: 405 }, { allow: 'POST' });
      return true;
    }
    if (requested === JWKS_PATH) {
      if (req.method === 'GET' || req.method === 'HEAD') {
        sendJson(res, 200, { keys: [publicJwk] }, { 'cache-control': 'public, max-age=300' });
      } else {
        sendProblem(res, { title: 'Method Not Allowed', status: 405 }, { allow: 'GET, HEAD' });
      }
      return true;
    }
    return false;
  }

  return {
    issueIdToken,
    jwks: () => ({ keys: [{ ...publicJwk }] }),
    verify,
    handle,
  };
}
