import { createSubscriber } from 'svelte/reactivity';

/*
 * The current instant, ticking once a second while something on screen reads it (SLA countdowns).
 * One timer for the whole page, however many countdowns it shows; none when nothing reads it.
 */
let current = Date.now();

const subscribe = createSubscriber((update) => {
  current = Date.now();
  const timer = setInterval(() => {
    current = Date.now();
    update();
  }, 1000);
  return () => clearInterval(timer);
});

/** Epoch milliseconds; reactive (re-read every second) inside effects and templates. */
export function now(): number {
  subscribe();
  return current;
}
