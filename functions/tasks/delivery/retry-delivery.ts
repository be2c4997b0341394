import { EMAIL_CHANNEL } from '../../domain/delivery/deliveries.ts';
import * as z from '../../domain/zod.ts';
import { now } from '../../shared/clock.ts';
import { taskHandler } from '../../shared/task.ts';
import { readDeliveryAgreement, readNotification } from '../../store/deliveries-store.ts';
import { attemptEmail } from './email.ts';

const inputSchema = z.object({
  notification: z.object({ pk: z.string(), sk: z.string() }),
  channel: z.string(),
  retryAt: z.string(),
});

/**
 * One retry of a delivery (the notification-delivery workflow calls it when `retryAt` has come):
 * RETRY with the time of the next attempt, or DONE when it was delivered, failed for good, or needs
 * nothing any more (the notification is gone, or another attempt already settled it).
 */
export const handler = taskHandler(inputSchema, async (input) => {
  const stored = await readNotification(input.notification);
  if (!stored || input.channel !== EMAIL_CHANNEL) return { ...input, outcome: 'DONE' as const };
  const agreement = await readDeliveryAgreement(stored.notification.agreementId);
  const attempted = await attemptEmail(stored, agreement, now());
  // Another attempt was recorded meanwhile: its outcome, as stored, decides whether to go on.
  const delivery = attempted ?? (await readNotification(input.notification))?.deliveries[input.channel];
  if (delivery?.status === 'RETRYING') {
    return { ...input, outcome: 'RETRY' as const, retryAt: delivery.nextAttemptAt! };
  }
  return { ...input, outcome: 'DONE' as const };
});
