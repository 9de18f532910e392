import { describe, expect, it } from 'vitest';
import { defaultSettings } from '../tenancy/defaults.ts';
import {
  type CsvTable,
  checkMapping,
  columnSamples,
  IMPORT_MAX_BYTES,
  IMPORT_MAX_ROWS,
  type ImportDirectory,
  type ImportDraft,
  type ImportMapping,
  type ImportRules,
  type ImportUser,
  importedCloseDueAt,
  importedFirstResponse,
  importedHistory,
  originalNumbersIn,
  parseCsv,
  type RowOutcome,
  readDate,
  readLevel,
  readPriority,
  readResolutionCode,
  readRows,
  readState,
  suggestMapping,
} from './import.ts';

function table(text: string): CsvTable {
  const parsed = parseCsv(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.table;
}

function failure(text: string): string {
  const parsed = parseCsv(text);
  if (parsed.ok) throw new Error('Expected the file to be refused');
  return parsed.message;
}

describe('parseCsv', () => {
  it('reads quoted values holding commas, line breaks and doubled quotes', () => {
    // Prepare
    const text = 'Title,Notes\n"Printer, 2nd floor","Line one\nLine two"\n"Say ""hi""",plain\n';

    // Act
    const result = table(text);

    // Assess
    expect(result.header).toEqual(['Title', 'Notes']);
    expect(result.records).toEqual([
      { row: 2, cells: ['Printer, 2nd floor', 'Line one\nLine two'] },
      { row: 3, cells: ['Say "hi"', 'plain'] },
    ]);
  });

  it('drops a byte order mark and takes CRLF, LF and CR as row ends', () => {
    const result = table('\uFEFFTitle,Caller\r\nA,a@x.example\rB,b@x.example\nC,c@x.example');

    expect(result.header).toEqual(['Title', 'Caller']);
    expect(result.records.map((record) => record.cells)).toEqual([
      ['A', 'a@x.example'],
      ['B', 'b@x.example'],
      ['C', 'c@x.example'],
    ]);
  });

  it('keeps a CRLF inside quotes as part of the value', () => {
    expect(table('Title,Notes\r\nA,"one\r\ntwo"\r\n').records[0]?.cells).toEqual(['A', 'one\r\ntwo']);
  });

  it('uses the semicolon or tab the header line is written with', () => {
    expect(table('Title;Caller\n"A;B";a@x.example\n').records[0]?.cells).toEqual(['A;B', 'a@x.example']);
    expect(table('Title\tCaller\nA, B\ta@x.example\n').delimiter).toBe('\t');
  });

  it('skips blank rows but keeps the spreadsheet’s row numbers', () => {
    const result = table('Title\nA\n\n,\nB\n');

    expect(result.records.map((record) => [record.row, record.cells[0]])).toEqual([
      [2, 'A'],
      [5, 'B'],
    ]);
  });

  it('names an empty header cell by its position', () => {
    expect(table('Title,,Caller\nA,x,b\n').header).toEqual(['Title', 'Column 2', 'Caller']);
  });

  it.each([
    ['an unclosed quote', 'Title\nA\n"B\nC\n', 'Row 3: a quoted value is never closed'],
    [
      'text after a closing quote',
      'Title,Caller\n"A"x,b\n',
      'Row 2: a quoted value must be followed by a comma',
    ],
    ['two columns of one name', 'State,Title,state\na,b,c\n', 'Columns 1 and 3 are both named “state”'],
    ['an empty file', '\uFEFF \n', 'The file is empty.'],
    ['a header without rows', 'Title,Caller\r\n\r\n', 'The file has no rows below its header row.'],
  ])('refuses %s with a message naming where', (_case, text, message) => {
    expect(failure(text)).toContain(message);
  });

  it('refuses more rows than one import takes, saying the limit', () => {
    const text = `Title\n${'x\n'.repeat(IMPORT_MAX_ROWS + 1)}`;

    expect(failure(text)).toBe(
      'The file has 10,001 rows; import at most 10,000 at a time. Split it and import the parts one after the other.',
    );
    expect(parseCsv(`Title\n${'x\n'.repeat(IMPORT_MAX_ROWS)}`).ok).toBe(true);
  });

  it('refuses a file over the size limit, saying the limit', () => {
    const text = `Title\n${'é'.repeat(IMPORT_MAX_BYTES / 2 + 1)}\n`;

    expect(failure(text)).toMatch(/^The file is 4\.0 MB; import at most 4 MB \(and 10,000 rows\) at a time/);
  });

  it('shows each column with its first value', () => {
    expect(columnSamples(table('Title,Caller\nA,\nB,b@x.example\n'))).toEqual([
      { name: 'Title', sample: 'A' },
      { name: 'Caller', sample: 'b@x.example' },
    ]);
  });
});

describe('suggestMapping and checkMapping', () => {
  it('matches header names without case, spaces or punctuation, each field once', () => {
    expect(
      suggestMapping([
        'Number',
        'SUMMARY',
        'caller_email',
        'Status',
        'Assignment group',
        'Opened at',
        'Title',
        'Misc',
      ]),
    ).toEqual({
      Number: 'number',
      SUMMARY: 'shortDescription',
      caller_email: 'callerEmail',
      Status: 'state',
      'Assignment group': 'teamName',
      'Opened at': 'createdAt',
    });
  });

  it('names each problem with its column, and the required fields left out', () => {
    const mapping: ImportMapping = {
      Title: 'shortDescription',
      Summary: 'shortDescription',
      Nope: 'state',
      Misc: 'ignore',
    };

    expect(checkMapping(['Title', 'Summary', 'Misc'], mapping)).toEqual([
      { path: 'mapping.Summary', message: 'Short description is already read from the column “Title”' },
      { path: 'mapping.Nope', message: 'The file has no column “Nope”' },
      { path: 'mapping', message: 'Choose a column for Caller email, Created' },
    ]);
  });

  it('accepts a mapping with every required field once', () => {
    expect(
      checkMapping(['T', 'C', 'D'], { T: 'shortDescription', C: 'callerEmail', D: 'createdAt' }),
    ).toEqual([]);
  });
});

describe('values of other tools', () => {
  it.each([
    ['Open', 'open'],
    ['Work in Progress', 'in-progress'],
    ['On Hold', 'on-hold'],
    ['Pending vendor', 'on-hold'],
    ['Solved', 'resolved'],
    ['closed', 'closed'],
    ['Canceled', 'cancelled'],
    ['in-progress', 'in-progress'],
    ['Exploded', undefined],
  ])('state %s reads as %s', (text, state) => {
    expect(readState(text)).toBe(state);
  });

  it.each([
    ['1 - High', 'high'],
    ['2', 'medium'],
    ['Moderate', 'medium'],
    ['low', 'low'],
    ['4', undefined],
  ])('level %s reads as %s', (text, level) => {
    expect(readLevel(text)).toBe(level);
  });

  it.each([
    ['P2', 'P2'],
    ['1 - Critical', 'P1'],
    ['p5', 'P5'],
    ['Moderate', 'P3'],
    ['urgent-ish', undefined],
  ])('priority %s reads as %s', (text, priority) => {
    expect(readPriority(text)).toBe(priority);
  });

  it.each([
    ['Solved (Work Around)', 'workaround'],
    ['Not Solved (Not Reproducible)', 'not-reproducible'],
    ['Solved (Permanently)', 'solved'],
    ['user-error', 'user-error'],
    ['Because', undefined],
  ])('resolution code %s reads as %s', (text, code) => {
    expect(readResolutionCode(text)).toBe(code);
  });
});

describe('readDate', () => {
  it('takes ISO date-times with an offset as written', () => {
    expect(readDate('2024-03-01T09:30:00Z', 'Europe/Berlin')).toBe('2024-03-01T09:30:00.000Z');
    expect(readDate('2024-03-01T09:30+02:00', 'UTC')).toBe('2024-03-01T07:30:00.000Z');
    expect(readDate('2024-03-01T09:30:15.5-0130', 'UTC')).toBe('2024-03-01T11:00:15.500Z');
  });

  it('reads dates without an offset in the tenant’s zone, summer and winter time alike', () => {
    expect(readDate('2024-01-15 09:30', 'Europe/Berlin')).toBe('2024-01-15T08:30:00.000Z');
    expect(readDate('2024-07-15 09:30', 'Europe/Berlin')).toBe('2024-07-15T07:30:00.000Z');
    expect(readDate('2024-07-15T09:30:10', 'America/New_York')).toBe('2024-07-15T13:30:10.000Z');
    expect(readDate('2024-07-15', 'Europe/Berlin')).toBe('2024-07-14T22:00:00.000Z');
  });

  it.each(['2024-02-30 10:00', '2024-13-01', '01/03/2024 09:30', '2024-03-01 24:00', 'yesterday'])(
    'refuses %s',
    (text) => {
      expect(readDate(text, 'UTC')).toBeUndefined();
    },
  );
});

// ── Rows ───────────────────────────────────────────────────────────────────────────────────────

const user = (userId: string, roles: string[], extra: Partial<ImportUser> = {}): ImportUser => ({
  userId,
  name: `Name of ${userId}`,
  roles,
  status: 'active',
  businessUnitId: null,
  ...extra,
});

const directory: ImportDirectory = {
  users: new Map([
    ['rita@acme.example', user('u-rita', ['requester'], { businessUnitId: 'bu-sales' })],
    ['alan@acme.example', user('u-alan', ['agent'])],
    ['gone@acme.example', user('u-gone', ['agent'], { status: 'deactivated' })],
  ]),
  services: new Map([['mail', ['svc-mail']]]),
  teams: new Map([
    ['service desk', ['team-desk']],
    ['twins', ['team-a', 'team-b']],
  ]),
  businessUnits: new Map([['finance', ['bu-finance']]]),
  imported: new Map([['OLD-1', 'INC0000007']]),
};

const rules: ImportRules = {
  matrix: defaultSettings({ timeZone: 'UTC', currency: 'EUR' })['priority-matrix'],
  timeZone: 'Europe/Berlin',
  now: new Date('2026-06-01T12:00:00.000Z'),
  directory,
};

const HEADER =
  'Number,Title,Caller,Status,Hold reason,Priority,Impact,Urgency,Service,Department,Team,Assigned to,Created,First response,Resolved,Closed,Close code,Close notes';
const MAPPING: ImportMapping = {
  Number: 'number',
  Title: 'shortDescription',
  Caller: 'callerEmail',
  Status: 'state',
  'Hold reason': 'holdReason',
  Priority: 'priority',
  Impact: 'impact',
  Urgency: 'urgency',
  Service: 'serviceName',
  Department: 'businessUnitName',
  Team: 'teamName',
  'Assigned to': 'assigneeEmail',
  Created: 'createdAt',
  'First response': 'respondedAt',
  Resolved: 'resolvedAt',
  Closed: 'closedAt',
  'Close code': 'resolutionCode',
  'Close notes': 'resolutionNotes',
};

type Row = Partial<Record<keyof typeof MAPPING, string>>;
const EMPTY_ROW: Row = {};

function csvOf(rows: Row[]): string {
  const columns = HEADER.split(',');
  const line = (row: Row) =>
    columns
      .map((column) => {
        const value = row[column] ?? '';
        return /[",\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
      })
      .join(',');
  return [HEADER, ...rows.map(line)].join('\n');
}

const base: Row = { Title: 'Mail down', Caller: 'rita@acme.example', Created: '2026-03-02 09:00' };

function outcomes(rows: Row[], lookups: ImportRules = rules): RowOutcome[] {
  return readRows(table(csvOf(rows)), MAPPING, lookups);
}

function draftOf(row: Row): ImportDraft {
  const [outcome] = outcomes([row]);
  if (!outcome?.ok) throw new Error(`Row refused: ${JSON.stringify(outcome)}`);
  return outcome.draft;
}

function problemsOf(row: Row) {
  const [outcome] = outcomes([row]);
  if (outcome === undefined || outcome.ok) throw new Error('Expected the row to be refused');
  return outcome.problems;
}

describe('readRows', () => {
  it('turns a resolved row into a draft with the file’s dates in UTC, names resolved to ids', () => {
    // Act
    const draft = draftOf({
      ...base,
      Number: 'OLD-42',
      Status: 'Solved',
      Impact: '1 - High',
      Urgency: 'Low',
      Service: 'MAIL',
      Team: 'Service Desk',
      'Assigned to': 'Alan@acme.example',
      Resolved: '2026-03-03T15:00:00Z',
      'Close code': 'Solved (Permanently)',
      'Close notes': 'Restarted the relay',
    });

    // Assess
    expect(draft).toEqual({
      row: 2,
      originalNumber: 'OLD-42',
      shortDescription: 'Mail down',
      description: '',
      category: null,
      caller: { userId: 'u-rita', name: 'Name of u-rita' },
      businessUnitId: 'bu-sales',
      serviceId: 'svc-mail',
      teamId: 'team-desk',
      assignee: { userId: 'u-alan', name: 'Name of u-alan' },
      impact: 'high',
      urgency: 'low',
      priority: 'P3',
      priorityOverride: null,
      state: 'resolved',
      holdReason: null,
      createdAt: '2026-03-02T08:00:00.000Z',
      respondedAt: null,
      resolvedAt: '2026-03-03T15:00:00.000Z',
      closedAt: null,
      resolutionCode: 'solved',
      resolutionNotes: 'Restarted the relay',
    });
  });

  it('keeps a priority from the file that differs from the matrix as an override, reason Imported', () => {
    const draft = draftOf({ ...base, Priority: '1 - Critical', Impact: 'low', Urgency: 'low' });

    expect(draft.priority).toBe('P1');
    expect(draft.priorityOverride).toEqual({ from: 'P5', to: 'P1', reason: 'Imported' });
    expect(draftOf({ ...base, Priority: 'P3' }).priorityOverride).toBeNull();
    expect(draftOf(base)).toMatchObject({ impact: 'medium', urgency: 'medium', priority: 'P3' });
  });

  it('reads Open as assigned when the row names a team or assignee, else as new; no state from the dates', () => {
    expect(draftOf({ ...base, Status: 'Open', Team: 'service desk' }).state).toBe('assigned');
    expect(draftOf({ ...base, Status: 'Open' }).state).toBe('new');
    expect(draftOf({ ...base, Closed: '2026-03-04 10:00' })).toMatchObject({
      state: 'closed',
      resolvedAt: '2026-03-04T09:00:00.000Z',
      closedAt: '2026-03-04T09:00:00.000Z',
    });
    expect(draftOf({ ...base, Resolved: '2026-03-04 10:00' }).state).toBe('resolved');
  });

  it('takes the business unit named in the row over the caller’s', () => {
    expect(draftOf({ ...base, Department: 'Finance' }).businessUnitId).toBe('bu-finance');
  });

  it.each<[string, Row, { column: string | null; message: string }]>([
    [
      'an unknown caller',
      { Caller: 'nobody@acme.example' },
      {
        column: 'Caller',
        message: 'Nobody in your organisation has the email nobody@acme.example; invite them first',
      },
    ],
    [
      'a caller that is no email',
      { Caller: 'Rita' },
      { column: 'Caller', message: '“Rita” is not an email address' },
    ],
    ['an empty title', { Title: ' ' }, { column: 'Title', message: 'The short description is empty' }],
    [
      'a requester as assignee',
      { 'Assigned to': 'rita@acme.example' },
      { column: 'Assigned to', message: 'rita@acme.example is not IT staff, so cannot be the assignee' },
    ],
    [
      'a deactivated assignee on an open incident',
      { Status: 'In progress', 'Assigned to': 'gone@acme.example' },
      { column: 'Assigned to', message: 'gone@acme.example is deactivated, so cannot work an open incident' },
    ],
    [
      'an unknown service',
      { Service: 'Fax' },
      { column: 'Service', message: 'There is no service in the catalogue named “Fax”' },
    ],
    [
      'an ambiguous team',
      { Team: 'Twins' },
      { column: 'Team', message: '2 teams are named “Twins”; give them different names first' },
    ],
    [
      'an unknown state',
      { Status: 'Exploded' },
      {
        column: 'Status',
        message:
          '“Exploded” is not a state: use new, assigned, in-progress, on-hold, resolved, closed, cancelled (or Open, Solved, Pending and the like)',
      },
    ],
    [
      'an unknown priority',
      { Priority: 'ASAP' },
      { column: 'Priority', message: '“ASAP” is not a priority: use P1 to P5 (or 1 to 5)' },
    ],
    [
      'a date in another format',
      { Created: '02/03/2026' },
      {
        column: 'Created',
        message:
          '“02/03/2026” is not a date: write 2024-03-01T09:30:00Z (ISO with an offset) or 2024-03-01 09:30 (Europe/Berlin time)',
      },
    ],
    [
      'a date in the future',
      { Created: '2026-07-01 09:00' },
      { column: 'Created', message: '2026-07-01 09:00 lies in the future; the import takes history only' },
    ],
    [
      'a resolved incident without its date',
      { Status: 'Resolved' },
      { column: 'Resolved', message: 'A resolved incident needs its resolved date' },
    ],
    [
      'a resolution before the creation',
      { Resolved: '2026-03-01 09:00' },
      { column: 'Resolved', message: 'Resolved lies before created' },
    ],
    [
      'an open incident with a resolved date',
      { Status: 'In progress', Resolved: '2026-03-04 09:00' },
      {
        column: 'Resolved',
        message: 'An in-progress incident has no resolved date; leave it empty or give the state resolved',
      },
    ],
    [
      'on hold without a reason',
      { Status: 'On hold' },
      {
        column: 'Status',
        message:
          'An on-hold incident needs a hold reason: awaiting-caller, awaiting-supplier, awaiting-change (map a column to Hold reason)',
      },
    ],
    [
      'a number imported before',
      { Number: 'old-1' },
      { column: 'Number', message: 'old-1 was imported before, as INC0000007' },
    ],
  ])('refuses %s, naming the column', (_case, row, problem) => {
    expect(problemsOf({ ...base, ...row })).toEqual([problem]);
  });

  it('lists every problem of a row, not only the first', () => {
    expect(problemsOf({ Caller: 'x', Created: 'soon' }).map((problem) => problem.column)).toEqual([
      'Title',
      'Caller',
      'Created',
    ]);
  });

  it('refuses a row with more values than the header, and the second row of one number', () => {
    const csv = `${csvOf([
      { ...base, Number: 'A-1' },
      { ...base, Number: 'a-1' },
    ])}\n${csvOf([base]).split('\n')[1]},extra`;

    const result = readRows(table(csv), MAPPING, rules);

    expect(result.map((outcome) => outcome.ok)).toEqual([true, false, false]);
    expect(result[1]).toMatchObject({ problems: [{ column: 'Number', message: 'a-1 is also in row 2' }] });
    expect(result[2]).toMatchObject({
      row: 4,
      problems: [
        {
          column: null,
          message: expect.stringContaining('This row has 19 values but the header names 18 columns'),
        },
      ],
    });
  });

  it('finds the original numbers to look up, once each', () => {
    const numbers = originalNumbersIn(
      table(csvOf([{ Number: 'a-1' }, { Number: 'A-1 ' }, { Number: 'B' }, EMPTY_ROW])),
      MAPPING,
    );

    expect(numbers).toEqual(['A-1', 'B']);
  });
});

describe('the history an imported incident gets', () => {
  const resolved = draftOf({
    ...base,
    Status: 'Closed',
    Resolved: '2026-03-03 10:00',
    Closed: '2026-03-05 10:00',
    'First response': '2026-03-02 09:20',
  });

  it('runs from creation through the first response to resolution and closure', () => {
    expect(importedHistory(resolved)).toEqual([
      { at: '2026-03-02T08:00:00.000Z', state: 'new', priority: 'P3' },
      { at: '2026-03-02T08:20:00.000Z', state: 'in-progress' },
      { at: '2026-03-03T09:00:00.000Z', state: 'resolved' },
      { at: '2026-03-05T09:00:00.000Z', state: 'closed' },
    ]);
  });

  it('takes an incident past new as responded to at its creation when the file says no more', () => {
    const onHold = draftOf({ ...base, Status: 'Pending', 'Hold reason': 'Awaiting vendor' });

    expect(importedFirstResponse(onHold)).toBe(onHold.createdAt);
    expect(importedHistory(onHold).at(-1)).toEqual({
      at: onHold.createdAt,
      state: 'on-hold',
      reason: 'awaiting-supplier',
    });
    expect(importedFirstResponse(draftOf(base))).toBeNull();
    expect(importedFirstResponse(draftOf({ ...base, Status: 'Cancelled' }))).toBeNull();
  });

  it('closes a resolved import by the tenant’s rule, but not before the import', () => {
    const now = new Date('2026-03-04T12:00:00.000Z');

    expect(importedCloseDueAt('2026-03-03T09:00:00.000Z', 5, 'Europe/Berlin', now)).toBe(
      '2026-03-08T09:00:00.000Z',
    );
    expect(importedCloseDueAt('2026-01-03T09:00:00.000Z', 5, 'Europe/Berlin', now)).toBe(now.toISOString());
  });
});
