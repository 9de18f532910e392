import { z } from 'zod';
import { PRIORITIES, type Priority } from '../tenancy/defaults.ts';

/*
 * Escalation rules: what happens when an SLA clock warns or breaches. A rule matches a level
 * (warning / breach), a clock (response / resolution) and optionally some priorities; its actions
 * notify people, hand the incident to another team, or raise its priority one step. Rules live in
 * the tenant's `incidents` setting and are applied by the SLA monitor in the same write that records
 * the SLA event, so an escalation is never lost nor applied twice.
 */

const id = z.string().min(1).max(64);

export const escalationRuleSchema = z
  .object({
    ruleId: id,
    name: z.string().trim().min(1, 'Name is required').max(120),
    on: z.enum(['warning', 'breach']),
    clock: z.enum(['response', 'resolution']),
    /** Absent: every priority. */
    priorities: z.array(z.enum(PRIORITIES)).min(1, 'Pick at least one priority, or leave it out').optional(),
    notifyUserIds: z.array(id).max(20).default([]),
    notifyTeamIds: z.array(id).max(10).default([]),
    reassignTeamId: id.nullable().default(null),
    raisePriority: z.boolean().default(false),
  })
  .refine(
    (rule) =>
      rule.notifyUserIds.length > 0 ||
      rule.notifyTeamIds.length > 0 ||
      rule.reassignTeamId !== null ||
      rule.raisePriority,
    { message: 'Give the rule at least one action', path: ['notifyUserIds'] },
  );
export type EscalationRule = z.infer<typeof escalationRuleSchema>;

export type SlaMarkReached = { clock: 'response' | 'resolution'; level: 'warning' | 'breach' };

/** One step more urgent; P1 stays P1. */
export function raisedPriority(priority: Priority): Priority {
  const index = PRIORITIES.indexOf(priority);
  return PRIORITIES[Math.max(0, index - 1)] ?? priority;
}

export interface Escalation {
  /** The rules that matched, in their configured order. */
  rules: EscalationRule[];
  /** The team the last matching reassigning rule names, if any. */
  teamId: string | null;
  /** The priority after every raise (one step per matching rule that raises), if it changed. */
  priority: Priority | null;
  notifyUserIds: string[];
  notifyTeamIds: string[];
}

/** What the rules do for the marks just reached by an incident at `priority`. Pure. */
export function escalationFor(
  rules: readonly EscalationRule[],
  marks: readonly SlaMarkReached[],
  priority: Priority,
): Escalation {
  const matching = rules.filter(
    (rule) =>
      marks.some((mark) => mark.clock === rule.clock && mark.level === rule.on) &&
      (rule.priorities === undefined || rule.priorities.includes(priority)),
  );
  let raised = priority;
  let teamId: string | null = null;
  for (const rule of matching) {
    if (rule.raisePriority) raised = raisedPriority(raised);
    if (rule.reassignTeamId !== null) teamId = rule.reassignTeamId;
  }
  const unique = (lists: string[][]) => [...new Set(lists.flat())];
  return {
    rules: matching,
    teamId,
    priority: raised === priority ? null : raised,
    notifyUserIds: unique(matching.map((rule) => rule.notifyUserIds)),
    notifyTeamIds: unique(matching.map((rule) => rule.notifyTeamIds)),
  };
}
