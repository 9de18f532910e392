import { describe, expect, it } from 'vitest';
import { defaultIncidentSettings } from '../incidents/settings.ts';
import type { SlaPoliciesSetting } from '../sla/settings.ts';
import { defaultSettings } from '../tenancy/defaults.ts';
import {
  businessHoursBodySchema,
  calendarsBodySchema,
  defaultPolicyBodySchema,
  escalationErrors,
  escalationReferences,
  incidentSettingsBodySchema,
  policiesBodySchema,
  policyErrors,
  policyReferences,
  removedCalendarErrors,
  settingChanges,
} from './rules.ts';

const defaults = defaultSettings({ timeZone: 'Europe/Berlin', currency: 'EUR' });
const hours = defaults['business-hours'];

function issuesOf(result: {
  success: boolean;
  error?: { issues: { path: PropertyKey[]; message: string }[] };
}) {
  return (result.error?.issues ?? []).map((issue) => ({
    path: issue.path.join('.'),
    message: issue.message,
  }));
}

const gold = {
  policyId: 'gold',
  name: 'Gold',
  serviceIds: ['svc-mail'],
  priorities: { P1: { responseMinutes: 10, resolutionMinutes: 60 } },
  calendarName: 'round-the-clock',
  pauseStates: ['on-hold' as const],
};

describe('calendar bodies', () => {
  it('accepts the seeded business hours', () => {
    expect(businessHoursBodySchema.safeParse(hours).success).toBe(true);
  });

  it('refuses overlapping slots of one day, naming the later slot', () => {
    const result = businessHoursBodySchema.safeParse({
      ...hours,
      week: [...hours.week, { day: 'monday', start: '16:00', end: '18:00' }],
    });

    expect(issuesOf(result)).toEqual([
      { path: 'week.5', message: 'Monday 16:00–18:00 overlaps 09:00–17:00' },
    ]);
  });

  it('refuses a week without open hours and a holiday listed twice', () => {
    const result = businessHoursBodySchema.safeParse({
      ...hours,
      week: [],
      holidays: [
        { date: '2026-12-25', name: 'Christmas' },
        { date: '2026-12-25', name: 'Christmas again' },
      ],
    });

    expect(issuesOf(result)).toEqual([
      { path: 'week', message: 'Open on at least one weekday, or an SLA clock could never fall due' },
      { path: 'holidays.1.date', message: '2026-12-25 is listed twice' },
    ]);
  });

  it('checks each extra calendar at its own index', () => {
    const result = calendarsBodySchema.safeParse({
      calendars: [
        { ...hours, calendarId: 'round-the-clock' },
        { ...hours, calendarId: 'night', week: [] },
      ],
    });

    expect(issuesOf(result).map((issue) => issue.path)).toEqual(['calendars.1.week']);
  });
});

describe('default policy body', () => {
  it('refuses a pause in a state where the clock stops anyway', () => {
    const result = defaultPolicyBodySchema.safeParse({
      ...defaults['sla-policy'],
      pausedInStatuses: ['on-hold', 'resolved'],
    });

    expect(issuesOf(result)).toEqual([
      {
        path: 'pausedInStatuses.1',
        message: 'A clock cannot pause in resolved; use new, assigned, in-progress, on-hold',
      },
    ]);
  });
});

describe('policy checks', () => {
  const setting = policiesBodySchema.parse({
    policies: [
      gold,
      { ...gold, policyId: 'sales', name: 'Sales', serviceIds: undefined, businessUnitIds: ['bu-sales'] },
    ],
  }) as SlaPoliciesSetting;

  it('collects each named service and unit once', () => {
    expect(policyReferences(setting)).toEqual({ serviceIds: ['svc-mail'], businessUnitIds: ['bu-sales'] });
  });

  it('passes when calendar, services and units exist', () => {
    const errors = policyErrors(setting, {
      calendars: { calendars: [{ ...hours, calendarId: 'round-the-clock' }] },
      serviceIds: new Set(['svc-mail']),
      businessUnitIds: new Set(['bu-sales']),
    });

    expect(errors).toEqual([]);
  });

  it('names the field of each unknown calendar, service and unit', () => {
    const errors = policyErrors(setting, {
      calendars: undefined,
      serviceIds: new Set(),
      businessUnitIds: new Set(),
    });

    expect(errors).toEqual([
      {
        path: 'body.policies.0.calendarName',
        message: 'There is no calendar named round-the-clock; use one of business-hours',
      },
      { path: 'body.policies.0.serviceIds.0', message: 'There is no service svc-mail in the catalogue' },
      {
        path: 'body.policies.1.calendarName',
        message: 'There is no calendar named round-the-clock; use one of business-hours',
      },
      { path: 'body.policies.1.businessUnitIds.0', message: 'There is no business unit bu-sales' },
    ]);
  });

  it('keeps a calendar a policy still uses, and lets an unused one go', () => {
    const before = {
      calendars: [
        { ...hours, calendarId: 'round-the-clock' },
        { ...hours, calendarId: 'unused' },
      ],
    };

    expect(removedCalendarErrors(before, { calendars: [] }, setting)).toEqual([
      {
        path: 'body.calendars',
        message:
          'The calendar round-the-clock is still used by the policies “Gold”, “Sales”; give them another calendar first',
      },
    ]);
    const kept = { calendars: before.calendars.filter((calendar) => calendar.calendarId !== 'unused') };
    expect(removedCalendarErrors(before, kept, setting)).toEqual([]);
  });
});

