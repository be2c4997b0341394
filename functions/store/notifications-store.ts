import { QueryCommand, type TransactWriteItem, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { Notification } from '../domain/schemas.ts';
import { dynamoClient, eventsClient } from '../shared/clients.ts';
import { config } from '../shared/config.ts';
import { logError, logger } from '../shared/observability.ts';
import type { Page } from './agreements-store.ts';
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

const outboxKey = (notification: Notification) => ({
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

/** The organisation's notifications, oldest first. */
export async function listNotifications(
  orgNumber: string,
  options: { limit: number; cursor?: string },
): Promise<Page<Notification>> {
  const partition = outboxPartition(orgNumber);
  const page = await dynamoClient().send(
    new QueryCommand({
      TableName: config.tableName(),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: toItem({ ':pk': partition }),
      Limit: options.limit,
      ExclusiveStartKey: decodeCursor(options.cursor, {
        partition: { name: 'pk', value: partition },
        keys: ['pk', 'sk'],
      }),
    }),
  );
  const items = (page.Items ?? []).map((item) => {
    const { pk: _pk, sk: _sk, entity: _entity, ...notification } = fromItem<Record<string, unknown>>(item);
    return notification as Notification;
  });
  return { items, ...(page.LastEvaluatedKey ? { nextCursor: encodeCursor(page.LastEvaluatedKey) } : {}) };
}
