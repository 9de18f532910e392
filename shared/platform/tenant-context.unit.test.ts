import { describe, expect, it } from 'vitest';
import { readListClaim } from './claims.ts';
import { UnauthorizedError } from './errors.ts';
import { tenantContextFromClaims } from './tenant-context.ts';

describe('readListClaim', () => {
  it.each([
    ['[agent requester]', ['agent', 'requester']],
    ['[agent]', ['agent']],
    ['[]', []],
    ['agent,requester', ['agent', 'requester']],
    [
      ['agent', 'tenant-admin'],
      ['agent', 'tenant-admin'],
    ],
    [undefined, []],
    [42, []],
  ])('reads %j', (value, expected) => {
    expect(readListClaim(value)).toEqual(expected);
  });
});

describe('tenantContextFromClaims', () => {
  it('takes tenant, user and known roles from the claims', () => {
    const ctx = tenantContextFromClaims({
      sub: 'u1',
      email: 'ada@acme.example',
      name: 'Ada',
      'custom:tenantId': 'acme',
      'cognito:groups': '[agent superuser]',
    });
    expect(ctx).toMatchObject({ tenantId: 'acme', userId: 'u1', userName: 'Ada', roles: ['agent'] });
    expect(Object.isFrozen(ctx)).toBe(true);
  });

  it.each([
    [{ sub: 'u1' }],
    [{ 'custom:tenantId': 'acme' }],
    [{ sub: 'u1', 'custom:tenantId': 'ACME#other' }],
    [{ sub: 'u1', 'custom:tenantId': '' }],
  ])('refuses %j', (claims) => {
    expect(() => tenantContextFromClaims(claims)).toThrow(UnauthorizedError);
  });
});
