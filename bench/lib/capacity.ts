/*
 * DynamoDB's published capacity rules, applied to the items a request actually read or wrote. The
 * emulator cannot be asked: the handlers never set ReturnConsumedCapacity, dynalite counts only its own
 * operations (no index writes) and the local proxy's transactions ignore it. So the benchmark sizes the
 * items itself. Read units are kept in halves (eventually consistent reads cost half a unit), so every
 * figure here is an integer.
 *
 * Sources: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html
 * and .../read-write-operations.html (item sizes, rounding, transactions, index writes).
 */

/** An attribute value as DynamoDB's wire protocol carries it. */
export type AttributeValue =
  | { S: string }
  | { N: string }
  | { B: Uint8Array | string }
  | { BOOL: boolean }
  | { NULL: boolean }
  | { L: AttributeValue[] }
  | { M: Record<string, AttributeValue> }
  | { SS: string[] }
  | { NS: string[] }
  | { BS: (Uint8Array | string)[] };

export type Item = Record<string, AttributeValue>;

const READ_UNIT_BYTES = 4096;
const WRITE_UNIT_BYTES = 1024;

function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

function binaryBytes(value: Uint8Array | string): number {
  return typeof value === 'string' ? Buffer.from(value, 'base64').length : value.byteLength;
}

/** Significant digits of a DynamoDB number, leading and trailing zeros trimmed (at least one). */
function significantDigits(number: string): number {
  const mantissa = number.replace(/^[+-]/, '').split(/[eE]/)[0] ?? '';
  const digits = mantissa.replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.max(1, digits.length);
}

/** "About 1 byte per two significant digits, plus 1 byte." */
export function numberSize(number: string): number {
  return Math.ceil(significantDigits(number) / 2) + 1;
}

/** The size of a value (without its attribute name). */
export function valueSize(value: AttributeValue): number {
  if ('S' in value) return utf8Bytes(value.S);
  if ('N' in value) return numberSize(value.N);
  if ('B' in value) return binaryBytes(value.B);
  if ('BOOL' in value || 'NULL' in value) return 1;
  if ('SS' in value) return value.SS.reduce((sum, entry) => sum + utf8Bytes(entry), 0);
  if ('NS' in value) return value.NS.reduce((sum, entry) => sum + numberSize(entry), 0);
  if ('BS' in value) return value.BS.reduce((sum, entry) => sum + binaryBytes(entry), 0);
  // A list or map: 3 bytes of overhead, plus 1 byte per element and the elements themselves.
  if ('L' in value) return 3 + value.L.reduce((sum, entry) => sum + 1 + valueSize(entry), 0);
  return (
    3 +
    Object.entries(value.M).reduce((sum, [name, entry]) => sum + 1 + utf8Bytes(name) + valueSize(entry), 0)
  );
}

/** An item's size: the UTF-8 length of every attribute name plus the size of its value. */
export function itemSize(item: Item | undefined): number {
  if (item === undefined) return 0;
  return Object.entries(item).reduce((sum, [name, value]) => sum + utf8Bytes(name) + valueSize(value), 0);
}

/** Half read units of reading one item (GetItem, and each item of BatchGetItem): 4 KB units, at least 1. */
export function itemReadHalfUnits(size: number, consistent: boolean): number {
  const units = Math.max(1, Math.ceil(size / READ_UNIT_BYTES));
  return consistent ? units * 2 : units;
}

/** Half read units of one Query or Scan page: the sizes of every item read are summed, then rounded up. */
export function pageReadHalfUnits(sizes: readonly number[], consistent: boolean): number {
  return itemReadHalfUnits(
    sizes.reduce((sum, size) => sum + size, 0),
    consistent,
  );
}

/** Half read units of a TransactGetItems item: two underlying reads of 4 KB units each. */
export function transactionalReadHalfUnits(size: number): number {
  return 2 * itemReadHalfUnits(size, true);
}

/** Write units of writing one item: 1 KB units of the larger of its size before and after, at least 1. */
export function itemWriteUnits(sizeBefore: number, sizeAfter: number): number {
  return Math.max(1, Math.ceil(Math.max(sizeBefore, sizeAfter) / WRITE_UNIT_BYTES));
}

/** A transaction writes (prepares and commits) each item twice, condition checks included. */
export function transactionalWriteUnits(sizeBefore: number, sizeAfter: number): number {
  return 2 * itemWriteUnits(sizeBefore, sizeAfter);
}

export interface IndexKeys {
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey: string;
}

/** Where the item sits in an index, or undefined when it lacks the index's keys (a sparse index). */
function indexPosition(item: Item | undefined, index: IndexKeys): string | undefined {
  const partition = item?.[index.partitionKey];
  const sort = item?.[index.sortKey];
  if (partition === undefined || sort === undefined) return undefined;
  return JSON.stringify([partition, sort]);
}

export interface IndexWrite {
  readonly index: string;
  readonly kind: 'put' | 'delete';
  readonly units: number;
}

/**
 * The writes one base-table write causes in each global index (projection ALL, so the whole item is
 * copied): an item entering the index is a put, leaving it a delete, moving in it (a key changed) a
 * delete and a put, and changing in place a put. An unchanged item writes nothing to the index.
 */
export function indexWrites(
  before: Item | undefined,
  after: Item | undefined,
  indexes: readonly IndexKeys[],
): IndexWrite[] {
  const writes: IndexWrite[] = [];
  const changed = canonical(before) !== canonical(after);
  for (const index of indexes) {
    const was = indexPosition(before, index);
    const is = indexPosition(after, index);
    const remove = () =>
      writes.push({ index: index.name, kind: 'delete', units: itemWriteUnits(itemSize(before), 0) });
    const put = () =>
      writes.push({ index: index.name, kind: 'put', units: itemWriteUnits(0, itemSize(after)) });
    if (was !== undefined && is !== undefined) {
      if (was !== is) {
        remove();
        put();
      } else if (changed) {
        put();
      }
    } else if (was !== undefined) {
      remove();
    } else if (is !== undefined) {
      put();
    }
  }
  return writes;
}

/** A stable rendering of an item, to tell whether a write changed it (attribute order does not matter). */
function canonical(item: Item | undefined): string {
  if (item === undefined) return '';
  const sorted = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(sorted);
    if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.keys(value)
          .sort()
          .map((key) => [key, sorted((value as Record<string, unknown>)[key])]),
      );
    }
    return value;
  };
  return JSON.stringify(sorted(item));
}

/** Half units as the decimal people read (3 → "1.5"). */
export function halfUnitsText(halfUnits: number): string {
  return halfUnits % 2 === 0 ? String(halfUnits / 2) : `${(halfUnits - 1) / 2}.5`;
}
