import type { SlaClockStatus } from './domain.ts';

export type SlaTone = 'ok' | 'warning' | 'breached' | 'paused' | 'done';

export interface ClockView {
  tone: SlaTone;
  /** "2 h 05 min left", "Overdue by 3 min 02 s", "Paused", "Met". */
  text: string;
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

/** A duration as a reader says it, to the second (it ticks): "1 d 3 h 05 min 09 s", "2 h 05 min", "4 min 09 s", "12 s". */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  if (days > 0) return `${days} d ${hours} h ${pad(minutes)} min ${pad(seconds)} s`;
  if (hours > 0) return `${hours} h ${pad(minutes)} min ${pad(seconds)} s`;
  if (minutes > 0) return `${minutes} min ${pad(seconds)} s`;
  return `${seconds} s`;
}

/**
 * What a clock shows at `now`, from the snapshot of the last write. Amber from the warning moment the
 * API computed in business time; without one (older records, clocks not running) there is no amber.
 */
export function clockView(
  status: SlaClockStatus,
  dueAt: string | null,
  warningAt: string | null | undefined,
  now: number,
): ClockView {
  if (status === 'paused') return { tone: 'paused', text: 'Paused' };
  if (status === 'met') return { tone: 'done', text: 'Met' };
  if (status === 'cancelled') return { tone: 'done', text: 'Cancelled' };
  const due = dueAt ? Date.parse(dueAt) : Number.NaN;
  if (status === 'breached' && (Number.isNaN(due) || due <= now)) {
    return {
      tone: 'breached',
      text: Number.isNaN(due) ? 'Breached' : `Overdue by ${formatDuration(now - due)}`,
    };
  }
  if (Number.isNaN(due)) return { tone: 'done', text: '—' };
  if (due <= now) return { tone: 'breached', text: `Overdue by ${formatDuration(now - due)}` };
  const warnAt = warningAt ? Date.parse(warningAt) : Number.NaN;
  const warning = !Number.isNaN(warnAt) && now >= warnAt;
  return { tone: warning ? 'warning' : 'ok', text: `${formatDuration(due - now)} left` };
}
