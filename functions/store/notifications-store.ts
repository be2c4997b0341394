import { QueryCommand, type TransactWriteItem, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { type Delivery, deliveriesList } from '../domain/delivery/deliveries.ts';
import type { Notification } from '../domain/schemas.ts';
import { dynamoClient, eventsClient } from '../shared/clients.ts';
import { config } from '../shared/config.ts';
import { logError, logger } from '../shared/observability.ts';
import type { Page } from './agreements-store.ts';
import { storedNotificationOf } from './deliveries-store.ts';
import { cancelledWith, decodeCursor, encodeCursor, fromItem, toItem } from './items.ts';

const outboxPartition = (orgNumber: string) => `NOTIFICATIONS#${orgNumber}`;

/**
 * How a transaction that sends notifications goes out only once, however often it is retried.
 * - `marker`: notifications have deterministic ids (e.g. `signature-missing:<agreement>:<due date>`);
 *   a marker item per notification, put on condition that it does not exist, refuses a second send.
 * - `condition`: the transaction already carries a condition that a repeat fails (the agreement's
 *   status and version, a reminder's due date) and each notification id belongs to that one change,
 *   so markers would only add items to every transaction.
 */
export type SentOnceBy = 'marker' | 'condition';

const markerKey = (notification: Notification) => ({
  pk: `NOTIFICATION#${notification.id}#${notification.recipientOrgNumber}`,
  sk: 'MARKER',
});

/** The key of a notification in its recipient's outbox. */
export const outboxKey = (notification: Pick<Notification, 'recipientOrgNumber' | 'at' | 'id'>) => ({
  pk: outboxPartition(notification.recipientOrgNumber),
  sk: `${notification.at}#${notification.id}`,
});

/** A notification's writes: into its recipient's outbox, and its marker where that keeps it to once. */
export function notificationWrites(
  notification: Notification,
  onceBy: SentOnceBy = 'marker',
): TransactWriteItem[] {
  const table = config.tableName();
  const outbox: TransactWriteItem = {
    Put: {
      TableName: table,
      Item: toItem({ ...outboxKey(notification), entity: 'notification', ...notification }),
    },
  };
  if (onceBy === 'condition') return [outbox];
  const marker: TransactWriteItem = {
    Put: {
      TableName: table,
      Item: toItem({ ...markerKey(notification), entity: 'marker' }),
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
  return [marker, outbox];
}

/** Takes back notifications written with a change that was then undone (as they were written). */
export function notificationDeletes(
  notification: Notification,
  onceBy: SentOnceBy = 'marker',
): TransactWriteItem[] {
  const table = config.tableName();
  const outbox: TransactWriteItem = { Delete: { TableName: table, Key: toItem(outboxKey(notification)) } };
  if (onceBy === 'condition') return [outbox];
  return [{ Delete: { TableName: table, Key: toItem(markerKey(notification)) } }, outbox];
}

/**
 * Sends notifications, together with `extra` writes, in one transaction: into the outbox (read by
 * GET /notifications) and, where a bus is configured (on AWS), as events for integrations. When any of
 * them went out before, or an `extra` condition fails, nothing is written and nothing is returned.
 */
export async function sendNotifications(
  notifications: Notification[],
  extra: TransactWriteItem[] = [],
  onceBy: SentOnceBy = 'marker',
): Promise<Notification[]> {
  if (notifications.length === 0 && extra.length === 0) return [];
  try {
    await writeNotifications(notifications, extra, onceBy);
  } catch (error) {
    if (isDuplicate(error)) return [];
    throw error;
  }
  await publishEvents(notifications);
  return notifications;
}

/**
 * Writes notifications into the outbox with `extra` writes in one transaction, and nothing else: a
 * notification that went out before or a failed `extra` condition cancels it (the error is thrown).
 */
export async function writeNotifications(
  notifications: Notification[],
  extra: TransactWriteItem[] = [],
  onceBy: SentOnceBy = 'marker',
): Promise<void> {
  await dynamoClient().send(
    new TransactWriteItemsCommand({
      TransactItems: [...notifications.flatMap((n) => notificationWrites(n, onceBy)), ...extra],
    }),
  );
}

const isDuplicate = (error: unknown): boolean => cancelledWith(error, 'ConditionalCheckFailed');

/**
 * The outbox in the table is the record; the bus is for integrations. A failed publish is logged, never
 * turned into a failed request after the change it reports has been committed.
 */
export async function publishEvents(notifications: Notification[]): Promise<void> {
  const bus = config.eventBusName();
  if (!bus || notifications.length === 0) return;
  for (let start = 0; start < notifications.length; start += 10) {
    const batch = notifications.slice(start, start + 10);
    try {
      const result = await eventsClient().send(
        new PutEventsCommand({
          Entries: batch.map((n) => ({
            EventBusName: bus,
            Source: 'dpa.agreements',
            DetailType: n.type,
            Detail: JSON.stringify(n),
            Time: new Date(n.at),
          })),
        }),
      );
      if (result.FailedEntryCount)
        logger().error('Some notification events were not published; they are in the outbox', {
          failed: (result.Entries ?? [])
            .filter((entry) => entry.ErrorCode)
            .map(({ ErrorCode, ErrorMessage }) => ({ ErrorCode, ErrorMessage })),
        });
    } catch (error) {
      logError('Publishing notification events failed; they are in the outbox', error);
    }
  }
}

/** A notification as listed: with its deliveries so far (rule 15). */
export type ListedNotification = Notification & { deliveries: Delivery[] };

/**
 * The organisation's notifications, oldest first: from `since` on when given (an ISO time: those
 * written at or after it; a key: those written after that notification), of the given `types` only
 * when given. `since` in the answer names its last item, for the next poll.
 */
export async function listNotifications(
  orgNumber: string,
  options: { limit: number; cursor?: string; since?: string; types?: readonly string[] },
): Promise<Page<ListedNotification> & { since?: string }> {
  const partition = outboxPartition(orgNumber);
  const after = options.since === undefined ? undefined : sinceKey(partition, options.since);
  const types = options.types ?? [];
  const page = await dynamoClient().send(
    new QueryCommand({
      TableName: config.tableName(),
      KeyConditionExpression: after ? 'pk = :pk AND sk > :after' : 'pk = :pk',
      ...(types.length > 0
        ? {
            FilterExpression: `#type IN (${types.map((_, index) => `:type${index}`).join(', ')})`,
            ExpressionAttributeNames: { '#type': 'type' },
          }
        : {}),
      ExpressionAttributeValues: toItem({
        ':pk': partition,
        ...(after ? { ':after': after } : {}),
        ...Object.fromEntries(types.map((type, index) => [`:type${index}`, type])),
      }),
      Limit: options.limit,
      ExclusiveStartKey: decodeCursor(options.cursor, {
        partition: { name: 'pk', value: partition },
        keys: ['pk', 'sk'],
      }),
    }),
  );
  const stored = (page.Items ?? []).map((item) =>
    storedNotificationOf(fromItem<Record<string, unknown>>(item)),
  );
  const items = stored.map(({ notification, deliveries }) => ({
    ...notification,
    deliveries: deliveriesList(deliveries),
  }));
  // The last key read (past what the filter dropped), else the last item: where the next poll starts.
  const last = page.LastEvaluatedKey ?? (stored.length > 0 ? toItem(stored.at(-1)!.key) : undefined);
  return {
    items,
    ...(page.LastEvaluatedKey ? { nextCursor: encodeCursor(page.LastEvaluatedKey) } : {}),
    ...(last ? { since: encodeCursor(last) } : options.since ? { since: options.since } : {}),
  };
}

/** The sort key after which `since` starts: a time (at or after it), or an earlier answer's `since`. */
function sinceKey(partition: string, since: string): string {
  if (isIsoTime(since)) {
    // Sort keys are `<at>#<id>`, `at` in UTC with milliseconds: just before the first written at `since`.
    return new Date(since).toISOString();
  }
  const key = decodeCursor(
    since,
    { partition: { name: 'pk', value: partition }, keys: ['pk', 'sk'] },
    'since',
  );
  return fromItem<{ sk: string }>(key!).sk;
}

const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** An ISO 8601 time with a zone, on a day the month has (Date.parse would roll 31 February over). */
function isIsoTime(value: string): boolean {
  const match = ISO_TIME.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
