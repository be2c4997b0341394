import { webhookChannel } from '../../domain/delivery/webhook-message.ts';
import { matchesEvent } from '../../domain/webhooks/events.ts';
import type { StoredWebhook } from '../../domain/webhooks/schemas.ts';
import { eachAtMost } from '../../shared/concurrency.ts';
import { type StoredNotification, storedNotificationOf } from '../../store/deliveries-store.ts';
import { fromItem } from '../../store/items.ts';
import { getItems } from '../../store/query.ts';
import { webhooksOf } from '../../store/webhooks-store.ts';
import { keyOf, streamDelivery } from './stream-batch.ts';
import { attemptWebhook, recordWebhookAttempts, type WebhookAttempt } from './webhook-attempts.ts';

/**
 * Rule 15 to the organisations' own systems, fed by the table's stream: each notification goes to
 * every enabled webhook endpoint of its recipient organisation that takes its type (machine events
 * such as `audit.sealed` included). See streamDelivery for retries and batch failures, and sendWebhook
 * for how a message is signed and sent.
 */
export const handler = streamDelivery<Map<string, StoredWebhook[]>, WebhookAttempt>({
  read: readCurrent,
  sends: (stored, webhooks) =>
    (webhooks.get(stored.notification.recipientOrgNumber) ?? [])
      .filter((webhook) => matchesEvent(webhook, stored.notification.type))
      .map((webhook) => ({
        channel: webhookChannel(webhook.id),
        send: (at: Date) => attemptWebhook(stored, webhook, at),
      })),
  record: recordWebhookAttempts,
});

const QUERIES_AT_ONCE = 8;

/**
 * Each recipient organisation's endpoints (one Query each), then the notifications of those that
 * have any, as stored now (100 keys per strongly consistent BatchGetItem).
 */
async function readCurrent(images: readonly StoredNotification[]) {
  const webhooks = new Map<string, StoredWebhook[]>();
  const organisations = [...new Set(images.map(({ notification }) => notification.recipientOrgNumber))];
  await eachAtMost(QUERIES_AT_ONCE, organisations, async (orgNumber) => {
    // Enabled ones only: a disabled endpoint gets nothing, not even a SKIPPED delivery per notification.
    const endpoints = (await webhooksOf(orgNumber)).filter(({ enabled }) => enabled);
    if (endpoints.length > 0) webhooks.set(orgNumber, endpoints);
  });
  const wanted = images.filter(({ notification }) => webhooks.has(notification.recipientOrgNumber));
  const keys = [...new Map(wanted.map(({ key }) => [keyOf(key), key])).values()];
  const notifications = new Map<string, StoredNotification>();
  for (let start = 0; start < keys.length; start += 100) {
    const chunk = keys.slice(start, start + 100);
    (await getItems(chunk)).forEach((item, index) => {
      if (item) notifications.set(keyOf(chunk[index]!), storedNotificationOf(fromItem(item)));
    });
  }
  return { notifications, context: webhooks };
}
