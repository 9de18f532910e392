import { STATUS_LABEL, TENANT_STATUS_LABEL, USER_STATUS_LABEL } from './domain.ts';
import { tenantState } from './tenant.svelte.ts';

const formats = new Map<string, Intl.DateTimeFormat>();

/** The zone dates are shown in: the tenant's, or the browser's for someone without a tenant. */
export function displayTimeZone(): string | undefined {
  return tenantState.tenant?.timeZone;
}

function formatFor(timeZone: string | undefined, precise: boolean): Intl.DateTimeFormat {
  const key = `${timeZone ?? ''}|${precise}`;
  let format = formats.get(key);
  if (!format) {
    // `undefined` locale: written the way the reader's browser is set up; the zone is named, since it
    // may not be the reader's own.
    format = new Intl.DateTimeFormat(undefined, {
      year: 'numeric',
      month: 'short',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      ...(precise ? { second: '2-digit' } : {}),
      timeZoneName: 'short',
      ...(timeZone ? { timeZone } : {}),
    });
    formats.set(key, format);
  }
  return format;
}

/** A moment in the tenant's time zone (reactive: follows a change of the tenant's settings). */
export function formatDateTime(iso: string, precise = false): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  try {
    return formatFor(displayTimeZone(), precise).format(date);
  } catch {
    return formatFor(undefined, precise).format(date);
  }
}

const STATUS_LABELS: Record<string, string> = {
  ...USER_STATUS_LABEL,
  ...TENANT_STATUS_LABEL,
  ...STATUS_LABEL,
};

/** A service, user or tenant status as a reader wants it. */
export function statusLabel(status: string): string {
  return STATUS_LABELS[status] ?? status;
}

const targetFormats = new Map<string, Intl.DateTimeFormat>();

/** A target moment in plain words, in the tenant's zone: "Tue 25 Nov, 14:00". */
export function formatTarget(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const timeZone = displayTimeZone();
  const key = timeZone ?? '';
  let format = targetFormats.get(key);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat('en-GB', {
        weekday: 'short',
        day: 'numeric',
        month: 'short',
        hour: '2-digit',
        minute: '2-digit',
        ...(timeZone ? { timeZone } : {}),
      });
    } catch {
      format = new Intl.DateTimeFormat('en-GB', {
        weekday: 'short',
        day: 'numeric',
        month: 'short',
        hour: '2-digit',
        minute: '2-digit',
      });
    }
    targetFormats.set(key, format);
  }
  return format.format(date);
}
