import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BusEnvelope } from '#shared/events/envelope.ts';
import {
  type DeliveryLogLine,
  LocalEventBus,
  type LocalEventBusOptions,
  type PutEventsRequestEntry,
  PutEventsValidationError,
} from './event-bus.ts';

const BUS = 'itsm-local';
const FIXED_NOW = new Date('2024-05-01T12:34:56.789Z');

const buses: LocalEventBus[] = [];
let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'local-bus-'));
});

afterEach(() => {
  for (const bus of buses.splice(0)) bus.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

function makeBus(options: Partial<LocalEventBusOptions> = {}): {
  bus: LocalEventBus;
  lines: DeliveryLogLine[];
} {
  const lines: DeliveryLogLine[] = [];
  const bus = new LocalEventBus({
    busName: BUS,
    retry: { attempts: 3, baseDelayMs: 1 },
    log: (line) => lines.push(line),
    now: () => FIXED_NOW,
    ...options,
  });
  buses.push(bus);
  return { bus, lines };
}

function entry(overrides: Partial<PutEventsRequestEntry> = {}): PutEventsRequestEntry {
  return {
    Source: 'itsm.service-catalogue',
    DetailType: 'ServiceCreated',
    Detail: JSON.stringify({ tenantId: 't-1', data: { name: 'Mail' } }),
    EventBusName: BUS,
    ...overrides,
  };
}

function recorder(): { target: (envelope: BusEnvelope) => Promise<void>; received: BusEnvelope[] } {
  const received: BusEnvelope[] = [];
  return { received, target: async (envelope) => void received.push(envelope) };
}

/** A target that throws `failures` times, then succeeds. */
function flaky(failures: number): { target: (envelope: BusEnvelope) => Promise<void>; calls: () => number } {
  let calls = 0;
  return {
    calls: () => calls,
    target: async () => {
      calls += 1;
      if (calls <= failures) throw new Error(`boom ${calls}`);
    },
  };
}

describe('LocalEventBus delivery', () => {
  it('delivers asynchronously, never inside putEvents', async () => {
    const { bus } = makeBus();
    const { target, received } = recorder();
    bus.addRule({ name: 'all', pattern: { source: ['itsm.service-catalogue'] }, target });

    const result = bus.putEvents([entry()]);

    expect(received).toHaveLength(0);
    await bus.idle();
    expect(received).toHaveLength(1);
    expect(result.FailedEntryCount).toBe(0);
    expect(received[0]?.id).toBe((result.Entries[0] as { EventId: string }).EventId);
  });

  it('delivers only to rules whose pattern matches', async () => {
    const { bus } = makeBus();
    const created = recorder();
    const updated = recorder();
    const tenant2 = recorder();
    bus.addRule({ name: 'created', pattern: { 'detail-type': ['ServiceCreated'] }, target: created.target });
    bus.addRule({ name: 'updated', pattern: { 'detail-type': ['ServiceUpdated'] }, target: updated.target });
    bus.addRule({ name: 't2', pattern: { detail: { tenantId: ['t-2'] } }, target: tenant2.target });

    bus.putEvents([
      entry(),
      entry({ DetailType: 'ServiceUpdated' }),
      entry({ DetailType: 'ServiceCreated' }),
    ]);
    await bus.idle();

    expect(created.received.map((e) => e['detail-type'])).toEqual(['ServiceCreated', 'ServiceCreated']);
    expect(updated.received.map((e) => e['detail-type'])).toEqual(['ServiceUpdated']);
    expect(tenant2.received).toEqual([]);
  });

  it('builds the EventBridge envelope', async () => {
    const { bus } = makeBus();
    const { target, received } = recorder();
    bus.addRule({ name: 'all', pattern: { source: [{ prefix: 'itsm.' }] }, target });

    bus.putEvents([entry({ Resources: ['arn:aws:dynamodb:local:000000000000:table/itsm'] })]);
    await bus.idle();

    expect(received[0]).toEqual({
      version: '0',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      'detail-type': 'ServiceCreated',
      source: 'itsm.service-catalogue',
      account: '000000000000',
      time: '2024-05-01T12:34:56Z',
      region: 'local',
      resources: ['arn:aws:dynamodb:local:000000000000:table/itsm'],
      detail: { tenantId: 't-1', data: { name: 'Mail' } },
    });
  });

  it('uses the entry Time, the account and the region when given', async () => {
    const { bus } = makeBus({ account: '123456789012', region: 'eu-west-1' });
    const { target, received } = recorder();
    bus.addRule({ name: 'all', pattern: { source: [{ exists: true }] }, target });

    bus.putEvents([
      entry({ Time: new Date('2023-01-02T03:04:05.678Z') }),
      entry({ Time: '2023-06-07T08:09:10Z' }),
    ]);
    await bus.idle();

    expect(received.map((e) => e.time)).toEqual(['2023-01-02T03:04:05Z', '2023-06-07T08:09:10Z']);
    expect(received[0]).toMatchObject({ account: '123456789012', region: 'eu-west-1', resources: [] });
  });

  it('gives every target its own copy of the envelope', async () => {
    const { bus } = makeBus();
    const second = recorder();
    bus.addRule({
      name: 'vandal',
      pattern: { source: [{ exists: true }] },
      target: async (envelope) => {
        (envelope.detail as Record<string, unknown>).tenantId = 'changed';
      },
    });
    bus.addRule({ name: 'reader', pattern: { source: [{ exists: true }] }, target: second.target });

    bus.putEvents([entry()]);
    await bus.idle();

    expect(second.received[0]?.detail).toMatchObject({ tenantId: 't-1' });
  });

  it('logs one line per attempt with the tenant', async () => {
    const { bus, lines } = makeBus();
    bus.addRule({ name: 'flaky', pattern: { source: [{ exists: true }] }, target: flaky(1).target });

    bus.putEvents([entry()]);
    await bus.idle();

    expect(lines).toEqual([
      expect.objectContaining({
        rule: 'flaky',
        status: 'retry',
        attempt: 1,
        tenantId: 't-1',
        error: 'boom 1',
      }),
      expect.objectContaining({
        rule: 'flaky',
        status: 'ok',
        attempt: 2,
        tenantId: 't-1',
        detailType: 'ServiceCreated',
        source: 'itsm.service-catalogue',
        ms: expect.any(Number),
      }),
    ]);
  });

  it('leaves tenantId out of the log when the detail has none', async () => {
    const { bus, lines } = makeBus();
    bus.addRule({ name: 'all', pattern: { source: [{ exists: true }] }, target: recorder().target });

    bus.putEvents([entry({ Detail: '{"something":1}' })]);
    await bus.idle();

    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toHaveProperty('tenantId');
  });
});

describe('LocalEventBus retries and dead letters', () => {
  it('retries a failing target until it succeeds', async () => {
    const { bus } = makeBus();
    const target = flaky(2);
    bus.addRule({ name: 'flaky', pattern: { source: [{ exists: true }] }, target: target.target });

    bus.putEvents([entry()]);
    await bus.idle();

    expect(target.calls()).toBe(3);
    expect(bus.listDeadLetters()).toEqual([]);
  });

  it('waits with exponential backoff between attempts', async () => {
    const { bus } = makeBus({ retry: { attempts: 3, baseDelayMs: 40 } });
    const times: number[] = [];
    bus.addRule({
      name: 'slowfail',
      pattern: { source: [{ exists: true }] },
      target: async () => {
        times.push(performance.now());
        throw new Error('no');
      },
    });

    bus.putEvents([entry()]);
    await bus.idle();

    const [first = 0, second = 0, third = 0] = times;
    expect(second - first).toBeGreaterThanOrEqual(38);
    expect(third - second).toBeGreaterThanOrEqual(78);
  });

  it('moves the event to the dead-letter store after the last attempt', async () => {
    const { bus, lines } = makeBus();
    const target = flaky(99);
    bus.addRule({ name: 'broken', pattern: { source: [{ exists: true }] }, target: target.target });

    const [result] = bus.putEvents([entry()]).Entries;
    await bus.idle();

    expect(target.calls()).toBe(3);
    expect(lines.map((line) => line.status)).toEqual(['retry', 'retry', 'dead-letter']);
    expect(bus.listDeadLetters()).toEqual([
      {
        id: expect.any(String),
        rule: 'broken',
        envelope: expect.objectContaining({ id: (result as { EventId: string }).EventId }),
        error: 'boom 3',
        attempts: 3,
        firstFailureAt: FIXED_NOW.toISOString(),
        lastFailureAt: FIXED_NOW.toISOString(),
      },
    ]);
  });

  it('dead-letters only the failing rule; the others still receive', async () => {
    const { bus } = makeBus({ retry: { attempts: 1, baseDelayMs: 1 } });
    const good = recorder();
    bus.addRule({ name: 'broken', pattern: { source: [{ exists: true }] }, target: flaky(99).target });
    bus.addRule({ name: 'good', pattern: { source: [{ exists: true }] }, target: good.target });

    bus.putEvents([entry()]);
    await bus.idle();

    expect(good.received).toHaveLength(1);
    expect(bus.listDeadLetters().map((letter) => letter.rule)).toEqual(['broken']);
  });

  it('replays a dead letter to the same rule and removes it on success', async () => {
    const { bus, lines } = makeBus();
    const target = flaky(3);
    bus.addRule({ name: 'broken', pattern: { source: [{ exists: true }] }, target: target.target });
    bus.putEvents([entry()]);
    await bus.idle();
    const [letter] = bus.listDeadLetters();

    const result = await bus.replayDeadLetter(letter?.id ?? '');

    expect(result).toEqual({ id: letter?.id, rule: 'broken', delivered: true });
    expect(target.calls()).toBe(4);
    expect(bus.listDeadLetters()).toEqual([]);
    expect(lines.at(-1)).toMatchObject({ status: 'ok', attempt: 4 });
  });

  it('keeps a dead letter whose replay fails, with the new error and attempt count', async () => {
    let now = FIXED_NOW;
    const { bus } = makeBus({ now: () => now, retry: { attempts: 2, baseDelayMs: 1 } });
    bus.addRule({ name: 'broken', pattern: { source: [{ exists: true }] }, target: flaky(99).target });
    bus.putEvents([entry()]);
    await bus.idle();
    const [letter] = bus.listDeadLetters();
    now = new Date('2024-05-02T00:00:00.000Z');

    const result = await bus.replayDeadLetter(letter?.id ?? '');

    expect(result).toEqual({ id: letter?.id, rule: 'broken', delivered: false, error: 'boom 3' });
    expect(bus.listDeadLetters()).toEqual([
      expect.objectContaining({
        id: letter?.id,
        error: 'boom 3',
        attempts: 3,
        firstFailureAt: FIXED_NOW.toISOString(),
        lastFailureAt: '2024-05-02T00:00:00.000Z',
      }),
    ]);
  });

  it('replayAll replays every letter and reports each', async () => {
    const { bus } = makeBus({ retry: { attempts: 1, baseDelayMs: 1 } });
    const target = flaky(2);
    bus.addRule({ name: 'broken', pattern: { source: [{ exists: true }] }, target: target.target });
    bus.putEvents([entry(), entry()]);
    await bus.idle();
    expect(bus.listDeadLetters()).toHaveLength(2);

    const results = await bus.replayAll();

    expect(results.map((result) => result.delivered)).toEqual([true, true]);
    expect(bus.listDeadLetters()).toEqual([]);
  });

  it('refuses to replay an unknown id', async () => {
    const { bus } = makeBus();
    await expect(bus.replayDeadLetter('nope')).rejects.toThrow('No dead letter with id nope');
  });

  it('keeps dead letters in dataDir across instances', async () => {
    const first = makeBus({ dataDir, retry: { attempts: 1, baseDelayMs: 1 } }).bus;
    first.addRule({ name: 'broken', pattern: { source: [{ exists: true }] }, target: flaky(99).target });
    first.putEvents([entry()]);
    await first.idle();
    first.stop();
    expect(JSON.parse(readFileSync(join(dataDir, 'dead-letters.json'), 'utf8'))).toHaveLength(1);

    const second = makeBus({ dataDir }).bus;
    const { target, received } = recorder();
    second.addRule({ name: 'broken', pattern: { source: [{ exists: true }] }, target });
    const [letter] = second.listDeadLetters();
    expect(letter).toMatchObject({ rule: 'broken', attempts: 1, error: 'boom 1' });

    await second.replayDeadLetter(letter?.id ?? '');

    expect(received).toHaveLength(1);
    expect(new LocalEventBus({ busName: BUS, dataDir }).listDeadLetters()).toEqual([]);
  });

  it('a replay of a letter whose rule is gone is reported by replayAll', async () => {
    const first = makeBus({ dataDir, retry: { attempts: 1, baseDelayMs: 1 } }).bus;
    first.addRule({ name: 'broken', pattern: { source: [{ exists: true }] }, target: flaky(99).target });
    first.putEvents([entry()]);
    await first.idle();

    const second = makeBus({ dataDir }).bus;
    const [result] = await second.replayAll();

    expect(result).toMatchObject({
      rule: 'broken',
      delivered: false,
      error: expect.stringContaining('not on the bus'),
    });
    expect(second.listDeadLetters()).toHaveLength(1);
  });
});

describe('LocalEventBus idle and stop', () => {
  it('idle resolves at once when nothing is pending', async () => {
    const { bus } = makeBus();
    await expect(bus.idle()).resolves.toBeUndefined();
  });

  it('idle waits for deliveries that are waiting for a retry', async () => {
    const { bus } = makeBus({ retry: { attempts: 2, baseDelayMs: 30 } });
    const target = flaky(1);
    bus.addRule({ name: 'flaky', pattern: { source: [{ exists: true }] }, target: target.target });

    bus.putEvents([entry()]);
    await bus.idle();

    expect(target.calls()).toBe(2);
  });

  it('stop cancels retry timers and keeps those events as dead letters', async () => {
    const { bus } = makeBus({ retry: { attempts: 3, baseDelayMs: 60_000 } });
    const target = flaky(99);
    bus.addRule({ name: 'broken', pattern: { source: [{ exists: true }] }, target: target.target });
    bus.putEvents([entry()]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(target.calls()).toBe(1);

    bus.stop();
    await bus.idle();

    expect(target.calls()).toBe(1);
    expect(bus.listDeadLetters()).toEqual([expect.objectContaining({ attempts: 1, error: 'boom 1' })]);
    expect(() => bus.putEvents([entry()])).toThrow('is stopped');
  });
});

describe('LocalEventBus validation', () => {
  it.each<[string, Partial<PutEventsRequestEntry>, { ErrorCode: string; ErrorMessage: string }]>([
    [
      'no Source',
      { Source: undefined },
      {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: 'Parameter Source is not valid. Reason: Source is a required argument.',
      },
    ],
    [
      'no DetailType',
      { DetailType: '' },
      {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: 'Parameter DetailType is not valid. Reason: DetailType is a required argument.',
      },
    ],
    [
      'no Detail',
      { Detail: undefined },
      {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: 'Parameter Detail is not valid. Reason: Detail is a required argument.',
      },
    ],
    [
      'Detail not JSON',
      { Detail: '{oops' },
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
    ],
    [
      'Detail a JSON array',
      { Detail: '[1]' },
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
    ],
    [
      'Detail a JSON string',
      { Detail: '"x"' },
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
    ],
    [
      'an aws. source',
      { Source: 'aws.events' },
      { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' },
    ],
    [
      'another bus',
      { EventBusName: 'default' },
      { ErrorCode: 'ResourceNotFoundException', ErrorMessage: 'Event bus default does not exist.' },
    ],
    [
      'a bad Time',
      { Time: 'yesterday' },
      {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: 'Parameter Time is not valid. Reason: Time is not a valid timestamp.',
      },
    ],
  ])('refuses an entry with %s and accepts the others', async (_name, overrides, error) => {
    const { bus } = makeBus();
    const { target, received } = recorder();
    bus.addRule({ name: 'all', pattern: { version: ['0'] }, target });

    const result = bus.putEvents([entry(), entry(overrides)]);
    await bus.idle();

    expect(result.FailedEntryCount).toBe(1);
    expect(result.Entries[0]).toEqual({ EventId: expect.any(String) });
    expect(result.Entries[1]).toEqual(error);
    expect(received).toHaveLength(1);
  });

  it('accepts the bus named by ARN or not named at all', () => {
    const { bus } = makeBus();
    const arn = `arn:aws:events:local:000000000000:event-bus/${BUS}`;
    expect(
      bus.putEvents([entry({ EventBusName: arn }), entry({ EventBusName: undefined })]).FailedEntryCount,
    ).toBe(0);
  });

  it.each<[string, PutEventsRequestEntry[], string]>([
    ['no entries', [], 'Member must have length between 1 and 10'],
    ['eleven entries', Array.from({ length: 11 }, () => entry()), 'Member must have length between 1 and 10'],
    [
      'more than 256 KB',
      [
        entry({ Detail: JSON.stringify({ blob: 'x'.repeat(200_000) }) }),
        entry({ Detail: JSON.stringify({ blob: 'y'.repeat(70_000) }) }),
      ],
      'Total size of the entries in the request is over the limit.',
    ],
  ])('refuses a whole request with %s', (_name, entries, message) => {
    const { bus } = makeBus();
    const call = () => bus.putEvents(entries);
    expect(call).toThrow(PutEventsValidationError);
    expect(call).toThrow(message);
  });

  it('accepts exactly ten entries', () => {
    const { bus } = makeBus();
    expect(bus.putEvents(Array.from({ length: 10 }, () => entry())).Entries).toHaveLength(10);
  });

  it('refuses a rule with an invalid pattern or a duplicate name', () => {
    const { bus } = makeBus();
    bus.addRule({ name: 'a', pattern: { source: ['x'] }, target: recorder().target });
    expect(() => bus.addRule({ name: 'a', pattern: { source: ['y'] }, target: recorder().target })).toThrow(
      'already on bus',
    );
    expect(() => bus.addRule({ name: 'b', pattern: { source: [] }, target: recorder().target })).toThrow(
      'source: an empty list matches nothing',
    );
  });
});
