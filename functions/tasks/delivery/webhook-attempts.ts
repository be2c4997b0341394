import {
  failedTooLong,
  webhookDeliveryOf,
  webhookDisabledNotification,
} from '../../domain/delivery/webhook-message.ts';
import type { StoredWebhook } from '../../domain/webhooks/schemas.ts';
import { logError } from '../../shared/observability.ts';
import type { StoredNotification } from '../../store/deliveries-store.ts';
import { recordWebhookHealth, webhookDeliveryPut } from '../../store/webhook-deliveries-store.ts';
import { type Attempt, recordAttempts } from './attempts.ts';
import { sendWebhook } from './webhook.ts';

export interface WebhookAttempt extends Attempt {
  webhook: StoredWebhook;
}

/** One attempt to one endpoint (see sendWebhook), with the Put of its delivery item. */
export async function attemptWebhook(
  stored: StoredNotification,
  webhook: StoredWebhook,
  at: Date,
): Promise<WebhookAttempt> {
  const { delivery, responseStatus } = await sendWebhook(stored, webhook, at);
  const item = webhookDeliveryOf(webhook.id, stored.notification, delivery, responseStatus);
  return { stored, webhook, delivery, with: webhookDeliveryPut({ ...item, notificationKey: stored.key }) };
}

/** Records the attempts (see recordAttempts), then what those recorded tell of the endpoints' health. */
export async function recordWebhookAttempts(
  attempts: readonly WebhookAttempt[],
  at: Date,
): Promise<boolean[]> {
  const recorded = await recordAttempts(attempts);
  await recordHealth(
    attempts.filter((_, index) => recorded[index]),
    at,
  );
  return recorded;
}

/**
 * An endpoint that took a delivery is healthy; one that failed is failing since its first failure in
 * a row, and disabled after 5 days of it (rule 15). Best effort: what fails here is logged, and the
 * next attempt on the endpoint looks again.
 */
async function recordHealth(attempts: readonly WebhookAttempt[], at: Date): Promise<void> {
  const byWebhook = new Map<
    string,
    { webhook: StoredWebhook; delivered: boolean; failed?: WebhookAttempt }
  >();
  for (const one of attempts) {
    const health = byWebhook.get(one.webhook.id) ?? { webhook: one.webhook, delivered: false };
    if (one.delivery.status === 'DELIVERED') health.delivered = true;
    else if (one.delivery.status === 'RETRYING' || one.delivery.status === 'FAILED') health.failed = one;
    byWebhook.set(one.webhook.id, health);
  }
  for (const { webhook, delivered, failed } of byWebhook.values()) {
    if (!delivered && !failed) continue;
    try {
      await recordWebhookHealth(webhook, delivered ? 'delivered' : 'failed', at, (failingSince) =>
        failed && failedTooLong(failingSince, at)
          ? webhookDisabledNotification(webhook, failed.stored.notification, failingSince, at)
          : undefined,
      );
    } catch (error) {
      logError("Recording a webhook endpoint's health failed; its next delivery looks again", error, {
        webhookId: webhook.id,
      });
    }
  }
}
