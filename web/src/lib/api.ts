/**
 * The only way from the web app to the backend. Every call carries the ID token and a correlation id
 * (the id the backend logs and stamps on events and audit entries), and every failure comes back as
 * an {@link ApiError} built from the API's problem+json answer.
 */
import { goto } from '$app/navigation';
import { currentUser, signOut } from './auth.ts';
import { getConfig } from './config.ts';
import type {
  AuditEntry,
  AuditFilter,
  BulkAssignment,
  BulkResult,
  BusinessUnit,
  BusinessUnitChanges,
  DirectoryUser,
  ImportJob,
  ImportMapping,
  ImportReport,
  Incident,
  IncidentChanges,
  IncidentDashboard,
  IncidentRecord,
  IncidentSummary,
  Invitation,
  InviteUser,
  Membership,
  NewBusinessUnit,
  NewIncident,
  NewService,
  NewTeam,
  NewTenant,
  Notification,
  NotificationPreferences,
  Priority,
  PublicBranding,
  Queue,
  ReportPeriod,
  SavedView,
  SavedViewInput,
  Service,
  ServiceChanges,
  ServiceStatus,
  StateChangeRequest,
  Team,
  TeamChanges,
  Tenant,
  TenantAdministrationChanges,
  TenantOverview,
  TenantSettingsChanges,
  UserChanges,
} from './domain.ts';
import { isRecord } from './json.ts';
import type { Recomputation, SettingPath, SettingRecord, SettingValues } from './service-levels.ts';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface FieldError {
  path: string;
  message: string;
}

/** A refused or failed call. `fieldErrors` maps a top-level body field to its first message. */
export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: number;
  readonly title: string;
  readonly detail: string | undefined;
  readonly errors: readonly FieldError[];
  readonly fieldErrors: Readonly<Record<string, string>>;
  readonly correlationId: string;

  constructor(init: {
    status: number;
    title: string;
    detail?: string | undefined;
    errors?: readonly FieldError[];
    correlationId: string;
  }) {
    super(init.detail ?? init.title);
    this.status = init.status;
    this.title = init.title;
    this.detail = init.detail;
    this.errors = init.errors ?? [];
    this.correlationId = init.correlationId;
    const fieldErrors: Record<string, string> = {};
    for (const error of this.errors) {
      const field = fieldOf(error.path);
      if (field && !(field in fieldErrors)) fieldErrors[field] = error.message;
    }
    this.fieldErrors = fieldErrors;
  }
}

export interface Versioned<T> {
  value: T;
  /** The ETag as sent, quotes included; give it back unchanged in `If-Match`. */
  etag: string;
}

type PageQuery = { limit?: number; cursor?: string | null };

const seg = encodeURIComponent;

// --- Service catalogue -------------------------------------------------------------------------------

export function listServices(query: PageQuery & { status?: ServiceStatus | null }) {
  return call<Page<Service>>('GET', '/services', { query });
}

export function createService(service: NewService) {
  return call<Service>('POST', '/services', { body: service });
}

export function getService(serviceId: string): Promise<Versioned<Service>> {
  return versioned<Service>('GET', `/services/${seg(serviceId)}`, {});
}

export function updateService(serviceId: string, etag: string, changes: ServiceChanges) {
  return versioned<Service>('PATCH', `/services/${seg(serviceId)}`, { body: changes, ifMatch: etag });
}

// --- Incidents -------------------------------------------------------------------------------------

export function createIncident(incident: NewIncident) {
  return versioned<Incident>('POST', '/incidents', { body: incident });
}

/** The incidents the caller reported, newest first. */
export function listMyIncidents(query: PageQuery) {
  return call<Page<IncidentSummary>>('GET', '/incidents', { query });
}

export interface QueueQuery extends PageQuery {
  queue: Queue;
  priority?: Priority | null;
  serviceId?: string | null;
  teamId?: string | null;
}

export function listIncidentQueue(query: QueueQuery) {
  return call<Page<IncidentSummary>>('GET', '/incidents/queue', { query: { ...query } });
}

/** One incident with its timeline (a requester's own, without work notes). */
export function getIncident(incidentId: string) {
  return versioned<IncidentRecord>('GET', `/incidents/${seg(incidentId)}`, {});
}

function incidentWrite(method: Method, incidentId: string, sub: string, etag: string, body: unknown) {
  return versioned<Incident>(method, `/incidents/${seg(incidentId)}${sub}`, { body, ifMatch: etag });
}

export function updateIncident(incidentId: string, etag: string, changes: IncidentChanges) {
  return incidentWrite('PATCH', incidentId, '', etag, changes);
}

