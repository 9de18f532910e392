import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkParent, MAX_BUSINESS_UNIT_DEPTH } from './business-units.ts';

/** `parentOf` over a plain map, as the use-case builds it from the units it read. */
function lookup(parents: Record<string, string | null>) {
  return (id: string) => parents[id];
}

describe('checkParent', () => {
  // group ─ finance ─ payroll
  //       └ sales
  const tree = { group: null, finance: 'group', payroll: 'finance', sales: 'group' };

  it.each([
    ['payroll', 'sales', { ok: true }],
    ['finance', 'sales', { ok: true }],
    ['sales', 'payroll', { ok: true }],
    ['payroll', 'ghost', { ok: false, reason: 'missing' }],
    ['finance', 'finance', { ok: false, reason: 'self' }],
    ['finance', 'payroll', { ok: false, reason: 'cycle' }],
    ['group', 'payroll', { ok: false, reason: 'cycle' }],
  ] as const)('%s under %s: %j', (unit, parent, verdict) => {
    expect(checkParent(unit, parent, lookup(tree))).toEqual(verdict);
  });

  it('treats a dangling reference above the parent as the top', () => {
    expect(checkParent('new', 'orphan', lookup({ orphan: 'deleted-long-ago' }))).toEqual({ ok: true });
  });

  it(`accepts a parent ${MAX_BUSINESS_UNIT_DEPTH} levels deep and refuses one deeper`, () => {
    const chain = (length: number) =>
      Object.fromEntries(Array.from({ length }, (_, i) => [`u${i}`, i === 0 ? null : `u${i - 1}`]));

    const deepest = (length: number) => `u${length - 1}`;

    const fits = MAX_BUSINESS_UNIT_DEPTH;
    expect(checkParent('new', deepest(fits), lookup(chain(fits)))).toEqual({ ok: true });
    expect(checkParent('new', deepest(fits + 1), lookup(chain(fits + 1)))).toEqual({
      ok: false,
      reason: 'too-deep',
    });
  });

  it('refuses rather than loops over a cycle that is already in the data', () => {
    expect(checkParent('new', 'a', lookup({ a: 'b', b: 'a' }))).toEqual({ ok: false, reason: 'too-deep' });
  });
});

describe('business unit moves (property)', () => {
  const UNITS = 12;
  const ids = Array.from({ length: UNITS }, (_, i) => `u${i}`);
  const move = fc.record({
    unit: fc.integer({ min: 0, max: UNITS - 1 }),
    parent: fc.option(fc.integer({ min: 0, max: UNITS - 1 }), { nil: null }),
  });

  /** The chain of parents above `id`, or undefined when it revisits a unit. */
  function chainAbove(parents: Map<string, string | null>, id: string): string[] | undefined {
    const seen = new Set([id]);
    const chain: string[] = [];
    for (let current = parents.get(id); current != null; current = parents.get(current)) {
      if (seen.has(current)) return undefined;
      seen.add(current);
      chain.push(current);
    }
    return chain;
  }

  it('never lets the parent chain of a unit revisit a unit, whatever moves are asked for', () => {
    fc.assert(
      fc.property(fc.array(move, { maxLength: 80 }), (moves) => {
        const parents = new Map<string, string | null>(ids.map((id) => [id, null]));
        for (const { unit, parent } of moves) {
          const unitId = ids[unit] ?? '';
          const parentId = parent === null ? null : (ids[parent] ?? '');
          const verdict =
            parentId === null ? { ok: true } : checkParent(unitId, parentId, (id) => parents.get(id));
          if (verdict.ok) parents.set(unitId, parentId);
          for (const id of ids) expect(chainAbove(parents, id)).toBeDefined();
        }
      }),
    );
  });

  it('refuses a move only when it would loop or is too deep', () => {
    fc.assert(
      fc.property(fc.array(move, { maxLength: 80 }), (moves) => {
        const parents = new Map<string, string | null>(ids.map((id) => [id, null]));
        for (const { unit, parent } of moves) {
          if (parent === null) continue;
          const unitId = ids[unit] ?? '';
          const parentId = ids[parent] ?? '';
          const verdict = checkParent(unitId, parentId, (id) => parents.get(id));
          const tried = new Map(parents).set(unitId, parentId);
          const loops = chainAbove(tried, unitId) === undefined;
          if (verdict.ok) {
            expect(loops).toBe(false);
            parents.set(unitId, parentId);
          } else {
            expect(verdict.reason === 'too-deep' || loops).toBe(true);
          }
        }
      }),
    );
  });
});
