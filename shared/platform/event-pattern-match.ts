/**
 * EventBridge content filtering: the local bus routes with it, and a process routes a delivered event
 * to its matching subscriptions with it. The semantics follow the EventBridge documentation
 * (and aws/event-ruler, which implements it): patterns only look at leaf values, a list in the pattern is
 * an OR, a list in the event matches when one of its elements does.
 */
import type { EventPattern, PatternLeaf } from './event-pattern.ts';

type Scalar = string | number | boolean | null;
type Operator = Exclude<PatternLeaf, Scalar>;

const OPERATORS = ['prefix', 'suffix', 'anything-but', 'exists', 'numeric', 'equals-ignore-case'] as const;
const LOWER_BOUNDS = new Set(['>', '>=']);
const UPPER_BOUNDS = new Set(['<', '<=']);

export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  return matchObject(pattern, event);
}

function matchObject(pattern: EventPattern, value: unknown): boolean {
  if (Array.isArray(value)) {
    // One element must satisfy the whole sub-pattern, so fields of different elements never combine.
    const elements = value.filter(isPlainObject);
    if (elements.length > 0) return elements.some((element) => matchObject(pattern, element));
  }
  const record = isPlainObject(value) ? value : undefined;
  return Object.entries(pattern).every(([key, sub]) => {
    const child = record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
    return isLeafList(sub) ? matchLeaves(sub, leafValues(child)) : matchObject(sub, child);
  });
}

function isLeafList(sub: readonly PatternLeaf[] | EventPattern): sub is readonly PatternLeaf[] {
  return Array.isArray(sub);
}

/** The scalar values found at a field; objects are intermediate nodes, not values (as in EventBridge). */
function leafValues(value: unknown): Scalar[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value.flatMap(leafValues);
  return isScalar(value) ? [value] : [];
}

function matchLeaves(leaves: readonly PatternLeaf[], values: readonly Scalar[]): boolean {
  if (values.length === 0) return leaves.some(isExistsFalse);
  return values.some((value) => leaves.some((leaf) => matchLeaf(leaf, value)));
}

function isExistsFalse(leaf: PatternLeaf): boolean {
  return isPlainObject(leaf) && 'exists' in leaf && leaf.exists === false;
}

function matchLeaf(leaf: PatternLeaf, value: Scalar): boolean {
  if (isScalar(leaf)) return leaf === value;
  return matchOperator(leaf, value);
}

function matchOperator(leaf: Operator, value: Scalar): boolean {
  if ('prefix' in leaf) return typeof value === 'string' && value.startsWith(leaf.prefix);
  if ('suffix' in leaf) return typeof value === 'string' && value.endsWith(leaf.suffix);
  if ('anything-but' in leaf) return matchAnythingBut(leaf['anything-but'], value);
  // A present value, null included, exists; absence is handled before values are compared.
  if ('exists' in leaf) return leaf.exists;
  if ('numeric' in leaf) return typeof value === 'number' && inNumericRange(leaf.numeric, value);
  if ('equals-ignore-case' in leaf) {
    return typeof value === 'string' && foldCase(value) === foldCase(leaf['equals-ignore-case']);
  }
  return false;
}

type AnythingBut = Extract<Operator, { 'anything-but': unknown }>['anything-but'];

function matchAnythingBut(excluded: AnythingBut, value: Scalar): boolean {
  if (Array.isArray(excluded)) return !excluded.some((item) => item === value);
  if (isPlainObject(excluded) && 'prefix' in excluded) {
    return !(typeof value === 'string' && value.startsWith(excluded.prefix));
  }
  return excluded !== value;
}

function inNumericRange(conditions: readonly (string | number)[], value: number): boolean {
  for (let i = 0; i + 1 < conditions.length; i += 2) {
    if (!compare(value, conditions[i], conditions[i + 1])) return false;
  }
  return true;
}

function compare(value: number, operator: unknown, operand: unknown): boolean {
  if (typeof operand !== 'number') return false;
  switch (operator) {
    case '=':
      return value === operand;
    case '>':
      return value > operand;
    case '>=':
      return value >= operand;
    case '<':
      return value < operand;
    case '<=':
      return value <= operand;
    default:
      return false;
  }
}

function foldCase(text: string): string {
  return text.toLowerCase();
}

/**
 * Problems that would make EventBridge reject the pattern (or that the local bus cannot evaluate),
 * one readable line each with the path of the offending part; empty when the pattern is usable.
 */