export function assignIncident(
  incidentId: string,
  etag: string,
  assignment: { teamId: string | null; assigneeId: string | null },
) {
  return incidentWrite('PUT', incidentId, '/assignment', etag, assignment);
}

export function changeIncidentState(incidentId: string, etag: string, change: StateChangeRequest) {
  return incidentWrite('POST', incidentId, '/state', etag, change);
}

export function addIncidentComment(incidentId: string, etag: string, text: string) {
  return incidentWrite('POST', incidentId, '/comments', etag, { text });
}

export function addIncidentWorkNote(incidentId: string, etag: string, text: string) {
  return incidentWrite('POST', incidentId, '/work-notes', etag, { text });
}

export function decideIncidentResolution(
  incidentId: string,
  etag: string,
  decision: { decision: 'confirm' } | { decision: 'reopen'; reason: string },
) {
  return incidentWrite('POST', incidentId, '/resolution', etag, decision);
}

export function rateIncident(incidentId: string, etag: string, rating: number, comment: string | null) {
  return incidentWrite('PUT', incidentId, '/satisfaction', etag, { rating, comment });
}

/** One answer per incident, in the order sent: 200 assigned, 412 changed meanwhile, … */
export async function bulkAssignIncidents(assignment: BulkAssignment): Promise<BulkResult[]> {
  return (await call<{ items: BulkResult[] }>('POST', '/incidents/bulk-assignment', { body: assignment }))
    .items;
}

// --- Incident figures ----------------------------------------------------------------------------------

export function getIncidentMetrics(period: ReportPeriod) {
  return call<IncidentDashboard>('GET', '/incidents/metrics', { query: { ...period } });
}

/** The same incidents as CSV, one line each, to recompute every figure. */
export async function exportIncidents(period: ReportPeriod): Promise<Blob> {
  const response = await request('GET', '/incidents/export', {
    query: { ...period },
    accept: 'text/csv, application/problem+json',
  });
  return response.blob();
}

// --- Incident import -----------------------------------------------------------------------------------

/** Checks the file: columns, a suggested mapping (when none is given), and what each row would do. */
export function checkImport(csv: string, mapping?: ImportMapping) {
  return call<ImportReport>('POST', '/incidents/imports/dry-run', {
    body: { csv, ...(mapping ? { mapping } : {}) },
  });
}

/** Starts the import of the valid rows; answers at once with the running job. */
export function startImport(csv: string, mapping: ImportMapping) {
  return call<ImportJob>('POST', '/incidents/imports', { body: { csv, mapping } });
}

export function getImport(jobId: string) {
  return call<ImportJob>('GET', `/incidents/imports/${seg(jobId)}`, {});
}

// --- Service levels ------------------------------------------------------------------------------------

export function getSetting<P extends SettingPath>(path: P) {
  return versioned<SettingRecord<SettingValues[P]>>('GET', `/service-levels/${path}`, {});
}

/** Replaces the setting; `etag` is the version it was read at ("0" for one never saved). */
export function putSetting<P extends SettingPath>(path: P, etag: string, value: SettingValues[P]) {
  return versioned<SettingRecord<SettingValues[P]>>('PUT', `/service-levels/${path}`, {
    body: value,
    ifMatch: etag,
  });
}

export function startRecomputation() {
  return call<Recomputation>('POST', '/incidents/sla-recomputations', {});
}

export function getRecomputation(jobId: string) {
  return call<Recomputation>('GET', `/incidents/sla-recomputations/${seg(jobId)}`, {});
}

// --- Saved queue views ---------------------------------------------------------------------------------

export async function listSavedViews(): Promise<SavedView[]> {
  return (await call<{ items: SavedView[] }>('GET', '/incidents/saved-views', {})).items;
}

/** Creates the view, or replaces the caller's view of that id. */
export function putSavedView(viewId: string, view: SavedViewInput): Promise<SavedView> {
  return call<SavedView>('PUT', `/incidents/saved-views/${seg(viewId)}`, { body: view });
}

export async function deleteSavedView(viewId: string): Promise<void> {
  await request('DELETE', `/incidents/saved-views/${seg(viewId)}`, {});
}

// --- Audit -------------------------------------------------------------------------------------------

export function listAudit(entityType: AuditEntry['entityType'], entityId: string, query: PageQuery) {
  return call<Page<AuditEntry>>('GET', `/audit/${seg(entityType)}/${seg(entityId)}`, { query });
}

/** The tenant's whole trail, newest first (tenant admins). */
export function listTenantAudit(query: PageQuery & AuditFilter) {
  return call<Page<AuditEntry>>('GET', '/audit', { query: { ...query } });
}

