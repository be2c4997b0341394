import {
  ConditionalCheckFailedException,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { AgreementStatus } from '../domain/schemas.ts';
import { dynamoClient } from '../shared/clients.ts';
import { now } from '../shared/clock.ts';
import { config } from '../shared/config.ts';
import { fromItem, type Item, toItem } from './items.ts';
import { agreementKey, TABLE_KEYS } from './table-layout.ts';

/**
 * Task tokens of a workflow's human steps (e.g. the termination workflow waiting for the controller's
 * choice, then for the processor's attestation), one item per step next to the agreement:
 * `AGREEMENT#<id>` / `TASK_TOKEN#<workflow>#<step>`. Kept apart from the agreement item so the
 * agreement's representation and its conditional updates stay as they are. A token outlives its task
 * harmlessly (completing a stale token is ignored); DynamoDB's TTL removes the item after a while.
 */
export const taskTokenKey = (agreementId: string, workflow: string, step: string) => ({
  pk: `AGREEMENT#${agreementId}`,
  sk: `TASK_TOKEN#${workflow}#${step}`,
});

/** Longer than any execution may run (Standard executions end after one year). */
const TOKEN_TTL_SECONDS = 400 * 24 * 3600;

/** A step's task token, as written. */
export interface TaskToken {
  agreementId: string;
  workflow: string;
  step: string;
  token: string;
}

/**
 * The put of a step's token, for a transaction that already makes sure the awaited fact is missing
 * (e.g. the termination, whose condition on the agreement's version covers the token with it).
 */
export function taskTokenPut(token: TaskToken, at: Date): TransactWriteItem {
  return {
    Put: {
      TableName: config.tableName(),
      Item: toItem({
        ...taskTokenKey(token.agreementId, token.workflow, token.step),
        entity: 'task-token',
        workflow: token.workflow,
        step: token.step,
        token: token.token,
        storedAt: at.toISOString(),
        [TABLE_KEYS.ttlAttribute]: Math.floor(at.getTime() / 1000) + TOKEN_TTL_SECONDS,
      }),
    },
  };
}

export interface TaskTokenRequest extends TaskToken {
  /** The token is stored only if the agreement is still exactly as it was read: this status... */
  expectedStatus: AgreementStatus;
  /** ...and this version. A change in between (the awaited fact arriving) makes the store fail. */
  expectedVersion: number;
}

/**
 * Stores a step's task token, only if the agreement still has the status and version on which the
 * awaited fact was missing. When the fact lands in between, this returns false and the caller reads
 * again and completes the task itself, so no fact is ever lost between the check and the wait.
 */
export async function storeTaskToken(request: TaskTokenRequest): Promise<boolean> {
  const table = config.tableName();
  const at = now();
  try {
    await dynamoClient().send(
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            ConditionCheck: {
              TableName: table,
              Key: toItem(agreementKey(request.agreementId)),
              ConditionExpression: '#status = :status AND #version = :version',
              ExpressionAttributeNames: { '#status': 'status', '#version': 'version' },
              ExpressionAttributeValues: toItem({
                ':status': request.expectedStatus,
                ':version': request.expectedVersion,
              }),
            },
          },
          taskTokenPut(request, at),
        ],
      }),
    );
    return true;
  } catch (error) {
    if (
      error instanceof TransactionCanceledException &&
      error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed'
    ) {
      return false;
    }
    throw error;
  }
}

/** The token in a task token item (as read with others, e.g. next to the agreement), if any. */
export const tokenOf = (item: Item | undefined): string | undefined =>
  item ? fromItem<{ token?: string }>(item).token : undefined;

/**
 * For the transaction of a change that completes a step's wait with the token it read: the change
 * goes through only if the step's token is still the one read (or still none). A wait registering
 * its token in between makes it fail, and the change is read and decided again, so the token it then
 * completes is the one the workflow waits on.
 */
export function taskTokenCheck(
  agreementId: string,
  workflow: string,
  step: string,
  tokenAsRead: string | undefined,
): TransactWriteItem {
  return {
    ConditionCheck: {
      TableName: config.tableName(),
      Key: toItem(taskTokenKey(agreementId, workflow, step)),
      ...(tokenAsRead === undefined
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : {
            ConditionExpression: '#token = :token',
            ExpressionAttributeNames: { '#token': 'token' },
            ExpressionAttributeValues: toItem({ ':token': tokenAsRead }),
          }),
    },
  };
}

/**
 * Stores a workflow's task token on an item (`taskToken`, never shown), only while the item is still
 * in `status`: an outcome landing first makes this fail (false), and the waiting task reads again.
 */
export async function storeTokenWhile(
  key: { pk: string; sk: string },
  status: string,
  token: string,
): Promise<boolean> {
  try {
    await dynamoClient().send(
      new UpdateItemCommand({
        TableName: config.tableName(),
        Key: toItem(key),
        UpdateExpression: 'SET #token = :token',
        ConditionExpression: '#status = :awaited',
        ExpressionAttributeNames: { '#token': 'taskToken', '#status': 'status' },
        ExpressionAttributeValues: toItem({ ':token': token, ':awaited': status }),
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
