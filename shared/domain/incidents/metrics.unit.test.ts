import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCsv } from './import.ts';
import {
  backlogOf,
  computeMetrics,
  type IncidentFact,
  incidentCsv,
  incidentCsvRowSchema,
  lastDays,
  periodBounds,
  ratio,
  reopenCount,
} from './metrics.ts';

const fact = (fields: Partial<IncidentFact> & Pick<IncidentFact, 'number' | 'createdAt'>): IncidentFact => ({
  incidentId: `id-${fields.number}`,
  resolvedAt: null,
  closedAt: null,
  state: 'new',
  priority: 'P3',
  serviceId: null,
  businessUnitId: null,
  teamId: null,
  assignee: null,
  assignments: 0,
  reopened: 0,
  responseSla: 'running',
  resolutionSla: 'running',
  satisfaction: null,
  ...fields,
});

const BERLIN = 'Europe/Berlin';

const FACTS: IncidentFact[] = [
  // Opened 23:30 on 1 March in Berlin (22:30 UTC), resolved the next day after 2 hours, rated 4.
  fact({
    number: 'INC1',
    createdAt: '2026-03-01T22:30:00.000Z',
    resolvedAt: '2026-03-02T00:30:00.000Z',
    state: 'resolved',
    priority: 'P2',
    serviceId: 'mail',
    businessUnitId: 'sales',
    assignments: 1,
    responseSla: 'met',
    resolutionSla: 'met',
    satisfaction: 4,
  }),
  // Reassigned once and reopened once: not a first-contact resolution.
  fact({
    number: 'INC2',
    createdAt: '2026-03-02T08:00:00.000Z',
    resolvedAt: '2026-03-02T12:00:00.000Z',
    closedAt: '2026-03-07T12:00:00.000Z',
    state: 'closed',
    priority: 'P2',
    serviceId: 'mail',
    businessUnitId: 'sales',
    assignments: 2,
    reopened: 1,
    responseSla: 'met',
    resolutionSla: 'breached',
    satisfaction: 2,
  }),
  fact({ number: 'INC3', createdAt: '2026-03-03T09:00:00.000Z', serviceId: 'vpn', responseSla: 'breached' }),
  // Outside the period: counted nowhere.
  fact({
    number: 'INC0',
    createdAt: '2026-02-28T22:59:00.000Z',
    state: 'resolved',
    resolvedAt: '2026-03-01T10:00:00.000Z',
  }),
];
const PERIOD = { from: '2026-03-01', to: '2026-03-03' };

