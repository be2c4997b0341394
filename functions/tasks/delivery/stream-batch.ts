import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Delivery } from '../../domain/delivery/deliveries.ts';
import { now } from '../../shared/clock.ts';
import { eachAtMost } from '../../shared/concurrency.ts';
import { logError, observedTask } from '../../shared/observability.ts';
import {
  type NotificationKey,
  type StoredNotification,
  storedNotificationOf,
} from '../../store/deliveries-store.ts';
import { type Attempt, startRetries } from './attempts.ts';

/** The part of a DynamoDB stream event a delivery function reads (see the catalogue's filter). */
export interface NotificationStreamEvent {
  Records: {
    dynamodb?: { SequenceNumber?: string; NewImage?: Record<string, AttributeValue> };
  }[];
}

export interface StreamBatchResult {
  batchItemFailures: { itemIdentifier: string }[];
}

/** One channel's part of delivering a batch of new notifications (e-mail, webhooks). */
export interface ChannelDelivery<Context, A extends Attempt> {
  /** The notifications as stored now, by `keyOf`, and what else the batch needs: read once. */
  read(images: readonly StoredNotification[]): Promise<{
    notifications: Map<string, StoredNotification>;
    context: Context;
  }>;
  /** The sends one notification takes on this channel kind: none, one, or one per endpoint. */
  sends(stored: StoredNotification, context: Context): { channel: string; send: (at: Date) => Promise<A> }[];
  /** Records the attempts made; whether each was recorded, in order. */
  record(attempts: readonly A[], at: Date): Promise<boolean[]>;
}

const SENDS_AT_ONCE = 8;

export const keyOf = (key: NotificationKey) => `${key.pk}\u0000${key.sk}`;

/**
 * A function fed by the table's stream that delivers each new notification on one kind of channel
 * (rule 15). Each notification is read as stored now (a record handed over again finds its deliveries
 * recorded: a settled one is not sent again, one being retried only has its retries started again);
 * a failed attempt is recorded RETRYING and handed to the notification-delivery workflow. Only a
 * record the function could not handle at all (e.g. DynamoDB unreachable) is a batch item failure,
 * for the event source to retry it and, in the end, put it in the dead-letter queue.
 */
export function streamDelivery<Context, A extends Attempt>(channel: ChannelDelivery<Context, A>) {
  return observedTask(async (event: NotificationStreamEvent): Promise<StreamBatchResult> => {
    const at = now();
    const written = event.Records.flatMap(({ dynamodb }) =>
      dynamodb?.NewImage && dynamodb.SequenceNumber
        ? [{ sequence: dynamodb.SequenceNumber, image: storedNotificationOf(unmarshall(dynamodb.NewImage)) }]
        : [],
    );
    const everyRecord = () => ({
      batchItemFailures: written.map(({ sequence }) => ({ itemIdentifier: sequence })),
    });
    let current: Awaited<ReturnType<typeof channel.read>>;
    try {
      current = await channel.read(written.map(({ image }) => image));
    } catch (error) {
      logError('Reading the notifications to deliver failed; the event source retries', error);
      return everyRecord();
    }
    const planned = written.flatMap(({ sequence, image }) => {
      const stored = current.notifications.get(keyOf(image.key));
      // Deleted since: nothing to deliver.
      return stored
        ? channel.sends(stored, current.context).map((send) => ({ sequence, stored, ...send }))
        : [];
    });
    const fresh: (A & { sequence: string })[] = [];
    const retrying: { sequence: string; stored: StoredNotification; delivery: Delivery }[] = [];
    await eachAtMost(SENDS_AT_ONCE, planned, async ({ sequence, stored, channel: name, send }) => {
      const previous = stored.deliveries[name];
      if (previous?.status === 'RETRYING') retrying.push({ sequence, stored, delivery: previous });
      if (previous) return;
      fresh.push({ sequence, ...(await send(at)) });
    });
    let recorded: boolean[];
    try {
      recorded = await channel.record(fresh, at);
    } catch (error) {
      logError('Recording deliveries failed; the event source retries', error);
      return { batchItemFailures: fresh.map(({ sequence }) => ({ itemIdentifier: sequence })) };
    }
    // Another deliverer recorded first: its word stands, and its retries are its own.
    fresh.forEach(({ sequence, stored, delivery }, index) => {
      if (recorded[index] && delivery.status === 'RETRYING') retrying.push({ sequence, stored, delivery });
    });
    const failures = new Set<string>();
    await eachAtMost(SENDS_AT_ONCE, retrying, async ({ sequence, stored, delivery }) => {
      try {
        await startRetries(stored, delivery);
      } catch (error) {
        logError('Starting the retries of a delivery failed; the event source retries', error, {
          notificationId: stored.notification.id,
        });
        failures.add(sequence);
      }
    });
    return { batchItemFailures: [...failures].map((itemIdentifier) => ({ itemIdentifier })) };
  });
}
