import { type ServiceStatus, STATUS_LABEL } from './domain.ts';

// `undefined` locale and no time zone: dates are shown the way the reader's browser is set up.
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const preciseDateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

export function formatDateTime(iso: string, precise = false): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return (precise ? preciseDateTime : dateTime).format(date);
}

export function statusLabel(status: string): string {
  return status in STATUS_LABEL ? STATUS_LABEL[status as ServiceStatus] : status;
}

const FIELD_LABEL: Record<string, string> = {
  name: 'Name',
  description: 'Description',
  owner: 'Owner',
  status: 'Status',
};

export function fieldLabel(field: string): string {
  return FIELD_LABEL[field] ?? sentence(field);
}

/** An audited value as a reader wants it: statuses by label, nothing as an em dash. */
export function formatValue(field: string, value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'string') return field === 'status' ? statusLabel(value) : value;
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
