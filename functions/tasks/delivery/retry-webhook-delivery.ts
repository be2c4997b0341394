import { skipped } from '../../domain/delivery/deliveries.ts';
import { webhookIdOfChannel } from '../../domain/delivery/webhook-message.ts';
import { readWebhook } from '../../store/webhooks-store.ts';
import { recordAttempts } from './attempts.ts';
import { retryTask } from './retry-task.ts';
import { attemptWebhook, recordWebhookAttempts } from './webhook-attempts.ts';

/**
 * One retry of a delivery to a webhook endpoint (see retryTask and sendWebhook). An endpoint deleted
 * since is recorded as skipped; a disabled one too (sendWebhook says so).
 */
export const handler = retryTask(async (stored, channel, at) => {
  const webhookId = webhookIdOfChannel(channel) ?? '';
  const webhook = await readWebhook(stored.notification.recipientOrgNumber, webhookId);
  if (!webhook) {
    const delivery = skipped(channel, stored.deliveries[channel], at, 'The webhook endpoint was deleted');
    const [recorded] = await recordAttempts([{ stored, delivery }]);
    return { delivery, recorded: recorded! };
  }
  const attempt = await attemptWebhook(stored, webhook, at);
  const [recorded] = await recordWebhookAttempts([attempt], at);
  return { delivery: attempt.delivery, recorded: recorded! };
});
