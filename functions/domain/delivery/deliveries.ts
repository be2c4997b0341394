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
