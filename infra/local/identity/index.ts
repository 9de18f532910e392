export {
  type CognitoAdminEndpoint,
  type CognitoAdminOptions,
  createCognitoAdminHandler,
  LOCAL_USER_POOL_ID,
  startCognitoAdminServer,
} from './cognito-admin.ts';
export { type CapturedInvitation, INVITATIONS_PATH, InvitationMailbox } from './mailbox.ts';
export { hashPassword, passwordPolicyProblems, verifyPasswordHash } from './password.ts';
export {
  ACCEPT_INVITATION_PATH,
  createLocalIdentityProvider,
  InvalidTokenError,
  JWKS_PATH,
  LOGIN_PATH,
  type LocalIdentityProvider,
  type LocalIdentityProviderOptions,
  type LoginResponse,
  type TokenSubject,
  tokenSubject,
} from './provider.ts';
export {
  DuplicateUserError,
  INVITATION_TTL_MS,
  type Invitation,
  InvitationNotValidError,
  type InvitedUser,
  type NewUser,
  normaliseEmail,
  UnknownUserError,
  type User,
  type UserAttributes,
  UserDirectory,
  type UserDirectoryLocation,
  type UserRecord,
  type UserStatus,
} from './users.ts';
