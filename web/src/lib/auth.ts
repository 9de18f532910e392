/**
 * Sign-in against the local identity provider or Amazon Cognito, and the signed-in user as read from
 * the ID token. The token is only decoded here, for display and routing; the API verifies it.
 */
import type { RuntimeConfig } from './config.ts';
import { CLAIM, IT_STAFF, readListClaim, TENANT_MEMBERS } from './domain.ts';
import { isRecord } from './json.ts';

export interface User {
  idToken: string;
  /** Epoch milliseconds after which the token is no longer accepted. */
  expiresAt: number;
  userId: string;
  name: string;
  email: string;
  tenantId: string;
  roles: string[];
}

export type SignInFailure =
  | 'credentials'
  | 'unavailable'
  | 'unsupported'
  /** Cognito wants the user to replace a temporary password: see `NewPasswordRequired`. */
  | 'new-password-required'
  /** The new password breaks the pool's policy; the message is in `fieldErrors.newPassword`. */
  | 'invalid-password'
  /** The password step can no longer be finished (its session lasts 3 minutes); sign in again. */
  | 'session-expired';

export class SignInError extends Error {
  override name = 'SignInError';
  readonly reason: SignInFailure;
  /** Messages per field (`newPassword`) when the service refused one value. */
  readonly fieldErrors: Readonly<Record<string, string>>;

  constructor(reason: SignInFailure, message: string, fieldErrors: Record<string, string> = {}) {
    super(message);
    this.reason = reason;
    this.fieldErrors = fieldErrors;
  }
}

/** What `completeNewPassword` needs to answer Cognito's NEW_PASSWORD_REQUIRED challenge. */
export interface NewPasswordChallenge {
  /** The user's name in the pool, as Cognito gave it back (not necessarily the email typed). */
  username: string;
  /** Cognito's opaque session for the challenge; it lapses after 3 minutes. */
  session: string;
}

/**
 * The temporary password was right, but the user must choose their own before they are signed in
 * (an invited user's first sign-in in AWS). Answer it with `completeNewPassword`.
 */
export class NewPasswordRequired extends SignInError {
  override name = 'NewPasswordRequired';
  readonly challenge: NewPasswordChallenge;

  constructor(challenge: NewPasswordChallenge) {
    super('new-password-required', 'Choose your own password to finish signing in');
    this.challenge = challenge;
  }
}

// sessionStorage, not localStorage: the token dies with the tab and is not shared between tabs.
const STORAGE_KEY = 'itsm.session';
// Treat a token as expired a little early so a request does not set off with one about to lapse.
const EXPIRY_MARGIN_MS = 30_000;

export async function signIn(config: RuntimeConfig, email: string, password: string): Promise<User> {
  const { idToken, expiresIn } =
    config.mode === 'local'
      ? await localSignIn(config.authBase, email, password)
      : await cognitoSignIn(config.region, config.clientId, email, password);
  return startSession(idToken, expiresIn);
}

/**
 * Finishes a sign-in that Cognito answered with NEW_PASSWORD_REQUIRED: sets the password the user
 * chose and starts the session as `signIn` does. Throws `SignInError` with reason `invalid-password`
 * (message per field in `fieldErrors.newPassword`), `session-expired`, `unavailable` or `unsupported`.
 */
export async function completeNewPassword(
  config: RuntimeConfig,
  { username, session, newPassword }: NewPasswordChallenge & { newPassword: string },
): Promise<User> {
  if (config.mode !== 'cognito') {
    throw new SignInError('unsupported', 'Only the AWS sign-in asks for a new password this way');
  }
  const answer = await cognito(config.region, 'RespondToAuthChallenge', {
    ChallengeName: 'NEW_PASSWORD_REQUIRED',
    ClientId: config.clientId,
    Session: session,
    ChallengeResponses: { USERNAME: username, NEW_PASSWORD: newPassword },
  });
  if (!answer.ok) {
    switch (answer.type) {
      case 'InvalidPasswordException':
        throw new SignInError('invalid-password', 'Choose a different password', {
          newPassword: answer.message || 'This password does not meet the password rules',
        });
      case 'NotAuthorizedException':
        throw new SignInError('session-expired', 'The sign-in took too long; start again');
      case 'CodeMismatchException':
      case 'ExpiredCodeException':
        throw new SignInError(
          'session-expired',
          'This sign-in can no longer be finished; start again with your temporary password',
        );
      case 'TooManyRequestsException':
      case 'LimitExceededException':
        throw new SignInError('unavailable', 'Too many attempts. Wait a few minutes and try again');
      default:
        throw new SignInError(
          'unavailable',
          `Your new password could not be set (HTTP ${answer.status}). Please try again`,
        );
    }
  }
  const { idToken, expiresIn } = tokenAnswer(answer.body, answer.status);
  return startSession(idToken, expiresIn);
}

/** A refused invitation: messages per field (`password`, `token`) and one sentence for the rest. */
export class InvitationError extends Error {
  override name = 'InvitationError';
  readonly fieldErrors: Readonly<Record<string, string>>;

