import type { TenantContext } from '../platform/tenant-context.ts';

/** Markers live a week: longer than EventBridge's retry window, so a late redelivery is still caught. */
const PROCESSED_TTL_SECONDS = 7 * 24 * 60 * 60;

/**
 * The marker that makes a consumer idempotent: written in the same transaction as the consumer's
 * effect with a must-not-exist condition, so a redelivered event changes nothing.
 */
export function processedMarker(ctx: TenantContext, consumer: string, eventId: string, now: Date) {
  return {
    tenantId: ctx.tenantId,
    consumer,
    eventId,
    processedAt: now.toISOString(),
    expiresAt: Math.floor(now.getTime() / 1000) + PROCESSED_TTL_SECONDS,
  };
}

/** True when a transaction was cancelled only because the marker already existed. */
export function wasAlreadyProcessed(
  result: { canceled: boolean; data: readonly { rejected: boolean; code: string }[] },
  markerIndex: number,
): boolean {
  if (!result.canceled) return false;
  return result.data[markerIndex]?.code === 'ConditionalCheckFailed';
}
