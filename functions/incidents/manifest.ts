import { z } from 'zod';
import {
  importCheckSchema,
  importJobSchema,
  importReportSchema,
  importStartSchema,
} from '#shared/domain/incidents/import.ts';
import {
  assignmentSchema,
  bulkAssignmentSchema,
  bulkResultSchema,
  incidentChangesSchema,
  incidentRecordSchema,
  incidentSchema,
  incidentSummarySchema,
  newIncidentSchema,
  noteSchema,
  QUEUES,
  resolutionDecisionSchema,
  satisfactionSchema,
  stateChangeRequestSchema,
} from '#shared/domain/incidents/incident.ts';
import { incidentMetricsSchema, periodSchema } from '#shared/domain/incidents/metrics.ts';
import {
  savedViewIdSchema,
  savedViewInputSchema,
  savedViewListSchema,
  savedViewSchema,
} from '#shared/domain/incidents/saved-view.ts';
import { PRIORITIES } from '#shared/domain/tenancy/defaults.ts';
import { IncidentImportRequested } from '#shared/events/incident-imports.ts';
import { SlaRecomputationRequested } from '#shared/events/incidents.ts';
import { defineProcess } from '#shared/platform/manifest.ts';
import { pageQuerySchema, pageSchema } from '#shared/platform/pagination.ts';
import { IT_STAFF, TENANT_MEMBERS } from '#shared/platform/roles.ts';
import { recomputationSchema } from './sla-recomputation.ts';

/** Both days or neither; without them the last 30 days. */
const reportPeriodQuery = z
  .object({ from: z.iso.date().optional(), to: z.iso.date().optional() })
  .refine((query) => (query.from === undefined) === (query.to === undefined), {
    message: 'Give both from and to, or neither',
    path: ['to'],
  })
  .refine(
    (query) => query.from === undefined || query.to === undefined || periodSchema.safeParse(query).success,
    {
      message: 'The period must end after it starts and span at most 366 days',
      path: ['to'],
    },
  );

const incidentParams = z.object({ incidentId: z.string().min(1).max(64) });
const id = z.string().min(1).max(64);

