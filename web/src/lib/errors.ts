import { ApiError } from './api.ts';

/** One sentence for a failed call, with the correlation id support needs to find it in the logs. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    const text =
      error.detail && error.detail !== error.title ? `${error.title}. ${error.detail}` : error.title;
    return error.status >= 500 ? `${text} (reference ${error.correlationId})` : text;
  }
  return error instanceof Error ? error.message : 'Unexpected error';
}

/** A refused change because someone else changed the record first (412), or no version was sent (428). */
export function isConflict(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 412 || error.status === 428);
}

/** A refused token: the API layer is already on its way to the sign-in page. */
export function isSignedOut(error: unknown): boolean {
  return error instanceof ApiError && error.status === 401;
}
