import type { Delivery } from '../../domain/delivery/deliveries.ts';
import * as z from '../../domain/zod.ts';
import { now } from '../../shared/clock.ts';
import { taskHandler } from '../../shared/task.ts';
import { readNotification, type StoredNotification } from '../../store/deliveries-store.ts';

const inputSchema = z.object({
  notification: z.object({ pk: z.string(), sk: z.string() }),
  channel: z.string(),
  retryAt: z.string(),
});

/** What one retry came to: the delivery, and whether it was recorded (else another attempt was). */
export type Retried = { delivery: Delivery; recorded: boolean } | undefined;

/**
 * A retry task of the notification-delivery workflow (called when `retryAt` has come): one attempt
 * on the channel if the delivery is still due, then RETRY with the time of the next attempt, or DONE
 * when it was delivered, failed for good, or needs nothing any more (the notification is gone, or
 * another attempt settled it).
 */
export function retryTask(
  retry: (stored: StoredNotification, channel: string, at: Date) => Promise<Retried>,
) {
  return taskHandler(inputSchema, async (input) => {
    const stored = await readNotification(input.notification);
    if (stored?.deliveries[input.channel]?.status !== 'RETRYING') {
      return { ...input, outcome: 'DONE' as const };
    }
    const retried = await retry(stored, input.channel, now());
    // Another attempt was recorded meanwhile: its outcome, as stored, decides whether to go on.
    const delivery = retried?.recorded
      ? retried.delivery
      : (await readNotification(input.notification))?.deliveries[input.channel];
    if (delivery?.status === 'RETRYING') {
      return { ...input, outcome: 'RETRY' as const, retryAt: delivery.nextAttemptAt! };
    }
    return { ...input, outcome: 'DONE' as const };
  });
}
