/* A refused save, shown in its form; apart from `errors.ts` so the pages without a form do not load it. */
import { ApiError } from './api.ts';
import { errorMessage } from './errors.ts';

export interface FormProblem {
  /** Messages to show beside the form's own fields. */
  fieldErrors: Record<string, string>;
  /** What cannot be shown beside a field, as one sentence for the alert above the form. */
  summary: string;
}

/**
 * Splits a refused save into messages beside the form's fields and one summary for the rest.
 * `fields` are paths into the body, dotted for nested ones (`firstAdmin.email`); an error lands on the
 * longest field its path starts with, so `roles.0` lands on `roles`. `notSaved` says what was not
 * saved, as a sentence ("The invitation was not sent.").
 */
export function formProblem(
  error: unknown,
  fields: readonly string[],
  notSaved = 'The service was not saved.',
): FormProblem {
  if (!(error instanceof ApiError)) return { fieldErrors: {}, summary: errorMessage(error) };
  const fieldErrors: Record<string, string> = {};
  const others: string[] = [];
  for (const item of error.errors) {
    const path = bodyPath(item.path);
    const field = fields
      .filter((candidate) => path === candidate || path.startsWith(`${candidate}.`))
      .sort((a, b) => b.length - a.length)[0];
    if (field) fieldErrors[field] ??= item.message;
    else others.push(path ? `${item.message} (${path})` : item.message);
  }
  const hasFieldErrors = Object.keys(fieldErrors).length > 0;
  const summary = hasFieldErrors
    ? [`${notSaved} Please correct the fields marked below.`, ...others].join(' ')
    : [errorMessage(error), ...others].join(' ');
  return { fieldErrors, summary };
}

/** `body.firstAdmin.email`, `/firstAdmin/email` and `firstAdmin.email` all read `firstAdmin.email`. */
function bodyPath(path: string): string {
  const parts = path.split(/[./]/).filter((part) => part.length > 0);
  return (parts[0] === 'body' ? parts.slice(1) : parts).join('.');
}