describe('incident figures', () => {
  it('counts the incidents opened in the period, by the day in the tenant’s zone', () => {
    const metrics = computeMetrics(FACTS, PERIOD, BERLIN);
    expect(metrics.opened).toBe(3);
    expect(metrics.perDay).toEqual([
      { date: '2026-03-01', created: 1, resolved: 0 },
      { date: '2026-03-02', created: 1, resolved: 2 },
      { date: '2026-03-03', created: 1, resolved: 0 },
    ]);
  });

  it('gives MTTR per priority, first-contact resolution, reopen rate and satisfaction', () => {
    const metrics = computeMetrics(FACTS, PERIOD, BERLIN);
    expect(metrics.mttrByPriority.find((row) => row.priority === 'P2')).toEqual({
      priority: 'P2',
      resolved: 2,
      meanMinutes: 180,
    });
    expect(metrics.mttrByPriority.find((row) => row.priority === 'P1')?.meanMinutes).toBeNull();
    expect(metrics.firstContactResolution).toEqual({ numerator: 1, denominator: 2, percent: 50 });
    expect(metrics.reopenRate).toEqual({ numerator: 1, denominator: 2, percent: 50 });
    expect(metrics.satisfaction).toEqual({ ratings: 2, average: 3, distribution: [0, 1, 0, 1, 0] });
  });

  it('gives SLA compliance per service over the clocks that finished', () => {
    const metrics = computeMetrics(FACTS, PERIOD, BERLIN);
    expect(metrics.slaByService).toEqual([
      {
        key: 'mail',
        incidents: 2,
        response: { numerator: 2, denominator: 2, percent: 100 },
        resolution: { numerator: 1, denominator: 2, percent: 50 },
      },
      {
        key: 'vpn',
        incidents: 1,
        response: { numerator: 0, denominator: 1, percent: 0 },
        resolution: { numerator: 0, denominator: 0, percent: null },
      },
    ]);
  });

  it('gives the same figures from the CSV export read back', () => {
    const csv = incidentCsv(FACTS, {
      services: new Map([['mail', 'Mail, calendar']]),
      businessUnits: new Map(),
      teams: new Map(),
    });
    const table = parseCsv(csv);
    if (!table.ok) throw new Error(table.message);
    const { header, records } = table.table;
    const rows = records.map((record) =>
      incidentCsvRowSchema.parse(
        Object.fromEntries(header.map((column, i) => [column, record.cells[i] ?? ''])),
      ),
    );
    expect(computeMetrics(rows, PERIOD, BERLIN)).toEqual(computeMetrics(FACTS, PERIOD, BERLIN));
    expect(csv).toContain('"Mail, calendar"');
  });

  it('counts reopenings from the state history', () => {
    const at = '2026-03-01T10:00:00.000Z';
    expect(
      reopenCount([
        { at, state: 'new' },
        { at, state: 'resolved' },
        { at, state: 'in-progress' },
        { at, state: 'resolved' },
        { at, state: 'closed' },
      ]),
    ).toBe(1);
  });

  it('makes the backlog of open incidents by priority and team', () => {
    const backlog = backlogOf([
      { priority: 'P1', teamId: 'desk' },
      { priority: 'P3', teamId: 'desk' },
      { priority: 'P3', teamId: null },
    ]);
    expect(backlog.open).toBe(3);
    expect(backlog.byPriority.map((row) => row.count)).toEqual([1, 0, 2, 0, 0]);
    expect(backlog.byTeam).toEqual([
      { teamId: 'desk', count: 2 },
      { teamId: null, count: 1 },
    ]);
  });
});

describe('period arithmetic', () => {
  it('spans whole local days, DST changes included', () => {
    // Berlin moves its clocks forward on 29 March 2026: that day has 23 hours.
    const { start, end } = periodBounds({ from: '2026-03-29', to: '2026-03-29' }, BERLIN);
    expect(start).toBe('2026-03-28T23:00:00.000Z');
    expect(end).toBe('2026-03-29T22:00:00.000Z');
  });

  it('takes the last n days up to today in the zone', () => {
    expect(lastDays(new Date('2026-03-31T23:30:00Z'), BERLIN, 30)).toEqual({
      from: '2026-03-03',
      to: '2026-04-01',
    });
  });

  it('puts every incident of the period in exactly one day, whatever the zone', () => {
    const zones = fc.constantFrom(
      'UTC',
      'Europe/Berlin',
      'America/New_York',
      'Asia/Kolkata',
      'Australia/Lord_Howe',
    );
    const instant = fc.integer({ min: Date.parse('2026-01-01'), max: Date.parse('2026-12-31') });
    fc.assert(
      fc.property(zones, fc.array(instant, { maxLength: 40 }), (zone, instants) => {
        const facts = instants.map((ms, i) =>
          fact({ number: `N${i}`, createdAt: new Date(ms).toISOString() }),
        );
        const metrics = computeMetrics(facts, { from: '2026-01-01', to: '2026-12-31' }, zone);
        const { start, end } = periodBounds({ from: '2026-01-01', to: '2026-12-31' }, zone);
        const inside = facts.filter((f) => f.createdAt >= start && f.createdAt < end).length;
        return (
          metrics.opened === inside && metrics.perDay.reduce((sum, day) => sum + day.created, 0) === inside
        );
      }),
    );
  });

  it('keeps a ratio’s parts and rounds its percentage to one decimal, never dividing by zero', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 10_000 }), (a, b) => {
        const [numerator, denominator] = a <= b ? [a, b] : [b, a];
        const share = ratio(numerator, denominator);
        if (denominator === 0) return share.percent === null;
        return (
          share.numerator === numerator &&
          share.percent !== null &&
          Math.abs(share.percent - (numerator * 100) / denominator) <= 0.05 &&
          share.percent >= 0 &&
          share.percent <= 100
        );
      }),
    );
  });
});
