import { isDeepStrictEqual } from 'node:util';
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
import { type AgreementContent, contentHashOf } from '../domain/content-hash.ts';
import { CONCURRENT_CHANGE, conflict, notFound } from '../domain/errors.ts';
import { lazily } from '../domain/lazily.ts';
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
import { agreementChangeCalendarWrites } from './calendar-feeds-store.ts';
import { claimWrites, claimWritten, keyHeldFromCancellation } from './idempotency-store.ts';
import {
  decodeCursor,
  encodeCursor,
  fromItem,
  type Item,
  isIssuedId,
  isTransactionConflict,
  StaleRead,
  toItem,
  uniqueSuffix,
} from './items.ts';
import { notificationWrites, publishEvents } from './notifications-store.ts';
import { type Reminder, reminderDeletes, reminderPuts } from './reminders-store.ts';
import { agreementKey, entriesByDayPartition, partyKey, TABLE_KEYS } from './table-layout.ts';

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
  /**
   * The signing workflow's task tokens of these parties as the change read them: the write succeeds
   * only if they are still exactly so (a wait that registered its token in between makes it fail with
   * `StaleRead`), so the caller may complete or end the waits with the tokens it read.
   */
  signingTokensAsRead?: { roles: readonly PartyRole[]; tokens: StoredAgreement['signingTokens'] };
  /** Conditions on other items the change relies on as read (e.g. a task token item): `StaleRead` if not. */
  readChecks?: TransactWriteItem[];
  /**
   * The notifications are written with the change, but their events are left for the caller to
   * publish (a change that stands only with its workflow announces itself once the workflow runs).
   */
  deferEvents?: boolean;
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

/** The agreement as stored, from its item (e.g. one of several read at once), in the contract's order. */
export function toStored(item: Item): StoredAgreement {
  const { agreement, signingTokens } = storedAsRead(item);
  return {
    agreement: inContractOrder(agreement as unknown as Record<string, unknown>) as unknown as Agreement,
    signingTokens,
  };
}

/**
 * The agreement as stored, its fields in the order DynamoDB returned them: for a reader that orders
 * them itself (the evidence pack sorts every key), which then bundles no schema.
 */
export function storedAsRead(item: Item): StoredAgreement {
  const raw = fromItem<Record<string, unknown>>(item);
  const signingTokens = (raw.signingTokens ?? {}) as StoredAgreement['signingTokens'];
  for (const field of INTERNAL_FIELDS) delete raw[field];
  // A record written before content hashes existed gets its hash on read (and keeps it on its next write).
  raw.contentHash ??= contentHashOf(raw as unknown as AgreementContent);
  return { agreement: raw as unknown as Agreement, signingTokens };
}

/** DynamoDB returns attributes in no particular order; callers get the contract's order. */
const contractOrder = /* @__PURE__ */ lazily(() => Object.keys(agreementSchema.shape));
function inContractOrder(raw: Record<string, unknown>): Record<string, unknown> {
  const ordered: Record<string, unknown> = {};
  for (const key of contractOrder()) if (key in raw) ordered[key] = raw[key];
  for (const key of Object.keys(raw)) if (!(key in ordered)) ordered[key] = raw[key];
  return ordered;
}

/** Puts a log entry in the index the daily seal run reads (rule 14): no extra item, no round trip. */
const toBeSealed = (agreementId: string, at: string) => ({
  [TABLE_KEYS.entriesByDay.partitionKey]: entriesByDayPartition(at.slice(0, 10), agreementId),
  [TABLE_KEYS.entriesByDay.sortKey]: agreementId,
});

/** `position` orders entries written in the same transaction (they share their timestamp). */
export const historyItem = (agreementId: string, entry: HistoryEntry, position = 0): TransactWriteItem => ({
  Put: {
    TableName: config.tableName(),
    Item: toItem({
      pk: `AGREEMENT#${agreementId}`,
      sk: `HISTORY#${entry.at}#${position}#${uniqueSuffix()}`,
      entity: 'history',
      ...entry,
      ...toBeSealed(agreementId, entry.at),
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
    ...toBeSealed(agreementId, entry.at),
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
  const claims = claimWrites();
  try {
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
          ...claims,
        ],
      }),
    );
  } catch (error) {
    throw keyHeldFromCancellation(error, claims) ?? error;
  }
  claimWritten(claims);
}

/**
 * Writes a state change: the agreement only if it still has the status and version it was read with,
 * together with the index entries, history, audit entry and reminders, all or nothing.
 */
