import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { CONCURRENT_CHANGE, conflict } from '../domain/errors.ts';
import type {
  Agreement,
  AgreementStatus,
  AuditEntry,
  HistoryEntry,
  Notification,
  PartyRole,
} from '../domain/schemas.ts';
import { agreementSchema } from '../domain/schemas.ts';
import { dynamoClient } from '../shared/clients.ts';
import { config } from '../shared/config.ts';
import {
  decodeCursor,
  encodeCursor,
  fromItem,
  type Item,
  isIssuedId,
  isTransactionConflict,
  toItem,
  uniqueSuffix,
} from './items.ts';
import { notificationWrites, publishEvents } from './notifications-store.ts';
import { type Reminder, reminderDeletes, reminderPuts } from './reminders-store.ts';
import { agreementKey, partyKey, TABLE_KEYS } from './table-layout.ts';

/** Fields kept on the agreement item that are not part of the agreement's representation. */
const INTERNAL_FIELDS = ['pk', 'sk', 'entity', 'signingTokens'] as const;

export interface StoredAgreement {
  agreement: Agreement;
  /** Task tokens of the signing workflow, per party still waited for. */
  signingTokens: Partial<Record<PartyRole, string>>;
}

export interface AgreementChange {
  before: Agreement;
  after: Agreement;
  history: HistoryEntry[];
  audit?: AuditEntry;
  reminders?: { put?: Reminder[]; remove?: string[] };
  notifications?: Notification[];
  /** Further writes that belong to the same change (e.g. Vedlegg 3 established on entering into force). */
  extraWrites?: TransactWriteItem[];
}

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export async function getAgreement(id: string): Promise<StoredAgreement | undefined> {
  if (!isIssuedId(id)) return undefined;
  const { Item: item } = await dynamoClient().send(
    new GetItemCommand({
      TableName: config.tableName(),
      Key: toItem(agreementKey(id)),
      ConsistentRead: true,
    }),
  );
  return item ? toStored(item) : undefined;
}

function toStored(item: Item): StoredAgreement {
  const raw = fromItem<Record<string, unknown>>(item);
  const signingTokens = (raw.signingTokens ?? {}) as StoredAgreement['signingTokens'];
  for (const field of INTERNAL_FIELDS) delete raw[field];
  return { agreement: inContractOrder(raw) as unknown as Agreement, signingTokens };
}

/** DynamoDB returns attributes in no particular order; callers get the contract's order. */
const CONTRACT_ORDER = Object.keys(agreementSchema.shape);
function inContractOrder(raw: Record<string, unknown>): Record<string, unknown> {
  const ordered: Record<string, unknown> = {};
  for (const key of CONTRACT_ORDER) if (key in raw) ordered[key] = raw[key];
  for (const key of Object.keys(raw)) if (!(key in ordered)) ordered[key] = raw[key];
  return ordered;
}

/** `position` orders entries written in the same transaction (they share their timestamp). */
export const historyItem = (agreementId: string, entry: HistoryEntry, position = 0): TransactWriteItem => ({
  Put: {
    TableName: config.tableName(),
    Item: toItem({
      pk: `AGREEMENT#${agreementId}`,
      sk: `HISTORY#${entry.at}#${position}#${uniqueSuffix()}`,
      entity: 'history',
      ...entry,
    }),
  },
});

export const auditItem = (agreementId: string, entry: AuditEntry) => ({
  TableName: config.tableName(),
  Item: toItem({
    pk: `AGREEMENT#${agreementId}`,
    sk: `AUDIT#${entry.at}#${uniqueSuffix()}`,
    entity: 'audit',
    ...entry,
  }),
});

/** What the organisation index keeps per party: enough to list agreements without reading each. */
function membership(agreement: Agreement, role: PartyRole) {
  const orgNumber = agreement[role].orgNumber;
  return {
    ...partyKey(agreement.id, orgNumber),
    entity: 'party',
    [TABLE_KEYS.byOrganisation.partitionKey]: `ORG#${orgNumber}`,
    [TABLE_KEYS.byOrganisation.sortKey]: `${agreement.createdAt}#${agreement.id}`,
    role,
    id: agreement.id,
    title: agreement.title,
    status: agreement.status,
    controller: agreement.controller,
    processor: agreement.processor,
    createdAt: agreement.createdAt,
    updatedAt: agreement.updatedAt,
  };
}

