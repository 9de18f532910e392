import { describe, expect, it } from 'vitest';
import { calendarForm, calendarValue } from '../../web/src/lib/service-levels.ts';

describe('calendar form', () => {
  it('shows a slot closing at 24:00 as 00:00 in its time field, and saves 00:00 as the end of the day', () => {
    const hours = {
      name: 'Round the clock',
      timeZone: 'Europe/Berlin',
      week: [
        { day: 'monday' as const, start: '00:00', end: '24:00' },
        { day: 'tuesday' as const, start: '09:00', end: '17:00' },
      ],
      holidays: [],
    };
    const form = calendarForm(hours);
    expect(form.days.monday).toEqual([{ start: '00:00', end: '00:00' }]);
    expect(calendarValue(form)).toEqual(hours);
  });
});
