import type { TransactWriteItem } from '@aws-sdk/client-dynamodb';
import type { Delivery } from '../../domain/delivery/deliveries.ts';
import { retrySeriesName } from '../../domain/delivery/retry.ts';
import { startDeliveryRetries } from '../../shared/workflows.ts';
import {
  type DeliveryRecord,
  recordDeliveries,
  type StoredNotification,
} from '../../store/deliveries-store.ts';

/** One attempt on one channel, ready to be recorded: the delivery, and a write that goes with it. */
export interface Attempt {
  stored: StoredNotification;
  delivery: Delivery;
  with?: TransactWriteItem;
}

/**
 * Records attempts on their notifications (one transaction per 100 items), each on the condition
 * that no other attempt on its channel was recorded since it read the notification. Whether each was
 * recorded, in order: one that was not is not the latest word, and whoever recorded first carries on.
 */
export function recordAttempts(attempts: readonly Attempt[]): Promise<boolean[]> {
  return recordDeliveries(
    attempts.map(
      ({ stored, delivery, with: also }): DeliveryRecord => ({
        key: stored.key,
        delivery,
        previousAttempts: stored.deliveries[delivery.channel]?.attempts ?? 0,
        ...(also ? { with: also } : {}),
      }),
    ),
  );
}

/** Starts the retries of a delivery left RETRYING (see `retrySeriesName`). */
export async function startRetries(
  stored: Pick<StoredNotification, 'key'>,
  delivery: Delivery,
): Promise<void> {
  await startDeliveryRetries(
    { notification: stored.key, channel: delivery.channel, retryAt: delivery.nextAttemptAt! },
    retrySeriesName(stored.key, delivery.channel),
  );
}
