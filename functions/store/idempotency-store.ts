import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { dynamoClient } from '../shared/clients.ts';
import { config } from '../shared/config.ts';
import { fromItem, toItem } from './items.ts';
import { idempotencyKey, TABLE_KEYS } from './table-layout.ts';

/**
 * One record per organisation and `Idempotency-Key`: claimed before the work, completed with the
 * response after it, released when the work failed. The table's TTL removes it after its window.
 */
export interface IdempotencyRecord {
  status: 'IN_PROGRESS' | 'COMPLETED';
  /** What the first request asked for: its route, path and body. */
  fingerprint: string;
  /** The first response, once there is one. */
  response?: { status: number; body?: string; headers?: Record<string, string> };
  createdAt: string;
}

export type Claim = { claimed: true } | { claimed: false; existing: IdempotencyRecord };

const ttl = TABLE_KEYS.ttlAttribute;

/**
 * Claims the key, unless a live record holds it: a completed one inside its window, or one in progress
 * whose lock has not run out (a request that died mid-way frees its key when the lock expires).
 */
export async function claimKey(input: {
  orgNumber: string;
  key: string;
  fingerprint: string;
  now: Date;
  windowSeconds: number;
  lockSeconds: number;
}): Promise<Claim> {
  const nowSeconds = Math.floor(input.now.getTime() / 1000);
  try {
    await dynamoClient().send(
      new PutItemCommand({
        TableName: config.tableName(),
        Item: toItem({
          ...idempotencyKey(input.orgNumber, input.key),
          entity: 'IDEMPOTENCY',
          status: 'IN_PROGRESS',
          fingerprint: input.fingerprint,
          createdAt: input.now.toISOString(),
          lockedUntil: nowSeconds + input.lockSeconds,
          [ttl]: nowSeconds + input.windowSeconds,
        }),
        ConditionExpression:
          'attribute_not_exists(pk) OR #ttl <= :now OR (#status = :inProgress AND lockedUntil <= :now)',
        ExpressionAttributeNames: { '#ttl': ttl, '#status': 'status' },
        ExpressionAttributeValues: toItem({ ':now': nowSeconds, ':inProgress': 'IN_PROGRESS' }),
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return { claimed: true };
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException && error.Item) {
      return { claimed: false, existing: fromItem<IdempotencyRecord>(error.Item) };
    }
    throw error;
  }
}

/** Stores the first response; only the claim's own record (same fingerprint, still in progress). */
export async function completeKey(input: {
  orgNumber: string;
  key: string;
  fingerprint: string;
  response: NonNullable<IdempotencyRecord['response']>;
}): Promise<void> {
  await dynamoClient().send(
    new UpdateItemCommand({
      TableName: config.tableName(),
      Key: toItem(idempotencyKey(input.orgNumber, input.key)),
      UpdateExpression: 'SET #status = :completed, #response = :response REMOVE lockedUntil',
      ConditionExpression: '#status = :inProgress AND fingerprint = :fingerprint',
      ExpressionAttributeNames: { '#status': 'status', '#response': 'response' },
      ExpressionAttributeValues: toItem({
        ':completed': 'COMPLETED',
        ':inProgress': 'IN_PROGRESS',
        ':fingerprint': input.fingerprint,
        ':response': input.response,
      }),
    }),
  );
}

/** Frees the key after the work failed and changed nothing, so that a retry does the work. */
export async function releaseKey(input: {
  orgNumber: string;
  key: string;
  fingerprint: string;
}): Promise<void> {
  try {
    await dynamoClient().send(
      new DeleteItemCommand({
        TableName: config.tableName(),
        Key: toItem(idempotencyKey(input.orgNumber, input.key)),
        ConditionExpression: '#status = :inProgress AND fingerprint = :fingerprint',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: toItem({
          ':inProgress': 'IN_PROGRESS',
          ':fingerprint': input.fingerprint,
        }),
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}
