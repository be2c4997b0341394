import { QueryCommand, type QueryCommandInput } from '@aws-sdk/client-dynamodb';
import { dynamoClient } from '../shared/clients.ts';
import type { Item } from './items.ts';

/** Every item a query matches, page after page; a caller that stops early reads no further pages. */
export async function* queryItems(input: QueryCommandInput): AsyncGenerator<Item> {
  let startKey = input.ExclusiveStartKey;
  do {
    const page = await dynamoClient().send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
    yield* page.Items ?? [];
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}
