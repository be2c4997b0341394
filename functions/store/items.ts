import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { validationError } from '../domain/errors.ts';

export type Item = Record<string, AttributeValue>;

export const toItem = (value: Record<string, unknown>): Item =>
  marshall(value, { removeUndefinedValues: true, convertEmptyValues: false });

export const fromItem = <T>(item: Item): T => unmarshall(item) as T;

/** Paging cursors are opaque to callers: the DynamoDB key, base64url-encoded JSON. */
export function encodeCursor(key: Item | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(unmarshall(key))).toString('base64url') : undefined;
}

export function decodeCursor(
  cursor: string | undefined,
  expected: { partition: { name: string; value: string }; keys: readonly string[] },
): Item | undefined {
  if (!cursor) return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
    const names = Object.keys(key).sort();
    const valid =
      key[expected.partition.name] === expected.partition.value &&
      names.length === expected.keys.length &&
      [...expected.keys]
        .sort()
        .every((name, index) => names[index] === name && typeof key[name] === 'string');
    if (!valid) throw new Error('cursor from another listing');
    return toItem(key);
  } catch {
    throw validationError('Invalid cursor', [
      { field: 'cursor', message: 'is not a cursor from this listing' },
    ]);
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
