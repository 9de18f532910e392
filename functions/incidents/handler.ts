import { createProcessHandler } from '#shared/platform/process-handler.ts';
import { checkImport, getImport, importIncidents, startImport } from './imports.ts';
import { manifest } from './manifest.ts';
import { exportIncidents, incidentMetrics } from './reports.ts';
import { deleteSavedView, listSavedViews, putSavedView } from './saved-views.ts';
import { getRecomputation, recomputeOpenIncidents, startRecomputation } from './sla-recomputation.ts';
import {
  addComment,
  addWorkNote,
  assignIncident,
  bulkAssign,
  changeState,
  createIncident,
  decideResolution,
  getIncident,
  listQueue,
  listReported,
  rateIncident,
  updateIncident,
} from './use-cases.ts';

/** The record and its version, which the runtime sends as ETag. */
const versioned = <T extends { version: number }>(body: T) => ({ body, version: body.version });

export const handler = createProcessHandler(manifest, {
  routes: {
    createIncident: async ({ body, ...command }) => versioned(await createIncident(command, body)),
    listReportedIncidents: async ({ ctx, query }) => ({ body: await listReported(ctx, query) }),
    listIncidentQueue: async ({ ctx, query }) => ({ body: await listQueue(ctx, query) }),
    bulkAssignIncidents: async ({ body, ...command }) => ({ body: await bulkAssign(command, body) }),
    listSavedViews: async ({ ctx }) => ({ body: await listSavedViews(ctx) }),
    putSavedView: async ({ params, body, ...command }) => ({
      body: await putSavedView(command, params.viewId, body),
    }),
    deleteSavedView: async ({ params, ...command }) => {
      await deleteSavedView(command, params.viewId);
      return { body: null };
    },
    getIncidentMetrics: async ({ ctx, query, now }) => ({ body: await incidentMetrics(ctx, query, now) }),
    exportIncidents: async ({ ctx, query, now }) => {
      const { csv, period } = await exportIncidents(ctx, query, now);
      return {
        body: csv,
        contentType: 'text/csv; charset=utf-8',
        fileName: `incidents-${ctx.tenantId}-${period.from}-to-${period.to}.csv`,
      };
    },
    getIncident: async ({ ctx, params }) => versioned(await getIncident(ctx, params.incidentId)),
    updateIncident: async ({ params, body, ifMatch, ...command }) =>
      versioned(await updateIncident(command, params.incidentId, ifMatch, body)),
    assignIncident: async ({ params, body, ifMatch, ...command }) =>
      versioned(await assignIncident(command, params.incidentId, ifMatch, body)),
    changeIncidentState: async ({ params, body, ifMatch, ...command }) =>
      versioned(await changeState(command, params.incidentId, ifMatch, body)),
    addIncidentComment: async ({ params, body, ifMatch, ...command }) =>
      versioned(await addComment(command, params.incidentId, ifMatch, body.text)),
    addIncidentWorkNote: async ({ params, body, ifMatch, ...command }) =>
      versioned(await addWorkNote(command, params.incidentId, ifMatch, body.text)),
    decideIncidentResolution: async ({ params, body, ifMatch, ...command }) =>
      versioned(await decideResolution(command, params.incidentId, ifMatch, body)),
    rateIncident: async ({ params, body, ifMatch, ...command }) =>
      versioned(await rateIncident(command, params.incidentId, ifMatch, body)),
    startSlaRecomputation: async (command) => ({ body: await startRecomputation(command) }),
    getSlaRecomputation: async ({ ctx, params }) => ({
      body: await getRecomputation(ctx, params.recomputationId),
    }),
    checkIncidentImport: async ({ body, ...command }) => ({ body: await checkImport(command, body) }),
    startIncidentImport: async ({ body, ...command }) => ({ body: await startImport(command, body) }),
    getIncidentImport: async ({ ctx, params }) => ({ body: await getImport(ctx, params.importId) }),
  },
  subscriptions: { recomputeOpenIncidents, importIncidents },
  schedules: {},
});
