/**
 * The one door from the web app into `shared/`: the domain's types (erased at build time) and the few
 * dependency-free constants the screens need. The rest of the app imports `#lib/domain.ts`, so the
 * relative path lives here only. Nothing here may pull zod into the bundle: schemas are imported as
 * types only, and the lists the screens offer are mirrored below, each kept complete by a `Record`
 * over the domain's own type, so a new plan, role or status fails to compile here until it is labelled.
 */
import type { z } from 'zod';
import type { AuditEntry } from '../../../shared/domain/audit/audit-entry.ts';
import type {
  businessUnitChangesSchema,
  businessUnitSchema,
  inviteUserSchema,
  membershipSchema,
  newBusinessUnitSchema,
  newTeamSchema,
  teamChangesSchema,
  teamSchema,
  userChangesSchema,
  userSchema,
} from '../../../shared/domain/directory/directory.ts';
import type {
  bulkAssignmentSchema,
  bulkResultSchema,
  IncidentSummary as IncidentSummaryType,
  Incident as IncidentType,
  incidentChangesSchema,
  newIncidentSchema,
  Queue as QueueType,
  stateChangeRequestSchema,
  TimelineEntry as TimelineEntryType,
} from '../../../shared/domain/incidents/incident.ts';
import type {
  HoldReason as HoldReasonType,
  IncidentState as IncidentStateType,
} from '../../../shared/domain/incidents/lifecycle.ts';
import type { incidentMetricsSchema } from '../../../shared/domain/incidents/metrics.ts';
import type { savedViewInputSchema } from '../../../shared/domain/incidents/saved-view.ts';
import type {
  NotificationKind as NotificationKindType,
  NotificationPreferences as NotificationPreferencesType,
  Notification as NotificationType,
} from '../../../shared/domain/notifications/notification.ts';
import type { ServiceStatus } from '../../../shared/domain/service-catalogue/service.ts';
import type {
  Level as LevelType,
  Priority as PriorityType,
} from '../../../shared/domain/tenancy/defaults.ts';
import type {
  newTenantSchema,
  Tenant,
  tenantAdministrationChangesSchema,
  tenantSettingsChangesSchema,
} from '../../../shared/domain/tenancy/tenant.ts';
import type { Role } from '../../../shared/platform/roles.ts';

export type { AuditEntry } from '../../../shared/domain/audit/audit-entry.ts';
export type {
  NewService,
  Service,
  ServiceChanges,
  ServiceStatus,
} from '../../../shared/domain/service-catalogue/service.ts';
export type { Branding, Tenant } from '../../../shared/domain/tenancy/tenant.ts';
export { CLAIM, readListClaim } from '../../../shared/platform/claims.ts';
export { IT_STAFF, type Role, TENANT_MEMBERS } from '../../../shared/platform/roles.ts';

export const SERVICE_STATUSES: readonly ServiceStatus[] = ['pipeline', 'live', 'retired'];

/**
 * Mirror of the status rule in `shared/domain/service-catalogue/service.ts`. That module builds zod
 * schemas when it loads, so importing its function would ship zod to the browser; the `Record` type
 * makes a new status fail to compile here until it is given its moves. The API stays the judge.
 */
const NEXT_STATUSES: Record<ServiceStatus, readonly ServiceStatus[]> = {
  pipeline: ['live', 'retired'],
  live: ['retired'],
  retired: [],
};

/** The statuses an edit form may offer: the current one and the moves allowed from it. */
export function statusChoices(current: ServiceStatus): ServiceStatus[] {
  return [current, ...NEXT_STATUSES[current]];
}

export const STATUS_LABEL: Record<ServiceStatus, string> = {
  pipeline: 'Pipeline',
  live: 'Live',
  retired: 'Retired',
};

/** Roles the API lets add and change catalogue services (see `functions/service-catalogue/manifest.ts`). */
export const CATALOGUE_EDITORS: readonly Role[] = ['tenant-admin', 'service-owner'];

// --- Tenants (see `functions/tenants/manifest.ts`) -------------------------------------------------

export type TenantPlan = Tenant['plan'];
export type TenantStatus = Tenant['status'];
export type NewTenant = z.input<typeof newTenantSchema>;
export type TenantSettingsChanges = z.input<typeof tenantSettingsChangesSchema>;
export type TenantAdministrationChanges = z.input<typeof tenantAdministrationChangesSchema>;

/** A tenant as the platform console lists it (`tenantOverviewSchema` in the tenants manifest). */
export type TenantOverview = Tenant & {
  usage: { users: number; services: number; lastActivityAt: string | null };
  deletion: { jobId: string; status: 'running' | 'done'; itemsDeleted: number } | null;
};

