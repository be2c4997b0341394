import { createHash } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { type Delivery, EMAIL_CHANNEL } from '../../domain/delivery/deliveries.ts';
import { isEmailed } from '../../domain/delivery/email.ts';
import { now } from '../../shared/clock.ts';
import { eachAtMost } from '../../shared/concurrency.ts';
import { logError, observedTask } from '../../shared/observability.ts';
import { startDeliveryRetries } from '../../shared/workflows.ts';
import {
  type DeliveryAgreement,
  deliveryAgreementOf,
  type NotificationKey,
  recordDeliveries,
  type StoredNotification,
  storedNotificationOf,
} from '../../store/deliveries-store.ts';
import { fromItem } from '../../store/items.ts';
import { getItems } from '../../store/query.ts';
import { agreementKey } from '../../store/table-layout.ts';
import { sendEmail } from './email.ts';

/** The part of a DynamoDB stream event this function reads (see NOTIFICATION_STREAM_FILTER). */
export interface NotificationStreamEvent {
  Records: {
    dynamodb?: { SequenceNumber?: string; NewImage?: Record<string, AttributeValue> };
  }[];
}

export interface StreamBatchResult {
  batchItemFailures: { itemIdentifier: string }[];
}

const SENDS_AT_ONCE = 8;

/**
 * Delivers the notifications just written (rule 15), fed by the table's stream: each notification
 * addressed to an organisation is e-mailed to that party's contact person on the agreement (machine
 * events such as `audit.sealed` are not e-mailed). A failed send is recorded as RETRYING and handed to
 * the notification-delivery workflow, which retries it with back-off for at least 24 hours. Only a
 * record this function could not handle at all (e.g. DynamoDB unreachable) is reported as a batch item
 * failure, for the event source to retry it and, in the end, put it in the dead-letter queue.
 */
export const handler = observedTask(async (event: NotificationStreamEvent): Promise<StreamBatchResult> => {
  const at = now();
  const written = event.Records.flatMap(({ dynamodb }) =>
    dynamodb?.NewImage && dynamodb.SequenceNumber
      ? [{ sequence: dynamodb.SequenceNumber, image: storedNotificationOf(unmarshall(dynamodb.NewImage)) }]
      : [],
  );
  const emailed = written.filter(({ image }) => isEmailed(image.notification.type));
  const failures: string[] = [];
  let current: Current;
  try {
    current = await readCurrent(emailed.map(({ image }) => image));
  } catch (error) {
    logError('Reading the notifications and their agreements failed; the event source retries', error);
    return { batchItemFailures: emailed.map(({ sequence }) => ({ itemIdentifier: sequence })) };
  }
  // As stored now, not as inserted: a record handed over again finds its delivery recorded.
  const toDeliver = emailed.flatMap(({ sequence, image }) => {
    const stored = current.notifications.get(keyOf(image.key));
    return stored ? [{ sequence, stored }] : []; // deleted since: nothing to deliver
  });
  const attempts: { sequence: string; stored: StoredNotification; delivery: Delivery; fresh: boolean }[] = [];
  await eachAtMost(SENDS_AT_ONCE, toDeliver, async ({ sequence, stored }) => {
    const previous = stored.deliveries[EMAIL_CHANNEL];
    // Settled before: nothing to do. Being retried (this record came before): no attempt out of the
    // schedule, only the retries' start again below.
    if (previous && previous.status !== 'RETRYING') return;
    const delivery =
      previous?.status === 'RETRYING'
        ? previous
        : await sendEmail(stored, current.agreements.get(stored.notification.agreementId), at);
    attempts.push({ sequence, stored, delivery, fresh: delivery !== previous });
  });

  const fresh = attempts.filter((attempt) => attempt.fresh);
  let recorded: boolean[];
  try {
    // One write for the whole batch (100 updates per transaction).
    recorded = await recordDeliveries(
      fresh.map(({ stored, delivery }) => ({
        key: stored.key,
        delivery,
        previousAttempts: stored.deliveries[EMAIL_CHANNEL]?.attempts ?? 0,
      })),
    );
  } catch (error) {
    logError('Recording deliveries failed; the event source retries', error);
    return { batchItemFailures: fresh.map(({ sequence }) => ({ itemIdentifier: sequence })) };
  }
  // Another deliverer recorded first: its word stands, and its retries are its own.
  const retrying = attempts.filter(
    (attempt) =>
      attempt.delivery.status === 'RETRYING' && (!attempt.fresh || recorded[fresh.indexOf(attempt)]),
  );
  await eachAtMost(SENDS_AT_ONCE, retrying, async ({ sequence, stored, delivery }) => {
    try {
      // A series already under way keeps its name, so a repeated start changes nothing.
      await startDeliveryRetries(
        { notification: stored.key, channel: delivery.channel, retryAt: delivery.nextAttemptAt! },
        retrySeriesName(stored, delivery.channel),
      );
    } catch (error) {
      logError('Starting the retries of a delivery failed; the event source retries', error, {
        notificationId: stored.notification.id,
      });
      failures.push(sequence);
    }
  });
  return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
});

interface Current {
  notifications: Map<string, StoredNotification>;
  agreements: Map<string, DeliveryAgreement>;
}

const keyOf = (key: NotificationKey) => `${key.pk}\u0000${key.sk}`;

/** The notifications as stored now and their agreements, 100 keys per strongly consistent BatchGetItem. */
async function readCurrent(images: readonly StoredNotification[]): Promise<Current> {
  // Each key once: BatchGetItem refuses a request that names one twice.
  const notificationKeys = [...new Map(images.map(({ key }) => [keyOf(key), key])).values()];
  const agreementIds = [...new Set(images.map(({ notification }) => notification.agreementId))];
  const keys = [...notificationKeys, ...agreementIds.map(agreementKey)];
  const current: Current = { notifications: new Map(), agreements: new Map() };
  for (let start = 0; start < keys.length; start += 100) {
    const chunk = keys.slice(start, start + 100);
    const items = await getItems(chunk);
    items.forEach((item, index) => {
      if (!item) return;
      const key = chunk[index]!;
      if (key.sk === 'AGREEMENT') {
        current.agreements.set(key.pk.slice('AGREEMENT#'.length), deliveryAgreementOf(item));
      } else {
        current.notifications.set(keyOf(key), storedNotificationOf(fromItem<Record<string, unknown>>(item)));
      }
    });
  }
  return current;
}

export function retrySeriesName(stored: Pick<StoredNotification, 'key'>, channel: string): string {
  const digest = createHash('sha256').update(`${stored.key.pk}\n${stored.key.sk}\n${channel}`).digest('hex');
  return `delivery-${channel.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 20)}-${digest.slice(0, 48)}`;
}