/** The filtered trail as a CSV file, one line per changed field. */
export async function exportTenantAudit(filter: AuditFilter): Promise<Blob> {
  const response = await request('GET', '/audit/export', {
    query: { ...filter },
    accept: 'text/csv, application/problem+json',
  });
  return response.blob();
}

// --- Tenants -----------------------------------------------------------------------------------------

export function listTenants(query: PageQuery) {
  return call<Page<TenantOverview>>('GET', '/platform/tenants', { query });
}

export function createTenant(tenant: NewTenant) {
  return call<{ tenant: Tenant; firstAdmin: Invitation }>('POST', '/platform/tenants', { body: tenant });
}

export function getTenant(tenantId: string): Promise<Versioned<TenantOverview>> {
  return versioned<TenantOverview>('GET', `/platform/tenants/${seg(tenantId)}`, {});
}

export function administerTenant(tenantId: string, etag: string, changes: TenantAdministrationChanges) {
  return versioned<Tenant>('PATCH', `/platform/tenants/${seg(tenantId)}`, { body: changes, ifMatch: etag });
}

export function deleteTenant(tenantId: string) {
  return call<{ jobId: string; status: 'running' }>('DELETE', `/platform/tenants/${seg(tenantId)}`, {});
}

/** The caller's own tenant. Does not leave the page on a refused token: the caller decides. */
export function getMyTenant(): Promise<Versioned<Tenant>> {
  return versioned<Tenant>('GET', '/tenant', { redirectOn401: false });
}

export function updateMyTenant(etag: string, changes: TenantSettingsChanges) {
  return versioned<Tenant>('PATCH', '/tenant', { body: changes, ifMatch: etag });
}

/** What a tenant's own sign-in page shows; needs nobody signed in. */
export function getPublicBranding(tenantId: string) {
  return call<PublicBranding>('GET', `/public/tenants/${seg(tenantId)}/branding`, { anonymous: true });
}

// --- Directory ---------------------------------------------------------------------------------------

/** The signed-in user's own record (unit, teams): what the token does not carry. */
export function getMe() {
  return call<DirectoryUser & { teamIds: string[] }>('GET', '/me', {});
}

export function listUsers(query: PageQuery) {
  return call<Page<DirectoryUser>>('GET', '/users', { query });
}

export function inviteUser(user: InviteUser) {
  return call<{ user: DirectoryUser; invitation: Invitation }>('POST', '/users', { body: user });
}

export function getUser(userId: string) {
  return versioned<DirectoryUser>('GET', `/users/${seg(userId)}`, {});
}

export function updateUser(userId: string, etag: string, changes: UserChanges) {
  return versioned<DirectoryUser>('PATCH', `/users/${seg(userId)}`, { body: changes, ifMatch: etag });
}

export function listTeams(query: PageQuery) {
  return call<Page<Team>>('GET', '/teams', { query });
}

export function createTeam(team: NewTeam) {
  return call<Team>('POST', '/teams', { body: team });
}

export function getTeam(teamId: string) {
  return versioned<Team>('GET', `/teams/${seg(teamId)}`, {});
}

export function updateTeam(teamId: string, etag: string, changes: TeamChanges) {
  return versioned<Team>('PATCH', `/teams/${seg(teamId)}`, { body: changes, ifMatch: etag });
}

export function listTeamMembers(teamId: string, query: PageQuery) {
  return call<Page<Membership>>('GET', `/teams/${seg(teamId)}/members`, { query });
}

export function addTeamMember(teamId: string, userId: string) {
  return call<Membership>('PUT', `/teams/${seg(teamId)}/members/${seg(userId)}`, {});
}

export async function removeTeamMember(teamId: string, userId: string): Promise<void> {
  await request('DELETE', `/teams/${seg(teamId)}/members/${seg(userId)}`, {});
}

export function listBusinessUnits(query: PageQuery) {
  return call<Page<BusinessUnit>>('GET', '/business-units', { query });
}

export function createBusinessUnit(unit: NewBusinessUnit) {
  return call<BusinessUnit>('POST', '/business-units', { body: unit });
}

export function getBusinessUnit(businessUnitId: string) {
  return versioned<BusinessUnit>('GET', `/business-units/${seg(businessUnitId)}`, {});
}

export function updateBusinessUnit(businessUnitId: string, etag: string, changes: BusinessUnitChanges) {
  return versioned<BusinessUnit>('PATCH', `/business-units/${seg(businessUnitId)}`, {
    body: changes,
    ifMatch: etag,
  });
}

// --- Notifications -------------------------------------------------------------------------------------

export function listNotifications(query: PageQuery) {
  return call<Page<Notification>>('GET', '/notifications', { query });
}

export function markNotificationRead(notificationId: string) {
  return call<Notification>('POST', `/notifications/${seg(notificationId)}/read`, {});
}

