import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allowedNextStatuses,
  canMoveStatus,
  creationChanges,
  diffService,
  newServiceSchema,
  SERVICE_STATUSES,
  serviceChangesSchema,
} from './service.ts';

describe('service status pipeline', () => {
  it.each([
    ['pipeline', 'live', true],
    ['pipeline', 'retired', true],
    ['live', 'retired', true],
    ['live', 'pipeline', false],
    ['retired', 'live', false],
    ['retired', 'pipeline', false],
  ] as const)('%s -> %s allowed: %s', (from, to, allowed) => {
    expect(canMoveStatus(from, to)).toBe(allowed);
  });

  it('always allows staying put, and retired is final', () => {
    for (const status of SERVICE_STATUSES) expect(canMoveStatus(status, status)).toBe(true);
    expect(allowedNextStatuses('retired')).toEqual([]);
  });
});

describe('new service input', () => {
  it('trims, defaults description and status', () => {
    expect(newServiceSchema.parse({ name: '  Mail ', owner: 'IT' })).toEqual({
      name: 'Mail',
      owner: 'IT',
      description: '',
      status: 'pipeline',
    });
  });

  it.each([
    [{ owner: 'IT' }, 'name'],
    [{ name: 'Mail', owner: '' }, 'owner'],
    [{ name: 'x'.repeat(121), owner: 'IT' }, 'name'],
    [{ name: 'Mail', owner: 'IT', status: 'dead' }, 'status'],
    [{ name: 'Mail', owner: 'IT', tenantId: 'other' }, ''],
  ])('refuses %j (field %s)', (input, field) => {
    const result = newServiceSchema.safeParse(input);
    expect(result.success).toBe(false);
    if (field) expect(result.error?.issues.map((issue) => issue.path.join('.'))).toContain(field);
  });

  it('refuses an empty change', () => {
    expect(serviceChangesSchema.safeParse({}).success).toBe(false);
  });
});

describe('diffService', () => {
  const current = { name: 'Mail', description: '', owner: 'IT', status: 'live' as const };

  it('lists only the fields that really change', () => {
    expect(diffService(current, { name: 'Mail', owner: 'Workplace' })).toEqual([
      { field: 'owner', from: 'IT', to: 'Workplace' },
    ]);
  });

  it('is empty exactly when applying the change leaves the record as it was', () => {
    const text = fc.constantFrom('Mail', 'IT', '', 'Workplace');
    fc.assert(
      fc.property(
        fc.record(
          { name: text, description: text, owner: text, status: fc.constantFrom(...SERVICE_STATUSES) },
          { requiredKeys: [] },
        ),
        (changes) => {
          const diff = diffService(current, changes);
          const applied = { ...current, ...Object.fromEntries(diff.map((c) => [c.field, c.to])) };
          const expected = { ...current, ...changes };
          expect(applied).toEqual(expected);
          expect(diff.length === 0).toBe(JSON.stringify(expected) === JSON.stringify(current));
        },
      ),
    );
  });

  it('describes a creation as every field from nothing', () => {
    const changes = creationChanges({ name: 'Mail', description: 'd', owner: 'IT', status: 'pipeline' });
    expect(changes.map((change) => change.field)).toEqual(['name', 'description', 'owner', 'status']);
    expect(changes.every((change) => change.from === null)).toBe(true);
  });
});
