import { createHash } from 'node:crypto';

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

/**
 * The name of a delivery's series of retries (a workflow execution): the same for the same
 * notification and channel, so a repeated start changes nothing; each redelivery (`series` > 0: the
 * time it was asked for, in epoch milliseconds) has a series of its own.
 */
export function retrySeriesName(
  notification: { pk: string; sk: string },
  channel: string,
  series = 0,
): string {
  const digest = createHash('sha256')
    .update(`${notification.pk}\n${notification.sk}\n${channel}${series > 0 ? `\n${series}` : ''}`)
    .digest('hex');
  return `delivery-${channel.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 20)}-${digest.slice(0, 48)}`;
}
