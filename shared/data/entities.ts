import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Service } from 'electrodb';
import { auditEntity } from './entities/audit.ts';
import { businessUnitEntity, membershipEntity, teamEntity, userEntity } from './entities/directory.ts';
import {
  incidentImportChunkEntity,
  incidentImportEntity,
  incidentImportRefEntity,
} from './entities/incident-imports.ts';
import {
  counterEntity,
  dueMomentEntity,
  incidentEntity,
  incidentQueueEntity,
  incidentTimelineEntity,
  monitorCheckpointEntity,
  slaRecomputationEntity,
} from './entities/incidents.ts';
import { notificationEntity, notificationPreferencesEntity } from './entities/notifications.ts';
import { outboxEntity, processedEventEntity } from './entities/platform.ts';
import { savedViewsEntity } from './entities/saved-views.ts';
import { serviceEntity } from './entities/service-catalogue.ts';
import { tenantDeletionEntity, tenantEntity, tenantSettingEntity } from './entities/tenancy.ts';

/*
 * Every item of the one table, as ElectroDB entities, one file per area under entities/. Each item
 * key template starts with `t#<tenantId>#`, so every partition belongs to one tenant (and IAM can scope
 * on the leading key). Access patterns: see ARCHITECTURE.md, "Access patterns".
 */
export function createDatabase(client: DynamoDBDocumentClient, table: string) {
  return new Service(
    {
      service: serviceEntity(),
      audit: auditEntity(),
      outbox: outboxEntity(),
      processedEvent: processedEventEntity(),
      tenant: tenantEntity(),
      tenantSetting: tenantSettingEntity(),
      tenantDeletion: tenantDeletionEntity(),
      user: userEntity(),
      team: teamEntity(),
      membership: membershipEntity(),
      businessUnit: businessUnitEntity(),
      incident: incidentEntity(),
      incidentQueue: incidentQueueEntity(),
      incidentTimeline: incidentTimelineEntity(),
      slaRecomputation: slaRecomputationEntity(),
      incidentImport: incidentImportEntity(),
      incidentImportChunk: incidentImportChunkEntity(),
      incidentImportRef: incidentImportRefEntity(),
      dueMoment: dueMomentEntity(),
      counter: counterEntity(),
      monitorCheckpoint: monitorCheckpointEntity(),
      notification: notificationEntity(),
      notificationPreferences: notificationPreferencesEntity(),
      savedViews: savedViewsEntity(),
    },
    { client, table },
  );
}

export type Database = ReturnType<typeof createDatabase>;
