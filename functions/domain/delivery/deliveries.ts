import { nextAttempt } from './retry.ts';

/**
 * How a notification reached (or did not reach) its recipient, per channel (rule 15): shown in
 * `GET /notifications` as `deliveries: [{channel, status, at, attempts}]`.
 *
 * - `email`: to the recipient party's contact person on the agreement, as in force when sent.
 * - `webhook:<id>`: to one of the organisation's webhook endpoints.
 *
 * The event bus is not a channel here: notifications are put on it when they are written.
 */
export type DeliveryStatus = 'DELIVERED' | 'RETRYING' | 'FAILED' | 'SKIPPED';

export interface Delivery {
  channel: string;
  status: DeliveryStatus;
  /** When the status was reached: the last attempt, or when it was skipped. */
  at: string;
  attempts: number;
  /** The first attempt, from which the 24 hours of retries are counted. */
  firstAttemptAt?: string;
  nextAttemptAt?: string;
  /** Why it failed, is retried or was skipped, in words (never personal data). */
  reason?: string;
}

export const EMAIL_CHANNEL = 'email';

/** Deliveries as stored on the notification (a map by channel), as the API lists them. */
export function deliveriesList(stored: Record<string, Delivery> | undefined): Delivery[] {
  return Object.values(stored ?? {}).sort((a, b) => a.channel.localeCompare(b.channel));
}

/** The state after an attempt: delivered, retried at `retryAt`, or failed for good. */
export function afterAttempt(
  channel: string,
  previous: Pick<Delivery, 'attempts' | 'firstAttemptAt'> | undefined,
  at: Date,
  outcome: { delivered: true } | { delivered: false; reason: string; retryAt?: Date },
): Delivery {
  const attempts = (previous?.attempts ?? 0) + 1;
  const firstAttemptAt = previous?.firstAttemptAt ?? at.toISOString();
  const common = { channel, at: at.toISOString(), attempts, firstAttemptAt };
  if (outcome.delivered) return { ...common, status: 'DELIVERED' };
  if (outcome.retryAt) {
    return {
      ...common,
      status: 'RETRYING',
      nextAttemptAt: outcome.retryAt.toISOString(),
      reason: outcome.reason,
    };
  }
  return { ...common, status: 'FAILED', reason: outcome.reason };
}

/**
 * The state after a failed attempt: retried on the back-off schedule (see `nextAttempt`) while the 24
 * hours from the first attempt last, failed for good after that, or at once when `retry` is false (a
 * failure no retry can mend, such as an endpoint whose address is not public).
 */
export function afterFailure(
  channel: string,
  previous: Pick<Delivery, 'attempts' | 'firstAttemptAt'> | undefined,
  at: Date,
  reason: string,
  retry = true,
): Delivery {
  const attempts = (previous?.attempts ?? 0) + 1;
  const first = new Date(previous?.firstAttemptAt ?? at.toISOString());
  const next = retry ? nextAttempt(attempts, first, at) : { giveUp: true as const };
  return afterAttempt(
    channel,
    previous,
    at,
    'retryAt' in next ? { delivered: false, reason, retryAt: next.retryAt } : { delivered: false, reason },
  );
}

/** Nothing to send on this channel (e.g. no such party, a disabled endpoint): said, not retried. */
export function skipped(
  channel: string,
  previous: Pick<Delivery, 'attempts'> | undefined,
  at: Date,
  reason: string,
): Delivery {
  return { channel, status: 'SKIPPED', at: at.toISOString(), attempts: previous?.attempts ?? 0, reason };
}

/**
 * A delivery sent again on request (`POST /webhooks/{id}/deliveries/{deliveryId}/redeliver`): due at
 * once, with a fresh 24 hours of retries; the attempts made so far still count.
 */
export function redelivery(channel: string, attempts: number, at: Date): Delivery {
  return {
    channel,
    status: 'RETRYING',
    at: at.toISOString(),
    attempts,
    firstAttemptAt: at.toISOString(),
    nextAttemptAt: at.toISOString(),
    reason: 'Sent again on request',
  };
}