export function validatePattern(pattern: unknown): string[] {
  if (!isPlainObject(pattern)) return ['pattern: must be a JSON object'];
  if (Object.keys(pattern).length === 0) return ['pattern: must have at least one field'];
  return validateObject(pattern, '');
}

function validateObject(pattern: Record<string, unknown>, path: string): string[] {
  return Object.entries(pattern).flatMap(([key, sub]) =>
    validateField(key, sub, path ? `${path}.${key}` : key),
  );
}

function validateField(key: string, sub: unknown, path: string): string[] {
  // `$or` and friends are not part of the shared EventPattern type, so the local bus never evaluates them.
  if (key.startsWith('$')) return [`${path}: "${key}" is not supported by the local bus`];
  if (Array.isArray(sub)) {
    if (sub.length === 0) return [`${path}: an empty list matches nothing`];
    return sub.flatMap((leaf, index) => validateLeaf(leaf, `${path}[${index}]`));
  }
  if (isPlainObject(sub)) {
    if (Object.keys(sub).length === 0) return [`${path}: a nested pattern needs at least one field`];
    return validateObject(sub, path);
  }
  return [`${path}: must be a list of values or a nested pattern`];
}

function validateLeaf(leaf: unknown, path: string): string[] {
  if (typeof leaf === 'number' && !Number.isFinite(leaf)) return [`${path}: numbers must be finite`];
  if (isScalar(leaf)) return [];
  if (!isPlainObject(leaf)) return [`${path}: must be a string, number, boolean, null or an operator`];
  const keys = Object.keys(leaf);
  const [operator] = keys;
  if (keys.length !== 1 || operator === undefined) return [`${path}: an operator object has exactly one key`];
  if (!isKnownOperator(operator)) return [`${path}: unknown or unsupported operator "${operator}"`];
  return validateOperand(operator, leaf[operator], `${path}.${operator}`);
}

function isKnownOperator(name: string): name is (typeof OPERATORS)[number] {
  return (OPERATORS as readonly string[]).includes(name);
}

function validateOperand(operator: (typeof OPERATORS)[number], operand: unknown, path: string): string[] {
  switch (operator) {
    case 'prefix':
    case 'suffix':
    case 'equals-ignore-case':
      return typeof operand === 'string' ? [] : [`${path}: must be a string`];
    case 'exists':
      return typeof operand === 'boolean' ? [] : [`${path}: must be true or false`];
    case 'anything-but':
      return validateAnythingBut(operand, path);
    case 'numeric':
      return validateNumeric(operand, path);
  }
}

function validateAnythingBut(operand: unknown, path: string): string[] {
  if (typeof operand === 'string') return [];
  if (typeof operand === 'number') return Number.isFinite(operand) ? [] : [`${path}: numbers must be finite`];
  if (Array.isArray(operand)) {
    if (operand.length === 0) return [`${path}: the list must not be empty`];
    const allStrings = operand.every((item) => typeof item === 'string');
    const allNumbers = operand.every((item) => typeof item === 'number' && Number.isFinite(item));
    return allStrings || allNumbers ? [] : [`${path}: the list must hold only strings or only numbers`];
  }
  if (isPlainObject(operand) && Object.keys(operand).length === 1 && 'prefix' in operand) {
    const prefix = operand.prefix;
    return typeof prefix === 'string' && prefix !== '' ? [] : [`${path}.prefix: must be a non-empty string`];
  }
  return [`${path}: must be a string, a number, a list of either, or { prefix }`];
}

function validateNumeric(operand: unknown, path: string): string[] {
  if (!Array.isArray(operand)) return [`${path}: must be a list like [">", 0, "<=", 5]`];
  const [op1, value1, op2, value2, ...rest] = operand;
  const badNumber = operand.some((item, index) => index % 2 === 1 && !isFiniteNumber(item));
  if (badNumber) return [`${path}: every operand must be a finite number`];
  if (operand.length === 2 && (op1 === '=' || LOWER_BOUNDS.has(op1) || UPPER_BOUNDS.has(op1))) return [];
  const isRange = operand.length === 4 && rest.length === 0 && LOWER_BOUNDS.has(op1) && UPPER_BOUNDS.has(op2);
  if (!isRange) return [`${path}: use ["=", n], one comparison, or a lower bound then an upper bound`];
  return (value1 as number) < (value2 as number)
    ? []
    : [`${path}: the lower bound must be below the upper bound`];
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isScalar(value: unknown): value is Scalar {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
