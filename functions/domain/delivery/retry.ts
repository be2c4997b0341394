/**
 * When a failed delivery is tried again (rule 15): exponential back-off with full jitter ("Exponential
 * Backoff And Jitter", AWS Architecture Blog), from 30 s doubling up to an hour, for at least 24 hours
 * after the first attempt. The last try is made at the end of those 24 hours at the latest; when it
 * fails too, the delivery has failed.
 */
export const FIRST_RETRY_SECONDS = 30;
export const LONGEST_RETRY_SECONDS = 60 * 60;
export const RETRY_WINDOW_MS = 24 * 60 * 60 * 1000;

export type NextAttempt = { retryAt: Date } | { giveUp: true };

/**
 * The time of the next attempt after `attempts` failed ones, the first of them made at `firstAttemptAt`.
 * `random` is in [0, 1) (Math.random by default; tests pass their own).
 */
export function nextAttempt(
  attempts: number,
  firstAttemptAt: Date,
  failedAt: Date,
  random: () => number = Math.random,
): NextAttempt {
  const windowEnds = firstAttemptAt.getTime() + RETRY_WINDOW_MS;
  if (failedAt.getTime() >= windowEnds) return { giveUp: true };
  const ceiling = Math.min(LONGEST_RETRY_SECONDS, FIRST_RETRY_SECONDS * 2 ** Math.max(0, attempts - 1));
  // Full jitter, but never sooner than a second: a retry storm is what the jitter is there to prevent.
  const delayMs = Math.max(1000, Math.floor(random() * ceiling * 1000));
  return { retryAt: new Date(Math.min(failedAt.getTime() + delayMs, windowEnds)) };
}
