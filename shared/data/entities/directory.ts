import { Entity } from 'electrodb';
import { byNameIndex, MODEL, NAMED, VERSIONED } from './model.ts';

/** A person of the tenant: profile, roles and unit. Credentials live in the identity provider. */
export function userEntity() {
  return new Entity({
    model: { ...MODEL, entity: 'user' },
    attributes: {
      tenantId: { type: 'string', required: true, readOnly: true },
      userId: { type: 'string', required: true, readOnly: true },
      email: { type: 'string', required: true, readOnly: true },
      emailKey: {
        type: 'string',
        watch: ['email'],
        set: (_: unknown, item: { email?: string }) => item.email?.toLowerCase(),
      },
      name: { type: 'string', required: true },
      /** Role names; the domain schema checks them, the table just keeps them. */
      roles: { type: 'list', items: { type: 'string' }, required: true },
      status: { type: ['invited', 'active', 'deactivated'] as const, required: true },
      businessUnitId: { type: 'string' },
      ...VERSIONED,
    },
    indexes: {
      byId: {
        pk: {
          field: 'pk',
          casing: 'none',
          composite: ['tenantId', 'userId'],
          template: 't#${tenantId}#user#${userId}',
        },
        sk: { field: 'sk', casing: 'none', composite: [], template: 'user' },
      },
      byEmail: {
        index: 'gsi1',
        pk: { field: 'gsi1pk', casing: 'none', composite: ['tenantId'], template: 't#${tenantId}#users' },
        sk: { field: 'gsi1sk', casing: 'none', composite: ['emailKey'], template: '${emailKey}' },
      },
    },
  });
}

/** An assignment group. Its members are membership items in the same partition. */
export function teamEntity() {
  return new Entity({
    model: { ...MODEL, entity: 'team' },
    attributes: {
      tenantId: { type: 'string', required: true, readOnly: true },
      teamId: { type: 'string', required: true, readOnly: true },
      ...NAMED,
      description: { type: 'string', required: true },
      leadUserId: { type: 'string' },
      ...VERSIONED,
    },
    indexes: {
      byId: {
        pk: {
          field: 'pk',
          casing: 'none',
          composite: ['tenantId', 'teamId'],
          template: 't#${tenantId}#team#${teamId}',
        },
        sk: { field: 'sk', casing: 'none', composite: [], template: 'team' },
      },
      byName: byNameIndex('teams', 'teamId'),
    },
  });
}

/** A user in a team: listed from the team (main key) and from the user (gsi1). */
export function membershipEntity() {
  return new Entity({
    model: { ...MODEL, entity: 'membership' },
    attributes: {
      tenantId: { type: 'string', required: true, readOnly: true },
      teamId: { type: 'string', required: true, readOnly: true },
      userId: { type: 'string', required: true, readOnly: true },
      addedAt: { type: 'string', required: true, readOnly: true },
    },
    indexes: {
      byTeam: {
        pk: {
          field: 'pk',
          casing: 'none',
          composite: ['tenantId', 'teamId'],
          template: 't#${tenantId}#team#${teamId}',
        },
        sk: { field: 'sk', casing: 'none', composite: ['userId'], template: 'member#${userId}' },
      },
      byUser: {
        index: 'gsi1',
        pk: {
          field: 'gsi1pk',
          casing: 'none',
          composite: ['tenantId', 'userId'],
          template: 't#${tenantId}#user#${userId}#teams',
        },
        sk: { field: 'gsi1sk', casing: 'none', composite: ['teamId'], template: '${teamId}' },
      },
    },
  });
}

/** A department consuming IT services, with its cost centre and parent unit. */
export function businessUnitEntity() {
  return new Entity({
    model: { ...MODEL, entity: 'businessUnit' },
    attributes: {
      tenantId: { type: 'string', required: true, readOnly: true },
      businessUnitId: { type: 'string', required: true, readOnly: true },
      ...NAMED,
      costCentre: { type: 'string', required: true },
      parentId: { type: 'string' },
      ...VERSIONED,
    },
    indexes: {
      byId: {
        pk: {
          field: 'pk',
          casing: 'none',
          composite: ['tenantId', 'businessUnitId'],
          template: 't#${tenantId}#business-unit#${businessUnitId}',
        },
        sk: { field: 'sk', casing: 'none', composite: [], template: 'business-unit' },
      },
      byName: {
        index: 'gsi1',
        pk: {
          field: 'gsi1pk',
          casing: 'none',
          composite: ['tenantId'],
          template: 't#${tenantId}#business-units',
        },
        sk: {
          field: 'gsi1sk',
          casing: 'none',
          composite: ['sortName', 'businessUnitId'],
          template: '${sortName}#${businessUnitId}',
        },
      },
    },
  });
}