/** The public face of a tenant on its own sign-in page. */
export interface PublicBranding {
  tenantId: string;
  branding: Tenant['branding'];
}

/** What the API says about an invitation it had the identity provider send; never the secret. */
export interface Invitation {
  userId: string;
  email: string;
  status: 'invited';
}

export const PLAN_LABEL: Record<TenantPlan, string> = {
  trial: 'Trial',
  standard: 'Standard',
  enterprise: 'Enterprise',
};
export const TENANT_PLANS = Object.keys(PLAN_LABEL) as TenantPlan[];

export const TENANT_STATUS_LABEL: Record<TenantStatus, string> = {
  active: 'Active',
  suspended: 'Suspended',
};

// --- Directory (see `functions/directory/manifest.ts`) ---------------------------------------------

export type DirectoryUser = z.infer<typeof userSchema>;
export type UserStatus = DirectoryUser['status'];
export type TenantRole = DirectoryUser['roles'][number];
export type InviteUser = z.input<typeof inviteUserSchema>;
export type UserChanges = z.input<typeof userChangesSchema>;
export type Team = z.infer<typeof teamSchema>;
export type NewTeam = z.input<typeof newTeamSchema>;
export type TeamChanges = z.input<typeof teamChangesSchema>;
export type Membership = z.infer<typeof membershipSchema>;
export type BusinessUnit = z.infer<typeof businessUnitSchema>;
export type NewBusinessUnit = z.input<typeof newBusinessUnitSchema>;
export type BusinessUnitChanges = z.input<typeof businessUnitChangesSchema>;

/** Every role a tenant admin can hand out, in the order the forms offer them. */
export const ROLE_LABEL: Record<TenantRole, string> = {
  'tenant-admin': 'Tenant admin',
  agent: 'Service desk agent',
  'change-manager': 'Change manager',
  'problem-manager': 'Problem manager',
  'service-owner': 'Service owner',
  'business-unit-viewer': 'Business unit viewer',
  requester: 'Requester',
};
export const TENANT_ROLES = Object.keys(ROLE_LABEL) as TenantRole[];

export const USER_STATUS_LABEL: Record<UserStatus, string> = {
  invited: 'Invited',
  active: 'Active',
  deactivated: 'Deactivated',
};

// --- Audit -----------------------------------------------------------------------------------------

export type AuditedEntityType = AuditEntry['entityType'];

export const ENTITY_TYPE_LABEL: Record<AuditedEntityType, string> = {
  service: 'Service',
  tenant: 'Tenant',
  user: 'User',
  team: 'Team',
  'business-unit': 'Business unit',
  incident: 'Incident',
  'service-level': 'Service level setting',
};
export const AUDITED_ENTITY_TYPES = Object.keys(ENTITY_TYPE_LABEL) as AuditedEntityType[];

/** Filters of the tenant-wide audit trail; `from`/`to` are ISO instants, inclusive. */
export interface AuditFilter {
  entityType?: AuditedEntityType | null;
  actorId?: string | null;
  from?: string | null;
  to?: string | null;
}

// --- Incidents (see `functions/incidents/manifest.ts`) ---------------------------------------------

export type Incident = IncidentType;
export type IncidentSummary = IncidentSummaryType;
export type IncidentRecord = IncidentType & { timeline: TimelineEntryType[] };
export type TimelineEntry = TimelineEntryType;
export type NewIncident = z.input<typeof newIncidentSchema>;
export type IncidentChanges = z.input<typeof incidentChangesSchema>;
export type StateChangeRequest = z.input<typeof stateChangeRequestSchema>;
export type IncidentState = IncidentStateType;
export type HoldReason = HoldReasonType;
export type Queue = QueueType;
export type Level = LevelType;
export type Priority = PriorityType;
export type ResolutionCode = NonNullable<IncidentType['resolutionCode']>;
export type SlaClockStatus = IncidentType['sla']['resolutionStatus'];

export const INCIDENT_STATE_LABEL: Record<IncidentState, string> = {
  new: 'New',
  assigned: 'Assigned',
  'in-progress': 'In progress',
  'on-hold': 'On hold',
  resolved: 'Resolved',
  closed: 'Closed',
  cancelled: 'Cancelled',
};

/** Mirror of `NEXT_STATES` in `shared/domain/incidents/lifecycle.ts` for agents (never to closed). */
const NEXT_INCIDENT_STATES: Record<IncidentState, readonly IncidentState[]> = {
  new: ['assigned', 'cancelled'],
  assigned: ['in-progress', 'on-hold', 'resolved', 'cancelled'],
  'in-progress': ['on-hold', 'resolved', 'cancelled'],
  'on-hold': ['in-progress', 'on-hold', 'resolved', 'cancelled'],
  resolved: ['in-progress'],
  closed: [],
  cancelled: [],
};

