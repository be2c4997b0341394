import {
  GetItemCommand,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
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
function deliveryUpdate(record: DeliveryRecord) {
  const { key, delivery, previousAttempts, previousAt } = record;
  // None recorded yet, or one that made no attempt (skipped) when no attempt was made before.
  const asRead =
    previousAttempts === 0
      ? '(attribute_not_exists(#delivery) OR #delivery.attempts = :previous)'
      : '#delivery.attempts = :previous';
  return {
    TableName: config.tableName(),
    Key: toItem(key),
    UpdateExpression: 'SET #delivery = :delivery',
    ConditionExpression: `attribute_exists(pk) AND ${asRead}${previousAt ? ' AND #delivery.#at = :previousAt' : ''}`,
    ExpressionAttributeNames: {
      '#delivery': `${DELIVERY_ATTRIBUTE_PREFIX}${delivery.channel}`,
      ...(previousAt ? { '#at': 'at' } : {}),
    },
    ExpressionAttributeValues: toItem({
      ':delivery': delivery,
      ':previous': previousAttempts,
      ...(previousAt ? { ':previousAt': previousAt } : {}),
    }),
  };
}

export interface DeliveryRecord {
  key: NotificationKey;
  delivery: Delivery;
  previousAttempts: number;
  /**
   * The `at` of the delivery as read, for a change that makes no attempt (a redelivery): two of them
   * at once leave `attempts` as it was, and only this tells the second that the first came before.
   */
  previousAt?: string;
  /** A write that goes with this record and only with it (a webhook delivery's own item). */
  with?: TransactWriteItem;
}

/**
 * Records many deliveries (of different notifications), each provided no other attempt on its channel
 * was recorded since `previousAttempts` were (two deliverers cannot overwrite each other), in
 * as few requests as DynamoDB allows (100 items per transaction): a batch of stream records costs one
 * write, not one per notification. Whether each was recorded, in order.
 */
export async function recordDeliveries(records: readonly DeliveryRecord[]): Promise<boolean[]> {
  const recorded = records.map(() => false);
  for (const chunk of transactionChunks(records)) {
    let pending = chunk;
    // A transaction is all or nothing: the records whose condition failed are left out and the rest
    // written again (at most once per record).
    while (pending.length > 0) {
      const writes = pending.map(({ record }) => [
        { Update: deliveryUpdate(record) },
        ...(record.with ? [record.with] : []),
      ]);
      try {
        await dynamoClient().send(new TransactWriteItemsCommand({ TransactItems: writes.flat() }));
        for (const { index } of pending) recorded[index] = true;
        pending = [];
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const reasons = error.CancellationReasons ?? [];
        let offset = 0;
        const refused = new Set<number>();
        writes.forEach((recordWrites, position) => {
          if (reasons[offset]?.Code === 'ConditionalCheckFailed') refused.add(position);
          offset += recordWrites.length;
        });
        if (refused.size === 0) throw error;
        pending = pending.filter((_, position) => !refused.has(position));
      }
    }
  }
  return recorded;
}

/** The records in groups whose writes fit one transaction, each with its index in `records`. */
function transactionChunks(records: readonly DeliveryRecord[]) {
  const chunks: { record: DeliveryRecord; index: number }[][] = [];
  let current: { record: DeliveryRecord; index: number }[] = [];
  let items = 0;
  records.forEach((record, index) => {
    const size = record.with ? 2 : 1;
    if (items + size > MAX_TRANSACTION_ITEMS) {
      chunks.push(current);
      current = [];
      items = 0;
    }
    current.push({ record, index });
    items += size;
  });
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** DynamoDB's limit of items in one `TransactWriteItems`. */
const MAX_TRANSACTION_ITEMS = 100;
