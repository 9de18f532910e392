import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allowedNextStatuses,
  canMoveStatus,
  creationChanges,
  diffService,
  isOfferedTo,
  MAX_CONSUMER_UNITS,
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
  it('trims, defaults description, status and the units (none: every unit)', () => {
    expect(newServiceSchema.parse({ name: '  Mail ', owner: 'IT' })).toEqual({
      name: 'Mail',
      owner: 'IT',
      description: '',
      status: 'pipeline',
      consumerBusinessUnitIds: [],
    });
  });

  it('keeps the subscribed units as given', () => {
    const parsed = newServiceSchema.parse({
      name: 'CRM',
      owner: 'Apps',
      consumerBusinessUnitIds: ['bu-2', 'bu-1'],
    });
    expect(parsed.consumerBusinessUnitIds).toEqual(['bu-2', 'bu-1']);
  });

  it.each([
    [{ owner: 'IT' }, 'name'],
    [{ name: 'Mail', owner: '' }, 'owner'],
    [{ name: 'x'.repeat(121), owner: 'IT' }, 'name'],
    [{ name: 'Mail', owner: 'IT', status: 'dead' }, 'status'],
    [{ name: 'Mail', owner: 'IT', tenantId: 'other' }, ''],
    [{ name: 'Mail', owner: 'IT', consumerBusinessUnitIds: ['bu-1', 'bu-1'] }, 'consumerBusinessUnitIds'],
    [{ name: 'Mail', owner: 'IT', consumerBusinessUnitIds: [''] }, 'consumerBusinessUnitIds.0'],
    [{ name: 'Mail', owner: 'IT', consumerBusinessUnitIds: 'bu-1' }, 'consumerBusinessUnitIds'],
    [
      {
        name: 'Mail',
        owner: 'IT',
        consumerBusinessUnitIds: Array.from({ length: MAX_CONSUMER_UNITS + 1 }, (_, i) => `bu-${i}`),
      },
      'consumerBusinessUnitIds',
    ],
  ])('refuses %j (field %s)', (input, field) => {
    const result = newServiceSchema.safeParse(input);
    expect(result.success).toBe(false);
    if (field) expect(result.error?.issues.map((issue) => issue.path.join('.'))).toContain(field);
  });

  it('refuses an empty change', () => {
    expect(serviceChangesSchema.safeParse({}).success).toBe(false);
  });

  it('accepts the most units allowed, and an empty list as a change (offer to every unit)', () => {
    const most = Array.from({ length: MAX_CONSUMER_UNITS }, (_, i) => `bu-${i}`);
    expect(serviceChangesSchema.safeParse({ consumerBusinessUnitIds: most }).success).toBe(true);
    expect(serviceChangesSchema.parse({ consumerBusinessUnitIds: [] })).toEqual({
      consumerBusinessUnitIds: [],
    });
  });
});

describe('diffService', () => {
  const current = {
    name: 'Mail',
    description: '',
    owner: 'IT',
    status: 'live' as const,
    consumerBusinessUnitIds: ['bu-sales', 'bu-finance'],
  };

  it('lists only the fields that really change', () => {
    expect(diffService(current, { name: 'Mail', owner: 'Workplace' })).toEqual([
      { field: 'owner', from: 'IT', to: 'Workplace' },
    ]);
  });

  it('lists units added and removed with the whole list before and after', () => {
    expect(diffService(current, { consumerBusinessUnitIds: ['bu-sales', 'bu-hr'] })).toEqual([
      {
        field: 'consumerBusinessUnitIds',
        from: ['bu-sales', 'bu-finance'],
        to: ['bu-sales', 'bu-hr'],
      },
    ]);
    expect(diffService(current, { consumerBusinessUnitIds: [] })).toEqual([
      { field: 'consumerBusinessUnitIds', from: ['bu-sales', 'bu-finance'], to: [] },
    ]);
  });

  it('sees the same units in another order as no change', () => {
    expect(diffService(current, { consumerBusinessUnitIds: ['bu-finance', 'bu-sales'] })).toEqual([]);
  });

  /** The record as a reader compares it: the order of the units does not matter. */
  const normalised = (service: Record<string, unknown>) =>
    JSON.stringify({
      ...service,
      consumerBusinessUnitIds: [...(service.consumerBusinessUnitIds as string[])].sort(),
    });

  it('is empty exactly when applying the change leaves the record as it was', () => {
    const text = fc.constantFrom('Mail', 'IT', '', 'Workplace');
    const units = fc.uniqueArray(fc.constantFrom('bu-sales', 'bu-finance', 'bu-hr'), { maxLength: 3 });
    fc.assert(
      fc.property(
        fc.record(
          {
            name: text,
            description: text,
            owner: text,
            status: fc.constantFrom(...SERVICE_STATUSES),
            consumerBusinessUnitIds: units,
          },
          { requiredKeys: [] },
        ),
        (changes) => {
          const diff = diffService(current, changes);
          const applied = { ...current, ...Object.fromEntries(diff.map((c) => [c.field, c.to])) };
          const expected = { ...current, ...changes };
          expect(normalised(applied)).toBe(normalised(expected));
          expect(diff.length === 0).toBe(normalised(expected) === normalised(current));
        },
      ),
    );
  });

  it('describes a creation as every field from nothing, the subscribed units included', () => {
    const changes = creationChanges({
      name: 'Mail',
      description: 'd',
      owner: 'IT',
      status: 'pipeline',
      consumerBusinessUnitIds: ['bu-sales'],
    });
    expect(changes.map((change) => change.field)).toEqual([
      'name',
      'description',
      'owner',
      'status',
      'consumerBusinessUnitIds',
    ]);
    expect(changes.every((change) => change.from === null)).toBe(true);
    expect(changes.at(-1)).toEqual({ field: 'consumerBusinessUnitIds', from: null, to: ['bu-sales'] });
  });
});

describe('isOfferedTo', () => {
  it.each([
    [[], 'bu-sales', true],
    [[], null, true],
    [['bu-sales'], 'bu-sales', true],
    [['bu-sales', 'bu-hr'], 'bu-hr', true],
    [['bu-sales'], 'bu-finance', false],
    [['bu-sales'], null, false],
  ])('units %j, requester unit %s: %s', (consumerBusinessUnitIds, businessUnitId, offered) => {
    expect(isOfferedTo({ consumerBusinessUnitIds }, businessUnitId)).toBe(offered);
  });
});
