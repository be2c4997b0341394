import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { type StoredWebhook, type Webhook, webhookOf } from '../domain/webhooks/schemas.ts';
import { rotatedSecrets } from '../domain/webhooks/secrets.ts';
import { dynamoClient } from '../shared/clients.ts';
import { config } from '../shared/config.ts';
import { claimWrites, claimWritten, keyHeldFromCancellation, writeWithClaim } from './idempotency-store.ts';
import { fromItem, type Item, isIssuedId, StaleRead, toItem } from './items.ts';
import { queryItems } from './query.ts';
import { webhookKey } from './table-layout.ts';

export type { StoredWebhook } from '../domain/webhooks/schemas.ts';
export { webhookOf } from '../domain/webhooks/schemas.ts';

/**
 * Rule 15, an organisation's webhook endpoints: one item each under `WEBHOOKS#<org>` / `WEBHOOK#<id>`
 * (table-layout.ts), so that one Query gives the delivery function all of them. Only the owning
 * organisation's partition is ever read or written for a caller, so another organisation's webhook is
 * not found, as one that never existed.
 */

const ENTITY = 'webhook';

const storedOf = (item: Item): StoredWebhook => {
  const {
    pk: _pk,
    sk: _sk,
    entity: _entity,
    ...stored
  } = fromItem<StoredWebhook & Record<string, unknown>>(item);
  return stored as StoredWebhook;
};

/** A new webhook (its id is new), in one transaction with an Idempotency-Key's claim. */
export async function createWebhook(stored: StoredWebhook): Promise<void> {
  await writeWithClaim([
    {
      Put: {
        TableName: config.tableName(),
        Item: toItem({ ...webhookKey(stored.orgNumber, stored.id), entity: ENTITY, ...stored }),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  ]);
}

/** Every webhook of the organisation, secrets and all: one Query of its partition (a handful of items). */
export async function webhooksOf(orgNumber: string): Promise<StoredWebhook[]> {
  const webhooks: StoredWebhook[] = [];
  for await (const item of queryItems({
    TableName: config.tableName(),
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: toItem({ ':pk': webhookKey(orgNumber, '').pk, ':prefix': 'WEBHOOK#' }),
    ConsistentRead: true,
  })) {
    webhooks.push(storedOf(item));
  }
  return webhooks;
}

/** The organisation's webhooks as the API shows them, newest first. */
export async function listWebhooks(orgNumber: string): Promise<Webhook[]> {
  return (await webhooksOf(orgNumber))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id))
    .map(webhookOf);
}

/** The organisation's webhook; undefined for an id it has none with (another's included). */
export async function readWebhook(orgNumber: string, id: string): Promise<StoredWebhook | undefined> {
  if (!isIssuedId(id)) return undefined;
  const { Item: item } = await dynamoClient().send(
    new GetItemCommand({
      TableName: config.tableName(),
      Key: toItem(webhookKey(orgNumber, id)),
      ConsistentRead: true,
    }),
  );
  return item ? storedOf(item) : undefined;
}

export interface WebhookChange {
  events?: string[];
  enabled?: boolean;
  description?: string;
}

/**
 * Applies a change to the organisation's webhook, on condition it exists: the webhook as it is now,
 * or undefined when there is none. `enabled: true` also removes why and since when it was disabled or
 * failing, so deliveries start afresh.
 */
export async function updateWebhook(
  orgNumber: string,
  id: string,
  change: WebhookChange,
  at: Date,
): Promise<StoredWebhook | undefined> {
  if (!isIssuedId(id)) return undefined;
  const set: Record<string, unknown> = { ...change, updatedAt: at.toISOString() };
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const assignments = Object.entries(set)
    .filter(([, value]) => value !== undefined)
    .map(([field, value]) => {
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      return `#${field} = :${field}`;
    });
  const removals =
    change.enabled === true
      ? ['disabledAt', 'disabledReason', 'failingSince'].map((field) => {
          names[`#${field}`] = field;
          return `#${field}`;
        })
      : [];
  try {
    const { Attributes: attributes } = await dynamoClient().send(
      new UpdateItemCommand({
        TableName: config.tableName(),
        Key: toItem(webhookKey(orgNumber, id)),
        UpdateExpression: `SET ${assignments.join(', ')}${removals.length ? ` REMOVE ${removals.join(', ')}` : ''}`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: toItem(values),
        ReturnValues: 'ALL_NEW',
      }),
    );
    return attributes ? storedOf(attributes) : undefined;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}

/**
 * Deletes the organisation's webhook, on condition it exists: false when there is none (deleted by a
 * request in between, or another organisation's). Its deliveries' items expire on their own.
 */
export async function deleteWebhook(orgNumber: string, id: string): Promise<boolean> {
  if (!isIssuedId(id)) return false;
  try {
    await dynamoClient().send(
      new DeleteItemCommand({
        TableName: config.tableName(),
        Key: toItem(webhookKey(orgNumber, id)),
        ConditionExpression: 'attribute_exists(pk)',
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/**
 * Makes `secret` the signing secret of the webhook as read (`current`), keeping the one it replaces
 * for 24 hours more (secrets.ts), on condition the signing secret is still the one read: a rotation in
 * between throws `StaleRead` (read again and retry), as does the webhook's deletion. In one transaction
 * with an Idempotency-Key's claim.
 */
export async function rotateSecret(
  current: StoredWebhook,
  secret: string,
  at: Date,
): Promise<{ webhook: StoredWebhook; previousSecretExpiresAt: string }> {
  const { secrets, previousSecretExpiresAt } = rotatedSecrets(current.secrets, secret, at);
  const claims = claimWrites();
  try {
    await dynamoClient().send(
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            Update: {
              TableName: config.tableName(),
              Key: toItem(webhookKey(current.orgNumber, current.id)),
              UpdateExpression: 'SET #secrets = :secrets',
              ConditionExpression: '#secrets[0].#secret = :signing',
              ExpressionAttributeNames: { '#secrets': 'secrets', '#secret': 'secret' },
              ExpressionAttributeValues: toItem({
                ':secrets': secrets,
                ':signing': current.secrets[0]?.secret,
              }),
            },
          },
          ...claims,
        ],
      }),
    );
  } catch (error) {
    const held = keyHeldFromCancellation(error, claims);
    if (held) throw held;
    const changed =
      error instanceof TransactionCanceledException &&
      error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed';
    throw changed ? new StaleRead('The webhook was rotated or deleted since it was read') : error;
  }
  claimWritten(claims);
  return { webhook: { ...current, secrets }, previousSecretExpiresAt };
}
