import { halfUnitsText } from './capacity.ts';
import type { DbRequest, InvocationRecord } from './instrument.ts';

/*
 * Sums over recorded invocations: requests by operation, capacity units, events. Pure functions of
 * the records, shared by the sections.
 */

export interface Units {
  readonly readHalfUnits: number;
  readonly writeUnits: number;
  readonly indexWriteUnits: number;
  readonly bytesRead: number;
  readonly bytesWritten: number;
}

export const NO_UNITS: Units = {
  readHalfUnits: 0,
  writeUnits: 0,
  indexWriteUnits: 0,
  bytesRead: 0,
  bytesWritten: 0,
};

export function addUnits(a: Units, b: Units): Units {
  return {
    readHalfUnits: a.readHalfUnits + b.readHalfUnits,
    writeUnits: a.writeUnits + b.writeUnits,
    indexWriteUnits: a.indexWriteUnits + b.indexWriteUnits,
    bytesRead: a.bytesRead + b.bytesRead,
    bytesWritten: a.bytesWritten + b.bytesWritten,
  };
}

/** The requests a route's code made: the tenant gate's cached read is counted apart. */
export function ownRequests(record: InvocationRecord): DbRequest[] {
  return record.requests.filter((request) => !request.tenantGate);
}

export function unitsOf(requests: readonly DbRequest[]): Units {
  return requests.reduce((sum, request) => {
    const capacity = request.capacity;
    if (!capacity) return sum;
    const isRead = capacity.readHalfUnits > 0;
    return addUnits(sum, {
      readHalfUnits: capacity.readHalfUnits,
      writeUnits: capacity.writeUnits,
      indexWriteUnits: capacity.indexWriteUnits,
      bytesRead: isRead ? capacity.bytes : 0,
      bytesWritten: isRead ? 0 : capacity.bytes,
    });
  }, NO_UNITS);
}

export function unitsOfInvocations(records: readonly InvocationRecord[]): Units {
  return records.reduce((sum, record) => addUnits(sum, unitsOf(record.requests)), NO_UNITS);
}

/** `{ Query: 1, TransactWriteItems: 1 }`, in the order first made. */
export function byOperation(requests: readonly DbRequest[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const request of requests) {
    const name = request.index ? `${request.operation} (${request.index})` : request.operation;
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

export function operationsText(counts: Record<string, number>): string {
  const entries = Object.entries(counts);
  if (entries.length === 0) return 'none';
  return entries.map(([name, count]) => (count === 1 ? name : `${count}× ${name}`)).join(' + ');
}

export function readUnitsText(units: Units): string {
  return halfUnitsText(units.readHalfUnits);
}

/** Whether every capacity sample agreed; else the range, so a varying figure is never hidden. */
export function spread(values: readonly number[]): { value: number; min: number; max: number } {
  const min = Math.min(...values);
  const max = Math.max(...values);
  return { value: values.at(-1) ?? 0, min, max };
}

export function isRequestOfOperation(request: DbRequest, names: readonly string[]): boolean {
  return names.includes(request.operation);
}
