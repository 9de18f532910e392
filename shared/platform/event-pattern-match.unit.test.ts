import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EventPattern } from '#shared/platform/event-pattern.ts';
import { matchesPattern, validatePattern } from './event-pattern-match.ts';

/** The sample event of the EventBridge documentation's content-filtering examples. */
const docsEvent = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: {
    'instance-id': 'i-1234567890abcdef0',
    state: 'terminated',
    'c-count': 5,
    'd-count': 3,
    'x-limit': 301.8,
    'source-ip': '10.0.0.123',
    eventVersion: '',
    responseElements: null,
    FileName: 'image.PNG',
    tags: ['blue', 'prod'],
  },
};

describe('matchesPattern on the documentation examples', () => {
  it.each<[string, EventPattern, boolean]>([
    [
      'exact source and detail-type',
      { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'] },
      true,
    ],
    ['a field not in the event', { source: ['aws.s3'] }, false],
    ['pattern list is an OR', { detail: { state: ['pending', 'terminated'] } }, true],
    [
      'event array matches one element',
      { resources: ['x', 'arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'] },
      true,
    ],
    ['event array without a matching element', { detail: { tags: ['green'] } }, false],
    ['event array, other element', { detail: { tags: ['prod'] } }, true],
    ['prefix on time', { time: [{ prefix: '2017-12-22' }] }, true],
    ['prefix not matching', { time: [{ prefix: '2018' }] }, false],
    ['suffix', { detail: { FileName: [{ suffix: '.PNG' }] } }, true],
    ['suffix is case-sensitive', { detail: { FileName: [{ suffix: '.png' }] } }, false],
    ['anything-but string', { detail: { state: [{ 'anything-but': 'initializing' }] } }, true],
    ['anything-but the value', { detail: { state: [{ 'anything-but': 'terminated' }] } }, false],
    ['anything-but number', { detail: { 'c-count': [{ 'anything-but': 123 }] } }, true],
    [
      'anything-but list of strings',
      { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
      true,
    ],
    [
      'anything-but list holding the value',
      { detail: { state: [{ 'anything-but': ['stopped', 'terminated'] }] } },
      false,
    ],
    ['anything-but list of numbers', { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } }, true],
    ['anything-but prefix', { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } }, true],
    ['anything-but prefix excluded', { detail: { state: [{ 'anything-but': { prefix: 'term' } }] } }, false],
    ['anything-but on a missing field', { detail: { missing: [{ 'anything-but': 'x' }] } }, false],
    [
      'numeric range (docs)',
      { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }], 'd-count': [{ numeric: ['<', 10] }] } },
      true,
    ],
    ['numeric equals (docs)', { detail: { 'x-limit': [{ numeric: ['=', 3.018e2] }] } }, true],
    ['numeric outside the range', { detail: { 'c-count': [{ numeric: ['>', 5] }] } }, false],
    ['numeric upper bound excluded', { detail: { 'c-count': [{ numeric: ['>=', 0, '<', 5] }] } }, false],
    ['numeric on a string', { detail: { state: [{ numeric: ['>', 0] }] } }, false],
    ['exists true', { detail: { 'c-count': [{ exists: true }] } }, true],
    ['exists false on a present field', { detail: { 'c-count': [{ exists: false }] } }, false],
    ['exists false on a missing field', { detail: { 'e-count': [{ exists: false }] } }, true],
    ['exists true on a null value', { detail: { responseElements: [{ exists: true }] } }, true],
    ['exists false under a missing object', { missing: { deeper: [{ exists: false }] } }, true],
    ['empty string value (docs)', { detail: { eventVersion: [''] } }, true],
    ['null value (docs)', { detail: { responseElements: [null] } }, true],
    ['null does not match a missing field', { detail: { nothing: [null] } }, false],
    ['equals-ignore-case', { detail: { state: [{ 'equals-ignore-case': 'TERMINATED' }] } }, true],
    ['equals-ignore-case other word', { detail: { state: [{ 'equals-ignore-case': 'running' }] } }, false],
    ['exact string is case-sensitive', { detail: { state: ['Terminated'] } }, false],
    ['number vs string of it', { detail: { 'c-count': ['5'] } }, false],
    ['number exact', { detail: { 'c-count': [5] } }, true],
    ['mixed OR with exists false', { detail: { 'e-count': [{ exists: false }, 7] } }, true],
    [
      'combined example (docs)',
      {
        time: [{ prefix: '2017-12-22' }],
        detail: {
          state: [{ 'anything-but': 'initializing' }],
          'c-count': [{ numeric: ['>', 0, '<=', 5] }],
          'd-count': [{ numeric: ['<', 10] }],
          'x-limit': [{ 'anything-but': [100, 200, 300] }],
        },
      },
      true,
    ],
    ['leaf pattern on an object field', { detail: [{ exists: true }] }, false],
  ])('%s', (_name, pattern, expected) => {
    expect(matchesPattern(pattern, docsEvent)).toBe(expected);
  });
});

