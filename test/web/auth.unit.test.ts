/*
 * The web app's sign-in against Cognito, with `fetch` and `sessionStorage` stubbed: the plain sign-in,
 * the NEW_PASSWORD_REQUIRED challenge an invited user meets on the first sign-in, and the errors.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  completeNewPassword,
  currentUser,
  NewPasswordRequired,
  SignInError,
  signIn,
} from '../../web/src/lib/auth.ts';
import type { CognitoConfig, LocalConfig } from '../../web/src/lib/config.ts';

const cognito: CognitoConfig = {
  mode: 'cognito',
  apiBase: 'https://api.example.com',
  region: 'eu-west-1',
  userPoolId: 'eu-west-1_pool',
  clientId: 'web-client-id',
};
const local: LocalConfig = {
  mode: 'local',
  apiBase: 'http://localhost:3000',
  authBase: 'http://localhost:3001',
};
const COGNITO_URL = 'https://cognito-idp.eu-west-1.amazonaws.com/';
const SESSION = 'opaque-challenge-session';
const POOL_USERNAME = '4a1b2c3d-0000-4000-8000-000000000001';

/** An unsigned JWT: the app only decodes the token, the API verifies it. */
function idToken(claims: Record<string, unknown> = {}): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return [
    part({ alg: 'none' }),
    part({
      sub: POOL_USERNAME,
      email: 'ada@acme.example',
      name: 'Ada Lovelace',
      'custom:tenantId': 'acme',
      'cognito:groups': ['agent'],
      exp: Math.floor(Date.now() / 1000) + 3600,
      ...claims,
    }),
    'signature',
  ].join('.');
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/x-amz-json-1.1' } });

/** Cognito's error answer: HTTP 400 with the exception's name in `__type`. */
const cognitoError = (type: string, message: string, status = 400) => json(status, { __type: type, message });

const tokens = (token: string) =>
  json(200, {
    AuthenticationResult: { IdToken: token, AccessToken: 'access', ExpiresIn: 3600, TokenType: 'Bearer' },
    ChallengeParameters: {},
  });

const challenge = (parameters: Record<string, string> = { USER_ID_FOR_SRP: POOL_USERNAME }) =>
  json(200, { ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: SESSION, ChallengeParameters: parameters });

let fetchMock: ReturnType<typeof vi.fn<typeof fetch>>;
let storage: Map<string, string>;

/** The URL, headers and parsed body of the n-th request. */
function request(index: number): { url: string; headers: Record<string, string>; body: unknown } {
  const call = fetchMock.mock.calls[index];
  if (!call) throw new Error(`no request number ${index}`);
  const [url, init] = call;
  return {
    url: String(url),
    headers: (init?.headers ?? {}) as Record<string, string>,
    body: JSON.parse(String(init?.body)),
  };
}

/** The error a promise rejects with, for assertions on its fields. */
async function failure(promise: Promise<unknown>): Promise<SignInError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(SignInError);
  return error as SignInError;
}

