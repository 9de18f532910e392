export { hashPassword, verifyPasswordHash } from './password.ts';
export {
  createLocalIdentityProvider,
  InvalidTokenError,
  JWKS_PATH,
  LOGIN_PATH,
  type LocalIdentityProvider,
  type LocalIdentityProviderOptions,
  type LoginResponse,
  type TokenSubject,
} from './provider.ts';
export {
  DuplicateUserError,
  type NewUser,
  normaliseEmail,
  type User,
  UserDirectory,
  type UserDirectoryLocation,
  type UserRecord,
} from './users.ts';
