import { getIncident, type Versioned } from './api.ts';
import type { Incident, IncidentRecord } from './domain.ts';
import { createRecordEditor, type RecordEditor } from './record-editor.svelte.ts';

/** One action on an incident: a route call with the version on screen as If-Match. */
export interface IncidentAction {
  /** Which form asked, so its fields alone show the API's messages. */
  form: string;
  run: (etag: string) => Promise<Versioned<Incident>>;
}

/** Every body field an incident route may refuse; a message lands beside the one of the form that sent it. */
const FIELDS = [
  'text',
  'reason',
  'resolutionCode',
  'resolutionNotes',
  'teamId',
  'assigneeId',
  'priorityOverride',
  'overrideReason',
  'decision',
  'rating',
  'comment',
  'to',
  'shortDescription',
  'description',
  'serviceId',
  'category',
  'configurationItem',
  'impact',
  'urgency',
  'major',
] as const;

export type IncidentEditor = RecordEditor<IncidentRecord, object, IncidentAction>;

/**
 * An incident with its timeline, changed by actions (assign, move, comment…) rather than one form:
 * each sends the version on screen and a 412 shows the conflict notice. After an action the record is
 * read again, since the write answers without the timeline.
 */
export function createIncidentEditor(
  id: () => string,
  notSaved = 'The incident was not changed.',
): IncidentEditor {
  return createRecordEditor<IncidentRecord, object, IncidentAction>({
    id,
    read: getIncident,
    values: () => ({}),
    changes: () => ({ form: '', run: () => Promise.reject(new Error('Nothing to save')) }),
    write: async (record, etag, action) => {
      await action.run(etag);
      return getIncident(record.incidentId);
    },
    fields: FIELDS,
    notSaved,
  });
}