export function getNotificationPreferences() {
  return call<NotificationPreferences>('GET', '/notification-preferences', {});
}

export function putNotificationPreferences(preferences: NotificationPreferences) {
  return call<NotificationPreferences>('PUT', '/notification-preferences', { body: preferences });
}

/**
 * Every item of a list, page after page, for pickers (users, business units). Stops after `max`
 * items; a tenant with more needs a search, not a select.
 */
export async function listAll<T>(list: (query: PageQuery) => Promise<Page<T>>, max = 1000): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<T> = await list({ limit: 100, cursor });
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor && items.length < max);
  return items;
}

// --- Transport ---------------------------------------------------------------------------------------

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

interface RequestOptions {
  query?: Record<string, string | number | null | undefined>;
  body?: unknown;
  /** The ETag the change starts from; the API refuses a stale one (412) and a missing one (428). */
  ifMatch?: string;
  accept?: string;
  /** A public route: no token is needed, and none is sent. */
  anonymous?: boolean;
  /** False: a refused token only throws; the caller decides where to go. */
  redirectOn401?: boolean;
}

async function call<T>(method: Method, path: string, options: RequestOptions): Promise<T> {
  const response = await request(method, path, options);
  // The body type is the API's contract (see the process manifests); it is trusted, not re-validated,
  // to keep zod out of the browser bundle.
  return (await response.json().catch(() => null)) as T;
}

async function versioned<T extends { version: number }>(
  method: Method,
  path: string,
  options: RequestOptions,
): Promise<Versioned<T>> {
  const response = await request(method, path, options);
  const value = (await response.json()) as T;
  return { value, etag: response.headers.get('etag') ?? `"${value.version}"` };
}

/** Sends one request; answers the response when it succeeded and throws an {@link ApiError} otherwise. */
async function request(method: Method, path: string, options: RequestOptions): Promise<Response> {
  const correlationId = newCorrelationId();
  const redirectOn401 = options.redirectOn401 ?? true;
  const user = options.anonymous ? null : currentUser();
  if (!options.anonymous && !user) {
    if (redirectOn401) await toLogin();
    throw new ApiError({ status: 401, title: 'Your session has ended', correlationId });
  }

  const url = new URL(`${getConfig().apiBase}${path}`, window.location.origin);
  for (const [key, value] of Object.entries(options.query ?? {})) {
    if (value !== null && value !== undefined && value !== '') url.searchParams.set(key, String(value));
  }
  const headers: Record<string, string> = {
    accept: options.accept ?? 'application/json, application/problem+json',
    'x-correlation-id': correlationId,
  };
  if (user) headers.authorization = `Bearer ${user.idToken}`;
  if (options.ifMatch) headers['if-match'] = options.ifMatch;
  if (options.body !== undefined) headers['content-type'] = 'application/json';

  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: options.body === undefined ? null : JSON.stringify(options.body),
    });
  } catch {
    throw new ApiError({
      status: 0,
      title: 'The server cannot be reached',
      detail: 'Check your connection and try again.',
      correlationId,
    });
  }
  if (response.ok) return response;

  const body: unknown = await response.json().catch(() => null);
  if (response.status === 401 && !options.anonymous) {
    if (redirectOn401) await toLogin();
    throw new ApiError({ status: 401, title: 'Your session has ended', correlationId });
  }
  throw problemToError(response, body, correlationId);
}

async function toLogin(): Promise<void> {
  signOut();
  const here = `${window.location.pathname}${window.location.search}`;
  await goto(`/login?reason=expired&next=${encodeURIComponent(here)}`, { replace: true });
}

function problemToError(response: Response, body: unknown, correlationId: string): ApiError {
  const problem = isRecord(body) ? body : {};
  const errors = Array.isArray(problem.errors)
    ? problem.errors.filter(
        (error): error is FieldError =>
          isRecord(error) && typeof error.path === 'string' && typeof error.message === 'string',
      )
    : [];
  return new ApiError({
    status: response.status,
    title:
      typeof problem.title === 'string' ? problem.title : response.statusText || `HTTP ${response.status}`,
    detail: typeof problem.detail === 'string' ? problem.detail : undefined,
    errors,
    correlationId: response.headers.get('x-correlation-id') ?? correlationId,
  });
}

/** `body.name`, `name`, `/name` and `body.name.0` all point at the form field `name`. */
function fieldOf(path: string): string | undefined {
  const parts = path.split(/[./]/).filter((part) => part.length > 0);
  return parts[0] === 'body' ? parts[1] : parts[0];
}

/** A v4 UUID; `crypto.randomUUID` exists only in secure contexts, `getRandomValues` everywhere. */
function newCorrelationId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
