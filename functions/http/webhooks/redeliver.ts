import { redelivery } from '../../domain/delivery/deliveries.ts';
import { retrySeriesName } from '../../domain/delivery/retry.ts';
import { webhookChannel } from '../../domain/delivery/webhook-message.ts';
import { conflict, notFound } from '../../domain/errors.ts';
import { emptyBodySchema } from '../../domain/schemas.ts';
import { now } from '../../shared/clock.ts';
import { httpHandler } from '../../shared/http.ts';
import { startDeliveryRetries } from '../../shared/workflows.ts';
import { recordDeliveries } from '../../store/deliveries-store.ts';
import {
  listedDelivery,
  readWebhookAndDelivery,
  webhookDeliveryPut,
} from '../../store/webhook-deliveries-store.ts';
import { idempotent } from '../idempotency.ts';

/**
 * Rule 15: sends one delivery of one of the caller's organisation's endpoints again, e.g. after the
 * receiver was mended: 202 with the delivery, due at once and retried for 24 hours more like any
 * other; the message keeps its `webhook-id`, so a receiver that had it after all sees a duplicate.
 * 409 while the endpoint is disabled (enable it first) or the delivery is still being retried.
 *
 * The delivery is recorded due, then its series of retries started. Should the start fail after the
 * record (the request answers 500), the delivery shows RETRYING with a next attempt that never comes:
 * once that time is `STUCK_AFTER_MS` past, it may be sent again.
 */
export const handler = httpHandler(
  { body: emptyBodySchema },
  idempotent(async ({ caller, params }) => {
    const { webhook, delivery } = await readWebhookAndDelivery(
      caller.orgNumber,
      params.id ?? '',
      params.deliveryId ?? '',
    );
    if (!webhook) throw notFound('No webhook with that id exists for your organisation');
    if (!delivery) throw notFound('No delivery with that id exists for this webhook');
    if (!webhook.enabled) throw conflict('The webhook is disabled; enable it (PATCH) before sending again');
    const at = now();
    if (delivery.status === 'RETRYING' && !isOverdue(delivery.nextAttemptAt, at)) {
      throw conflict(`The delivery is being retried; its next attempt is at ${delivery.nextAttemptAt}`);
    }
    const channel = webhookChannel(webhook.id);
    const { channel: _channel, ...due } = redelivery(channel, delivery.attempts, at);
    const { notificationKey } = delivery;
    const updated = { ...delivery, ...due };
    const [recorded] = await recordDeliveries([
      {
        key: notificationKey,
        delivery: { channel, ...due },
        previousAttempts: delivery.attempts,
        previousAt: delivery.at,
        with: webhookDeliveryPut(updated),
      },
    ]);
    if (!recorded) throw conflict('The delivery was attempted meanwhile; read it again');
    // A series of its own (named by this redelivery's time), started once the delivery is recorded due.
    await startDeliveryRetries(
      { notification: notificationKey, channel, retryAt: due.nextAttemptAt! },
      retrySeriesName(notificationKey, channel, at.getTime()),
    );
    return { status: 202, body: listedDelivery(updated) };
  }),
);

/** How long past its next attempt a delivery still being retried counts as stuck. */
const STUCK_AFTER_MS = 5 * 60 * 1000;

const isOverdue = (nextAttemptAt: string | undefined, at: Date) =>
  nextAttemptAt === undefined || Date.parse(nextAttemptAt) + STUCK_AFTER_MS < at.getTime();
