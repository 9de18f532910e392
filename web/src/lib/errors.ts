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

export interface FormProblem {
  /** Messages to show beside the form's own fields. */
  fieldErrors: Record<string, string>;
  /** What cannot be shown beside a field, as one sentence for the alert above the form. */
  summary: string;
}

/** Splits a refused save into messages beside the form's fields and one summary for the rest. */
export function formProblem(error: unknown, fields: readonly string[]): FormProblem {
  if (!(error instanceof ApiError)) return { fieldErrors: {}, summary: errorMessage(error) };
  const fieldErrors: Record<string, string> = {};
  const others: string[] = [];
  for (const [field, message] of Object.entries(error.fieldErrors)) {
    if (fields.includes(field)) fieldErrors[field] = message;
    else others.push(message);
  }
  if (error.errors.length > 0 && Object.keys(error.fieldErrors).length === 0) {
    others.push(...error.errors.map((item) => item.message));
  }
  const hasFieldErrors = Object.keys(fieldErrors).length > 0;
  const summary = hasFieldErrors
    ? ['The service was not saved. Please correct the fields marked below.', ...others].join(' ')
    : [errorMessage(error), ...others].join(' ');
  return { fieldErrors, summary };
}
