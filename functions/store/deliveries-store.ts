import {
  ConditionalCheckFailedException,
  GetItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { Delivery } from '../domain/delivery/deliveries.ts';
import type { Agreement, Notification } from '../domain/schemas.ts';
import { dynamoClient } from '../shared/clients.ts';
import { config } from '../shared/config.ts';
import { fromItem, type Item, toItem } from './items.ts';
import { agreementKey } from './table-layout.ts';

/** The key of a notification's item in its recipient's outbox. */
export type NotificationKey = { pk: string; sk: string };

export interface StoredNotification {
  key: NotificationKey;
  notification: Notification;
  deliveries: Record<string, Delivery>;
}

/**
 * Each channel's delivery is an attribute of the notification's item of its own (`delivery:<channel>`),
 * so that deliverers of different channels never write the same attribute.
 */
const DELIVERY_ATTRIBUTE_PREFIX = 'delivery:';

/** A notification as stored (e.g. a stream record's new image): the notification, its deliveries. */
export function storedNotificationOf(item: Record<string, unknown>): StoredNotification {
  const { pk, sk, entity: _entity, ...attributes } = item;
  const notification: Record<string, unknown> = {};
  const deliveries: Record<string, Delivery> = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (name.startsWith(DELIVERY_ATTRIBUTE_PREFIX)) {
      deliveries[name.slice(DELIVERY_ATTRIBUTE_PREFIX.length)] = value as Delivery;
    } else notification[name] = value;
  }
  return {
    key: { pk: String(pk), sk: String(sk) },
    notification: notification as Notification,
    deliveries,
  };
}

/** What a delivery needs of an agreement: its parties, title and contact persons (as in force now). */
export type DeliveryAgreement = Pick<Agreement, 'id' | 'title' | 'controller' | 'processor' | 'contacts'>;

/**
 * The agreement from its item, read without the agreements store (and the schemas and hashing it
 * brings): the delivery functions stay small.
 */
export function deliveryAgreementOf(item: Item): DeliveryAgreement {
  const { id, title, controller, processor, contacts } = fromItem<Agreement>(item);
  return { id, title, controller, processor, contacts };
}

export async function readDeliveryAgreement(id: string): Promise<DeliveryAgreement | undefined> {
  const { Item: item } = await dynamoClient().send(
    new GetItemCommand({
      TableName: config.tableName(),
      Key: toItem(agreementKey(id)),
      ConsistentRead: true,
    }),
  );
  return item ? deliveryAgreementOf(item) : undefined;
}

export async function readNotification(key: NotificationKey): Promise<StoredNotification | undefined> {
  const { Item: item } = await dynamoClient().send(
    new GetItemCommand({ TableName: config.tableName(), Key: toItem(key), ConsistentRead: true }),
  );
  return item ? storedNotificationOf(fromItem<Record<string, unknown>>(item as Item)) : undefined;
}

/** The conditional update that records a channel's delivery after `previousAttempts` recorded ones. */
function deliveryUpdate(key: NotificationKey, delivery: Delivery, previousAttempts: number) {
  return {
    TableName: config.tableName(),
    Key: toItem(key),
    UpdateExpression: 'SET #delivery = :delivery',
    ConditionExpression:
      previousAttempts === 0
        ? 'attribute_exists(pk) AND attribute_not_exists(#delivery)'
        : 'attribute_exists(pk) AND #delivery.attempts = :previous',
    ExpressionAttributeNames: { '#delivery': `${DELIVERY_ATTRIBUTE_PREFIX}${delivery.channel}` },
    ExpressionAttributeValues: toItem({
      ':delivery': delivery,
      ...(previousAttempts === 0 ? {} : { ':previous': previousAttempts }),
    }),
  };
}

/**
 * Records a channel's delivery on the notification, provided no other attempt was recorded since
 * `previousAttempts` were (two deliverers of one channel cannot overwrite each other). False when one
 * was: the caller's attempt is then not the latest word.
 */
export async function recordDelivery(
  key: NotificationKey,
  delivery: Delivery,
  previousAttempts: number,
): Promise<boolean> {
  try {
    await dynamoClient().send(new UpdateItemCommand(deliveryUpdate(key, delivery, previousAttempts)));
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

export interface DeliveryRecord {
  key: NotificationKey;
  delivery: Delivery;
  previousAttempts: number;
}

/**
 * Records many deliveries (of different notifications), each on the condition of `recordDelivery`, in
 * as few requests as DynamoDB allows (100 updates per transaction): a batch of stream records costs one
 * write, not one per notification. Whether each was recorded, in order.
 */
export async function recordDeliveries(records: readonly DeliveryRecord[]): Promise<boolean[]> {
  const recorded = records.map(() => false);
  for (let start = 0; start < records.length; start += MAX_TRANSACTION_ITEMS) {
    let pending = records.slice(start, start + MAX_TRANSACTION_ITEMS).map((record, offset) => ({
      record,
      index: start + offset,
    }));
    // A transaction is all or nothing: the updates whose condition failed are left out and the rest
    // written again (at most once per update).
    while (pending.length > 0) {
      try {
        await dynamoClient().send(
          new TransactWriteItemsCommand({
            TransactItems: pending.map(({ record }) => ({
              Update: deliveryUpdate(record.key, record.delivery, record.previousAttempts),
            })),
          }),
        );
        for (const { index } of pending) recorded[index] = true;
        pending = [];
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const reasons = error.CancellationReasons ?? [];
        const refused = new Set(
          reasons.flatMap((reason, offset) => (reason.Code === 'ConditionalCheckFailed' ? [offset] : [])),
        );
        if (refused.size === 0) throw error;
        pending = pending.filter((_, offset) => !refused.has(offset));
      }
    }
  }
  return recorded;
}

/** DynamoDB's limit of items in one `TransactWriteItems`. */
const MAX_TRANSACTION_ITEMS = 100;
