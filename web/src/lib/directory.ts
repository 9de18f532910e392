import type { BusinessUnit } from './domain.ts';

export interface UnitOption {
  businessUnitId: string;
  /** The name, indented by depth, for a select that shows the tree. */
  label: string;
  depth: number;
}

/**
 * Business units in tree order: each unit followed by its children, by name. A unit whose parent is
 * not in the list (or that sits in a loop) is shown at the top level, so nothing goes missing.
 */
export function unitTree(units: readonly BusinessUnit[]): { unit: BusinessUnit; depth: number }[] {
  const ids = new Set(units.map((unit) => unit.businessUnitId));
  const children = new Map<string | null, BusinessUnit[]>();
  for (const unit of units) {
    const parent = unit.parentId && ids.has(unit.parentId) ? unit.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), unit]);
  }
  for (const list of children.values()) list.sort((a, b) => a.name.localeCompare(b.name));
  const ordered: { unit: BusinessUnit; depth: number }[] = [];
  const seen = new Set<string>();
  const walk = (parent: string | null, depth: number) => {
    for (const unit of children.get(parent) ?? []) {
      if (seen.has(unit.businessUnitId)) continue;
      seen.add(unit.businessUnitId);
      ordered.push({ unit, depth });
      walk(unit.businessUnitId, depth + 1);
    }
  };
  walk(null, 0);
  // Units caught in a parent loop are never reached from the top; list them anyway.
  for (const unit of units) if (!seen.has(unit.businessUnitId)) ordered.push({ unit, depth: 0 });
  return ordered;
}

/** Options for a business unit select, indented to show the tree. */
export function unitOptions(units: readonly BusinessUnit[]): UnitOption[] {
  return unitTree(units).map(({ unit, depth }) => ({
    businessUnitId: unit.businessUnitId,
    label: `${'\u00a0\u00a0\u00a0'.repeat(depth)}${unit.name}`,
    depth,
  }));
}

/** The unit and everything under it: what may not become the unit's parent. */
export function selfAndDescendants(units: readonly BusinessUnit[], businessUnitId: string): Set<string> {
  const result = new Set([businessUnitId]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const unit of units) {
      if (unit.parentId && result.has(unit.parentId) && !result.has(unit.businessUnitId)) {
        result.add(unit.businessUnitId);
        grew = true;
      }
    }
  }
  return result;
}