describe('matchesPattern on arrays of objects', () => {
  const event = {
    detail: {
      items: [
        { kind: 'a', qty: 1 },
        { kind: 'b', qty: 2 },
      ],
    },
  };

  it.each<[string, EventPattern, boolean]>([
    ['one element matches', { detail: { items: { kind: ['b'] } } }, true],
    ['both fields from the same element', { detail: { items: { kind: ['b'], qty: [2] } } }, true],
    [
      'fields from different elements do not combine',
      { detail: { items: { kind: ['a'], qty: [2] } } },
      false,
    ],
  ])('%s', (_name, pattern, expected) => {
    expect(matchesPattern(pattern, event)).toBe(expected);
  });
});

describe('validatePattern', () => {
  it.each<[string, unknown]>([
    ['exact values', { source: ['itsm.service-catalogue'], 'detail-type': ['ServiceCreated'] }],
    [
      'every operator',
      {
        detail: {
          a: [{ prefix: 'x' }],
          b: [{ suffix: 'y' }],
          c: [{ 'anything-but': ['p', 'q'] }],
          d: [{ 'anything-but': { prefix: 'z' } }],
          e: [{ exists: false }],
          f: [{ numeric: ['>', 0, '<=', 5] }],
          g: [{ numeric: ['=', 3] }],
          h: [{ 'equals-ignore-case': 'Q' }],
          i: [null, true, 1.5],
        },
      },
    ],
  ])('accepts %s', (_name, pattern) => {
    expect(validatePattern(pattern)).toEqual([]);
  });

  it.each<[string, unknown, string]>([
    ['not an object', ['source'], 'pattern: must be a JSON object'],
    ['an empty pattern', {}, 'pattern: must have at least one field'],
    ['a bare string value', { source: 'aws.ec2' }, 'source: must be a list of values or a nested pattern'],
    ['an empty list', { source: [] }, 'source: an empty list matches nothing'],
    ['an empty nested pattern', { detail: {} }, 'detail: a nested pattern needs at least one field'],
    [
      'an unknown operator',
      { detail: { ip: [{ cidr: '10.0.0.0/24' }] } },
      'detail.ip[0]: unknown or unsupported operator "cidr"',
    ],
    [
      'two operators in one object',
      { a: [{ prefix: 'x', suffix: 'y' }] },
      'a[0]: an operator object has exactly one key',
    ],
    ['a non-string prefix', { a: [{ prefix: 1 }] }, 'a[0].prefix: must be a string'],
    ['a non-boolean exists', { a: [{ exists: 'yes' }] }, 'a[0].exists: must be true or false'],
    [
      'a mixed anything-but list',
      { a: [{ 'anything-but': ['x', 1] }] },
      'a[0].anything-but: the list must hold only strings or only numbers',
    ],
    [
      'an empty anything-but list',
      { a: [{ 'anything-but': [] }] },
      'a[0].anything-but: the list must not be empty',
    ],
    [
      'numeric with a string operand',
      { a: [{ numeric: ['>', '0'] }] },
      'a[0].numeric: every operand must be a finite number',
    ],
    [
      'numeric upper then lower',
      { a: [{ numeric: ['<', 5, '>', 0] }] },
      'a[0].numeric: use ["=", n], one comparison, or a lower bound then an upper bound',
    ],
    [
      'numeric empty range',
      { a: [{ numeric: ['>', 5, '<', 5] }] },
      'a[0].numeric: the lower bound must be below the upper bound',
    ],
    [
      'an unknown operator symbol',
      { a: [{ numeric: ['!=', 5] }] },
      'a[0].numeric: use ["=", n], one comparison, or a lower bound then an upper bound',
    ],
    ['$or', { $or: [{ a: ['x'] }] }, '$or: "$or" is not supported by the local bus'],
  ])('rejects %s', (_name, pattern, problem) => {
    expect(validatePattern(pattern)).toEqual([problem]);
  });
});

