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

export function decodeCursor(cursor: string | undefined, expectedPk: string): Item | undefined {
  if (!cursor) return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (typeof key !== 'object' || key === null || (key.pk !== expectedPk && key.gsi1pk !== expectedPk)) {
      throw new Error('cursor from another listing');
    }
    return toItem(key);
  } catch {
    throw validationError('Invalid cursor', [
      { field: 'cursor', message: 'is not a cursor from this listing' },
    ]);
  }
}

/** A short, time-ordered, unique suffix for sort keys written in the same millisecond. */
export const uniqueSuffix = () => crypto.randomUUID().slice(0, 8);
