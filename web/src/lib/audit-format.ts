/*
 * How the audit trails (a service's, and the tenant-wide one) show entries and read their date filter.
 * Apart from `format.ts` so the pages without an audit trail do not load it.
 */
import { displayTimeZone, statusLabel } from './format.ts';

/** The UTC offset of `timeZone` at `instant`, in minutes east of UTC. */
function offsetMinutes(timeZone: string, instant: number): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
    .formatToParts(instant)
    .find((part) => part.type === 'timeZoneName')?.value;
  const match = /GMT([+-])(\d{2}):?(\d{2})?/.exec(name ?? '');
  if (!match) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3] ?? 0);
  return match[1] === '-' ? -minutes : minutes;
}

/**
 * The instant a calendar day (`YYYY-MM-DD`) starts in the display time zone, as an ISO string in UTC;
 * `dayStart('2026-03-01', 1)` is when the next day starts.
 */
export function dayStart(day: string, addDays = 0): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return null;
  const wallClock = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + addDays);
  const timeZone = displayTimeZone() ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  // Twice: the offset at the first guess may differ from the one at midnight on a DST change day.
  let instant = wallClock - offsetMinutes(timeZone, wallClock) * 60_000;
  instant = wallClock - offsetMinutes(timeZone, instant) * 60_000;
  return new Date(instant).toISOString();
}

const FIELD_LABEL: Record<string, string> = {
  name: 'Name',
  description: 'Description',
  owner: 'Owner',
  status: 'Status',
  roles: 'Roles',
  businessUnitId: 'Business unit',
  parentId: 'Parent unit',
  costCentre: 'Cost centre',
  leadUserId: 'Team lead',
  timeZone: 'Time zone',
  locale: 'Locale',
  currency: 'Currency',
  branding: 'Branding',
  plan: 'Plan',
  email: 'Email',
};

export function fieldLabel(field: string): string {
  return FIELD_LABEL[field] ?? sentence(field);
}

/** An audited value as a reader wants it: statuses by label, nothing as an em dash. */
export function formatValue(field: string, value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'string') return field === 'status' ? statusLabel(value) : value;
  if (Array.isArray(value)) return value.length === 0 ? '—' : value.map(String).join(', ');
  return JSON.stringify(value);
}

/** `ServiceCreated`, `service.updated` or `created` read as "Service created", "Service updated", "Created". */
export function actionLabel(action: string): string {
  return sentence(action);
}

function sentence(identifier: string): string {
  const words = identifier
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[\s._-]+/)
    .filter((word) => word.length > 0)
    .map((word) => word.toLowerCase());
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}
