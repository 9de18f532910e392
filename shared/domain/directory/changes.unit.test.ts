import { describe, expect, it } from 'vitest';
import { creationChanges, diffFields, memberChange } from './changes.ts';
import { inviteUserSchema, userChangesSchema } from './directory.ts';

describe('directory changes', () => {
  const user = { name: 'Ada', roles: ['agent', 'requester'], businessUnitId: null as string | null };

  it('lists only the fields that really change, with old and new values', () => {
    expect(
      diffFields(user, { name: 'Ada L.', businessUnitId: 'bu-1' }, ['name', 'roles', 'businessUnitId']),
    ).toEqual([
      { field: 'name', from: 'Ada', to: 'Ada L.' },
      { field: 'businessUnitId', from: null, to: 'bu-1' },
    ]);
  });

  it('compares role lists as sets', () => {
    expect(diffFields(user, { roles: ['requester', 'agent'] }, ['roles'])).toEqual([]);
    expect(diffFields(user, { roles: ['agent'] }, ['roles'])).toEqual([
      { field: 'roles', from: ['agent', 'requester'], to: ['agent'] },
    ]);
  });

  it('treats a change to null as a change, and an absent field as none', () => {
    const placed: typeof user = { ...user, businessUnitId: 'bu-1' };

    expect(diffFields(placed, { businessUnitId: null }, ['businessUnitId'])).toHaveLength(1);
    expect(diffFields(placed, {}, ['businessUnitId'])).toEqual([]);
  });

  it('describes a creation and a member change', () => {
    expect(creationChanges(user, ['name', 'businessUnitId'])).toEqual([
      { field: 'name', from: null, to: 'Ada' },
      { field: 'businessUnitId', from: null, to: null },
    ]);
    expect(memberChange('u-1', true)).toEqual({ field: 'members', from: null, to: 'u-1' });
    expect(memberChange('u-1', false)).toEqual({ field: 'members', from: 'u-1', to: null });
  });
});

describe('directory input', () => {
  it('refuses the platform operator role and an invitation without roles', () => {
    const result = inviteUserSchema.safeParse({
      email: 'a@b.example',
      name: 'A',
      roles: ['platform-operator'],
    });
    const none = inviteUserSchema.safeParse({ email: 'a@b.example', name: 'A', roles: [] });

    expect(result.success).toBe(false);
    expect(none.error?.issues[0]?.message).toBe('Give at least one role');
  });

  it('asks for at least one field to change', () => {
    expect(userChangesSchema.safeParse({}).success).toBe(false);
    expect(userChangesSchema.safeParse({ businessUnitId: null }).success).toBe(true);
  });
});
