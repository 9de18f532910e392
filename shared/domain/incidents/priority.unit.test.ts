import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultSettings, LEVELS, type PriorityMatrix } from '../tenancy/defaults.ts';
import { decidePriority, INCIDENT_NUMBER_PATTERN, incidentNumber, priorityChoiceSchema } from './priority.ts';

const matrix = defaultSettings({ timeZone: 'UTC', currency: 'EUR' })['priority-matrix'];

describe('decidePriority', () => {
  it.each([
    ['high', 'high', 'P1'],
    ['high', 'low', 'P3'],
    ['medium', 'medium', 'P3'],
    ['low', 'medium', 'P4'],
    ['low', 'low', 'P5'],
  ] as const)('impact %s × urgency %s is %s by the default matrix', (impact, urgency, priority) => {
    expect(decidePriority(matrix, priorityChoiceSchema.parse({ impact, urgency }))).toEqual({
      priority,
      calculated: priority,
      override: null,
    });
  });

  it('follows an admin-edited matrix', () => {
    const strict: PriorityMatrix = {
      cells: matrix.cells.map((cell) => (cell.impact === 'low' ? { ...cell, priority: 'P2' } : cell)),
    };
    expect(decidePriority(strict, { impact: 'low', urgency: 'low' }).priority).toBe('P2');
  });

  it('applies an override with its reason, for the audit', () => {
    const choice = priorityChoiceSchema.parse({
      impact: 'low',
      urgency: 'low',
      priorityOverride: 'P1',
      overrideReason: ' CEO’s laptop ',
    });
    expect(decidePriority(matrix, choice)).toEqual({
      priority: 'P1',
      calculated: 'P5',
      override: { from: 'P5', to: 'P1', reason: 'CEO’s laptop' },
    });
  });

  it('does not count an override equal to the matrix as one', () => {
    const choice = {
      impact: 'high',
      urgency: 'high',
      priorityOverride: 'P1',
      overrideReason: 'sure',
    } as const;
    expect(decidePriority(matrix, choice).override).toBeNull();
  });

  it.each([
    [{ impact: 'low', urgency: 'low', priorityOverride: 'P1' }, 'overrideReason'],
    [{ impact: 'low', urgency: 'low', priorityOverride: 'P1', overrideReason: '   ' }, 'overrideReason'],
    [{ impact: 'huge', urgency: 'low' }, 'impact'],
    [{ impact: 'low', urgency: 'low', priorityOverride: 'P0', overrideReason: 'x' }, 'priorityOverride'],
  ])('refuses %j (field %s)', (input, field) => {
    const result = priorityChoiceSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toContain(field);
  });

  it('gives the matrix priority unless an override differs from it', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...LEVELS),
        fc.constantFrom(...LEVELS),
        fc.option(fc.constantFrom('P1', 'P2', 'P3', 'P4', 'P5'), { nil: undefined }),
        (impact, urgency, priorityOverride) => {
          const decision = decidePriority(matrix, { impact, urgency, priorityOverride, overrideReason: 'r' });
          expect(decision.priority).toBe(priorityOverride ?? decision.calculated);
          expect(decision.override === null).toBe(decision.priority === decision.calculated);
        },
      ),
    );
  });
});

describe('incidentNumber', () => {
  it.each([
    [1, 'INC0000001'],
    [1042, 'INC0001042'],
    [9_999_999, 'INC9999999'],
    [10_000_000, 'INC10000000'],
  ])('%i is %s', (sequence, number) => {
    expect(incidentNumber(sequence)).toBe(number);
    expect(number).toMatch(INCIDENT_NUMBER_PATTERN);
  });

  it.each([0, -1, 1.5, Number.NaN, 2 ** 53])('refuses %d', (sequence) => {
    expect(() => incidentNumber(sequence)).toThrow(RangeError);
  });

  it('keeps the order of the sequence when sorted as text within seven digits', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9_999_999 }), fc.integer({ min: 1, max: 9_999_999 }), (a, b) => {
        const [x, y] = [incidentNumber(a), incidentNumber(b)];
        expect(x < y).toBe(a < b);
      }),
    );
  });
});
