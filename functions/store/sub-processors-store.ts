import { createHash } from 'node:crypto';
import {
  GetItemCommand,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { subProcessorEntry } from '../domain/calendar-feed/deadlines.ts';
import { conflict } from '../domain/errors.ts';
import { lazily } from '../domain/lazily.ts';
import type {
  Agreement,
  AgreementStatus,
  AuditEntry,
  HistoryEntry,
  Notification,
} from '../domain/schemas.ts';
import {
  type SubProcessorRecord,
  type SubProcessorStatus,
  subProcessorDecisionSchema,
  subProcessorRecordSchema,
} from '../domain/sub-processor-schemas.ts';
import { type AppendixHead, contentOf, EMPTY_APPENDIX, pendingUntil } from '../domain/sub-processors.ts';
import { dynamoClient } from '../shared/clients.ts';
import { config } from '../shared/config.ts';
import { auditItem, historyItem } from './agreements-store.ts';
import { calendarEntryWrites, subProcessorCalendarWrites } from './calendar-feeds-store.ts';
import { claimWrites, claimWritten, keyHeldFromCancellation } from './idempotency-store.ts';
import {
  fromItem,
  type Item,
  isIssuedId,
  isTransactionConflict,
  ordered,
  retryOnStaleRead,
  StaleRead,
  toItem,
} from './items.ts';
import { notificationDeletes, notificationWrites, publishEvents } from './notifications-store.ts';
import { queryItems } from './query.ts';
import { type Reminder, reminderDeletes, reminderPuts } from './reminders-store.ts';
import { agreementKey, TABLE_KEYS } from './table-layout.ts';
import { storeTokenWhile } from './task-tokens-store.ts';

/**
 * Sub-processor requests (rule 7) and Vedlegg 3, next to the agreement in its partition:
 *
 * | item                  | pk             | sk                     |
 * |-----------------------|----------------|------------------------|
 * | sub-processor request | AGREEMENT#<id> | SUBPROCESSOR#<subId>   |
 * | Vedlegg 3, current    | AGREEMENT#<id> | APPENDIX3              |
 *
 * A request item holds the request, its state, and the approval workflow's task token (never shown).
 * The APPENDIX3 item holds the current version number and list; each version is also a history entry
 * (APPENDIX_3_VERSION), and the list on any past date follows from the requests' approvedFrom and
 * approvedUntil. Every transition is conditional on the request's status, in one transaction with the
 * agreement's state (when it matters), the appendix version, history, audit, reminders and notifications.
 */
export const subProcessorKey = (agreementId: string, subProcessorId: string) => ({
  pk: `AGREEMENT#${agreementId}`,
  sk: `SUBPROCESSOR#${subProcessorId}`,
});
export const appendixKey = (agreementId: string) => ({ pk: `AGREEMENT#${agreementId}`, sk: 'APPENDIX3' });

const INTERNAL_FIELDS = ['pk', 'sk', 'entity', 'taskToken'] as const;
const recordOrder = /* @__PURE__ */ lazily(() => Object.keys(subProcessorRecordSchema.shape));
const decisionOrder = /* @__PURE__ */ lazily(() => Object.keys(subProcessorDecisionSchema.shape));

export interface StoredSubProcessor {
  record: SubProcessorRecord;
  /** The approval workflow's token, while it waits for the decision. */
  taskToken?: string;
}

/** A request as stored, from its item (e.g. one of several read at once), in the schema's order. */
export function toStoredSubProcessor(item: Item): StoredSubProcessor {
  const raw = fromItem<Record<string, unknown>>(item);
  const taskToken = typeof raw.taskToken === 'string' ? raw.taskToken : undefined;
  const record = ordered(subProcessorAsRead(item), recordOrder());
  if (record.decision) record.decision = ordered(record.decision as Record<string, unknown>, decisionOrder());
  return { record: record as SubProcessorRecord, ...(taskToken ? { taskToken } : {}) };
}

/** A request's fields in the order DynamoDB returned them (see storedAsRead in agreements-store). */
export function subProcessorAsRead(item: Item): Record<string, unknown> {
  const raw = fromItem<Record<string, unknown>>(item);
  for (const field of INTERNAL_FIELDS) delete raw[field];
  return raw;
}

export async function getSubProcessor(
  agreementId: string,
  subProcessorId: string,
): Promise<StoredSubProcessor | undefined> {
  if (!isIssuedId(subProcessorId)) return undefined;
  const { Item: item } = await dynamoClient().send(
    new GetItemCommand({
      TableName: config.tableName(),
      Key: toItem(subProcessorKey(agreementId, subProcessorId)),
      ConsistentRead: true,
    }),
  );
  return item ? toStoredSubProcessor(item) : undefined;
}

/** Every request of the agreement (a handful; each needed the controller's decision). */
export async function listSubProcessors(agreementId: string): Promise<SubProcessorRecord[]> {
  const records: SubProcessorRecord[] = [];
  for await (const item of queryItems({
    TableName: config.tableName(),
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: toItem({ ':pk': `AGREEMENT#${agreementId}`, ':prefix': 'SUBPROCESSOR#' }),
    ConsistentRead: true,
  })) {
    records.push(toStoredSubProcessor(item).record);
  }
  return records;
}

/** Vedlegg 3 as it stands, from its item (e.g. read together with the agreement); none yet: empty. */
export function toAppendixHead(item: Item | undefined): AppendixHead {
  if (!item) return EMPTY_APPENDIX;
  const { version, approved } = fromItem<AppendixHead>(item);
  return { version, approved };
}

/** Another change to Vedlegg 3 was written first: read again and retry. */
export class AppendixChanged extends StaleRead {
  override name = 'AppendixChanged';
}

export interface SubProcessorChange {
  agreementId: string;
  /** As read; undefined for a new request. The write is conditional on its status. */
  before?: SubProcessorRecord;
  after: SubProcessorRecord;
  /** The agreement must still be in one of these states (e.g. in force) when the change is written. */
  agreementIn?: readonly AgreementStatus[];
  appendix?: { before: AppendixHead; after: AppendixHead };
  history: HistoryEntry[];
  audit?: AuditEntry;
  reminders?: { put?: Reminder[]; remove?: string[] };
  notifications?: Notification[];
  /**
   * The approval workflow's task token as the change read it on the request (`token` undefined: none):
   * the write succeeds only if it is still so, so the caller may complete the wait with the token it
   * read. A wait registering its token in between makes the write fail with `StaleRead`.
   */
  taskTokenAsRead?: { token: string | undefined };
  /** The notifications are written with the change, their events left for the caller to publish. */
  deferEvents?: boolean;
  /** The agreement as read: with it, the parties' calendar entries of the decision deadline (rule 15). */
  agreement?: CalendarAgreement;
}

type CalendarAgreement = Pick<Agreement, 'id' | 'title' | 'controller' | 'processor'>;

/** The writes of a change, in order: the request, the agreement check, the appendix, then the rest. */
export function subProcessorChangeWrites(change: SubProcessorChange): TransactWriteItem[] {
  const { agreementId, before, after } = change;
  return [
    before
      ? requestUpdate(agreementId, before, after, change.taskTokenAsRead)
      : requestPut(agreementId, after),
    ...(change.agreementIn ? [agreementCheck(agreementId, change.agreementIn)] : []),
    ...(change.appendix ? [appendixWrite(agreementId, change.appendix.before, change.appendix.after)] : []),
    ...(!before && after.status === 'REQUESTED' ? [pendingMarkerPut(agreementId, after)] : []),
    ...(before?.status === 'REQUESTED' && after.status !== 'REQUESTED'
      ? [pendingMarkerDelete(agreementId, after)]
      : []),
    ...change.history.map((entry, position) => historyItem(agreementId, entry, position)),
    ...(change.audit ? [{ Put: auditItem(agreementId, change.audit) }] : []),
    ...reminderPuts(agreementId, change.reminders?.put ?? []),
    ...reminderDeletes(agreementId, change.reminders?.remove ?? []),
    ...(change.notifications ?? []).flatMap((n) => notificationWrites(n)),
    ...(change.agreement ? subProcessorCalendarWrites(change.agreement, before, after) : []),
  ];
}

/**
 * Writes a change all or nothing. A request that changed since it was read, or an agreement that left
 * the required states, is a conflict carrying the state it is in now; a concurrent appendix change
 * is `AppendixChanged` (read again and retry).
 */
export async function saveSubProcessorChange(change: SubProcessorChange): Promise<void> {
  // An Idempotency-Key's claim, last: the key is taken with the change or not at all.
  const claims = claimWrites();
  try {
    await dynamoClient().send(
      new TransactWriteItemsCommand({ TransactItems: [...subProcessorChangeWrites(change), ...claims] }),
    );
  } catch (error) {
    throw keyHeldFromCancellation(error, claims) ?? conflictFromCancellation(error, change) ?? error;
  }
  claimWritten(claims);
  if (!change.deferEvents) await publishEvents(change.notifications ?? []);
}

function conflictFromCancellation(error: unknown, change: SubProcessorChange): Error | undefined {
  if (isTransactionConflict(error)) {
    return change.appendix
      ? new AppendixChanged('Vedlegg 3 was being changed by another request')
      : conflict('The sub-processor request was being changed by another request; read it again');
  }
  if (!(error instanceof TransactionCanceledException)) return undefined;
  const reasons = error.CancellationReasons ?? [];
  const failed = (index: number) => reasons[index]?.Code === 'ConditionalCheckFailed';
  const old = (index: number) => {
    const item = reasons[index]?.Item;
    return item ? fromItem<{ status?: string }>(item).status : undefined;
  };
  if (failed(0)) {
    const current = old(0) as SubProcessorStatus | undefined;
    // Still in the status it was read in: only its task token changed (a wait registered meanwhile).
    if (change.before && change.taskTokenAsRead && current === change.before.status) {
      return new StaleRead("The approval workflow's task token changed since the request was read");
    }
    return conflict(
      change.before
        ? `The sub-processor request was changed by another request${current ? ` and is ${current}` : ''}; read it again`
        : 'A sub-processor request with that id exists already',
      current,
    );
  }
  let index = 1;
  if (change.agreementIn) {
    if (failed(index)) {
      const current = old(index) as AgreementStatus | undefined;
      return conflict(
        `The agreement is no longer in force or in its notice period${current ? ` (it is ${current})` : ''}`,
        current,
      );
    }
    index += 1;
  }
  if (change.appendix) {
    if (failed(index)) return new AppendixChanged('Vedlegg 3 was changed by another request');
    index += 1;
  }
  if (!change.before && failed(index)) {
    const pending = reasons[index]?.Item ? fromItem<{ subProcessorId?: string }>(reasons[index]!.Item!) : {};
    return conflict(
      `An identical request for ${change.after.name} already awaits the controller's decision${pending.subProcessorId ? ` (id ${pending.subProcessorId})` : ''}`,
      'REQUESTED',
    );
  }
  return undefined;
}

/**
 * One marker per pending request content, next to the agreement: two identical requests sent at the
 * same moment both pass the duplicate check on the list they read, and only one of them can put this.
 * It goes when its request leaves REQUESTED, and stops counting at the end of the decision day.
 */
const pendingMarkerKey = (agreementId: string, record: SubProcessorRecord) => ({
  pk: `AGREEMENT#${agreementId}`,
  sk: `SUBPROCESSOR_PENDING#${createHash('sha256').update(contentOf(record)).digest('hex')}`,
});

function pendingMarkerPut(agreementId: string, record: SubProcessorRecord): TransactWriteItem {
  const until = pendingUntil(record);
  const untilSeconds = until ? Math.floor(until.getTime() / 1000) : 0;
  return {
    Put: {
      TableName: config.tableName(),
      Item: toItem({
        ...pendingMarkerKey(agreementId, record),
        entity: 'subprocessor-pending',
        subProcessorId: record.id,
        pendingUntil: untilSeconds,
        [TABLE_KEYS.ttlAttribute]: untilSeconds + 24 * 3600,
      }),
      ConditionExpression: 'attribute_not_exists(pk) OR pendingUntil <= :now',
      ExpressionAttributeValues: toItem({ ':now': Math.floor(Date.parse(record.requestedAt) / 1000) }),
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

function pendingMarkerDelete(agreementId: string, record: SubProcessorRecord): TransactWriteItem {
  return { Delete: { TableName: config.tableName(), Key: toItem(pendingMarkerKey(agreementId, record)) } };
}

function requestPut(agreementId: string, record: SubProcessorRecord): TransactWriteItem {
  return {
    Put: {
      TableName: config.tableName(),
      Item: toItem({ ...subProcessorKey(agreementId, record.id), entity: 'subprocessor', ...record }),
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

/**
 * Sets what changed and removes what went, leaving the task token alone: the workflow may store one
 * meanwhile, which makes the write fail when the caller relies on the token as it read it.
 */
function requestUpdate(
  agreementId: string,
  before: SubProcessorRecord,
  after: SubProcessorRecord,
  tokenAsRead?: { token: string | undefined },
): TransactWriteItem {
  const names: Record<string, string> = { '#status': 'status' };
  const values: Record<string, unknown> = { ':expectedStatus': before.status };
  let tokenCondition = '';
  if (tokenAsRead) {
    names['#taskToken'] = 'taskToken';
    if (tokenAsRead.token === undefined) tokenCondition = ' AND attribute_not_exists(#taskToken)';
    else {
      values[':taskToken'] = tokenAsRead.token;
      tokenCondition = ' AND #taskToken = :taskToken';
    }
  }
  const sets: string[] = [];
  const removes: string[] = [];
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
    (field) => field !== 'id',
  );
  fields.forEach((field, index) => {
    const next = (after as Record<string, unknown>)[field];
    const previous = (before as Record<string, unknown>)[field];
    if (JSON.stringify(next) === JSON.stringify(previous)) return;
    names[`#f${index}`] = field;
    if (next === undefined) removes.push(`#f${index}`);
    else {
      values[`:v${index}`] = next;
      sets.push(`#f${index} = :v${index}`);
    }
  });
  return {
    Update: {
      TableName: config.tableName(),
      Key: toItem(subProcessorKey(agreementId, after.id)),
      UpdateExpression: [
        sets.length ? `SET ${sets.join(', ')}` : '',
        removes.length ? `REMOVE ${removes.join(', ')}` : '',
      ]
        .filter(Boolean)
        .join(' '),
      ConditionExpression: `#status = :expectedStatus${tokenCondition}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: toItem(values),
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

export function agreementCheck(agreementId: string, statuses: readonly AgreementStatus[]): TransactWriteItem {
  const placeholders = statuses.map((_, index) => `:allowed${index}`);
  return {
    ConditionCheck: {
      TableName: config.tableName(),
      Key: toItem(agreementKey(agreementId)),
      ConditionExpression: `#status IN (${placeholders.join(', ')})`,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: toItem(
        Object.fromEntries(statuses.map((status, index) => [placeholders[index], status])),
      ),
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

/** A check that Vedlegg 3 is still the version read (none yet: still none), for a change relying on it. */
export function appendixAsRead(agreementId: string, head: AppendixHead): TransactWriteItem {
  const none = head.version === 0;
  return {
    ConditionCheck: {
      TableName: config.tableName(),
      Key: toItem(appendixKey(agreementId)),
      ConditionExpression: none ? 'attribute_not_exists(pk)' : '#version = :version',
      ...(none
        ? {}
        : {
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: toItem({ ':version': head.version }),
          }),
    },
  };
}

/** The next version of Vedlegg 3, only if the current one is still the version it was computed from. */
export function appendixWrite(
  agreementId: string,
  before: AppendixHead,
  after: AppendixHead,
): TransactWriteItem {
  const first = before.version === 0;
  return {
    Put: {
      TableName: config.tableName(),
      Item: toItem({ ...appendixKey(agreementId), entity: 'appendix3', ...after }),
      ConditionExpression: first ? 'attribute_not_exists(pk)' : '#version = :expectedVersion',
      ...(first
        ? {}
        : {
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: toItem({ ':expectedVersion': before.version }),
          }),
    },
  };
}

/**
 * Writes that establish Vedlegg 3 when the agreement enters into force (version 1, the draft's
 * sub-processors approved by the signatures), for the signature's transaction.
 */
export function initialAppendixWrites(
  agreementId: string,
  records: readonly SubProcessorRecord[],
  head: AppendixHead,
): TransactWriteItem[] {
  return [
    ...records.map((record) => requestPut(agreementId, record)),
    appendixWrite(agreementId, EMPTY_APPENDIX, head),
  ];
}

/**
 * Stores the approval workflow's task token, only while the request is still REQUESTED: a decision
 * or withdrawal landing first makes this fail, and the caller then reads again and completes the task.
 */
export function storeDecisionToken(
  agreementId: string,
  subProcessorId: string,
  token: string,
): Promise<boolean> {
  return storeTokenWhile(subProcessorKey(agreementId, subProcessorId), 'REQUESTED', token);
}

/**
 * Undoes a request whose approval workflow could not be started, so the caller's failed request has
 * changed nothing: the request goes (with the reason in the history) unless something happened to it.
 */
export async function rollBackRequest(
  agreementId: string,
  record: SubProcessorRecord,
  reminderKind: string,
  history: HistoryEntry,
  notifications: readonly Notification[] = [],
  agreement?: CalendarAgreement,
): Promise<void> {
  await dynamoClient().send(
    new TransactWriteItemsCommand({
      TransactItems: [
        {
          Delete: {
            TableName: config.tableName(),
            Key: toItem(subProcessorKey(agreementId, record.id)),
            ConditionExpression: '#status = :requested',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: toItem({ ':requested': 'REQUESTED' }),
          },
        },
        pendingMarkerDelete(agreementId, record),
        ...reminderDeletes(agreementId, [reminderKind]),
        historyItem(agreementId, history),
        // The request's notifications were written with it: the parties are not told of it after all.
        ...notifications.flatMap((n) => notificationDeletes(n)),
        ...(agreement ? calendarEntryWrites(agreement, subProcessorEntry(agreement, record), undefined) : []),
      ],
    }),
  );
}

/**
 * Runs a change again (reading afresh) while another change to Vedlegg 3 keeps winning the race, or
 * the request's task token changed between the read and the write.
 */
export async function retryOnAppendixChange<T>(change: () => Promise<T>, attempts = 8): Promise<T> {
  return retryOnStaleRead(change, {
    attempts,
    onExhausted: () =>
      conflict('Vedlegg 3 was changed by other requests at the same time; read it again and retry'),
  });
}