export async function saveChange(change: AgreementChange): Promise<void> {
  const { before, after } = change;
  const table = config.tableName();
  const update = updateExpression(before, after);
  const tokens = signingTokensCondition(change.signingTokensAsRead);
  const readChecks = change.readChecks ?? [];
  const items: TransactWriteItem[] = [
    {
      Update: {
        TableName: table,
        Key: toItem(agreementKey(after.id)),
        UpdateExpression: update.expression,
        ConditionExpression: `#status = :expectedStatus AND #version = :expectedVersion${tokens.expression}`,
        ExpressionAttributeNames: {
          ...update.names,
          '#status': 'status',
          '#version': 'version',
          ...tokens.names,
        },
        ExpressionAttributeValues: toItem({
          ...update.values,
          ':expectedStatus': before.status,
          ':expectedVersion': before.version,
          ...tokens.values,
        }),
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    },
    ...readChecks,
    ...(['controller', 'processor'] as const).map((role) => ({
      Put: { TableName: table, Item: toItem(membership(after, role)) },
    })),
    ...change.history.map((entry, position) => historyItem(after.id, entry, position)),
    ...(change.audit ? [{ Put: auditItem(after.id, change.audit) }] : []),
    ...reminderPuts(after.id, change.reminders?.put ?? []),
    ...reminderDeletes(after.id, change.reminders?.remove ?? []),
    // Once by the agreement's condition: each notification belongs to the one change it reports.
    ...(change.notifications ?? []).flatMap((n) => notificationWrites(n, 'condition')),
    ...(change.extraWrites ?? []),
    // Rule 15: the parties' calendar entries of the deadlines this change sets or ends.
    ...agreementChangeCalendarWrites(before, after, change.reminders?.remove ?? []),
  ];
  // An Idempotency-Key's claim, last: the key is taken with the change or not at all.
  const claims = claimWrites();
  try {
    await dynamoClient().send(new TransactWriteItemsCommand({ TransactItems: [...items, ...claims] }));
  } catch (error) {
    throw keyHeldFromCancellation(error, claims) ?? conflictFromCancellation(error, change) ?? error;
  }
  claimWritten(claims);
  if (!change.deferEvents) await publishEvents(change.notifications ?? []);
}

/**
 * `AND attribute_not_exists(#signingTokens.#controller)` for a token that was not there when read,
 * `AND #signingTokens.#controller = :token_controller` for one that was.
 */
function signingTokensCondition(asRead: AgreementChange['signingTokensAsRead']) {
  const names: Record<string, string> = {};
  const values: Record<string, string> = {};
  let expression = '';
  for (const role of asRead?.roles ?? []) {
    names['#signingTokens'] = 'signingTokens';
    names[`#${role}`] = role;
    const token = asRead?.tokens[role];
    if (token === undefined) {
      expression += ` AND attribute_not_exists(#signingTokens.#${role})`;
    } else {
      values[`:token_${role}`] = token;
      expression += ` AND #signingTokens.#${role} = :token_${role}`;
    }
  }
  return { expression, names, values };
}

/**
 * The agreement's condition failed: someone else changed it first; report the state it is in now. If
 * it is still at the status and version it was read with, only what the change relied on besides
 * (a task token, another item as read) changed: `StaleRead`, read again and retry.
 */
function conflictFromCancellation(error: unknown, change: AgreementChange) {
  const readChecks = change.readChecks?.length ?? 0;
  if (isTransactionConflict(error)) return conflict(`${CONCURRENT_CHANGE}; read it again and retry`);
  if (!(error instanceof TransactionCanceledException)) return undefined;
  const reasons = error.CancellationReasons ?? [];
  const reason = reasons[0];
  if (reason?.Code !== 'ConditionalCheckFailed') {
    const checkFailed = reasons
      .slice(1, 1 + readChecks)
      .some((check) => check.Code === 'ConditionalCheckFailed');
    return checkFailed ? new StaleRead('An item the change relied on changed since it was read') : undefined;
  }
  const old = reason.Item ? fromItem<{ status?: AgreementStatus; version?: number }>(reason.Item) : {};
  const tokensConditioned = (change.signingTokensAsRead?.roles.length ?? 0) > 0;
  if (tokensConditioned && old.status === change.before.status && old.version === change.before.version) {
    return new StaleRead("The workflow's task tokens changed since the agreement was read");
  }
  return conflict(`${CONCURRENT_CHANGE}; read it again and retry`, old.status ?? undefined);
}

const ALWAYS_SET: ReadonlySet<string> = new Set(['status', 'version']);

function updateExpression(before: Agreement, after: Agreement) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets: string[] = [];
  const removes: string[] = [];
  const fields = new Set([...Object.keys(before), ...Object.keys(after)]);
  let index = 0;
  for (const field of fields) {
    const value = (after as Record<string, unknown>)[field];
    const previous = (before as Record<string, unknown>)[field];
    // Only what changed (the condition on the version makes the stored item equal to `before`), and
    // always the status and version, so each update says which state and version it leaves.
    const unchanged = value !== undefined && !ALWAYS_SET.has(field) && isDeepStrictEqual(value, previous);
    if (unchanged) continue;
    const name = `#f${index}`;
    if (value === undefined) {
      if (previous === undefined) continue;
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

/**
 * Rule 10 for reads that did not need the agreement item itself (a page of its history, its breach
 * reports): the audit entry is written only if the caller's organisation is a party to the agreement,
 * checked on the agreement item in the same transaction. Anyone else gets the 404 of rule 11.
 */
export async function recordPartyRead(
  agreementId: string,
  orgNumber: string,
  entry: AuditEntry,
): Promise<void> {
  if (!isIssuedId(agreementId)) throw notFound();
  try {
    await dynamoClient().send(
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            ConditionCheck: {
              TableName: config.tableName(),
              Key: toItem(agreementKey(agreementId)),
              ConditionExpression: '#controller.#orgNumber = :org OR #processor.#orgNumber = :org',
              ExpressionAttributeNames: {
                '#controller': 'controller',
                '#processor': 'processor',
                '#orgNumber': 'orgNumber',
              },
              ExpressionAttributeValues: toItem({ ':org': orgNumber }),
            },
          },
          { Put: auditItem(agreementId, entry) },
        ],
      }),
    );
  } catch (error) {
    if (
      error instanceof TransactionCanceledException &&
      error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed'
    ) {
      throw notFound();
    }
    throw error;
  }
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

