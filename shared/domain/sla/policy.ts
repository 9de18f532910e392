import { z } from 'zod';
import { INCIDENT_STATES } from '../incidents/lifecycle.ts';
import { PRIORITIES, type Priority, type SlaPolicy } from '../tenancy/defaults.ts';
import { type BusinessCalendar, businessCalendarSchema } from './calendar.ts';

/*
 * SLA policies and the choice of the target that applies to a record. A policy may be limited to
 * some services and some business units, and may set targets for only some priorities; the tenant's
 * default policy (its `sla-policy` setting) covers every priority and applies when nothing else does.
 */

/** States in which a clock can be paused; resolved, closed and cancelled stop it anyway. */
export const PAUSABLE_STATES = INCIDENT_STATES.filter(
  (state) => state !== 'resolved' && state !== 'closed' && state !== 'cancelled',
);

export const targetMinutesSchema = z
  .object({
    responseMinutes: z.number().int().positive(),
    resolutionMinutes: z.number().int().positive(),
  })
  .refine((target) => target.responseMinutes <= target.resolutionMinutes, {
    message: 'Response must not take longer than resolution',
    path: ['responseMinutes'],
  });
export type TargetMinutes = z.infer<typeof targetMinutesSchema>;

/** Absent (not empty) means "every": an empty list would match nothing and is refused. */
const scopeList = z.array(z.string().min(1)).min(1).optional();

export const slaPolicyDefinitionSchema = z.object({
  policyId: z.string().min(1).max(64),
  name: z.string().trim().min(1).max(120),
  serviceIds: scopeList,
  businessUnitIds: scopeList,
  priorities: z
    .partialRecord(z.enum(PRIORITIES), targetMinutesSchema)
    .refine((targets) => Object.keys(targets).length > 0, 'Give a target for at least one priority'),
  calendarName: z.string().min(1).max(120),
  pauseStates: z.array(z.enum(PAUSABLE_STATES)).default(['on-hold']),
});
export type SlaPolicyDefinition = z.infer<typeof slaPolicyDefinitionSchema>;

/** What an SLA clock runs against: business minutes on one calendar, paused in some states. */
export const slaTargetSchema = z.object({
  policyId: z.string().min(1),
  name: z.string().min(1),
  calendarName: z.string().min(1),
  responseMinutes: z.number().int().nonnegative(),
  resolutionMinutes: z.number().int().nonnegative(),
  calendar: businessCalendarSchema,
  pauseStates: z.array(z.string().min(1)),
});
export type SlaTarget = z.infer<typeof slaTargetSchema>;

/** The tenant's `sla-policy` setting as the default policy. */
export function policyFromTenantSetting(setting: SlaPolicy, policyId = 'default'): SlaPolicyDefinition {
  return {
    policyId,
    name: setting.name,
    priorities: Object.fromEntries(
      setting.targets.map((target) => [
        target.priority,
        { responseMinutes: target.responseMinutes, resolutionMinutes: target.resolutionMinutes },
      ]),
    ),
    calendarName: setting.calendar,
    pauseStates: setting.pausedInStatuses.filter((state): state is (typeof PAUSABLE_STATES)[number] =>
      (PAUSABLE_STATES as readonly string[]).includes(state),
    ),
  };
}

export type TargetQuery = {
  serviceId: string | null;
  businessUnitId: string | null;
  priority: Priority;
};

/** A policy that matched, with its targets for the record's priority (for the SLA timeline). */
export type MatchedPolicy = {
  policyId: string;
  name: string;
  responseMinutes: number;
  resolutionMinutes: number;
  /** Whether the policy is limited to listed services / business units (false: it covers all). */
  limitedToServices: boolean;
  limitedToBusinessUnits: boolean;
};

export type TargetChoice = {
  target: SlaTarget;
  /** 'only-match', 'strictest' of several matches, or the tenant's 'default' as nothing matched. */
  why: 'only-match' | 'strictest' | 'default';
  /** Every policy that matched, strictest first; the first is the one chosen. Empty for 'default'. */
  matched: MatchedPolicy[];
};

function inScope(policy: SlaPolicyDefinition, query: TargetQuery): boolean {
  const inList = (list: string[] | undefined, id: string | null) =>
    list === undefined || (id !== null && list.includes(id));
  return inList(policy.serviceIds, query.serviceId) && inList(policy.businessUnitIds, query.businessUnitId);
}

function asMatch(policy: SlaPolicyDefinition, minutes: TargetMinutes): MatchedPolicy {
  return {
    policyId: policy.policyId,
    name: policy.name,
    responseMinutes: minutes.responseMinutes,
    resolutionMinutes: minutes.resolutionMinutes,
    limitedToServices: policy.serviceIds !== undefined,
    limitedToBusinessUnits: policy.businessUnitIds !== undefined,
  };
}

/** Strictest first: the shorter resolution, then the shorter response, then the policy id (stable). */
function stricter(a: MatchedPolicy, b: MatchedPolicy): number {
  return (
    a.resolutionMinutes - b.resolutionMinutes ||
    a.responseMinutes - b.responseMinutes ||
    a.policyId.localeCompare(b.policyId)
  );
}

function targetOf(
  policy: SlaPolicyDefinition,
  minutes: TargetMinutes,
  calendars: Readonly<Record<string, BusinessCalendar>>,
): SlaTarget {
  const calendar = calendars[policy.calendarName];
  if (!calendar)
    throw new Error(`SLA policy ${policy.policyId} names an unknown calendar ${policy.calendarName}`);
  return {
    policyId: policy.policyId,
    name: policy.name,
    calendarName: policy.calendarName,
    responseMinutes: minutes.responseMinutes,
    resolutionMinutes: minutes.resolutionMinutes,
    calendar,
    pauseStates: policy.pauseStates,
  };
}

/**
 * The target for a record: of the policies matching its service, business unit and priority, the
 * strictest (shortest resolution, ties by response); the tenant's default policy when none matches.
 * Strictness compares minutes only, whatever calendar each policy counts them on.
 */
export function selectTarget(
  policies: readonly SlaPolicyDefinition[],
  query: TargetQuery,
  tenant: { defaultPolicy: SlaPolicyDefinition; calendars: Readonly<Record<string, BusinessCalendar>> },
): TargetChoice {
  const matched = policies
    .flatMap((policy) => {
      const minutes = policy.priorities[query.priority];
      return minutes && inScope(policy, query) ? [{ policy, minutes, match: asMatch(policy, minutes) }] : [];
    })
    .sort((a, b) => stricter(a.match, b.match));
  const chosen = matched[0];
  if (chosen) {
    return {
      target: targetOf(chosen.policy, chosen.minutes, tenant.calendars),
      why: matched.length === 1 ? 'only-match' : 'strictest',
      matched: matched.map((entry) => entry.match),
    };
  }
  const fallback = tenant.defaultPolicy.priorities[query.priority];
  if (!fallback) throw new Error(`The default SLA policy has no target for ${query.priority}`);
  return { target: targetOf(tenant.defaultPolicy, fallback, tenant.calendars), why: 'default', matched: [] };
}
