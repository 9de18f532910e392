/**
 * The signed-in user's tenant (settings and branding, from `GET /api/tenant`), shared by the header,
 * the date formatting and the settings page. The root layout loads it; a refusal (a suspended or
 * removed organisation) is kept as the sentence the API gave, and the layout shows it instead of pages.
 */
import { ApiError, getMyTenant } from './api.ts';
import type { User } from './auth.ts';
import type { Tenant } from './domain.ts';

// Read again after this long, so a suspension or a change made by another admin shows without a reload.
const FRESH_FOR_MS = 30_000;

interface TenantState {
  tenant: Tenant | null;
  /** Why the API refuses this tenant's users, when it does. */
  refusal: string | null;
}

export const tenantState: TenantState = $state({ tenant: null, refusal: null });

let loadedFor: string | null = null;
let loadedAt = 0;

/** Loads the caller's tenant unless a fresh answer for this session is at hand. */
export async function ensureTenant(user: User): Promise<void> {
  if (loadedFor === user.idToken && Date.now() - loadedAt < FRESH_FOR_MS) return;
  try {
    const { value } = await getMyTenant();
    tenantState.tenant = value;
    tenantState.refusal = null;
  } catch (error) {
    // A refused token is the layout's to handle (back to the sign-in page).
    if (!(error instanceof ApiError) || error.status === 401) throw error;
    if (error.status === 403) {
      tenantState.tenant = null;
      tenantState.refusal = error.detail ?? error.title;
    } else if (loadedFor !== user.idToken) {
      // Not reachable just now: the app still works, in its own colours and the browser's time zone.
      tenantState.tenant = null;
      tenantState.refusal = null;
    }
  }
  loadedFor = user.idToken;
  loadedAt = Date.now();
}

/** After the settings page saved: the header and dates follow at once. */
export function setTenant(tenant: Tenant): void {
  tenantState.tenant = tenant;
  tenantState.refusal = null;
  loadedAt = Date.now();
}

/** On sign-out and for users without a tenant (the platform operator). */
export function forgetTenant(): void {
  tenantState.tenant = null;
  tenantState.refusal = null;
  loadedFor = null;
  loadedAt = 0;
}
