import {
  type AttributeValue,
  BatchGetItemCommand,
  BatchWriteItemCommand,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
  type Update,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, expect } from 'vitest';
import type { Agreement, PartyRole } from '../../../functions/domain/schemas.ts';
import { useClock } from '../../../functions/shared/clock.ts';

export const NOW = '2026-11-22T10:00:00.000Z';
export const TABLE_NAME = 'test-table';
export const SIGNING_STATE_MACHINE_ARN = 'arn:aws:states:eu-north-1:123456789012:stateMachine:Signing';

export const ddb = mockClient(DynamoDBClient);
export const sfn = mockClient(SFNClient);

type Item = Record<string, AttributeValue>;
/** What the table holds for reads by key: GetItem mocks per key, and BatchGetItem through `storedItems`. */
const storedItems = new Map<string, Item>();
const itemKey = (key: { pk?: unknown; sk?: unknown }) => `${String(key.pk)}\u0000${String(key.sk)}`;

/**
 * Makes an item readable by its key: by GetItem, and by BatchGetItem (which the handlers use to read
 * the agreement with what hangs off it in one round trip).
 */
export function givenItem(item: Item): void {
  const { pk, sk } = unmarshall(item);
  storedItems.set(itemKey({ pk, sk }), item);
  ddb.on(GetItemCommand, { Key: marshall({ pk, sk }) }).resolves({ Item: item });
}

/** `givenItem`, unless an item with that key is given already (e.g. by the test, in another state). */
export function givenItemUnlessStored(item: Item): void {
  const { pk, sk } = unmarshall(item);
  if (!storedItems.has(itemKey({ pk, sk }))) givenItem(item);
}

/** The keys each BatchGetItem call asked for, unmarshalled. */
export function batchGetKeys(index = 0): Record<string, unknown>[] {
  const call = ddb.commandCalls(BatchGetItemCommand)[index];
  if (!call) throw new Error(`no BatchGetItem call #${index}`);
  return Object.values(call.args[0].input.RequestItems ?? {}).flatMap((request) =>
    (request.Keys ?? []).map((key) => unmarshall(key)),
  );
}

/**
 * Resets both mocks before each test (every write succeeds, every read finds nothing) and sets the
 * environment and the clock; after each test, asserts that nothing ever scanned the table.
 */
export function useAwsMocks(): void {
  beforeEach(() => {
    ddb.reset();
    sfn.reset();
    process.env.TABLE_NAME = TABLE_NAME;
    process.env.SIGNING_STATE_MACHINE_ARN = SIGNING_STATE_MACHINE_ARN;
    process.env.BREACH_DEADLINE_STATE_MACHINE_ARN =
      'arn:aws:states:eu-north-1:123456789012:stateMachine:BreachDeadline';
    delete process.env.EVENT_BUS_NAME;
    useClock(() => new Date(NOW));
    storedItems.clear();
    ddb.on(GetItemCommand).resolves({});
    ddb.on(BatchGetItemCommand).callsFake((input: { RequestItems?: Record<string, { Keys?: Item[] }> }) => ({
      Responses: Object.fromEntries(
        Object.entries(input.RequestItems ?? {}).map(([table, request]) => [
          table,
          (request.Keys ?? [])
            .map((key) => storedItems.get(itemKey(unmarshall(key))))
            .filter((item): item is Item => item !== undefined),
        ]),
      ),
    }));
    // A query of a partition by sort key prefix finds the stored items there (e.g. the agreement with
    // its amendments and content versions); a test may set its own answer for other queries.
    ddb.on(QueryCommand).callsFake((input: { ExpressionAttributeValues?: Item }) => {
      const values = unmarshall(input.ExpressionAttributeValues ?? {});
      if (typeof values[':pk'] !== 'string' || typeof values[':prefix'] !== 'string') return { Items: [] };
      return {
        Items: [...storedItems.entries()]
          .filter(([key]) => {
            const [pk, sk] = key.split('\u0000');
            return pk === values[':pk'] && sk!.startsWith(values[':prefix'] as string);
          })
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([, item]) => item),
      };
    });
    ddb.on(PutItemCommand).resolves({});
    ddb.on(UpdateItemCommand).resolves({});
    ddb.on(TransactWriteItemsCommand).resolves({});
    sfn.on(StartExecutionCommand).resolves({
      executionArn: 'arn:aws:states:eu-north-1:123456789012:execution:Signing:run',
      startDate: new Date(NOW),
    });
    sfn.on(SendTaskSuccessCommand).resolves({});
    sfn.on(SendTaskFailureCommand).resolves({});
  });

  afterEach(() => {
    expect(ddb.commandCalls(ScanCommand)).toEqual([]);
  });
}

export const agreementKey = (id: string) => ({ pk: `AGREEMENT#${id}`, sk: 'AGREEMENT' });

/** The agreement item as the store keeps it: key, entity, the agreement's fields and the task tokens. */
export function agreementItem(agreement: Agreement, signingTokens: Partial<Record<PartyRole, string>> = {}) {
  return marshall(
    { ...agreementKey(agreement.id), entity: 'agreement', ...agreement, signingTokens },
    { removeUndefinedValues: true },
  );
}

