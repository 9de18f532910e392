/**
 * The admin operations of a Cognito user pool that the platform's processes make
 * (`shared/platform/identity-admin.ts`), over HTTP in Cognito's JSON protocol (awsJson1_1), so the
 * real `CognitoIdentityProviderClient` only needs `endpoint` pointed here. Errors come in Cognito's
 * shape, so the SDK raises the same exception classes as against AWS.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { CLAIM } from '#shared/platform/claims.ts';
import { isRole, type Role } from '#shared/platform/roles.ts';
import { BodyTooLargeError, readBody } from '../gateway/http.ts';
import {
  DuplicateUserError,
  type Invitation,
  UnknownUserError,
  type User,
  type UserDirectory,
} from './users.ts';

/** The one user pool of the local cloud; `USER_POOL_ID` of every function. */
export const LOCAL_USER_POOL_ID = 'local_pool';

const TARGET_PREFIX = 'AWSCognitoIdentityProviderService.';
const CONTENT_TYPE = 'application/x-amz-json-1.1';
/** Admin requests are a few attributes; this refuses floods, not real requests. */
const MAX_BODY_BYTES = 64 * 1024;

export interface CognitoAdminOptions {
  /** The only pool id accepted; {@link LOCAL_USER_POOL_ID} unless said. */
  readonly poolId?: string;
  /**
   * Called for each invitation AdminCreateUser sends (Cognito would mail it); the token is only
   * here, the directory keeps its hash. Not called with `MessageAction: 'SUPPRESS'`.
   */
  readonly onInvitation?: (invitation: Invitation) => void;
}

export interface CognitoAdminEndpoint {
  /** For `AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER`. */
  readonly endpoint: string;
  stop(): Promise<void>;
}

type ErrorType =
  | 'UsernameExistsException'
  | 'UserNotFoundException'
  | 'ResourceNotFoundException'
  | 'InvalidParameterException'
  | 'SerializationException'
  | 'UnknownOperationException'
  | 'InternalErrorException';

class CognitoError extends Error {
  readonly type: ErrorType;
  readonly status: number;

  constructor(type: ErrorType, message: string, status = 400) {
    super(message);
    this.type = type;
    this.status = status;
  }
}

const poolRequest = z.looseObject({ UserPoolId: z.string().min(1), Username: z.string().min(1).max(128) });
const groupRequest = poolRequest.extend({ GroupName: z.string().min(1).max(128) });
const createUserRequest = poolRequest.extend({
  UserAttributes: z.array(z.object({ Name: z.string().min(1), Value: z.string() })).default([]),
  MessageAction: z.enum(['SUPPRESS', 'RESEND']).optional(),
});

/** Attributes a caller may write; `sub` and anything outside the pool's schema are refused, as in Cognito. */
const WRITABLE_ATTRIBUTES = new Set<string>([CLAIM.email, 'email_verified', CLAIM.name, CLAIM.tenantId]);

const epochSeconds = (iso: string) => Date.parse(iso) / 1000;

function attributesOf(user: User): { Name: string; Value: string }[] {
  const { name, 'custom:tenantId': tenantId, email_verified } = user.attributes;
  return [
    { Name: CLAIM.subject, Value: user.sub },
    { Name: CLAIM.email, Value: user.email },
    { Name: 'email_verified', Value: String(email_verified) },
    ...(name === undefined ? [] : [{ Name: CLAIM.name, Value: name }]),
    { Name: CLAIM.tenantId, Value: tenantId },
  ];
}

function userType(user: User) {
  return {
    Username: user.email,
    Attributes: attributesOf(user),
    UserCreateDate: epochSeconds(user.createdAt),
    UserLastModifiedDate: epochSeconds(user.updatedAt),
    Enabled: user.enabled,
    UserStatus: user.status,
  };
}

function parse<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new CognitoError(
    'InvalidParameterException',
    `1 validation error detected: Value at '${issue?.path.join('.') ?? ''}' failed to satisfy constraint: ${issue?.message ?? 'invalid'}`,
  );
}

function group(name: string): Role {
  if (!isRole(name)) throw new CognitoError('ResourceNotFoundException', 'Group not found.');
  return name;
}

function existing(users: UserDirectory, username: string): User {
  const user = users.find(username);
  if (user === undefined) throw new CognitoError('UserNotFoundException', 'User does not exist.');
  return user;
}

/** Runs a directory change, turning its errors into Cognito's. */
function onUser<T>(change: () => T): T {
  try {
    return change();
  } catch (error) {
    if (error instanceof UnknownUserError) {
      throw new CognitoError('UserNotFoundException', 'User does not exist.');
    }
    throw error;
  }
}