export async function createAgreement(
  agreement: Agreement,
  history: HistoryEntry,
  audit: AuditEntry,
): Promise<void> {
  const table = config.tableName();
  await dynamoClient().send(
    new TransactWriteItemsCommand({
      TransactItems: [
        {
          Put: {
            TableName: table,
            Item: toItem({
              ...agreementKey(agreement.id),
              entity: 'agreement',
              ...agreement,
              signingTokens: {},
            }),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        { Put: { TableName: table, Item: toItem(membership(agreement, 'controller')) } },
        { Put: { TableName: table, Item: toItem(membership(agreement, 'processor')) } },
        historyItem(agreement.id, history),
        { Put: auditItem(agreement.id, audit) },
      ],
    }),
  );
}

/**
 * Writes a state change: the agreement only if it still has the status and version it was read with,
 * together with the index entries, history, audit entry and reminders, all or nothing.
 */
export async function saveChange(change: AgreementChange): Promise<void> {
  const { before, after } = change;
  const table = config.tableName();
  const update = updateExpression(before, after);
  const items: TransactWriteItem[] = [
    {
      Update: {
        TableName: table,
        Key: toItem(agreementKey(after.id)),
        UpdateExpression: update.expression,
        ConditionExpression: '#status = :expectedStatus AND #version = :expectedVersion',
        ExpressionAttributeNames: { ...update.names, '#status': 'status', '#version': 'version' },
        ExpressionAttributeValues: toItem({
          ...update.values,
          ':expectedStatus': before.status,
          ':expectedVersion': before.version,
        }),
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    },
    ...(['controller', 'processor'] as const).map((role) => ({
      Put: { TableName: table, Item: toItem(membership(after, role)) },
    })),
    ...change.history.map((entry, position) => historyItem(after.id, entry, position)),
    ...(change.audit ? [{ Put: auditItem(after.id, change.audit) }] : []),
    ...reminderPuts(after.id, change.reminders?.put ?? []),
    ...reminderDeletes(after.id, change.reminders?.remove ?? []),
    ...(change.notifications ?? []).flatMap(notificationWrites),
    ...(change.extraWrites ?? []),
  ];
  try {
    await dynamoClient().send(new TransactWriteItemsCommand({ TransactItems: items }));
  } catch (error) {
    throw conflictFromCancellation(error) ?? error;
  }
  await publishEvents(change.notifications ?? []);
}

/** The agreement's condition failed: someone else changed it first. Report the state it is in now. */
function conflictFromCancellation(error: unknown) {
  if (isTransactionConflict(error)) return conflict(`${CONCURRENT_CHANGE}; read it again and retry`);
  if (!(error instanceof TransactionCanceledException)) return undefined;
  const reason = error.CancellationReasons?.[0];
  if (reason?.Code !== 'ConditionalCheckFailed') return undefined;
  const current = reason.Item
    ? (fromItem<{ status?: AgreementStatus }>(reason.Item).status ?? undefined)
    : undefined;
  return conflict(`${CONCURRENT_CHANGE}; read it again and retry`, current);
}

function updateExpression(before: Agreement, after: Agreement) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets: string[] = [];
  const removes: string[] = [];
  const fields = new Set([...Object.keys(before), ...Object.keys(after)]);
  let index = 0;
  for (const field of fields) {
    const value = (after as Record<string, unknown>)[field];
    const name = `#f${index}`;
    if (value === undefined) {
      if ((before as Record<string, unknown>)[field] === undefined) continue;
      names[name] = field;
      removes.push(name);
    } else {
      names[name] = field;
      values[`:v${index}`] = value;
      sets.push(`${name} = :v${index}`);
    }
    index += 1;
  }
  const expression = [`SET ${sets.join(', ')}`, removes.length ? `REMOVE ${removes.join(', ')}` : '']
    .filter(Boolean)
    .join(' ');
  return { expression, names, values };
}

/** Rule 10: every read of an agreement by a party is logged. */
export async function recordAudit(agreementId: string, entry: AuditEntry): Promise<void> {
  await dynamoClient().send(new PutItemCommand(auditItem(agreementId, entry)));
}

/** Adds a workflow event (no state change) to the agreement's history. */
export async function recordHistory(agreementId: string, entry: HistoryEntry): Promise<void> {
  const put = historyItem(agreementId, entry).Put!;
  await dynamoClient().send(new PutItemCommand({ TableName: put.TableName, Item: put.Item }));
}

/**
 * Stores the signing workflow's task token for a party, only if the agreement is still at the version
 * on which the party had not signed: a signature landing in between makes this fail, and the caller
 * then reads again and completes the task itself, so no signature is ever lost.
 */
export async function storeSigningToken(
  agreementId: string,
  party: PartyRole,
  token: string,
  expectedVersion: number,
): Promise<boolean> {
  try {
    await dynamoClient().send(
      new UpdateItemCommand({
        TableName: config.tableName(),
        Key: toItem(agreementKey(agreementId)),
        UpdateExpression: 'SET #tokens.#party = :token',
        ConditionExpression: '#status = :awaiting AND #version = :version',
        ExpressionAttributeNames: {
          '#tokens': 'signingTokens',
          '#party': party,
          '#status': 'status',
          '#version': 'version',
        },
        ExpressionAttributeValues: toItem({
          ':token': token,
          ':awaiting': 'AWAITING_SIGNATURES',
          ':version': expectedVersion,
        }),
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

export interface AgreementSummary {
  id: string;
  title: string;
  status: AgreementStatus;
  role: PartyRole;
  controller: Agreement['controller'];
  processor: Agreement['processor'];
  createdAt: string;
  updatedAt: string;
}

/** Agreements where the organisation is a party, newest first, through the organisation index. */
export async function listForOrganisation(
  orgNumber: string,
  options: { status?: AgreementStatus; limit: number; cursor?: string },
): Promise<Page<AgreementSummary>> {
  const partition = `ORG#${orgNumber}`;
  const { partitionKey } = TABLE_KEYS.byOrganisation;
  const items: AgreementSummary[] = [];
  let startKey = decodeCursor(options.cursor, {
    partition: { name: partitionKey, value: partition },
    keys: ['pk', 'sk', partitionKey, TABLE_KEYS.byOrganisation.sortKey],
    sortKeyPrefix: { name: 'sk', prefix: 'PARTY#' },
  });
  do {
    const page = await dynamoClient().send(
      new QueryCommand({
        TableName: config.tableName(),
        IndexName: TABLE_KEYS.byOrganisation.indexName,
        KeyConditionExpression: '#pk = :pk',
        ...(options.status ? { FilterExpression: '#status = :status' } : {}),
        ExpressionAttributeNames: { '#pk': partitionKey, ...(options.status ? { '#status': 'status' } : {}) },
        ExpressionAttributeValues: toItem({
          ':pk': partition,
          ...(options.status ? { ':status': options.status } : {}),
        }),
        ScanIndexForward: false,
        Limit: options.limit - items.length,
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) items.push(summaryOf(fromItem(item)));
    startKey = page.LastEvaluatedKey;
  } while (startKey && items.length < options.limit);
  return { items, ...(startKey ? { nextCursor: encodeCursor(startKey) } : {}) };
}

function summaryOf(row: Record<string, unknown>): AgreementSummary {
  const { id, title, status, role, controller, processor, createdAt, updatedAt } =
    row as unknown as AgreementSummary;
  return { id, title, status, role, controller, processor, createdAt, updatedAt };
}

/** History or audit entries of one agreement, oldest first. */
export async function listEntries<T>(
  agreementId: string,
  kind: 'HISTORY' | 'AUDIT',
  options: { limit: number; cursor?: string },
): Promise<Page<T>> {
  const partition = `AGREEMENT#${agreementId}`;
  const page = await dynamoClient().send(
    new QueryCommand({
      TableName: config.tableName(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: toItem({ ':pk': partition, ':prefix': `${kind}#` }),
      Limit: options.limit,
      ExclusiveStartKey: decodeCursor(options.cursor, {
        partition: { name: 'pk', value: partition },
        keys: ['pk', 'sk'],
        sortKeyPrefix: { name: 'sk', prefix: `${kind}#` },
      }),
    }),
  );
  const items = (page.Items ?? []).map((item) => {
    const { pk: _pk, sk: _sk, entity: _entity, ...entry } = fromItem<Record<string, unknown>>(item);
    return entry as T;
  });
  return { items, ...(page.LastEvaluatedKey ? { nextCursor: encodeCursor(page.LastEvaluatedKey) } : {}) };
}