beforeEach(() => {
  storage = new Map();
  vi.stubGlobal('sessionStorage', {
    getItem: (key: string) => storage.get(key) ?? null,
    setItem: (key: string, value: string) => void storage.set(key, value),
    removeItem: (key: string) => void storage.delete(key),
  });
  fetchMock = vi.fn<typeof fetch>();
  vi.stubGlobal('fetch', fetchMock);
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('signIn in cognito mode', () => {
  it('signs in with USER_PASSWORD_AUTH and starts a session with the ID token', async () => {
    const token = idToken();
    fetchMock.mockResolvedValueOnce(tokens(token));

    const user = await signIn(cognito, 'ada@acme.example', 'Correct-horse-1!');

    expect(user).toMatchObject({
      idToken: token,
      userId: POOL_USERNAME,
      name: 'Ada Lovelace',
      email: 'ada@acme.example',
      tenantId: 'acme',
      roles: ['agent'],
    });
    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect(request(0)).toEqual({
      url: COGNITO_URL,
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth',
      },
      body: {
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: 'web-client-id',
        AuthParameters: { USERNAME: 'ada@acme.example', PASSWORD: 'Correct-horse-1!' },
      },
    });
    expect(fetchMock.mock.calls[0]?.[1]?.method).toBe('POST');
    expect(currentUser()?.idToken).toBe(token);
  });

  it('turns NEW_PASSWORD_REQUIRED into a typed challenge with the session and the pool username', async () => {
    fetchMock.mockResolvedValueOnce(
      challenge({ USER_ID_FOR_SRP: POOL_USERNAME, requiredAttributes: '[]', userAttributes: '{}' }),
    );

    const error = await failure(signIn(cognito, 'ada@acme.example', 'Temp-pass-123!'));

    expect(error).toBeInstanceOf(NewPasswordRequired);
    expect(error.reason).toBe('new-password-required');
    expect((error as NewPasswordRequired).challenge).toEqual({ username: POOL_USERNAME, session: SESSION });
    expect(currentUser()).toBeNull();
  });

  it('falls back to the email typed when the challenge names no username', async () => {
    fetchMock.mockResolvedValueOnce(challenge({}));

    const error = await failure(signIn(cognito, 'ada@acme.example', 'Temp-pass-123!'));

    expect((error as NewPasswordRequired).challenge.username).toBe('ada@acme.example');
  });

  it('reports wrong credentials, an expired temporary password and other challenges', async () => {
    fetchMock.mockResolvedValueOnce(
      cognitoError('NotAuthorizedException', 'Incorrect username or password.'),
    );
    expect(await failure(signIn(cognito, 'ada@acme.example', 'wrong'))).toMatchObject({
      reason: 'credentials',
      message: 'Email or password is wrong',
    });

    fetchMock.mockResolvedValueOnce(
      cognitoError(
        'NotAuthorizedException',
        'Temporary password has expired and must be reset by an administrator.',
      ),
    );
    const expired = await failure(signIn(cognito, 'ada@acme.example', 'Temp-pass-123!'));
    expect(expired.reason).toBe('credentials');
    expect(expired.message).toMatch(/temporary password has expired/i);

    fetchMock.mockResolvedValueOnce(json(200, { ChallengeName: 'SOFTWARE_TOKEN_MFA', Session: SESSION }));
    expect((await failure(signIn(cognito, 'ada@acme.example', 'pw'))).reason).toBe('unsupported');
  });
});

describe('completeNewPassword', () => {
  it('answers the challenge after signIn and starts the session with the ID token', async () => {
    const token = idToken();
    fetchMock.mockResolvedValueOnce(challenge()).mockResolvedValueOnce(tokens(token));

    const error = await failure(signIn(cognito, 'ada@acme.example', 'Temp-pass-123!'));
    if (!(error instanceof NewPasswordRequired)) throw error;
    const user = await completeNewPassword(cognito, { ...error.challenge, newPassword: 'My-own-pass-42!' });

    expect(user.idToken).toBe(token);
    expect(user.tenantId).toBe('acme');
    expect(currentUser()?.idToken).toBe(token);
    expect(fetchMock).toHaveBeenCalledTimes(2);
    expect(request(1)).toEqual({
      url: COGNITO_URL,
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AWSCognitoIdentityProviderService.RespondToAuthChallenge',
      },
      body: {
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        ClientId: 'web-client-id',
        Session: SESSION,
        ChallengeResponses: { USERNAME: POOL_USERNAME, NEW_PASSWORD: 'My-own-pass-42!' },
      },
    });
  });

  it("puts Cognito's InvalidPasswordException message on the new password field", async () => {
    const message = 'Password does not conform to policy: Password must have symbol characters';
    fetchMock.mockResolvedValueOnce(cognitoError('InvalidPasswordException', message));

    const error = await failure(
      completeNewPassword(cognito, {
        username: POOL_USERNAME,
        session: SESSION,
        newPassword: 'Weakpass1234',
      }),
    );

    expect(error.reason).toBe('invalid-password');
    expect(error.fieldErrors).toEqual({ newPassword: message });
    expect(currentUser()).toBeNull();
  });

  it('says the sign-in took too long when the challenge session has expired', async () => {
    fetchMock.mockResolvedValueOnce(
      cognitoError('NotAuthorizedException', 'Invalid session for the user, session is expired.'),
    );

    const error = await failure(
      completeNewPassword(cognito, {
        username: POOL_USERNAME,
        session: SESSION,
        newPassword: 'My-own-pass-42!',
      }),
    );

    expect(error.reason).toBe('session-expired');
    expect(error.message).toBe('The sign-in took too long; start again');
    expect(error.fieldErrors).toEqual({});
  });

  it('explains a refused session, a throttled request, a server fault and a lost connection', async () => {
    const attempt = () =>
      failure(
        completeNewPassword(cognito, {
          username: POOL_USERNAME,
          session: SESSION,
          newPassword: 'My-own-pass-42!',
        }),
      );

    fetchMock.mockResolvedValueOnce(
      cognitoError('com.amazonaws.cognito#CodeMismatchException', 'Invalid session for the user.'),
    );
    expect(await attempt()).toMatchObject({
      reason: 'session-expired',
      message: 'This sign-in can no longer be finished; start again with your temporary password',
    });

    fetchMock.mockResolvedValueOnce(cognitoError('TooManyRequestsException', 'Rate exceeded'));
    expect(await attempt()).toMatchObject({
      reason: 'unavailable',
      message: 'Too many attempts. Wait a few minutes and try again',
    });

    fetchMock.mockResolvedValueOnce(cognitoError('InternalErrorException', 'Internal error', 500));
    expect(await attempt()).toMatchObject({
      reason: 'unavailable',
      message: 'Your new password could not be set (HTTP 500). Please try again',
    });

    fetchMock.mockRejectedValueOnce(new TypeError('Failed to fetch'));
    expect((await attempt()).reason).toBe('unavailable');

    expect(currentUser()).toBeNull();
  });

  it('refuses a further challenge (e.g. MFA set-up) as unsupported', async () => {
    fetchMock.mockResolvedValueOnce(json(200, { ChallengeName: 'MFA_SETUP', Session: 'next-session' }));

    const error = await failure(
      completeNewPassword(cognito, {
        username: POOL_USERNAME,
        session: SESSION,
        newPassword: 'My-own-pass-42!',
      }),
    );

    expect(error.reason).toBe('unsupported');
    expect(currentUser()).toBeNull();
  });

  it('is refused in local mode without calling anything', async () => {
    const error = await failure(
      completeNewPassword(local, { username: 'ada@acme.example', session: SESSION, newPassword: 'x' }),
    );

    expect(error.reason).toBe('unsupported');
    expect(fetchMock).not.toHaveBeenCalled();
  });
});

describe('signIn in local mode', () => {
  it('still posts email and password to the local identity provider', async () => {
    const token = idToken();
    fetchMock.mockResolvedValueOnce(json(200, { idToken: token, expiresIn: 3600 }));

    const user = await signIn(local, 'ada@acme.example', 'local-password-1');

    expect(user.idToken).toBe(token);
    expect(request(0)).toEqual({
      url: 'http://localhost:3001/login',
      headers: { 'content-type': 'application/json' },
      body: { email: 'ada@acme.example', password: 'local-password-1' },
    });
  });
});
