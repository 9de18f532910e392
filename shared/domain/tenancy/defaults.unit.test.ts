import { describe, expect, it } from 'vitest';
import {
  businessHoursSchema,
  defaultSettings,
  LEVELS,
  priceCatalogueSchema,
  priorityFor,
  priorityMatrixSchema,
  slaPolicySchema,
  TENANT_SETTING_NAMES,
  tenantSettingSchemas,
} from './defaults.ts';

const settings = defaultSettings({ timeZone: 'Europe/Berlin', currency: 'CHF' });

describe('defaultSettings', () => {
  it('gives every setting a value its own schema accepts', () => {
    expect(Object.keys(settings).sort()).toEqual([...TENANT_SETTING_NAMES].sort());
    for (const name of TENANT_SETTING_NAMES) {
      expect(() => tenantSettingSchemas[name].parse(settings[name])).not.toThrow();
    }
  });

  it('opens Monday to Friday 09:00-17:00 in the tenant time zone, without holidays', () => {
    const hours = settings['business-hours'];

    expect(hours.timeZone).toBe('Europe/Berlin');
    expect(hours.week).toEqual(
      ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'].map((day) => ({
        day,
        start: '09:00',
        end: '17:00',
      })),
    );
    expect(hours.holidays).toEqual([]);
  });

  it.each([
    ['high', 'high', 'P1'],
    ['high', 'medium', 'P2'],
    ['medium', 'high', 'P2'],
    ['high', 'low', 'P3'],
    ['medium', 'medium', 'P3'],
    ['low', 'high', 'P3'],
    ['medium', 'low', 'P4'],
    ['low', 'medium', 'P4'],
    ['low', 'low', 'P5'],
  ] as const)('prioritises impact %s and urgency %s as %s', (impact, urgency, priority) => {
    expect(priorityFor(settings['priority-matrix'], impact, urgency)).toBe(priority);
  });

  it('sets the SLA targets in business minutes per priority, paused on hold', () => {
    const policy = settings['sla-policy'];

    expect(policy.targets.map((t) => [t.priority, t.responseMinutes, t.resolutionMinutes])).toEqual([
      ['P1', 15, 240],
      ['P2', 30, 480],
      ['P3', 120, 1440],
      ['P4', 480, 2880],
      ['P5', 1440, 5760],
    ]);
    expect(policy.calendar).toBe('business-hours');
    expect(policy.pausedInStatuses).toEqual(['on-hold']);
  });

  it('starts an empty price catalogue in the tenant currency', () => {
    expect(settings['price-catalogue']).toEqual({ currency: 'CHF', items: [] });
  });

  it('returns fresh objects, so a caller cannot change the next tenant’s defaults', () => {
    const mine = defaultSettings({ timeZone: 'UTC', currency: 'EUR' });
    mine['business-hours'].holidays.push({ date: '2026-12-25', name: 'Christmas' });

    expect(defaultSettings({ timeZone: 'UTC', currency: 'EUR' })['business-hours'].holidays).toEqual([]);
  });
});

describe('setting schemas', () => {
  it('refuses a matrix that misses a combination or names one twice', () => {
    const cells = LEVELS.flatMap((impact) =>
      LEVELS.map((urgency) => ({ impact, urgency, priority: 'P3' as const })),
    );

    expect(priorityMatrixSchema.safeParse({ cells: cells.slice(1) }).success).toBe(false);
    expect(priorityMatrixSchema.safeParse({ cells: [...cells.slice(1), cells[1]] }).success).toBe(false);
  });

  it('refuses a business-hours slot that ends before it starts, and an unknown zone', () => {
    const base = defaultSettings({ timeZone: 'UTC', currency: 'EUR' })['business-hours'];

    expect(
      businessHoursSchema.safeParse({ ...base, week: [{ day: 'monday', start: '17:00', end: '09:00' }] })
        .success,
    ).toBe(false);
    expect(businessHoursSchema.safeParse({ ...base, timeZone: 'Mars/Olympus' }).success).toBe(false);
  });

  it('refuses an SLA policy missing a priority or answering slower than it resolves', () => {
    const base = settings['sla-policy'];

    expect(slaPolicySchema.safeParse({ ...base, targets: base.targets.slice(1) }).success).toBe(false);
    const slow = base.targets.map((t) => (t.priority === 'P1' ? { ...t, responseMinutes: 300 } : t));
    expect(slaPolicySchema.safeParse({ ...base, targets: slow }).success).toBe(false);
  });

  it('keeps prices in whole minor units', () => {
    const item = { itemId: 'laptop', name: 'Laptop', serviceId: null, unit: 'device', unitPriceMinor: 12.5 };

    expect(priceCatalogueSchema.safeParse({ currency: 'EUR', items: [item] }).success).toBe(false);
    expect(
      priceCatalogueSchema.safeParse({ currency: 'EUR', items: [{ ...item, unitPriceMinor: 125000 }] })
        .success,
    ).toBe(true);
  });
});

describe('business hours', () => {
  const hours = (end: string) => ({
    name: 'Round the clock',
    timeZone: 'UTC',
    week: [{ day: 'monday', start: '00:00', end }],
    holidays: [],
  });

  it('lets a slot close at 24:00, the end of its day, and no later', () => {
    expect(businessHoursSchema.safeParse(hours('24:00')).success).toBe(true);
    expect(businessHoursSchema.safeParse(hours('24:01')).success).toBe(false);
    expect(
      businessHoursSchema.safeParse({
        ...hours('10:00'),
        week: [{ day: 'monday', start: '24:00', end: '24:00' }],
      }).success,
    ).toBe(false);
  });
});
