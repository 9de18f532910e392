import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  indexWrites,
  itemReadHalfUnits,
  itemSize,
  itemWriteUnits,
  numberSize,
  pageReadHalfUnits,
  transactionalWriteUnits,
} from './capacity.ts';
import { costPico, divideRounded, formatUsd, fraction, type Price, parseUsd, times, whole } from './money.ts';

const price = (usd: string, per: number): Price => ({
  usd,
  per,
  unit: 'request',
  source: 'test',
  asOf: '2026-12-01',
});

describe('capacity units by DynamoDB’s published rules', () => {
  it('sizes items by attribute names and values', () => {
    expect(itemSize({ pk: { S: 'abc' }, n: { N: '12345' }, ok: { BOOL: true } })).toBe(2 + 3 + 1 + 4 + 2 + 1);
    expect(numberSize('100')).toBe(2);
    expect(itemSize({ list: { L: [{ S: 'ab' }, { NULL: true }] } })).toBe(4 + 3 + (1 + 2) + (1 + 1));
  });

  it('reads in 4 KB units (half for eventually consistent), a Query page summed before rounding', () => {
    expect(itemReadHalfUnits(1, false)).toBe(1);
    expect(itemReadHalfUnits(4096, true)).toBe(2);
    expect(itemReadHalfUnits(4097, true)).toBe(4);
    expect(pageReadHalfUnits([1000, 1000, 1000, 1000], false)).toBe(1);
    expect(pageReadHalfUnits([1000, 1000, 1000, 1097], false)).toBe(2);
  });

  it('writes in 1 KB units of the larger image, twice in a transaction', () => {
    expect(itemWriteUnits(0, 1024)).toBe(1);
    expect(itemWriteUnits(3000, 100)).toBe(3);
    expect(transactionalWriteUnits(0, 1025)).toBe(4);
  });

  it('counts an index write when an item enters, leaves or moves in a sparse index', () => {
    const gsi = [{ name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' }];
    const at = (sk: string) => ({ pk: { S: 'p' }, gsi1pk: { S: 'list' }, gsi1sk: { S: sk } });
    expect(indexWrites(undefined, at('a'), gsi).map((write) => write.kind)).toEqual(['put']);
    expect(indexWrites(at('a'), at('b'), gsi).map((write) => write.kind)).toEqual(['delete', 'put']);
    expect(indexWrites(at('a'), { pk: { S: 'p' } }, gsi).map((write) => write.kind)).toEqual(['delete']);
    expect(indexWrites({ pk: { S: 'p' } }, { pk: { S: 'q' } }, gsi)).toEqual([]);
  });

  it('never reads less than one unit, and more bytes never cost fewer units', () => {
    fc.assert(
      fc.property(fc.nat(1_000_000), fc.nat(1_000_000), (a, b) => {
        const [small, large] = a <= b ? [a, b] : [b, a];
        return (
          itemReadHalfUnits(small, false) >= 1 &&
          itemReadHalfUnits(small, true) <= itemReadHalfUnits(large, true) &&
          itemWriteUnits(0, small) <= itemWriteUnits(0, large)
        );
      }),
    );
  });
});

describe('money without floats', () => {
  it('parses decimal prices exactly and rounds each cost half up once', () => {
    expect(parseUsd('0.125')).toBe(125_000_000_000n);
    expect(() => parseUsd('1e-6')).toThrow();
    // 3 requests at $1.25 per million: 3.75 micro-dollars.
    expect(costPico(whole(3), price('1.25', 1_000_000))).toBe(3_750_000n);
    expect(costPico(fraction(1, 2), price('0.25', 1_000_000))).toBe(125_000n);
    expect(formatUsd(costPico(times(whole(3), 1000), price('1.25', 1_000_000)), 6)).toBe('$0.003750');
    expect(divideRounded(5n, 2n)).toBe(3n);
  });

  it('adds up: the cost of a sum is the sum of the costs, within the one rounding of each', () => {
    fc.assert(
      fc.property(fc.nat(10_000_000), fc.nat(10_000_000), (a, b) => {
        const per = price('0.000000333', 1);
        const together = costPico(whole(a + b), per);
        const apart = costPico(whole(a), per) + costPico(whole(b), per);
        return together - apart <= 1n && apart - together <= 1n;
      }),
    );
  });
});
