import { performance } from 'node:perf_hooks';

/*
 * Progress goes to stderr, one line per step, stamped with the time since the run started (a child
 * process is told when, in BENCH_STARTED_AT); stdout stays free (handler logs are counted there).
 */
export const STARTED_AT_ENV = 'BENCH_STARTED_AT';
const started = Number(process.env[STARTED_AT_ENV]) || Date.now();
process.env[STARTED_AT_ENV] = String(started);

export function elapsedSeconds(): number {
  return (Date.now() - started) / 1000;
}

export function say(message: string): void {
  process.stderr.write(`[bench ${elapsedSeconds().toFixed(1).padStart(6)} s] ${message}\n`);
}

/** Reports `done of total` at most every `everyMs`, and once at the end. */
export function ticker(what: string, total: number, everyMs = 2_000) {
  const begun = performance.now();
  let last = 0;
  return {
    update(done: number, extra = ''): void {
      const now = performance.now();
      if (done < total && now - last < everyMs) return;
      last = now;
      const rate = done / Math.max(0.001, (now - begun) / 1000);
      say(
        `${what}: ${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} (${Math.round(rate).toLocaleString('en-US')}/s)${extra ? ` ${extra}` : ''}`,
      );
    },
  };
}
