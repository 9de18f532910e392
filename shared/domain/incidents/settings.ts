import { z } from 'zod';
import { escalationRuleSchema } from './escalation.ts';

/**
 * How incidents behave in a tenant (the `incidents` setting). Not among the seeded tenant defaults:
 * tenants created before incidents existed have no such item, so it is read with this default when
 * absent, and seeding it too would only duplicate the default.
 */
export const incidentSettingsSchema = z.object({
  /** Calendar days after resolution at which a resolved incident closes by itself. */
  autoCloseDays: z.number().int().min(0).max(90),
  /** The share of an SLA target after which its clock warns. */
  warningThreshold: z.number().gt(0).lte(1),
  /** Applied in order by the SLA monitor when a clock warns or breaches. */
  escalationRules: z
    .array(escalationRuleSchema)
    .max(50, 'Use at most 50 rules')
    .refine(
      (rules) => new Set(rules.map((rule) => rule.ruleId)).size === rules.length,
      'Each rule needs its own id',
    )
    .default([]),
});
export type IncidentSettings = z.infer<typeof incidentSettingsSchema>;
export const INCIDENT_SETTINGS_NAME = 'incidents';

export function defaultIncidentSettings(): IncidentSettings {
  return { autoCloseDays: 5, warningThreshold: 0.75, escalationRules: [] };
}
