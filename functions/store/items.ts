import { type AttributeValue, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { CONCURRENT_CHANGE, conflict, validationError } from '../domain/errors.ts';

export type Item = Record<string, AttributeValue>;

export const toItem = (value: Record<string, unknown>): Item =>
  marshall(value, { removeUndefinedValues: true, convertEmptyValues: false });

export const fromItem = <T>(item: Item): T => unmarshall(item) as T;

/**
 * DynamoDB returns attributes in no particular order; a record leaves the store with the fields `order`
 * names (its schema's), in that order, and no others.
 */
export function ordered(raw: Record<string, unknown>, order: readonly string[]): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const key of order) if (key in raw) result[key] = raw[key];
  return result;
}

/** Paging cursors are opaque to callers: the DynamoDB key, base64url-encoded JSON. */
export function encodeCursor(key: Item | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(unmarshall(key))).toString('base64url') : undefined;
}

/** DynamoDB's own bound on a sort key value; a longer one is refused with an error, not "no item". */
const MAX_KEY_VALUE_LENGTH = 1024;

/**
 * The key a listing left off at, as the caller handed it back. It is checked against everything the
 * listing's query states before it reaches DynamoDB: the exact key attributes, the partition, and
 * the sort key prefix the query's key condition names (a key outside it is DynamoDB's "starting key
 * does not match the range key predicate", which would otherwise be a 500).
 */
export function decodeCursor(
  cursor: string | undefined,
  expected: {
    partition: { name: string; value: string };
    keys: readonly string[];
    sortKeyPrefix?: { name: string; prefix: string };
  },
  /** The query parameter the cursor came in, named in the error. */
  field = 'cursor',
): Item | undefined {
  if (!cursor) return undefined;
  const key = parseCursor(cursor);
  const names = key ? Object.keys(key).sort() : [];
  const valid =
    key !== undefined &&
    key[expected.partition.name] === expected.partition.value &&
    names.length === expected.keys.length &&
    [...expected.keys]
      .sort()
      .every(
        (name, index) =>
          names[index] === name &&
          typeof key[name] === 'string' &&
          key[name] !== '' &&
          key[name].length <= MAX_KEY_VALUE_LENGTH,
      ) &&
    (!expected.sortKeyPrefix ||
      (key[expected.sortKeyPrefix.name] as string).startsWith(expected.sortKeyPrefix.prefix));
  if (!valid) {
    throw validationError(`Invalid ${field}`, [{ field, message: 'is not a cursor from this listing' }]);
  }
  return toItem(key);
}

function parseCursor(cursor: string): Record<string, unknown> | undefined {
  if (!/^[A-Za-z0-9_-]{1,4096}$/.test(cursor)) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** A short, time-ordered, unique suffix for sort keys written in the same millisecond. */
export const uniqueSuffix = () => crypto.randomUUID().slice(0, 8);

/**
 * Every id this system issues is a UUID. Anything else names nothing, and is answered as not found
 * without asking DynamoDB (which would refuse an over-long key with an error, not "no item").
 */
export const isIssuedId = (id: string): boolean =>
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);

/** A transaction cancelled because one of its items failed with this reason code. */
export const cancelledWith = (
  error: unknown,
  code: 'ConditionalCheckFailed' | 'TransactionConflict',
): boolean =>
  error instanceof TransactionCanceledException &&
  (error.CancellationReasons ?? []).some((reason) => reason.Code === code);

/**
 * DynamoDB cancels a transaction with `TransactionConflict` when another transaction on one of its
 * items is in flight: the same race a failed condition reports, only caught earlier. (DynamoDB Local
 * runs transactions one at a time and never reports it.)
 */
export const isTransactionConflict = (error: unknown): boolean => cancelledWith(error, 'TransactionConflict');

/**
 * Something a request read and relies on (e.g. a workflow's task token) changed before its conditional
 * write: nothing was written; read again and retry.
 */
export class StaleRead extends Error {
  override name = 'StaleRead';
}

/**
 * Runs a read-decide-write again (reading afresh) while its write finds what it read has changed; when
 * it still does after the last attempt, the caller gets a 409 to retry, never a 500.
 */
export async function retryOnStaleRead<T>(
  attempt: () => Promise<T>,
  options: { attempts?: number; onExhausted?: () => Error } = {},
): Promise<T> {
  const attempts = options.attempts ?? 5;
  for (let tried = 1; ; tried += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof StaleRead)) throw error;
      if (tried >= attempts) {
        throw options.onExhausted?.() ?? conflict(`${CONCURRENT_CHANGE}; read it again and retry`);
      }
      // Requests racing for the same items spread out instead of colliding again in step.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * tried));
    }
  }
}