/**
 * Rows of the organisation index read per round trip when filtering by status: DynamoDB applies
 * `Limit` before the filter, so reading only `limit` rows would take a round trip per few matches.
 */
const FILTERED_PAGE_ROWS = 250;

/**
 * Agreements where the organisation is a party, newest first, through the organisation index. With a
 * status filter a round trip reads many rows and keeps the first `limit` matches; the cursor is then
 * the key of the last one kept, so the next page starts right after it.
 */
export async function listForOrganisation(
  orgNumber: string,
  options: { status?: AgreementStatus; limit: number; cursor?: string },
): Promise<Page<AgreementSummary>> {
  const partition = `ORG#${orgNumber}`;
  const { partitionKey, sortKey } = TABLE_KEYS.byOrganisation;
  const items: AgreementSummary[] = [];
  let startKey = decodeCursor(options.cursor, {
    partition: { name: partitionKey, value: partition },
    keys: ['pk', 'sk', partitionKey, sortKey],
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
        Limit: options.status ? FILTERED_PAGE_ROWS : options.limit - items.length,
        ExclusiveStartKey: startKey,
      }),
    );
    const rows = page.Items ?? [];
    const room = options.limit - items.length;
    for (const item of rows.slice(0, room)) items.push(summaryOf(fromItem(item)));
    startKey =
      rows.length > room
        ? toItem(indexKeyOf(fromItem<Record<string, string>>(rows[room - 1]!), partitionKey, sortKey))
        : page.LastEvaluatedKey;
  } while (startKey && items.length < options.limit);
  return { items, ...(startKey ? { nextCursor: encodeCursor(startKey) } : {}) };
}

/** The organisation index's key of a row: where a page that stopped at this row continues. */
const indexKeyOf = (row: Record<string, string>, partitionKey: string, sortKey: string) => ({
  pk: row.pk,
  sk: row.sk,
  [partitionKey]: row[partitionKey],
  [sortKey]: row[sortKey],
});

function summaryOf(row: Record<string, unknown>): AgreementSummary {
  const { id, title, status, role, controller, processor, createdAt, updatedAt } =
    row as unknown as AgreementSummary;
  return { id, title, status, role, controller, processor, createdAt, updatedAt };
}

/** A history or audit item as the API returns it, with its sort key as the entry's id in the log. */
export function logEntryOf(item: Item): { id: string; entry: Record<string, unknown> } {
  const {
    pk: _pk,
    sk,
    entity: _entity,
    gsi3pk: _gsi3pk,
    gsi3sk: _gsi3sk,
    ...entry
  } = fromItem<Record<string, unknown>>(item);
  return { id: sk as string, entry };
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
  const items = (page.Items ?? []).map((item) => logEntryOf(item).entry as T);
  return { items, ...(page.LastEvaluatedKey ? { nextCursor: encodeCursor(page.LastEvaluatedKey) } : {}) };
}
