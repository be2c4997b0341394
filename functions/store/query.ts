import { BatchGetItemCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/client-dynamodb';
import { dynamoClient } from '../shared/clients.ts';
import { config } from '../shared/config.ts';
import { fromItem, type Item, toItem } from './items.ts';

/** Every item a query matches, page after page; a caller that stops early reads no further pages. */
export async function* queryItems(input: QueryCommandInput): AsyncGenerator<Item> {
  let startKey = input.ExclusiveStartKey;
  do {
    const page = await dynamoClient().send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
    yield* page.Items ?? [];
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}

type Key = { pk: string; sk: string };

/**
 * Several items by their keys in one round trip (BatchGetItem, strongly consistent), in the order of
 * the keys; undefined for a key with no item. Keys DynamoDB leaves unprocessed (under throttling) are
 * asked for again. `attributes`, when given, are all that is read of each item (`pk` and `sk` among them).
 */
export async function getItems(
  keys: readonly Key[],
  attributes?: readonly string[],
): Promise<(Item | undefined)[]> {
  const table = config.tableName();
  const projection = attributes && {
    ProjectionExpression: attributes.map((_, index) => `#a${index}`).join(', '),
    ExpressionAttributeNames: Object.fromEntries(attributes.map((name, index) => [`#a${index}`, name])),
  };
  const found = new Map<string, Item>();
  let pending: Item[] = keys.map((key) => toItem(key));
  for (let attempt = 0; pending.length > 0; attempt += 1) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
    const result = await dynamoClient().send(
      new BatchGetItemCommand({
        RequestItems: { [table]: { Keys: pending, ConsistentRead: true, ...projection } },
      }),
    );
    for (const item of result.Responses?.[table] ?? []) found.set(keyOf(fromItem<Key>(item)), item);
    pending = result.UnprocessedKeys?.[table]?.Keys ?? [];
  }
  return keys.map((key) => found.get(keyOf(key)));
}

const keyOf = (key: Key) => `${key.pk}\u0000${key.sk}`;
