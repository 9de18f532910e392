import { Entity } from 'electrodb';
import { MODEL } from './model.ts';

/**
 * A user's saved queue views, all in one item in the user's own `saved-views` partition: there are at
 * most 20, the desk always reads them together, and one conditional write checks the limit and the
 * names against every view at once. Listed in gsi1 under the tenant, so export and deletion find every
 * user's item with one Query instead of one read per user.
 */
export function savedViewsEntity() {
  return new Entity({
    model: { ...MODEL, entity: 'savedViews' },
    attributes: {
      tenantId: { type: 'string', required: true, readOnly: true },
      userId: { type: 'string', required: true, readOnly: true },
      /** JSON text: the views, by name (`savedViewSchema` in shared/domain/incidents/saved-view.ts). */
      views: { type: 'string', required: true },
      /** Raised by every write; the next write is conditional on it, so no view is lost to a race. */
      version: { type: 'number', required: true },
      updatedAt: { type: 'string', required: true },
    },
    indexes: {
      byUser: {
        pk: {
          field: 'pk',
          casing: 'none',
          composite: ['tenantId', 'userId'],
          template: 't#${tenantId}#user#${userId}#saved-views',
        },
        sk: { field: 'sk', casing: 'none', composite: [], template: 'views' },
      },
      byTenant: {
        index: 'gsi1',
        pk: {
          field: 'gsi1pk',
          casing: 'none',
          composite: ['tenantId'],
          template: 't#${tenantId}#saved-views',
        },
        sk: { field: 'gsi1sk', casing: 'none', composite: ['userId'], template: '${userId}' },
      },
    },
  });
}
