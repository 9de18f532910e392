import type { FieldChange } from '../../events/service-catalogue.ts';

/** Lists compare as sets (roles): reordering them is no change. */
function same(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    const left = new Set(a.map(String));
    const right = new Set(b.map(String));
    return left.size === right.size && [...left].every((item) => right.has(item));
  }
  return a === b;
}

/** The fields a change really alters, with old and new values; absent and unchanged fields are left out. */
export function diffFields<T extends object, K extends keyof T & string>(
  current: T,
  changes: Partial<Pick<T, K>>,
  fields: readonly K[],
): FieldChange[] {
  const diff: FieldChange[] = [];
  for (const field of fields) {
    const next = changes[field];
    if (next !== undefined && !same(current[field], next)) {
      diff.push({ field, from: current[field], to: next });
    }
  }
  return diff;
}

/** The audit view of a creation: every field from nothing to its first value. */
export function creationChanges<T extends object, K extends keyof T & string>(
  record: T,
  fields: readonly K[],
): FieldChange[] {
  return fields.map((field) => ({ field, from: null, to: record[field] }));
}

/** A member joining (`to`) or leaving (`from`) a team, as a change of its `members`. */
export function memberChange(userId: string, joined: boolean): FieldChange {
  return joined ? { field: 'members', from: null, to: userId } : { field: 'members', from: userId, to: null };
}