describe('escalation checks', () => {
  const settings = incidentSettingsBodySchema.parse({
    ...defaultIncidentSettings(),
    escalationRules: [
      {
        ruleId: 'r1',
        name: 'Breach to L2',
        on: 'breach',
        clock: 'resolution',
        notifyUserIds: ['u-agent', 'u-req', 'u-gone', 'u-left'],
        notifyTeamIds: ['team-desk'],
        reassignTeamId: 'team-ghost',
      },
    ],
  });

  it('collects the teams and users the rules name', () => {
    expect(escalationReferences(settings)).toEqual({
      teamIds: ['team-desk', 'team-ghost'],
      userIds: ['u-agent', 'u-req', 'u-gone', 'u-left'],
    });
  });

  it('accepts active IT staff and known teams only', () => {
    const errors = escalationErrors(settings, {
      teamIds: new Set(['team-desk']),
      users: new Map([
        ['u-agent', { name: 'Alan', roles: ['agent'], status: 'active' }],
        ['u-req', { name: 'Rita', roles: ['requester'], status: 'active' }],
        ['u-left', { name: 'Lena', roles: ['agent'], status: 'deactivated' }],
      ]),
    });

    expect(errors).toEqual([
      { path: 'body.escalationRules.0.reassignTeamId', message: 'There is no team team-ghost' },
      {
        path: 'body.escalationRules.0.notifyUserIds.1',
        message: 'Rita is not IT staff; escalations notify only people who work incidents',
      },
      { path: 'body.escalationRules.0.notifyUserIds.2', message: 'There is no user u-gone' },
      {
        path: 'body.escalationRules.0.notifyUserIds.3',
        message: 'Lena is deactivated; remove them from the rule',
      },
    ]);
  });
});

describe('settingChanges', () => {
  it('names the matrix cell that changed', () => {
    const matrix = defaults['priority-matrix'];
    const next = {
      cells: matrix.cells.map((cell) =>
        cell.impact === 'high' && cell.urgency === 'medium' ? { ...cell, priority: 'P1' } : cell,
      ),
    };

    expect(settingChanges(matrix, next)).toEqual([
      { field: 'cells.impact high × urgency medium.priority', from: 'P2', to: 'P1' },
    ]);
  });

  it('names a policy added, a target changed and a policy removed, by id', () => {
    const silver = { ...gold, policyId: 'silver', name: 'Silver' };
    const before = { policies: [gold, silver] };
    const after = {
      policies: [
        { ...gold, priorities: { P1: { responseMinutes: 10, resolutionMinutes: 45 } } },
        { ...gold, policyId: 'bronze', name: 'Bronze' },
      ],
    };

    expect(settingChanges(before, after)).toEqual([
      { field: 'policies.gold.priorities.P1.resolutionMinutes', from: 60, to: 45 },
      { field: 'policies.bronze', from: null, to: 'Bronze' },
      { field: 'policies.silver', from: 'Silver', to: null },
    ]);
  });

  it('shows opening hours as text and reports a new scope list from nothing', () => {
    const changes = settingChanges(
      { ...hours, week: [{ day: 'monday', start: '09:00', end: '17:00' }] },
      { ...hours, week: [{ day: 'monday', start: '08:00', end: '17:00' }] },
    );

    expect(changes).toEqual([{ field: 'week', from: ['monday 09:00–17:00'], to: ['monday 08:00–17:00'] }]);
    expect(
      settingChanges({ policies: [gold] }, { policies: [{ ...gold, businessUnitIds: ['bu-1'] }] }),
    ).toEqual([{ field: 'policies.gold.businessUnitIds', from: null, to: ['bu-1'] }]);
  });

  it('reports a new order of escalation rules, which are applied in order', () => {
    const rule = (ruleId: string) => ({ ruleId, name: ruleId, on: 'breach', clock: 'resolution' });

    expect(
      settingChanges(
        { escalationRules: [rule('a'), rule('b')] },
        { escalationRules: [rule('b'), rule('a')] },
      ),
    ).toEqual([{ field: 'escalationRules.order', from: ['a', 'b'], to: ['b', 'a'] }]);
  });

  it('finds nothing when nothing changed, and every field for a first save', () => {
    expect(settingChanges(defaults['sla-policy'], structuredClone(defaults['sla-policy']))).toEqual([]);
    expect(
      settingChanges(undefined, { autoCloseDays: 3, warningThreshold: 0.5, escalationRules: [] }),
    ).toEqual([
      { field: 'autoCloseDays', from: null, to: 3 },
      { field: 'warningThreshold', from: null, to: 0.5 },
      { field: 'escalationRules', from: null, to: [] },
    ]);
  });
});
