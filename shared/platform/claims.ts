/**
 * The claims a verified token carries, as Cognito issues them in AWS and the local identity provider
 * issues them on one machine. Handlers read them from `requestContext.authorizer.jwt.claims`.
 */
export const CLAIM = {
  subject: 'sub',
  email: 'email',
  name: 'name',
  /** Set by the platform when the user is created; immutable and not writable by any app client. */
  tenantId: 'custom:tenantId',
  /** Cognito groups, one per role. */
  roles: 'cognito:groups',
} as const;

/**
 * API Gateway HTTP APIs flatten array claims into a string such as `[agent requester]`; a local
 * token may hand over a real array. Both read the same here.
 */
export function readListClaim(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== 'string') return [];
  const trimmed = value.trim();
  const inner = trimmed.startsWith('[') && trimmed.endsWith(']') ? trimmed.slice(1, -1) : trimmed;
  return inner.split(/[\s,]+/).filter((part) => part.length > 0);
}
