import { z } from 'zod';
import {
  newServiceSchema,
  SERVICE_STATUSES,
  serviceChangesSchema,
  serviceSchema,
} from '#shared/domain/service-catalogue/service.ts';
import { defineProcess } from '#shared/platform/manifest.ts';
import { pageQuerySchema, pageSchema } from '#shared/platform/pagination.ts';
import { TENANT_MEMBERS } from '#shared/platform/roles.ts';

const serviceParams = z.object({ serviceId: z.string().min(1).max(64) });

export const manifest = defineProcess({
  name: 'service-catalogue',
  description: 'The services IT offers: what each is, who owns it and where it is in its life.',
  access: { table: 'read-write', putEvents: false },
  routes: {
    listServices: {
      method: 'GET',
      path: '/services',
      summary: 'List the catalogue, by name, one page at a time',
      roles: TENANT_MEMBERS,
      query: pageQuerySchema.extend({ status: z.enum(SERVICE_STATUSES).optional() }),
      response: pageSchema(serviceSchema),
    },
    createService: {
      method: 'POST',
      path: '/services',
      summary: 'Add a service to the catalogue',
      roles: ['tenant-admin', 'service-owner'],
      body: newServiceSchema,
      response: serviceSchema,
      successStatus: 201,
    },
    getService: {
      method: 'GET',
      path: '/services/{serviceId}',
      summary: 'One service, with its version as ETag',
      roles: TENANT_MEMBERS,
      params: serviceParams,
      response: serviceSchema,
    },
    updateService: {
      method: 'PATCH',
      path: '/services/{serviceId}',
      summary: 'Change fields of a service; needs If-Match with the ETag last read',
      roles: ['tenant-admin', 'service-owner'],
      params: serviceParams,
      body: serviceChangesSchema,
      response: serviceSchema,
      requiresIfMatch: true,
    },
  },
  subscriptions: {},
  schedules: {},
});