  constructor(message: string, fieldErrors: Record<string, string> = {}) {
    super(message);
    this.fieldErrors = fieldErrors;
  }
}

/**
 * Accepts an invitation of the local identity provider: the one-time token from the link and the
 * password the new user chose. Signs the user in. (In AWS, Cognito mails a temporary password instead.)
 */
export async function acceptInvitation(
  config: RuntimeConfig,
  token: string,
  password: string,
): Promise<User> {
  if (config.mode !== 'local') {
    throw new InvitationError(
      'Sign in with the temporary password from your invitation email; you will then choose your own',
    );
  }
  let response: Response;
  try {
    response = await fetch(`${config.authBase}/accept-invitation`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, application/problem+json' },
      body: JSON.stringify({ token, password }),
    });
  } catch {
    throw new InvitationError('The sign-in service cannot be reached. Check your connection and try again');
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const problem = isRecord(body) ? body : {};
    const fieldErrors: Record<string, string> = {};
    for (const error of Array.isArray(problem.errors) ? problem.errors : []) {
      if (!isRecord(error) || typeof error.path !== 'string' || typeof error.message !== 'string') continue;
      const parts = error.path.split(/[./]/).filter((part) => part.length > 0);
      const field = (parts[0] === 'body' ? parts[1] : parts[0]) ?? '';
      // Every unmet rule of the password policy comes as its own message; show them together.
      fieldErrors[field] = fieldErrors[field] ? `${fieldErrors[field]}. ${error.message}` : error.message;
    }
    const detail = typeof problem.detail === 'string' ? problem.detail : '';
    throw new InvitationError(
      detail || `The invitation could not be accepted (HTTP ${response.status})`,
      fieldErrors,
    );
  }
  if (!isRecord(body) || typeof body.idToken !== 'string') {
    throw new InvitationError('The sign-in service returned an answer this app cannot read');
  }
  return startSession(body.idToken, typeof body.expiresIn === 'number' ? body.expiresIn : 3600);
}

function startSession(idToken: string, expiresIn: number): User {
  const user = userFromToken(idToken, Date.now() + expiresIn * 1000);
  if (!user)
    throw new SignInError('unavailable', 'The sign-in service returned a token this app cannot read');
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify({ idToken, expiresAt: user.expiresAt }));
  return user;
}

/** The signed-in user, or null when nobody is signed in or the token has expired. */
export function currentUser(): User | null {
  const stored = readStored();
  if (!stored) return null;
  const user = userFromToken(stored.idToken, stored.expiresAt);
  if (!user || user.expiresAt - EXPIRY_MARGIN_MS <= Date.now()) {
    signOut();
    return null;
  }
  return user;
}

export function signOut(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}

export function hasAnyRole(user: User | null, roles: readonly string[]): boolean {
  return (user?.roles ?? []).some((role) => roles.includes(role));
}

export function isPlatformOperator(user: User | null): boolean {
  return hasAnyRole(user, ['platform-operator']);
}

export function isTenantAdmin(user: User | null): boolean {
  return hasAnyRole(user, ['tenant-admin']);
}

/** Anyone who works inside a company's tenant (everyone but the platform operator). */
export function isTenantMember(user: User | null): boolean {
  return hasAnyRole(user, TENANT_MEMBERS);
}

/** IT staff: the roles that work incidents at the service desk. */
export function isItStaff(user: User | null): boolean {
  return hasAnyRole(user, IT_STAFF);
}

/** Someone whose only tenant role is requester: the self-service portal is all they need. */
export function isRequesterOnly(user: User | null): boolean {
  const roles = user?.roles ?? [];
  return roles.includes('requester') && roles.every((role) => role === 'requester');
}

/**
 * Where a user starts: the platform console for the operator, the portal for a requester only,
 * the service catalogue for everyone else.
 */
export function startPage(user: User | null): string {
  if (isPlatformOperator(user) && !isTenantMember(user)) return '/platform/tenants';
  return isRequesterOnly(user) ? '/portal' : '/services';
}

interface TokenAnswer {
  idToken: string;
  expiresIn: number;
}

async function localSignIn(authBase: string, email: string, password: string): Promise<TokenAnswer> {
  const response = await post(
    `${authBase}/login`,
    { 'content-type': 'application/json' },
    { email, password },
  );
  if (response.status === 401) throw new SignInError('credentials', 'Email or password is wrong');
  if (!response.ok) throw unavailable(response.status);
  const body: unknown = await response.json();
  if (!isRecord(body) || typeof body.idToken !== 'string') throw unavailable(response.status);
  return { idToken: body.idToken, expiresIn: typeof body.expiresIn === 'number' ? body.expiresIn : 3600 };
}

