import { defaultIncidentSettings } from '#shared/domain/incidents/settings.ts';
import { defaultPreferences } from '#shared/domain/notifications/notification.ts';
import { defaultSettings } from '#shared/domain/tenancy/defaults.ts';
import type { WalkedRoute } from './routes.ts';

/** A CSV of one past incident, reported by the demo requester of the tenant the marker starts with. */
function importCsv(marker: string): string {
  return `Short description,Caller email,Created\n${marker} imported incident,requester@${marker.split('-')[0]}.example,2025-01-02 09:00\n`;
}

/**
 * A minimal valid body for every route that takes one, keyed by route name. `marker` ends up in the
 * names and emails the body creates, so whatever the body writes can be found again in an answer.
 * A route with a body that is not listed here fails the isolation test by name: add its body here.
 * Each body is checked against the route's own schema, so this list cannot drift from the manifests.
 */
export const BODIES: Readonly<Record<string, (marker: string) => unknown>> = {
  // service-catalogue
  createService: (marker) => ({
    name: `${marker} service`,
    owner: `${marker} owner`,
    description: `${marker} description`,
  }),
  updateService: (marker) => ({ owner: `${marker} new owner` }),
  // directory
  inviteUser: (marker) => ({
    email: `${marker}@${marker.split('-')[0]}.example`,
    name: `${marker} invitee`,
    roles: ['requester'],
  }),
  updateUser: (marker) => ({ name: `${marker} renamed` }),
  createTeam: (marker) => ({ name: `${marker} team`, description: `${marker} team description` }),
  updateTeam: (marker) => ({ name: `${marker} team renamed` }),
  createBusinessUnit: (marker) => ({ name: `${marker} unit`, costCentre: 'CC-4711' }),
  updateBusinessUnit: (marker) => ({ name: `${marker} unit renamed` }),
  // incidents
  createIncident: (marker) => ({ shortDescription: `${marker} incident`, description: `${marker} details` }),
  updateIncident: (marker) => ({ shortDescription: `${marker} incident renamed` }),
  assignIncident: () => ({ teamId: 'service-desk', assigneeId: null }),
  changeIncidentState: () => ({ to: 'cancelled', reason: 'Duplicate' }),
  addIncidentComment: (marker) => ({ text: `${marker} comment` }),
  addIncidentWorkNote: (marker) => ({ text: `${marker} work note` }),
  decideIncidentResolution: () => ({ decision: 'confirm' }),
  rateIncident: () => ({ rating: 5, comment: null }),
  // Ids the prober cannot know: each item answers for itself, never with another tenant's record.
  bulkAssignIncidents: () => ({
    teamId: 'service-desk',
    items: [{ incidentId: 'not-an-incident', ifMatch: 1 }],
  }),
  putSavedView: (marker) => ({ name: `${marker} view`, queue: 'mine', priority: 'P1', sort: 'priority' }),
  // One past incident of the marker's own tenant's demo requester (`acme-…` → requester@acme.example).
  checkIncidentImport: (marker) => ({ csv: importCsv(marker) }),
  startIncidentImport: (marker) => ({
    csv: importCsv(marker),
    mapping: { 'Short description': 'shortDescription', 'Caller email': 'callerEmail', Created: 'createdAt' },
  }),
  // notifications
  putNotificationPreferences: () => ({
    mail: { ...defaultPreferences().mail, 'incident-assigned': false },
  }),
  // service-levels: seeded defaults, so a probe that lands leaves the prober's tenant with working rules
  putPriorityMatrix: () => defaultSettings({ timeZone: 'UTC', currency: 'EUR' })['priority-matrix'],
  putDefaultCalendar: (marker) => ({
    ...defaultSettings({ timeZone: 'UTC', currency: 'EUR' })['business-hours'],
    name: `${marker} hours`,
  }),
  putCalendars: () => ({ calendars: [] }),
  putDefaultSlaPolicy: () => defaultSettings({ timeZone: 'UTC', currency: 'EUR' })['sla-policy'],
  putSlaPolicies: () => ({ policies: [] }),
  putIncidentSettings: () => defaultIncidentSettings(),
  // tenants
  createTenant: (marker) => ({
    tenantId: `iso-${marker.slice(-8)}`,
    name: `${marker} company`,
    firstAdmin: { email: `${marker}@new-tenant.example`, name: `${marker} first admin` },
  }),
  administerTenant: () => ({ plan: 'enterprise' }),
  // A change that leaves a tenant as usable as before, should a probe ever reach one.
  updateMyTenant: () => ({ timeZone: 'UTC' }),
};

/** The body to send on a route, or undefined when it takes none; throws when the route is not listed. */
export function bodyFor(walked: WalkedRoute, marker: string): unknown {
  if (walked.route.body === undefined) return undefined;
  const make = BODIES[walked.name];
  if (make === undefined) {
    throw new Error(
      `${walked.key} (${walked.process}.${walked.name}) takes a body, but test/isolation/bodies.ts ` +
        'has none for it: add a minimal valid body there so the isolation walk can call the route',
    );
  }
  const body = make(marker);
  const parsed = walked.route.body.safeParse(body);
  if (!parsed.success) {
    throw new Error(
      `The body test/isolation/bodies.ts gives ${walked.name} no longer fits its schema: ${parsed.error.message}`,
    );
  }
  return body;
}

/**
 * The body with `tenantId: 'acme'` added where the schema lets it through (a non-strict object drops
 * it, so the handler must not see it; a strict one refuses it with 400, which would only hide the
 * route's real answer, so then the body is sent as it is).
 */
export function withForeignTenant(walked: WalkedRoute, body: unknown, tenantId: string): unknown {
  if (body === null || typeof body !== 'object' || walked.route.body === undefined) return body;
  const claimed = { ...body, tenantId };
  return walked.route.body.safeParse(claimed).success ? claimed : body;
}
