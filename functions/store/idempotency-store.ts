import { AsyncLocalStorage } from 'node:async_hooks';
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  PutItemCommand,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { dynamoClient } from '../shared/clients.ts';
import { config } from '../shared/config.ts';
import { fromItem, type Item, toItem } from './items.ts';
import { idempotencyKey, TABLE_KEYS } from './table-layout.ts';

/**
 * One record per organisation and `Idempotency-Key`: claimed with the work's own change (or, for work
 * that wrote nothing, after it), completed with the response after it, released when the work failed
 * after its change. The table's TTL removes it after its window.
 */
export interface IdempotencyRecord {
  status: 'IN_PROGRESS' | 'COMPLETED';
  /** What the first request asked for: its route, path and body. */
  fingerprint: string;
  /** The first response, once there is one. */
  response?: { status: number; body?: string; headers?: Record<string, string> };
  createdAt: string;
}

/** Whose key it is, and for which request (route, path and body). */
export interface KeyOwner {
  orgNumber: string;
  key: string;
  fingerprint: string;
}

/** A claim of a key at `now`: held for `windowSeconds` once completed, `lockSeconds` while in progress. */
export interface KeyClaim extends KeyOwner {
  now: Date;
  windowSeconds: number;
  lockSeconds: number;
}

export type Claim = { claimed: true } | { claimed: false; existing: IdempotencyRecord };

const ttl = TABLE_KEYS.ttlAttribute;

/**
 * Claims the key, unless a live record holds it: a completed one inside its window, or one in progress
 * whose lock has not run out (a request that died mid-way frees its key when the lock expires).
 */
export async function claimKey(input: KeyClaim): Promise<Claim> {
  try {
    await dynamoClient().send(new PutItemCommand(claimPut(input)));
    return { claimed: true };
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException && error.Item) {
      return { claimed: false, existing: fromItem<IdempotencyRecord>(error.Item) };
    }
    throw error;
  }
}

/** Stores the first response; only the claim's own record (same fingerprint, still in progress). */
export async function completeKey(
  input: KeyOwner & {
    response: NonNullable<IdempotencyRecord['response']>;
  },
): Promise<void> {
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
export async function releaseKey(input: KeyOwner): Promise<void> {
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

/**
 * A POST with an `Idempotency-Key`, while its handler runs. Instead of claiming the key in a round
 * trip of its own before the work, the claim rides along: the record is read with the agreement
 * (`idempotencyRecordKey`, then `checkIdempotencyRecord`), and the claim is put in the transaction
 * of the request's change (`claimWrites`), under the same condition as `claimKey`. A key held by
 * another request is then found either way, before the work or at its write, and nothing is written.
 */
export interface IdempotencyScope extends KeyClaim {
  /** Set once a transaction carrying the claim has been written. */
  claimed: boolean;
}

const scopes = new AsyncLocalStorage<IdempotencyScope>();

export const inIdempotencyScope = <T>(scope: IdempotencyScope, work: () => Promise<T>): Promise<T> =>
  scopes.run(scope, work);

/** The key is held by a live record (of this request's first attempt, or of another request). */
export class IdempotencyKeyHeld extends Error {
  override name = 'IdempotencyKeyHeld';
  constructor(readonly existing: IdempotencyRecord) {
    super('The Idempotency-Key is held by a live record');
  }
}

/** The record's key when the running request carries an Idempotency-Key, to read with the agreement. */
export function idempotencyRecordKey(): { pk: string; sk: string } | undefined {
  const scope = scopes.getStore();
  return scope ? idempotencyKey(scope.orgNumber, scope.key) : undefined;
}

/** Throws `IdempotencyKeyHeld` when the record read holds the key (the claim's condition would fail). */
export function checkIdempotencyRecord(item: Item | undefined): void {
  const scope = scopes.getStore();
  if (!scope || !item) return;
  const record = fromItem<IdempotencyRecord & { [ttl]?: number; lockedUntil?: number }>(item);
  const nowSeconds = Math.floor(scope.now.getTime() / 1000);
  const expired = (record[ttl] ?? 0) <= nowSeconds;
  const lockRunOut = record.status === 'IN_PROGRESS' && (record.lockedUntil ?? 0) <= nowSeconds;
  if (!expired && !lockRunOut) throw new IdempotencyKeyHeld(record);
}

/** The claim, for the transaction of the request's change; none without a key or once claimed. */
export function claimWrites(): TransactWriteItem[] {
  const scope = scopes.getStore();
  if (!scope || scope.claimed) return [];
  return [{ Put: claimPut(scope) }];
}

/**
 * Writes `items` in one transaction with the request's Idempotency-Key claim, if it has one: a key
 * held by another request is `IdempotencyKeyHeld`; any other cancellation is thrown as it came.
 */
export async function writeWithClaim(items: readonly TransactWriteItem[]): Promise<void> {
  const claims = claimWrites();
  try {
    await dynamoClient().send(new TransactWriteItemsCommand({ TransactItems: [...items, ...claims] }));
  } catch (error) {
    throw keyHeldFromCancellation(error, claims) ?? error;
  }
  claimWritten(claims);
}

/** After the transaction carrying `claimWrites()` was written. */
export function claimWritten(claims: readonly TransactWriteItem[]): void {
  const scope = scopes.getStore();
  if (scope && claims.length > 0) scope.claimed = true;
}

/**
 * The transaction carrying the claim (its last item) was cancelled because the key is held:
 * `IdempotencyKeyHeld` with the record as it stood, else undefined.
 */
export function keyHeldFromCancellation(
  error: unknown,
  claims: readonly TransactWriteItem[],
): IdempotencyKeyHeld | undefined {
  if (claims.length === 0 || !(error instanceof TransactionCanceledException)) return undefined;
  const reasons = error.CancellationReasons ?? [];
  const reason = reasons[reasons.length - 1];
  if (reason?.Code !== 'ConditionalCheckFailed' || !reason.Item) return undefined;
  return new IdempotencyKeyHeld(fromItem<IdempotencyRecord>(reason.Item));
}

function claimPut(input: KeyClaim) {
  const nowSeconds = Math.floor(input.now.getTime() / 1000);
  return {
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
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
  };
}