function createUser(users: UserDirectory, body: unknown, options: CognitoAdminOptions) {
  const request = parse(createUserRequest, body);
  if (request.MessageAction === 'RESEND') {
    throw new CognitoError('InvalidParameterException', 'MessageAction RESEND is not supported locally');
  }
  const attributes = new Map<string, string>();
  for (const { Name, Value } of request.UserAttributes) {
    if (!WRITABLE_ATTRIBUTES.has(Name)) {
      throw new CognitoError(
        'InvalidParameterException',
        `Attributes did not conform to the schema: ${Name}: Attribute does not exist in the schema.`,
      );
    }
    attributes.set(Name, Value);
  }
  const email = attributes.get(CLAIM.email) ?? request.Username;
  // The pool signs in by email: the username is the email, so the two must agree.
  if (email.trim().toLowerCase() !== request.Username.trim().toLowerCase()) {
    throw new CognitoError('InvalidParameterException', 'The email attribute must be the username');
  }
  const tenantId = attributes.get(CLAIM.tenantId);
  if (tenantId === undefined || tenantId.trim() === '') {
    throw new CognitoError('InvalidParameterException', `${CLAIM.tenantId} is required and cannot be empty`);
  }
  const name = attributes.get(CLAIM.name);
  let created: ReturnType<UserDirectory['invite']>;
  try {
    created = users.invite({ email, tenantId, ...(name ? { name } : {}) });
  } catch (error) {
    if (error instanceof DuplicateUserError) {
      throw new CognitoError('UsernameExistsException', 'An account with the given email already exists.');
    }
    if (error instanceof z.ZodError) {
      throw new CognitoError('InvalidParameterException', 'Invalid email address format.');
    }
    throw error;
  }
  if (request.MessageAction !== 'SUPPRESS') options.onInvitation?.(created.invitation);
  return { User: userType(created.user) };
}

/** Answers one admin operation; the pool id is checked before anything else, as in Cognito. */
function operate(users: UserDirectory, operation: string, body: unknown, options: CognitoAdminOptions) {
  const poolId = options.poolId ?? LOCAL_USER_POOL_ID;
  const pool = parse(z.looseObject({ UserPoolId: z.string().min(1) }), body).UserPoolId;
  if (pool !== poolId) {
    throw new CognitoError('ResourceNotFoundException', `User pool ${pool} does not exist.`);
  }
  switch (operation) {
    case 'AdminCreateUser':
      return createUser(users, body, options);
    case 'AdminListGroupsForUser': {
      const { Username } = parse(poolRequest, body);
      const user = existing(users, Username);
      return {
        Groups: user.groups.map((GroupName) => ({
          GroupName,
          UserPoolId: poolId,
          Description: `ITSM role ${GroupName}`,
        })),
      };
    }
    case 'AdminAddUserToGroup': {
      const request = parse(groupRequest, body);
      const role = group(request.GroupName);
      onUser(() => users.addToGroup(request.Username, role));
      return {};
    }
    case 'AdminRemoveUserFromGroup': {
      const request = parse(groupRequest, body);
      const role = group(request.GroupName);
      onUser(() => users.removeFromGroup(request.Username, role));
      return {};
    }
    case 'AdminDisableUser':
    case 'AdminEnableUser': {
      const { Username } = parse(poolRequest, body);
      onUser(() => users.setEnabled(Username, operation === 'AdminEnableUser'));
      return {};
    }
    case 'AdminUserGlobalSignOut': {
      // Cognito revokes refresh tokens here; the local provider issues none, and ID tokens stay valid
      // until they expire in both, so there is nothing to revoke beyond checking the user exists.
      existing(users, parse(poolRequest, body).Username);
      return {};
    }
    case 'AdminDeleteUser': {
      const { Username } = parse(poolRequest, body);
      onUser(() => users.remove(Username));
      return {};
    }
    default:
      throw new CognitoError('UnknownOperationException', `Operation ${operation} is not supported here`);
  }
}

/** The request handler, for mounting on any server. */
export function createCognitoAdminHandler(users: UserDirectory, options: CognitoAdminOptions = {}) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      const target = String(req.headers['x-amz-target'] ?? '');
      if (req.method !== 'POST' || !target.startsWith(TARGET_PREFIX)) {
        throw new CognitoError('UnknownOperationException', `Operation ${target} is not supported here`);
      }
      let raw: Buffer;
      try {
        raw = await readBody(req, MAX_BODY_BYTES);
      } catch (error) {
        if (error instanceof BodyTooLargeError) {
          throw new CognitoError('SerializationException', 'The request body is too large', 413);
        }
        throw error;
      }
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        throw new CognitoError('SerializationException', 'The request body is not valid JSON');
      }
      send(res, 200, operate(users, target.slice(TARGET_PREFIX.length), body, options));
    } catch (error) {
      const known =
        error instanceof CognitoError
          ? error
          : new CognitoError('InternalErrorException', 'Internal error in the local user pool', 500);
      send(res, known.status, { __type: known.type, message: known.message });
    }
  };
}

/** Serves the admin API on its own port of 127.0.0.1, as the local bus serves PutEvents. */
export async function startCognitoAdminServer(
  users: UserDirectory,
  options: CognitoAdminOptions & { readonly port?: number } = {},
): Promise<CognitoAdminEndpoint> {
  const handle = createCognitoAdminHandler(users, options);
  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // The SDK keeps connections alive; without this close() would wait for them to time out.
        server.closeAllConnections();
      }),
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': CONTENT_TYPE,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(text);
}
