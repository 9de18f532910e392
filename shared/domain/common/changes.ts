import { z } from 'zod';

/** A change request: only the given fields, unknown fields refused, and at least one field given. */
export function changesSchema<const Shape extends z.ZodRawShape>(shape: Shape) {
  return z.strictObject(shape).refine((value) => Object.values(value).some((field) => field !== undefined), {
    message: 'Give at least one field to change',
  });
}
