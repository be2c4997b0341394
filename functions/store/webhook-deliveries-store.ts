import {
  ConditionalCheckFailedException,
  QueryCommand,
  TransactionCanceledException,
  type TransactWriteItem,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { WebhookDelivery } from '../domain/delivery/webhook-message.ts';
import type { Notification } from '../domain/schemas.ts';
import type { StoredWebhook } from '../domain/webhooks/schemas.ts';
import { dynamoClient } from '../shared/clients.ts';
import { config } from '../shared/config.ts';
import type { NotificationKey } from './deliveries-store.ts';
import { decodeCursor, encodeCursor, fromItem, isIssuedId, toItem } from './items.ts';
import { sendNotifications } from './notifications-store.ts';
import { getItems } from './query.ts';
import { TABLE_KEYS, webhookDeliveryKey, webhookKey } from './table-layout.ts';

/**
 * Rule 15, the deliveries of one webhook endpoint (`WEBHOOK#<webhookId>` / `DELIVERY#<deliveryId>`,
 * newest last by the id's leading time): one item per notification, rewritten by every attempt in the
 * same transaction as the notification's own `delivery:webhook:<id>`, so the two never disagree. An
 * item names its notification's key (for a redelivery) and expires 90 days after its last attempt.
 */

const RETENTION_SECONDS = 90 * 24 * 3600;

export interface StoredWebhookDelivery extends WebhookDelivery {
  notificationKey: NotificationKey;
}

/** The Put of a delivery's item, for the transaction that records the attempt on the notification. */
export function webhookDeliveryPut(delivery: StoredWebhookDelivery): TransactWriteItem {
  return {
    Put: {
      TableName: config.tableName(),
      Item: toItem({
        ...webhookDeliveryKey(delivery.webhookId, delivery.id),
        entity: 'webhook-delivery',
        ...delivery,
        [TABLE_KEYS.ttlAttribute]: Math.floor(Date.parse(delivery.at) / 1000) + RETENTION_SECONDS,
      }),
    },
  };
}

const withoutKeys = (item: Record<string, unknown>): StoredWebhookDelivery => {
  const { pk: _pk, sk: _sk, entity: _entity, [TABLE_KEYS.ttlAttribute]: _ttl, ...delivery } = item;
  return delivery as unknown as StoredWebhookDelivery;
};

/** As listed: without the notification's key, which is the table's business. */
export function listedDelivery({
  notificationKey: _key,
  ...delivery
}: StoredWebhookDelivery): WebhookDelivery {
  return delivery;
}

/** What a delivery id is made of (`webhookDeliveryId`: the notification's time and a digest), bounded. */
const DELIVERY_ID_SHAPE = /^[0-9A-Za-z-]{1,64}$/;

/** The webhook (as its organisation's) and one of its deliveries, in one round trip. */
export async function readWebhookAndDelivery(
  orgNumber: string,
  webhookId: string,
  deliveryId: string,
): Promise<{ webhook?: StoredWebhook; delivery?: StoredWebhookDelivery }> {
  // Ids no webhook or delivery can have name nothing; an over-long one would be refused by DynamoDB as
  // a key (a 500), not found.
  if (!isIssuedId(webhookId) || !DELIVERY_ID_SHAPE.test(deliveryId)) return {};
  const [webhook, delivery] = await getItems([
    webhookKey(orgNumber, webhookId),
    webhookDeliveryKey(webhookId, deliveryId),
  ]);
  return {
    ...(webhook ? { webhook: storedWebhookOf(webhook) } : {}),
    ...(delivery ? { delivery: withoutKeys(fromItem(delivery)) } : {}),
  };
}

const storedWebhookOf = (item: Parameters<typeof fromItem>[0]): StoredWebhook => {
  const { pk: _pk, sk: _sk, entity: _entity, ...webhook } = fromItem<Record<string, unknown>>(item);
  return webhook as unknown as StoredWebhook;
};

/** A page of a webhook's deliveries, newest first. */
export async function listWebhookDeliveries(
  webhookId: string,
  options: { limit: number; cursor?: string },
): Promise<{ items: WebhookDelivery[]; nextCursor?: string }> {
  const partition = webhookDeliveryKey(webhookId, '').pk;
  const page = await dynamoClient().send(
    new QueryCommand({
      TableName: config.tableName(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :delivery)',
      ExpressionAttributeValues: toItem({ ':pk': partition, ':delivery': 'DELIVERY#' }),
      ScanIndexForward: false,
      Limit: options.limit,
      ExclusiveStartKey: decodeCursor(options.cursor, {
        partition: { name: 'pk', value: partition },
        keys: ['pk', 'sk'],
        sortKeyPrefix: { name: 'sk', prefix: 'DELIVERY#' },
      }),
    }),
  );
  return {
    items: (page.Items ?? []).map((item) => listedDelivery(withoutKeys(fromItem(item)))),
    ...(page.LastEvaluatedKey ? { nextCursor: encodeCursor(page.LastEvaluatedKey)! } : {}),
  };
}

/**
 * What the attempts of one batch tell about an endpoint's health (rule 15): a delivery ends its
 * failing streak; a failure starts one, and one that has lasted 5 days disables the endpoint, in one
 * transaction with the `webhook.disabled` notification to its organisation (written once: only the
 * write that finds the endpoint still enabled succeeds).
 */
export async function recordWebhookHealth(
  webhook: StoredWebhook,
  outcome: 'delivered' | 'failed',
  at: Date,
  disabling: (failingSince: string) => Notification | undefined,
): Promise<void> {
  const key = toItem(webhookKey(webhook.orgNumber, webhook.id));
  const table = config.tableName();
  try {
    if (outcome === 'delivered') {
      if (!webhook.failingSince) return;
      await dynamoClient().send(
        new UpdateItemCommand({
          TableName: table,
          Key: key,
          UpdateExpression: 'REMOVE failingSince',
          ConditionExpression: 'attribute_exists(pk)',
        }),
      );
      return;
    }
    if (!webhook.failingSince) {
      await dynamoClient().send(
        new UpdateItemCommand({
          TableName: table,
          Key: key,
          UpdateExpression: 'SET failingSince = :at',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(failingSince)',
          ExpressionAttributeValues: toItem({ ':at': at.toISOString() }),
        }),
      );
      return;
    }
    const notification = disabling(webhook.failingSince);
    if (!notification) return;
    await sendNotifications(
      [notification],
      [
        {
          Update: {
            TableName: table,
            Key: key,
            UpdateExpression: 'SET enabled = :false, disabledAt = :at, disabledReason = :reason',
            ConditionExpression: 'enabled = :true AND failingSince = :since',
            ExpressionAttributeValues: toItem({
              ':false': false,
              ':true': true,
              ':at': at.toISOString(),
              ':since': webhook.failingSince,
              ':reason': `Every delivery failed from ${webhook.failingSince} on`,
            }),
          },
        },
      ],
      'condition',
    );
  } catch (error) {
    // Deleted, changed or re-enabled meanwhile: that word stands.
    if (error instanceof ConditionalCheckFailedException || error instanceof TransactionCanceledException) {
      return;
    }
    throw error;
  }
}
