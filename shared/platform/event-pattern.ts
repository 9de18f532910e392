/**
 * EventBridge event patterns, typed. Manifests declare subscriptions with these; the CDK stack passes
 * them to EventBridge rules unchanged and the local bus evaluates them with `matchesPattern`.
 */
export type PatternLeaf =
  | string
  | number
  | boolean
  | null
  | { prefix: string }
  | { suffix: string }
  | { 'anything-but': string | number | readonly (string | number)[] | { prefix: string } }
  | { exists: boolean }
  | { numeric: readonly (string | number)[] }
  | { 'equals-ignore-case': string };

export interface EventPattern {
  readonly [field: string]: readonly PatternLeaf[] | EventPattern;
}
