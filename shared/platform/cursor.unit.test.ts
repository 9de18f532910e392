import { describe, expect, it } from 'vitest';
import { openCursor, sealCursor } from './cursor.ts';
import { tenantContextFromClaims } from './tenant-context.ts';

const ctx = (tenantId: string, sub = 'u1') =>
  tenantContextFromClaims({ sub, 'custom:tenantId': tenantId, 'cognito:groups': '[agent]' });

describe('pagination cursors', () => {
  const inner = Buffer.from(JSON.stringify({ pk: 't#acme#services' })).toString('base64');

  it('round-trips for the same tenant, user and query', () => {
    const sealed = sealCursor(ctx('acme'), 'services:all', inner);
    expect(sealed).not.toContain('acme');
    expect(openCursor(ctx('acme'), 'services:all', sealed ?? undefined)).toBe(inner);
  });

  it('passes the end of a list through', () => {
    expect(sealCursor(ctx('acme'), 'q', null)).toBeNull();
    expect(openCursor(ctx('acme'), 'q', undefined)).toBeNull();
  });

  it.each([
    ['another tenant', ctx('globex'), 'services:all'],
    ['another user', ctx('acme', 'u2'), 'services:all'],
    ['another query', ctx('acme'), 'services:live'],
  ])('is refused by %s', (_label, other, query) => {
    const sealed = sealCursor(ctx('acme'), 'services:all', inner) ?? '';
    expect(() => openCursor(other, query, sealed)).toThrow(/cursor/);
  });

  it('is refused when tampered with', () => {
    const sealed = sealCursor(ctx('acme'), 'services:all', inner) ?? '';
    const [payload, mac] = sealed.split('.');
    const forged = Buffer.from(JSON.stringify({ t: 'acme', u: 'u1', q: 'services:all', c: 'x' })).toString(
      'base64url',
    );
    expect(() => openCursor(ctx('acme'), 'services:all', `${forged}.${mac}`)).toThrow(/cursor/);
    expect(() => openCursor(ctx('acme'), 'services:all', `${payload}.`)).toThrow(/cursor/);
    expect(() => openCursor(ctx('acme'), 'services:all', 'garbage')).toThrow(/cursor/);
  });
});
