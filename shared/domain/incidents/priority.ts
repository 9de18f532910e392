import { z } from 'zod';
import { LEVELS, PRIORITIES, type Priority, type PriorityMatrix, priorityFor } from '../tenancy/defaults.ts';

/*
 * An incident's priority comes from the tenant's impact × urgency matrix (the `priority-matrix`
 * setting). An agent may override it, but only with a reason, which the audit keeps.
 */

export const priorityChoiceSchema = z
  .object({
    impact: z.enum(LEVELS),
    urgency: z.enum(LEVELS),
    priorityOverride: z.enum(PRIORITIES).optional(),
    overrideReason: z.string().trim().max(500).optional(),
  })
  .refine((choice) => choice.priorityOverride === undefined || (choice.overrideReason ?? '') !== '', {
    message: 'Give a reason for overriding the priority',
    path: ['overrideReason'],
  });
export type PriorityChoice = z.infer<typeof priorityChoiceSchema>;

export type PriorityDecision = {
  priority: Priority;
  /** What the matrix gives. */
  calculated: Priority;
  /** Set only when the override really differs from the matrix, which is what the audit records. */
  override: { from: Priority; to: Priority; reason: string } | null;
};

/** The priority an incident gets from a checked choice and the tenant's matrix. */
export function decidePriority(matrix: PriorityMatrix, choice: PriorityChoice): PriorityDecision {
  const calculated = priorityFor(matrix, choice.impact, choice.urgency);
  const wanted = choice.priorityOverride;
  if (wanted === undefined || wanted === calculated)
    return { priority: calculated, calculated, override: null };
  return {
    priority: wanted,
    calculated,
    override: { from: calculated, to: wanted, reason: choice.overrideReason ?? '' },
  };
}

export const INCIDENT_NUMBER_PATTERN = /^INC\d{7,}$/;

/** The number people quote: INC and at least seven digits (INC0001042); it grows past 9 999 999. */
export function incidentNumber(sequence: number): string {
  if (!Number.isSafeInteger(sequence) || sequence < 1) {
    throw new RangeError('An incident sequence number is a whole number from 1');
  }
  return `INC${String(sequence).padStart(7, '0')}`;
}