export const manifest = defineProcess({
  name: 'incidents',
  description:
    'Incidents: reporting, queues, assignment, lifecycle, comments and work notes, SLA snapshot and due moments.',
  access: { table: 'read-write', putEvents: false },
  routes: {
    createIncident: {
      method: 'POST',
      path: '/incidents',
      summary:
        'Report an incident (for oneself, or IT staff for a caller given by callerId); number, priority from the matrix and SLA due times are set',
      roles: TENANT_MEMBERS,
      body: newIncidentSchema,
      response: incidentSchema,
      successStatus: 201,
    },
    listReportedIncidents: {
      method: 'GET',
      path: '/incidents',
      summary: 'The incidents the caller reported, newest first',
      roles: TENANT_MEMBERS,
      query: pageQuerySchema,
      response: pageSchema(incidentSummarySchema),
    },
    listIncidentQueue: {
      method: 'GET',
      path: '/incidents/queue',
      summary:
        'A work queue of open incidents (mine, my-teams, unassigned, breaching-soon by resolution due time, all-open), filterable by priority, service and team',
      roles: IT_STAFF,
      query: pageQuerySchema.extend({
        queue: z.enum(QUEUES).default('all-open'),
        priority: z.enum(PRIORITIES).optional(),
        serviceId: id.optional(),
        teamId: id.optional(),
      }),
      response: pageSchema(incidentSummarySchema),
    },
    bulkAssignIncidents: {
      method: 'POST',
      path: '/incidents/bulk-assignment',
      summary: 'Assign up to 50 incidents, each with its own If-Match version; one result per incident',
      roles: IT_STAFF,
      body: bulkAssignmentSchema,
      response: bulkResultSchema,
    },
    listSavedViews: {
      method: 'GET',
      path: '/incidents/saved-views',
      summary: 'The caller’s saved queue views (queue, filters, order), by name; at most 20',
      roles: IT_STAFF,
      response: savedViewListSchema,
    },
    putSavedView: {
      method: 'PUT',
      path: '/incidents/saved-views/{viewId}',
      summary:
        'Create or replace one of the caller’s saved queue views (409 beyond 20 views, 400 for a name already used)',
      roles: IT_STAFF,
      params: z.object({ viewId: savedViewIdSchema }),
      body: savedViewInputSchema,
      response: savedViewSchema,
    },
    deleteSavedView: {
      method: 'DELETE',
      path: '/incidents/saved-views/{viewId}',
      summary: 'Delete one of the caller’s saved queue views (404 for an id the caller has none under)',
      roles: IT_STAFF,
      params: z.object({ viewId: savedViewIdSchema }),
      response: z.null(),
      successStatus: 204,
    },
    getIncidentMetrics: {
      method: 'GET',
      path: '/incidents/metrics',
      summary:
        'Figures of the incidents opened in a period (tenant time zone, default the last 30 days, at most 366): created and resolved per day, MTTR by priority, first-contact resolution, reopen rate, SLA compliance per service and business unit, satisfaction; and the open backlog now',
      roles: IT_STAFF,
      query: reportPeriodQuery,
      response: incidentMetricsSchema,
    },
    exportIncidents: {
      method: 'GET',
      path: '/incidents/export',
      summary:
        'The incidents of the same period as CSV, one line each, with every column the figures come from',
      roles: IT_STAFF,
      query: reportPeriodQuery,
      response: z.string(),
    },
    getIncident: {
      method: 'GET',
      path: '/incidents/{incidentId}',
      summary: 'One incident with its timeline (callers: their own, without work notes); ETag is its version',
      roles: TENANT_MEMBERS,
      params: incidentParams,
      response: incidentRecordSchema,
    },
    updateIncident: {
      method: 'PATCH',
      path: '/incidents/{incidentId}',
      summary: 'Change fields; a priority other than the matrix needs a reason',
      roles: IT_STAFF,
      params: incidentParams,
      body: incidentChangesSchema,
      response: incidentSchema,
      requiresIfMatch: true,
    },
    assignIncident: {
      method: 'PUT',
      path: '/incidents/{incidentId}/assignment',
      summary: 'Assign to a team and / or an assignee (a new incident becomes assigned)',
      roles: IT_STAFF,
      params: incidentParams,
      body: assignmentSchema,
      response: incidentSchema,
      requiresIfMatch: true,
    },
    changeIncidentState: {
      method: 'POST',
      path: '/incidents/{incidentId}/state',
      summary: 'Move the incident in its lifecycle (409 with the allowed states otherwise)',
      roles: IT_STAFF,
      params: incidentParams,
      body: stateChangeRequestSchema,
      response: incidentSchema,
      requiresIfMatch: true,
    },
    addIncidentComment: {
      method: 'POST',
      path: '/incidents/{incidentId}/comments',
      summary: 'A public comment, seen by the caller',
      roles: TENANT_MEMBERS,
      params: incidentParams,
      body: noteSchema,
      response: incidentSchema,
      requiresIfMatch: true,
    },
    addIncidentWorkNote: {
      method: 'POST',
      path: '/incidents/{incidentId}/work-notes',
      summary: 'An internal work note, never shown to the caller',
      roles: IT_STAFF,
      params: incidentParams,
      body: noteSchema,
      response: incidentSchema,
      requiresIfMatch: true,
    },
    decideIncidentResolution: {
      method: 'POST',
      path: '/incidents/{incidentId}/resolution',
      summary: 'The caller confirms the resolution or reopens the incident with a reason',
      roles: TENANT_MEMBERS,
      params: incidentParams,
      body: resolutionDecisionSchema,
      response: incidentSchema,
      requiresIfMatch: true,
    },
    rateIncident: {
      method: 'PUT',
      path: '/incidents/{incidentId}/satisfaction',
      summary: 'The caller rates a resolved incident, 1 to 5, once',
      roles: TENANT_MEMBERS,
      params: incidentParams,
      body: satisfactionSchema,
      response: incidentSchema,
      requiresIfMatch: true,
    },
    startSlaRecomputation: {
      method: 'POST',
      path: '/incidents/sla-recomputations',
      summary:
        'Recompute the SLA clocks of every open incident under the current policies, in the background; answers at once with the job',
      roles: ['tenant-admin'],
      response: recomputationSchema,
      successStatus: 202,
    },
    getSlaRecomputation: {
      method: 'GET',
      path: '/incidents/sla-recomputations/{recomputationId}',
      summary: 'Progress of an SLA recomputation: open incidents done of total, and how many changed',
      roles: ['tenant-admin'],
      params: z.object({ recomputationId: id }),
      response: recomputationSchema,
    },
    checkIncidentImport: {
      method: 'POST',
      path: '/incidents/imports/dry-run',
      summary:
        'Check a CSV of past incidents without importing: the columns, a suggested column mapping when none is given, and per row what it would create or why it is refused (5 MB, 10 000 rows at most)',
      roles: ['tenant-admin'],
      body: importCheckSchema,
      // The file's content travels in the body: 4 MiB of CSV with room for JSON's escaping.
      maxBodyBytes: 5 * 1024 * 1024,
      response: importReportSchema,
    },
    startIncidentImport: {
      method: 'POST',
      path: '/incidents/imports',
      summary:
        'Import the valid rows of a CSV of past incidents with the checked column mapping, in the background; answers at once with the job',
      roles: ['tenant-admin'],
      body: importStartSchema,
      maxBodyBytes: 5 * 1024 * 1024,
      response: importJobSchema,
      successStatus: 202,
    },
    getIncidentImport: {
      method: 'GET',
      path: '/incidents/imports/{importId}',
      summary:
        'Progress of an incident import; once done, the incidents it created and the rows it did not import, with their reasons',
      roles: ['tenant-admin'],
      params: z.object({ importId: id }),
      response: importJobSchema,
    },
  },
  subscriptions: {
    recomputeOpenIncidents: {
      summary: 'Recompute open incidents’ SLA clocks in batches, recording progress on the job',
      pattern: {
        source: [SlaRecomputationRequested.source],
        'detail-type': [SlaRecomputationRequested.detailType],
      },
    },
    importIncidents: {
      summary: 'Import the rows of an incident import chunk by chunk, recording progress on the job',
      pattern: {
        source: [IncidentImportRequested.source],
        'detail-type': [IncidentImportRequested.detailType],
      },
    },
  },
  schedules: {},
});
