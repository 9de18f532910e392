import { describe, expect, it } from 'vitest';
import { type AuditEntry, auditCsv } from './audit-entry.ts';

const entry = (changes: AuditEntry['changes'], overrides: Partial<AuditEntry> = {}): AuditEntry => ({
  entityType: 'service',
  entityId: 'svc-1',
  eventId: 'evt-1',
  action: 'updated',
  at: '2026-11-24T10:00:00.000Z',
  actor: { userId: 'u1', name: 'Ada Lovelace' },
  correlationId: 'corr-1',
  changes,
  ...overrides,
});

describe('auditCsv', () => {
  it('writes a header and one line per changed field', () => {
    const csv = auditCsv([
      entry([
        { field: 'owner', from: 'IT', to: 'Workplace' },
        { field: 'status', from: 'pipeline', to: 'live' },
      ]),
    ]);
    expect(csv.split('\r\n')).toEqual([
      'at,entityType,entityId,action,actorId,actorName,field,from,to,correlationId',
      '2026-11-24T10:00:00.000Z,service,svc-1,updated,u1,Ada Lovelace,owner,IT,Workplace,corr-1',
      '2026-11-24T10:00:00.000Z,service,svc-1,updated,u1,Ada Lovelace,status,pipeline,live,corr-1',
      '',
    ]);
  });

  it('quotes commas, quotes and line breaks, and writes non-text values as JSON', () => {
    const csv = auditCsv([entry([{ field: 'description', from: null, to: 'Mail, "calendar"\nand more' }])]);
    expect(csv).toContain(',description,,"Mail, ""calendar""\nand more",');
    expect(auditCsv([entry([{ field: 'roles', from: ['agent'], to: ['agent', 'requester'] }])])).toContain(
      ',roles,"[""agent""]","[""agent"",""requester""]",',
    );
  });

  it('neutralises cells a spreadsheet would run as formulas', () => {
    const csv = auditCsv([
      entry([{ field: 'name', from: '=1+1', to: '@SUM(A1)' }], { actor: { userId: 'u', name: '-x' } }),
    ]);
    expect(csv).toContain(",'-x,name,'=1+1,'@SUM(A1),");
  });

  it('keeps an entry without changes as one line', () => {
    expect(auditCsv([entry([])]).split('\r\n')).toHaveLength(3);
  });
});