async function cognitoSignIn(
  region: string,
  clientId: string,
  email: string,
  password: string,
): Promise<TokenAnswer> {
  const answer = await cognito(region, 'InitiateAuth', {
    AuthFlow: 'USER_PASSWORD_AUTH',
    ClientId: clientId,
    AuthParameters: { USERNAME: email, PASSWORD: password },
  });
  if (!answer.ok) {
    if (answer.type === 'NotAuthorizedException' && /temporary password has expired/i.test(answer.message)) {
      throw new SignInError(
        'credentials',
        'Your temporary password has expired. Ask your administrator to invite you again',
      );
    }
    // Both names mean "wrong credentials", and Cognito deliberately does not tell them apart.
    if (answer.type === 'NotAuthorizedException' || answer.type === 'UserNotFoundException') {
      throw new SignInError('credentials', 'Email or password is wrong');
    }
    throw unavailable(answer.status);
  }
  const body = answer.body;
  if (body.ChallengeName === 'NEW_PASSWORD_REQUIRED' && typeof body.Session === 'string') {
    const parameters = isRecord(body.ChallengeParameters) ? body.ChallengeParameters : {};
    // With email as the sign-in alias the pool's username is another value; answer with Cognito's.
    const username = [parameters.USERNAME, parameters.USER_ID_FOR_SRP].find(
      (value): value is string => typeof value === 'string' && value.length > 0,
    );
    throw new NewPasswordRequired({ username: username ?? email, session: body.Session });
  }
  return tokenAnswer(body, answer.status);
}

/** The ID token of a successful Cognito answer; a challenge this app cannot answer is refused. */
function tokenAnswer(body: Record<string, unknown>, status: number): TokenAnswer {
  if (typeof body.ChallengeName === 'string') {
    throw new SignInError(
      'unsupported',
      'This account must finish setting up (for example, multi-factor authentication) before it can sign in here',
    );
  }
  const result = isRecord(body.AuthenticationResult) ? body.AuthenticationResult : null;
  if (!result || typeof result.IdToken !== 'string') throw unavailable(status);
  return {
    idToken: result.IdToken,
    expiresIn: typeof result.ExpiresIn === 'number' ? result.ExpiresIn : 3600,
  };
}

type CognitoAnswer =
  | { ok: true; status: number; body: Record<string, unknown> }
  /** Cognito answers 400 with the exception's name in `__type` and a sentence in `message`. */
  | { ok: false; status: number; type: string; message: string };

/** One call of the Cognito user pool API, which a browser may call without AWS credentials. */
async function cognito(region: string, action: string, request: unknown): Promise<CognitoAnswer> {
  const response = await post(
    `https://cognito-idp.${region}.amazonaws.com/`,
    {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AWSCognitoIdentityProviderService.${action}`,
    },
    request,
  );
  const parsed: unknown = await response.json().catch(() => null);
  const body = isRecord(parsed) ? parsed : {};
  if (response.ok) return { ok: true, status: response.status, body };
  // `__type` may carry a namespace prefix (`com.amazonaws…#NotAuthorizedException`).
  const type = typeof body.__type === 'string' ? (body.__type.split('#').pop() ?? '') : '';
  const message =
    typeof body.message === 'string' ? body.message : typeof body.Message === 'string' ? body.Message : '';
  return { ok: false, status: response.status, type, message };
}

async function post(url: string, headers: Record<string, string>, body: unknown): Promise<Response> {
  try {
    return await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  } catch {
    throw new SignInError(
      'unavailable',
      'The sign-in service cannot be reached. Check your connection and try again',
    );
  }
}

function unavailable(status: number): SignInError {
  return new SignInError('unavailable', `Signing in failed (HTTP ${status}). Please try again`);
}

function readStored(): { idToken: string; expiresAt: number } | null {
  try {
    const parsed: unknown = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? 'null');
    if (isRecord(parsed) && typeof parsed.idToken === 'string' && typeof parsed.expiresAt === 'number') {
      return { idToken: parsed.idToken, expiresAt: parsed.expiresAt };
    }
  } catch {
    // A damaged entry is the same as none.
  }
  return null;
}

/** Reads the user from a JWT; the earlier of its `exp` and the expiry the issuer announced wins. */
function userFromToken(idToken: string, announcedExpiry: number): User | null {
  const claims = decodePayload(idToken);
  if (!claims) return null;
  const exp = typeof claims.exp === 'number' ? claims.exp * 1000 : announcedExpiry;
  const str = (key: string): string => {
    const value = claims[key];
    return typeof value === 'string' ? value : '';
  };
  return {
    idToken,
    expiresAt: Math.min(exp, announcedExpiry),
    userId: str(CLAIM.subject),
    name: str(CLAIM.name) || str(CLAIM.email),
    email: str(CLAIM.email),
    tenantId: str(CLAIM.tenantId),
    roles: readListClaim(claims[CLAIM.roles]),
  };
}

function decodePayload(token: string): Record<string, unknown> | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const base64 = payload
      .replace(/-/g, '+')
      .replace(/_/g, '/')
      .padEnd(Math.ceil(payload.length / 4) * 4, '=');
    const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
    const claims: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return isRecord(claims) ? claims : null;
  } catch {
    return null;
  }
}
