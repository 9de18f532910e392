import { describe, expect, it } from 'vitest';
import { type EscalationRule, escalationFor, escalationRuleSchema, raisedPriority } from './escalation.ts';

const rule = (fields: Partial<EscalationRule> & Pick<EscalationRule, 'ruleId'>): EscalationRule =>
  escalationRuleSchema.parse({
    name: fields.ruleId,
    on: 'breach',
    clock: 'resolution',
    raisePriority: true,
    ...fields,
  });

describe('escalation rules', () => {
  it('raises one step at a time and never past P1', () => {
    expect(raisedPriority('P3')).toBe('P2');
    expect(raisedPriority('P1')).toBe('P1');
  });

  it('applies only the rules of the reached level, clock and priority', () => {
    const rules = [
      rule({ ruleId: 'warn-response', on: 'warning', clock: 'response' }),
      rule({ ruleId: 'p1-only', priorities: ['P1'] }),
      rule({ ruleId: 'breach', raisePriority: false, reassignTeamId: 'team-l2', notifyUserIds: ['u-lead'] }),
    ];
    const outcome = escalationFor(rules, [{ clock: 'resolution', level: 'breach' }], 'P3');
    expect(outcome.rules.map((r) => r.ruleId)).toEqual(['breach']);
    expect(outcome).toMatchObject({ teamId: 'team-l2', priority: null, notifyUserIds: ['u-lead'] });
  });

  it('raises once per matching rule, lets the last reassignment win and names each person once', () => {
    const rules = [
      rule({ ruleId: 'a', reassignTeamId: 'team-a', notifyUserIds: ['u-1', 'u-2'] }),
      rule({ ruleId: 'b', reassignTeamId: 'team-b', notifyUserIds: ['u-2'], notifyTeamIds: ['team-a'] }),
    ];
    const outcome = escalationFor(rules, [{ clock: 'resolution', level: 'breach' }], 'P4');
    expect(outcome).toMatchObject({
      teamId: 'team-b',
      priority: 'P2',
      notifyUserIds: ['u-1', 'u-2'],
      notifyTeamIds: ['team-a'],
    });
  });

  it('does nothing without a match, and a P1 raise is no change', () => {
    expect(
      escalationFor([rule({ ruleId: 'x' })], [{ clock: 'response', level: 'breach' }], 'P2').rules,
    ).toEqual([]);
    expect(
      escalationFor([rule({ ruleId: 'x' })], [{ clock: 'resolution', level: 'breach' }], 'P1').priority,
    ).toBeNull();
  });

  it('refuses a rule without any action', () => {
    const parsed = escalationRuleSchema.safeParse({
      ruleId: 'r',
      name: 'Nothing',
      on: 'warning',
      clock: 'response',
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toBe('Give the rule at least one action');
  });
});
