import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultSettings, PRIORITIES } from '../tenancy/defaults.ts';
import { alwaysOpenCalendar, calendarFromBusinessHours } from './calendar.ts';
import {
  policyFromTenantSetting,
  type SlaPolicyDefinition,
  selectTarget,
  slaPolicyDefinitionSchema,
  type TargetQuery,
} from './policy.ts';

const settings = defaultSettings({ timeZone: 'Europe/Berlin', currency: 'EUR' });
const calendars = {
  'business-hours': calendarFromBusinessHours(settings['business-hours']),
  '24x7': alwaysOpenCalendar('Europe/Berlin'),
};
const defaultPolicy = policyFromTenantSetting(settings['sla-policy']);
const tenant = { defaultPolicy, calendars };

function policy(policyId: string, overrides: Partial<SlaPolicyDefinition> = {}): SlaPolicyDefinition {
  return {
    policyId,
    name: policyId,
    priorities: { P1: { responseMinutes: 10, resolutionMinutes: 120 } },
    calendarName: '24x7',
    pauseStates: ['on-hold'],
    ...overrides,
  };
}

const gold = policy('gold', {
  serviceIds: ['mail'],
  priorities: { P1: { responseMinutes: 10, resolutionMinutes: 120 } },
});
const finance = policy('finance', {
  businessUnitIds: ['finance'],
  priorities: {
    P1: { responseMinutes: 5, resolutionMinutes: 120 },
    P2: { responseMinutes: 30, resolutionMinutes: 600 },
  },
});
const mailFinance = policy('mail-finance', {
  serviceIds: ['mail'],
  businessUnitIds: ['finance'],
  priorities: { P1: { responseMinutes: 15, resolutionMinutes: 60 } },
  calendarName: 'business-hours',
});
const policies = [gold, finance, mailFinance];

const query = (overrides: Partial<TargetQuery>): TargetQuery => ({
  serviceId: 'mail',
  businessUnitId: null,
  priority: 'P1',
  ...overrides,
});

describe('selectTarget', () => {
  it.each<[string, TargetQuery, string, string, number, number]>([
    [
      'no policy for the service: the tenant default',
      query({ serviceId: 'web' }),
      'default',
      'default',
      15,
      240,
    ],
    ['the one policy for the service', query({}), 'gold', 'only-match', 10, 120],
    [
      'a business-unit policy does not match another unit',
      query({ businessUnitId: 'hr' }),
      'gold',
      'only-match',
      10,
      120,
    ],
    [
      'the shortest resolution of several',
      query({ businessUnitId: 'finance' }),
      'mail-finance',
      'strictest',
      15,
      60,
    ],
    [
      'a business-unit policy covers every service',
      query({ serviceId: 'web', businessUnitId: 'finance' }),
      'finance',
      'only-match',
      5,
      120,
    ],
    [
      'a policy without the priority does not match',
      query({ priority: 'P2' }),
      'default',
      'default',
      30,
      480,
    ],
    [
      'a business-unit policy for the priority',
      query({ priority: 'P2', businessUnitId: 'finance' }),
      'finance',
      'only-match',
      30,
      600,
    ],
  ])('%s', (_, record, policyId, why, response, resolution) => {
    const choice = selectTarget(policies, record, tenant);
    expect(choice.target.policyId).toBe(policyId);
    expect(choice.why).toBe(why);
    expect([choice.target.responseMinutes, choice.target.resolutionMinutes]).toEqual([response, resolution]);
  });

  it('explains which policies matched, strictest first (ties by response, then id), with the calendar', () => {
    const choice = selectTarget(
      [...policies, policy('gold-2', { serviceIds: ['mail'] })],
      query({ businessUnitId: 'finance' }),
      tenant,
    );
    expect(choice.matched.map((match) => match.policyId)).toEqual([
      'mail-finance',
      'finance',
      'gold',
      'gold-2',
    ]);
    expect(choice.matched[0]).toEqual({
      policyId: 'mail-finance',
      name: 'mail-finance',
      responseMinutes: 15,
      resolutionMinutes: 60,
      limitedToServices: true,
      limitedToBusinessUnits: true,
    });
    expect(choice.target).toMatchObject({
      calendarName: 'business-hours',
      calendar: calendars['business-hours'],
    });
  });

  it('breaks a full tie by policy id, so the choice never depends on the order of the list', () => {
    const twins = [policy('b'), policy('a')];
    expect(selectTarget(twins, query({}), tenant).target.policyId).toBe('a');
    expect(selectTarget([...twins].reverse(), query({}), tenant).target.policyId).toBe('a');
  });

  it('picks the strictest matching target, whatever the order of the policies', () => {
    const minutes = fc.integer({ min: 1, max: 10_000 });
    const policyArb = fc.record({
      policyId: fc.string({ minLength: 1, maxLength: 4 }),
      response: minutes,
      extra: minutes,
      services: fc.option(fc.subarray(['mail', 'web'], { minLength: 1 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(
        fc.array(policyArb, { maxLength: 8 }),
        fc.constantFrom('mail', 'web', 'erp'),
        (drawn, serviceId) => {
          const list = drawn.map((entry) =>
            policy(entry.policyId, {
              serviceIds: entry.services,
              priorities: {
                P1: { responseMinutes: entry.response, resolutionMinutes: entry.response + entry.extra },
              },
            }),
          );
          const choice = selectTarget(list, query({ serviceId }), tenant);
          const matching = list.filter((entry) => !entry.serviceIds || entry.serviceIds.includes(serviceId));
          expect(choice.matched).toHaveLength(matching.length);
          for (const other of matching) {
            expect(choice.target.resolutionMinutes).toBeLessThanOrEqual(
              other.priorities.P1?.resolutionMinutes ?? 0,
            );
          }
          expect(selectTarget([...list].reverse(), query({ serviceId }), tenant).target).toEqual(
            choice.target,
          );
        },
      ),
    );
  });

  it('refuses a policy whose calendar does not exist', () => {
    expect(() => selectTarget([policy('x', { calendarName: 'gone' })], query({}), tenant)).toThrow(
      /unknown calendar/,
    );
  });
});

describe('policies', () => {
  it('takes the tenant’s default setting as a policy for every priority, paused on hold', () => {
    expect(Object.keys(defaultPolicy.priorities)).toEqual([...PRIORITIES]);
    expect(defaultPolicy).toMatchObject({
      policyId: 'default',
      calendarName: 'business-hours',
      pauseStates: ['on-hold'],
    });
    expect(slaPolicyDefinitionSchema.safeParse(defaultPolicy).success).toBe(true);
  });

  it('defaults the pause states to on hold', () => {
    const { pauseStates: _, ...withoutPauses } = gold;
    expect(slaPolicyDefinitionSchema.parse(withoutPauses).pauseStates).toEqual(['on-hold']);
  });

  it.each([
    ['an empty service list (absent means all)', { ...gold, serviceIds: [] }],
    ['no priority at all', { ...gold, priorities: {} }],
    [
      'a response slower than the resolution',
      { ...gold, priorities: { P1: { responseMinutes: 200, resolutionMinutes: 100 } } },
    ],
    ['a zero target', { ...gold, priorities: { P1: { responseMinutes: 0, resolutionMinutes: 100 } } }],
    ['pausing when resolved (resolution stops the clock anyway)', { ...gold, pauseStates: ['resolved'] }],
  ])('refuses %s', (_, input) => {
    expect(slaPolicyDefinitionSchema.safeParse(input).success).toBe(false);
  });
});
