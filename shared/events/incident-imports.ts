import { z } from 'zod';
import { defineEvent } from './envelope.ts';

/*
 * Events of an incident import. The incidents it creates are announced as IncidentCreated, like
 * reported ones; this one only drives the background work.
 */

export const IncidentImportRequested = defineEvent({
  source: 'itsm.incidents',
  detailType: 'IncidentImportRequested',
  version: 1,
  description:
    'A tenant admin started an import of incidents from CSV; the run imports one chunk of rows per event and hands on to a new event for the next chunk (`chunk`), carrying the counts so far.',
  data: z.object({
    jobId: z.string(),
    chunk: z.number().int().nonnegative(),
    doneBefore: z.number().int().nonnegative(),
    createdBefore: z.number().int().nonnegative(),
    rejectedBefore: z.number().int().nonnegative(),
  }),
});

export const INCIDENT_IMPORT_EVENTS = [IncidentImportRequested] as const;
