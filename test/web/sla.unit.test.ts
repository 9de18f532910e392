/*
 * The web's SLA countdown: amber from the warning moment of the API's snapshot, no estimate of its own.
 */
import { describe, expect, it } from 'vitest';
import { clockView } from '../../web/src/lib/sla.ts';

const now = Date.parse('2026-03-02T10:00:00.000Z');
const due = '2026-03-02T11:00:00.000Z';

describe('clockView', () => {
  it('shows amber once the warning moment of the snapshot has passed', () => {
    expect(clockView('running', due, '2026-03-02T09:59:00.000Z', now)).toEqual({
      tone: 'warning',
      text: '1 h 00 min 00 s left',
    });
  });

  it('stays green before the warning moment, however close the due time is in calendar time', () => {
    expect(clockView('running', '2026-03-02T10:05:00.000Z', '2026-03-02T10:04:00.000Z', now).tone).toBe('ok');
  });

  it('shows no amber without a warning moment', () => {
    expect(clockView('running', due, null, now).tone).toBe('ok');
    expect(clockView('running', due, undefined, now).tone).toBe('ok');
  });

  it('still shows overdue, paused and stopped clocks', () => {
    expect(clockView('running', '2026-03-02T09:59:00.000Z', null, now)).toEqual({
      tone: 'breached',
      text: 'Overdue by 1 min 00 s',
    });
    expect(clockView('paused', null, null, now).tone).toBe('paused');
    expect(clockView('met', due, due, now).tone).toBe('done');
  });
});
