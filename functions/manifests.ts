import type { ProcessManifest } from '#shared/platform/manifest.ts';
import { manifest as apiDocs } from './api-docs/manifest.ts';
import { manifest as audit } from './audit/manifest.ts';
import { manifest as directory } from './directory/manifest.ts';
import { manifest as incidents } from './incidents/manifest.ts';
import { manifest as notifications } from './notifications/manifest.ts';
import { manifest as outbox } from './outbox/manifest.ts';
import { manifest as serviceCatalogue } from './service-catalogue/manifest.ts';
import { manifest as serviceLevels } from './service-levels/manifest.ts';
import { manifest as slaMonitor } from './sla-monitor/manifest.ts';
import { manifest as tenants } from './tenants/manifest.ts';

/**
 * Every process of the platform. The CDK stack and the local cloud read this list and nothing else;
 * a process's function is `functions/<name>/handler.ts`, exporting `handler`.
 */
export const manifests: readonly ProcessManifest[] = [
  serviceCatalogue,
  audit,
  outbox,
  apiDocs,
  tenants,
  directory,
  incidents,
  slaMonitor,
  notifications,
  serviceLevels,
];
