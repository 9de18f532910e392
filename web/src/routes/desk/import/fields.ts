/** The fields a column can be imported as, with their labels, and the limits the API sets. */
import type { ImportField } from '#lib/domain.ts';

/** Mirrors the API's limits, so a file that is too large is refused before it is sent. */
export const IMPORT_MAX_BYTES = 4 * 1024 * 1024;
export const IMPORT_MAX_ROWS = 10_000;

/** Every field a column can be imported as; the `Record` keeps the list complete. */
export const FIELD_LABEL: Record<ImportField, string> = {
  number: 'Original number',
  shortDescription: 'Short description',
  description: 'Description',
  callerEmail: 'Caller email',
  state: 'State',
  holdReason: 'Hold reason',
  priority: 'Priority',
  impact: 'Impact',
  urgency: 'Urgency',
  serviceName: 'Service name',
  businessUnitName: 'Business unit',
  teamName: 'Team',
  assigneeEmail: 'Assignee email',
  category: 'Category',
  createdAt: 'Created',
  respondedAt: 'First response',
  resolvedAt: 'Resolved',
  closedAt: 'Closed',
  resolutionCode: 'Resolution code',
  resolutionNotes: 'Resolution notes',
};
export const IMPORT_FIELDS = Object.keys(FIELD_LABEL) as ImportField[];
export const REQUIRED_FIELDS: readonly ImportField[] = ['shortDescription', 'callerEmail', 'createdAt'];