// Properties ----------------------------------------------------------------------------------------

const key = fc.stringMatching(/^[a-z][a-z-]{0,7}$/);
const scalar = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
);
const { json } = fc.letrec<{ json: unknown; object: Record<string, unknown> }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small' },
    scalar,
    fc.array(scalar, { minLength: 1, maxLength: 4 }),
    tie('object'),
  ),
  object: fc.dictionary(key, tie('json'), { maxKeys: 4 }),
}));
const event = fc.dictionary(key, json, { minKeys: 1, maxKeys: 5 });

/** A pattern that names every leaf of the event with its own value(s). */
function patternOf(value: Record<string, unknown>): Record<string, unknown> {
  const pattern: Record<string, unknown> = {};
  for (const [field, child] of Object.entries(value)) {
    if (Array.isArray(child)) pattern[field] = child;
    else if (child !== null && typeof child === 'object') {
      const nested = patternOf(child as Record<string, unknown>);
      if (Object.keys(nested).length > 0) pattern[field] = nested;
    } else pattern[field] = [child];
  }
  return pattern;
}

describe('matchesPattern properties', () => {
  it('an event matches the pattern built from its own leaf values', () => {
    fc.assert(
      fc.property(event, (e) => {
        const pattern = patternOf(e);
        expect(matchesPattern(pattern as EventPattern, e)).toBe(true);
        if (Object.keys(pattern).length > 0) expect(validatePattern(pattern)).toEqual([]);
      }),
    );
  });

  it('anything-but a value never matches that value, and matches every other one', () => {
    const value = fc.oneof(fc.string(), fc.integer());
    fc.assert(
      fc.property(value, value, (excluded, other) => {
        expect(matchesPattern({ f: [{ 'anything-but': excluded }] }, { f: excluded })).toBe(false);
        expect(matchesPattern({ f: [{ 'anything-but': [excluded] }] }, { f: [excluded] })).toBe(false);
        expect(matchesPattern({ f: [{ 'anything-but': excluded }] }, { f: other })).toBe(other !== excluded);
      }),
    );
  });

  it('a string always matches its own prefix and suffix', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (head, tail) => {
        expect(matchesPattern({ f: [{ prefix: head }] }, { f: head + tail })).toBe(true);
        expect(matchesPattern({ f: [{ suffix: tail }] }, { f: head + tail })).toBe(true);
        expect(matchesPattern({ f: [{ 'anything-but': { prefix: head } }] }, { f: head + tail })).toBe(false);
      }),
    );
  });

  it('numeric ranges agree with plain comparisons', () => {
    const number = fc.double({ noNaN: true, noDefaultInfinity: true });
    fc.assert(
      fc.property(number, number, number, (x, low, high) => {
        const pattern: EventPattern = { f: [{ numeric: ['>', low, '<=', high] }] };
        expect(matchesPattern(pattern, { f: x })).toBe(x > low && x <= high);
      }),
    );
  });

  it('exactly one of exists:true and exists:false matches any field', () => {
    fc.assert(
      fc.property(event, key, (e, field) => {
        const present = matchesPattern({ [field]: [{ exists: true }] }, e);
        const absent = matchesPattern({ [field]: [{ exists: false }] }, e);
        expect(present).not.toBe(absent);
      }),
    );
  });
});
