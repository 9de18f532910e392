import { z } from 'zod';
import { changesSchema } from '../common/changes.ts';

export const TENANT_PLANS = ['trial', 'standard', 'enterprise'] as const;
export const TENANT_STATUSES = ['active', 'suspended'] as const;
export type TenantStatus = (typeof TENANT_STATUSES)[number];

/** Tenant ids double as the slug of the tenant's own entry URL (`/t/<slug>/login`). */
export const tenantIdSchema = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9-]{1,30}[a-z0-9]$/, 'Use 3-32 lower-case letters, digits and dashes')
  .refine((slug) => !RESERVED_SLUGS.has(slug), 'This name is reserved');

const RESERVED_SLUGS = new Set(['platform', 'public', 'admin', 'api', 'auth', 'login', 'system']);

/** Built once: asking Intl for every zone on each parse cost a noticeable share of a request. */
let knownZones: ReadonlySet<string> | undefined;

export const timeZoneSchema = z.string().refine((zone) => {
  knownZones ??= new Set([...Intl.supportedValuesOf('timeZone'), 'UTC']);
  return knownZones.has(zone);
}, 'Unknown time zone');

export const localeSchema = z.string().refine((locale) => {
  try {
    return Intl.getCanonicalLocales(locale).length === 1;
  } catch {
    return false;
  }
}, 'Unknown locale');

export const currencySchema = z
  .string()
  .regex(/^[A-Z]{3}$/, 'Use an ISO 4217 code such as EUR')
  .refine((code) => Intl.supportedValuesOf('currency').includes(code), 'Unknown currency');

export const brandingSchema = z.strictObject({
  displayName: z.string().trim().min(1, 'Display name is required').max(80),
  logoUrl: z
    .url({ protocol: /^https?$/, error: 'Use an http(s) URL' })
    .max(500)
    .nullable()
    .default(null),
  primaryColour: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/, 'Use a colour such as #1f6feb')
    .default('#1f6feb'),
});
export type Branding = z.infer<typeof brandingSchema>;

export const tenantSchema = z.object({
  tenantId: z.string(),
  name: z.string(),
  plan: z.enum(TENANT_PLANS),
  status: z.enum(TENANT_STATUSES),
  timeZone: z.string(),
  locale: z.string(),
  currency: z.string(),
  branding: brandingSchema,
  version: z.number().int().positive(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Tenant = z.infer<typeof tenantSchema>;

/** What the platform operator gives to onboard a company. */
export const newTenantSchema = z.strictObject({
  tenantId: tenantIdSchema,
  name: z.string().trim().min(1, 'Name is required').max(120),
  plan: z.enum(TENANT_PLANS).default('trial'),
  timeZone: timeZoneSchema.default('UTC'),
  locale: localeSchema.default('en-GB'),
  currency: currencySchema.default('EUR'),
  branding: brandingSchema.partial().optional(),
  firstAdmin: z.strictObject({
    email: z.email('Give a valid email address').max(254),
    name: z.string().trim().min(1, 'Name is required').max(120),
  }),
});
export type NewTenant = z.infer<typeof newTenantSchema>;

/** What a tenant admin may change about its own tenant. */
export const tenantSettingsChangesSchema = changesSchema({
  name: z.string().trim().min(1).max(120).optional(),
  timeZone: timeZoneSchema.optional(),
  locale: localeSchema.optional(),
  currency: currencySchema.optional(),
  branding: brandingSchema.optional(),
});

/** What the platform operator may change: plan and status (suspend / resume). */
export const tenantAdministrationChangesSchema = z
  .strictObject({ plan: z.enum(TENANT_PLANS).optional(), status: z.enum(TENANT_STATUSES).optional() })
  .refine((value) => value.plan !== undefined || value.status !== undefined, {
    message: 'Give a plan or a status',
  });

/** The public face of a tenant on its branded sign-in page: nothing but what the page shows. */
export const publicBrandingSchema = z.object({ tenantId: z.string(), branding: brandingSchema });