/** Every GetItem of this agreement finds it (with the given tokens). */
export function givenStored(
  agreement: Agreement,
  signingTokens: Partial<Record<PartyRole, string>> = {},
): void {
  givenItem(agreementItem(agreement, signingTokens));
}

/** All calls that can change the table. */
export function tableWrites() {
  return [
    ...ddb.commandCalls(PutItemCommand),
    ...ddb.commandCalls(UpdateItemCommand),
    ...ddb.commandCalls(DeleteItemCommand),
    ...ddb.commandCalls(TransactWriteItemsCommand),
    ...ddb.commandCalls(BatchWriteItemCommand),
  ];
}

export function workflowCalls() {
  return [
    ...sfn.commandCalls(StartExecutionCommand),
    ...sfn.commandCalls(SendTaskSuccessCommand),
    ...sfn.commandCalls(SendTaskFailureCommand),
    ...sfn.commandCalls(SendTaskHeartbeatCommand),
  ];
}

/** The items of the n-th TransactWriteItems call. */
export function transaction(index = 0): TransactWriteItem[] {
  const call = ddb.commandCalls(TransactWriteItemsCommand)[index];
  if (!call) throw new Error(`no TransactWriteItems call #${index}`);
  return call.args[0].input.TransactItems ?? [];
}

/** The Update of the agreement item in a transaction. */
export function agreementUpdate(items: TransactWriteItem[], id: string): Update {
  const update = items.find(
    (item) =>
      item.Update &&
      unmarshall(item.Update.Key!).pk === `AGREEMENT#${id}` &&
      unmarshall(item.Update.Key!).sk === 'AGREEMENT',
  )?.Update;
  if (!update) throw new Error('no Update of the agreement item in the transaction');
  return update;
}

/** What an Update expression sets (field -> value) and removes, resolved through its names and values. */
export function decodeUpdate(update: Update): { set: Record<string, unknown>; remove: string[] } {
  const names = update.ExpressionAttributeNames ?? {};
  const values = unmarshall(update.ExpressionAttributeValues ?? {});
  const expression = update.UpdateExpression ?? '';
  const setPart = /SET (.*?)(?: REMOVE |$)/.exec(expression)?.[1] ?? '';
  const removePart = /REMOVE (.*)$/.exec(expression)?.[1] ?? '';
  const set: Record<string, unknown> = {};
  for (const assignment of setPart
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [name, value] = assignment.split('=').map((s) => s.trim());
    set[names[name!] ?? name!] = values[value!];
  }
  const remove = removePart
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((name) => names[name] ?? name);
  return { set, remove };
}

/** Puts in a transaction, unmarshalled, whose sort key (or partition key) starts with the prefix. */
export function putsWithSortKey(items: TransactWriteItem[], prefix: string): Record<string, unknown>[] {
  return items
    .filter((item) => item.Put)
    .map((item) => unmarshall(item.Put!.Item!))
    .filter((item) => String(item.sk).startsWith(prefix));
}

export function putsWithPartitionKey(items: TransactWriteItem[], prefix: string): Record<string, unknown>[] {
  return items
    .filter((item) => item.Put)
    .map((item) => unmarshall(item.Put!.Item!))
    .filter((item) => String(item.pk).startsWith(prefix));
}

/** What DynamoDB throws when a condition in a transaction fails (the first item's, with its old image). */
export function conditionFailed(current?: Agreement): TransactionCanceledException {
  return new TransactionCanceledException({
    message:
      'Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed]',
    $metadata: {},
    CancellationReasons: [
      {
        Code: 'ConditionalCheckFailed',
        Message: 'The conditional request failed',
        ...(current ? { Item: agreementItem(current) } : {}),
      },
      { Code: 'None' },
    ],
  });
}

/** The party check that a read's audit entry is written under (recordPartyRead), as DynamoDB gets it. */
export const PARTY_CONDITION = '#controller.#orgNumber = :org OR #processor.#orgNumber = :org';

/**
 * DynamoDB refusing a read's audit entry because the caller is no party to the agreement (or there is
 * no such agreement): the party check, the first item of the transaction, failed.
 */
export function givenPartyCheckFails(): void {
  ddb.on(TransactWriteItemsCommand).rejects(
    new TransactionCanceledException({
      message: 'Transaction cancelled, please refer cancellation reasons for specific reasons',
      $metadata: {},
      CancellationReasons: [
        { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' },
        { Code: 'None' },
      ],
    }),
  );
}

/** A read's audit entry, written in a transaction under the check that the caller is a party. */
export function partyRead(index = 0): {
  checkedOrg: unknown;
  condition?: string;
  audit: Record<string, unknown>;
} {
  const [check, put] = transaction(index);
  if (!check?.ConditionCheck || !put?.Put)
    throw new Error('no party check and audit entry in the transaction');
  return {
    checkedOrg: unmarshall(check.ConditionCheck.ExpressionAttributeValues ?? {})[':org'],
    condition: check.ConditionCheck.ConditionExpression,
    audit: unmarshall(put.Put.Item!),
  };
}
