import { ConflictError, PreconditionFailedError } from '../platform/errors.ts';

/** ElectroDB's report of a cancelled transaction: one entry per item, in order. */
export interface CancelledItem {
  rejected: boolean;
  code: string;
  message?: string | undefined;
}

/**
 * Reads why a transaction was cancelled. A failed condition on the record being changed means
 * someone else wrote it first; anything else (contention) is worth a retry by the client.
 */
export function throwOnCancelled(
  result: { canceled: boolean; data: readonly CancelledItem[] },
  what: string,
): void {
  if (!result.canceled) return;
  const failed = result.data.find((item) => item.rejected);
  if (failed?.code === 'ConditionalCheckFailed') {
    throw new PreconditionFailedError(`${what} was changed by someone else; read it again and retry`);
  }
  throw new ConflictError(`${what} could not be saved because of a concurrent change; try again`);
}
