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
 * Notifications have deterministic ids (e.g. `signature-missing:<agreement>:<due date>`). A marker item
 * written in the same transaction makes each one go out exactly once, however often a run is retried.
 */
export function notificationWrites(notification: Notification): TransactWriteItem[] {
  const table = config.tableName();
  return [
    {
      Put: {
        TableName: table,
        Item: toItem({
          pk: `NOTIFICATION#${notification.id}#${notification.recipientOrgNumber}`,
          sk: 'MARKER',
          entity: 'marker',
        }),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    {
      Put: {
        TableName: table,
        Item: toItem({
          pk: outboxPartition(notification.recipientOrgNumber),
          sk: `${notification.at}#${notification.id}`,
          entity: 'notification',
          ...notification,
        }),
      },
    },
  ];
}

/** Takes back notifications written with a change that was then undone (its marker and outbox item). */
export function notificationDeletes(notification: Notification): TransactWriteItem[] {
  const table = config.tableName();
  return [
    {
      Delete: {
        TableName: table,
        Key: toItem({
          pk: `NOTIFICATION#${notification.id}#${notification.recipientOrgNumber}`,
          sk: 'MARKER',
        }),
      },
    },
    {
      Delete: {
        TableName: table,
        Key: toItem({
          pk: outboxPartition(notification.recipientOrgNumber),
          sk: `${notification.at}#${notification.id}`,
        }),
      },
    },
  ];
}

/**
 * Sends notifications, together with `extra` writes, in one transaction: into the outbox (read by
 * GET /notifications) and, where a bus is configured (on AWS), as events for integrations. When any of
 * them went out before, or an `extra` condition fails, nothing is written and nothing is returned.
 */
export async function sendNotifications(
  notifications: Notification[],
  extra: TransactWriteItem[] = [],
): Promise<Notification[]> {
  if (notifications.length === 0 && extra.length === 0) return [];
  try {
    await writeNotifications(notifications, extra);
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
): Promise<void> {
  await dynamoClient().send(
    new TransactWriteItemsCommand({
      TransactItems: [...notifications.flatMap((n) => notificationWrites(n)), ...extra],
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
