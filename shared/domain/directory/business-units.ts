/**
 * Business units form a forest: each unit has at most one parent, and following parents always ends
 * at a unit without one. A move that would make a unit its own ancestor is refused, and so is one
 * whose parent chain cannot be seen to end within {@link MAX_BUSINESS_UNIT_DEPTH} units (a deeper
 * chain is not a real organisation, and each level costs a read).
 */
export const MAX_BUSINESS_UNIT_DEPTH = 20;

export type ParentVerdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'missing' | 'self' | 'cycle' | 'too-deep' };

/**
 * Whether unit `unitId` may hang under `parentId`. `parentOf` answers a unit's parent: null for a
 * unit at the top, undefined for a unit that does not exist. A parent that does not exist is
 * `missing`; a dangling reference further up ends the chain like a top unit does.
 */
export function checkParent(
  unitId: string,
  parentId: string,
  parentOf: (id: string) => string | null | undefined,
): ParentVerdict {
  if (parentId === unitId) return { ok: false, reason: 'self' };
  let current = parentId;
  for (let level = 0; level < MAX_BUSINESS_UNIT_DEPTH; level += 1) {
    const next = parentOf(current);
    if (next === undefined) return level === 0 ? { ok: false, reason: 'missing' } : { ok: true };
    if (next === null) return { ok: true };
    if (next === unitId) return { ok: false, reason: 'cycle' };
    current = next;
  }
  return { ok: false, reason: 'too-deep' };
}

/** What a refusal means for a person, per reason. */
export const PARENT_REFUSALS: Readonly<Record<Exclude<ParentVerdict, { ok: true }>['reason'], string>> = {
  missing: 'There is no such business unit',
  self: 'A business unit cannot be its own parent',
  cycle: 'The new parent is inside this business unit; a unit cannot sit below itself',
  'too-deep': `Business units nest at most ${MAX_BUSINESS_UNIT_DEPTH} levels deep`,
};
