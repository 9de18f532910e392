import { createProcessHandler } from '#shared/platform/process-handler.ts';
import { manifest } from './manifest.ts';
import {
  addTeamMember,
  createBusinessUnit,
  createTeam,
  getBusinessUnit,
  getMe,
  getTeam,
  getUser,
  inviteUser,
  listBusinessUnits,
  listTeamMembers,
  listTeams,
  listUsers,
  removeTeamMember,
  updateBusinessUnit,
  updateTeam,
  updateUser,
} from './use-cases.ts';

/** A record answered with its version as ETag. */
const versioned = <T extends { version: number }>(record: T) => ({ body: record, version: record.version });

export const handler = createProcessHandler(manifest, {
  routes: {
    getMe: async (command) => {
      const { me, version } = await getMe(command);
      return { body: me, version };
    },
    listUsers: async ({ ctx, query }) => ({ body: await listUsers(ctx, query) }),
    inviteUser: async ({ body, ...command }) => {
      const invited = await inviteUser(command, body);
      return { body: invited, version: invited.user.version };
    },
    getUser: async ({ ctx, params }) => versioned(await getUser(ctx, params.userId)),
    updateUser: async ({ params, body, ifMatch, ...command }) =>
      versioned(await updateUser(command, params.userId, ifMatch, body)),
    listTeams: async ({ ctx, query }) => ({ body: await listTeams(ctx, query) }),
    createTeam: async ({ body, ...command }) => versioned(await createTeam(command, body)),
    getTeam: async ({ ctx, params }) => versioned(await getTeam(ctx, params.teamId)),
    updateTeam: async ({ params, body, ifMatch, ...command }) =>
      versioned(await updateTeam(command, params.teamId, ifMatch, body)),
    listTeamMembers: async ({ ctx, params, query }) => ({
      body: await listTeamMembers(ctx, params.teamId, query),
    }),
    addTeamMember: async ({ params, ...command }) => ({
      body: await addTeamMember(command, params.teamId, params.userId),
    }),
    removeTeamMember: async ({ params, ...command }) => {
      await removeTeamMember(command, params.teamId, params.userId);
      return { body: null };
    },
    listBusinessUnits: async ({ ctx, query }) => ({ body: await listBusinessUnits(ctx, query) }),
    createBusinessUnit: async ({ body, ...command }) => versioned(await createBusinessUnit(command, body)),
    getBusinessUnit: async ({ ctx, params }) => versioned(await getBusinessUnit(ctx, params.businessUnitId)),
    updateBusinessUnit: async ({ params, body, ifMatch, ...command }) =>
      versioned(await updateBusinessUnit(command, params.businessUnitId, ifMatch, body)),
  },
  subscriptions: {},
  schedules: {},
});
