import {
  BusinessUnitCreated,
  BusinessUnitUpdated,
  TeamCreated,
  TeamUpdated,
  UserInvited,
  UserUpdated,
} from './directory.ts';
import type { EventDefinition } from './envelope.ts';
import { INCIDENT_IMPORT_EVENTS } from './incident-imports.ts';
import { INCIDENT_EVENTS } from './incidents.ts';
import { ServiceCreated, ServiceUpdated } from './service-catalogue.ts';
import { SERVICE_LEVEL_EVENTS } from './service-levels.ts';
import { TenantCreated, TenantDeleted, TenantDeletionRequested, TenantUpdated } from './tenancy.ts';

/** Every domain event the platform publishes. A contract test checks each published event against it. */
export const eventCatalogue: readonly EventDefinition[] = [
  ServiceCreated,
  ServiceUpdated,
  TenantCreated,
  TenantUpdated,
  TenantDeletionRequested,
  TenantDeleted,
  UserInvited,
  UserUpdated,
  TeamCreated,
  TeamUpdated,
  BusinessUnitCreated,
  BusinessUnitUpdated,
  ...INCIDENT_EVENTS,
  ...INCIDENT_IMPORT_EVENTS,
  ...SERVICE_LEVEL_EVENTS,
];

/** Events that change a record: the audit trail subscribes to exactly these. */
export const auditedEvents = eventCatalogue.filter((event) => event.audit !== undefined);

export function findEvent(source: string, detailType: string): EventDefinition | undefined {
  return eventCatalogue.find((event) => event.source === source && event.detailType === detailType);
}