/** The moves an agent may make from `state`; the API stays the judge (409 with the allowed ones). */
export function agentTransitions(state: IncidentState): readonly IncidentState[] {
  return NEXT_INCIDENT_STATES[state];
}

export const HOLD_REASON_LABEL: Record<HoldReason, string> = {
  'awaiting-caller': 'Awaiting the caller',
  'awaiting-supplier': 'Awaiting a supplier',
  'awaiting-change': 'Awaiting a change',
};
export const HOLD_REASONS = Object.keys(HOLD_REASON_LABEL) as HoldReason[];

export const RESOLUTION_CODE_LABEL: Record<ResolutionCode, string> = {
  solved: 'Solved',
  workaround: 'Workaround',
  'not-reproducible': 'Not reproducible',
  duplicate: 'Duplicate',
  'user-error': 'User error',
  'no-fault-found': 'No fault found',
};
export const RESOLUTION_CODES = Object.keys(RESOLUTION_CODE_LABEL) as ResolutionCode[];

export const QUEUE_LABEL: Record<Queue, string> = {
  mine: 'Mine',
  'my-teams': 'My teams',
  unassigned: 'Unassigned',
  'breaching-soon': 'Breaching soon',
  'all-open': 'All open',
};
export const QUEUES = Object.keys(QUEUE_LABEL) as Queue[];

export const PRIORITY_LABEL: Record<Priority, string> = {
  P1: 'P1 · Critical',
  P2: 'P2 · High',
  P3: 'P3 · Moderate',
  P4: 'P4 · Low',
  P5: 'P5 · Planning',
};
export const PRIORITIES = Object.keys(PRIORITY_LABEL) as Priority[];

/** Impact and urgency as a requester is asked about them. */
export const IMPACT_CHOICE: Record<Level, string> = {
  low: 'Just me',
  medium: 'My team or several people',
  high: 'A whole department or the company',
};
export const URGENCY_CHOICE: Record<Level, string> = {
  low: 'It can wait; I can still work',
  medium: 'It slows my work down',
  high: 'I cannot work at all',
};
export const LEVEL_LABEL: Record<Level, string> = { high: 'High', medium: 'Medium', low: 'Low' };
export const LEVELS = Object.keys(LEVEL_LABEL) as Level[];

export const SLA_STATUS_LABEL: Record<SlaClockStatus, string> = {
  running: 'Running',
  paused: 'Paused',
  met: 'Met',
  breached: 'Breached',
  cancelled: 'Cancelled',
};

// ── Notifications ─────────────────────────────────────────────────────────────────────────────

export type Notification = NotificationType;
export type NotificationKind = NotificationKindType;
export type NotificationPreferences = NotificationPreferencesType;

/** What each kind of notification is about, as the mail preferences name it. */
export const NOTIFICATION_KIND_LABEL: Record<NotificationKind, string> = {
  'incident-assigned': 'An incident is assigned to me',
  'incident-resolved': 'An incident I reported is resolved',
  'incident-commented': 'A new comment on my incident',
  'sla-warning': 'An SLA target is close',
  'sla-breached': 'An SLA target is breached',
  'incident-escalated': 'An escalation rule names me or my team',
};
export const NOTIFICATION_KINDS = Object.keys(NOTIFICATION_KIND_LABEL) as NotificationKind[];

// ── Service desk: bulk assignment and saved queue views ────────────────────────────────────────

export type BulkAssignment = z.input<typeof bulkAssignmentSchema>;
export type BulkResult = z.infer<typeof bulkResultSchema>['items'][number];
export type { QueueSort, SavedView } from '../../../shared/domain/incidents/saved-view.ts';
export type SavedViewInput = z.input<typeof savedViewInputSchema>;

/** Mirrors SAVED_VIEW_LIMIT in shared/domain/incidents/saved-view.ts (that module would ship zod). */
export const SAVED_VIEW_LIMIT = 20;
/** Mirrors BULK_ASSIGN_LIMIT in shared/domain/incidents/incident.ts. */
export const BULK_ASSIGN_LIMIT = 50;

/** A new id for a record the client names (view, policy, rule): random, only characters safe in a path. */
export function newId(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(9));
  return `${prefix}-${Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}

// ── Incident import ────────────────────────────────────────────────────────────────────────────

export type {
  ImportField,
  ImportJob,
  ImportMapping,
  ImportReport,
} from '../../../shared/domain/incidents/import.ts';

// ── Incident figures ───────────────────────────────────────────────────────────────────────────

export type IncidentDashboard = z.infer<typeof incidentMetricsSchema>;
export type Ratio = IncidentDashboard['firstContactResolution'];
/** Days in the tenant's zone, both included; without them the API takes the last 30 days. */
export type ReportPeriod = { from: string; to: string };
