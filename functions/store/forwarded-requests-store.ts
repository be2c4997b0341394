import {
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { requestEntry, requestTaskEntry } from '../domain/calendar-feed/deadlines.ts';
import { conflict } from '../domain/errors.ts';
import {
  requestDeadlineReminder,
  requestDeadlineReminderKind,
  requestTaskReminder,
  requestTaskReminderKind,
  taskReminderSubject,
} from '../domain/forwarded-requests/reminders.ts';
import { REQUEST_FORWARDING_STATES, type StoredRequest } from '../domain/forwarded-requests/rules.ts';
import {
  type ForwardedRequest,
  forwardedRequestSchema,
  type RequestTask,
  requestTaskSchema,
} from '../domain/forwarded-requests/schemas.ts';
import { lazily } from '../domain/lazily.ts';
import type {
  Agreement,
  AgreementStatus,
  AuditEntry,
  HistoryEntry,
  Notification,
} from '../domain/schemas.ts';
import { dynamoClient } from '../shared/clients.ts';
import { config } from '../shared/config.ts';
import { auditItem, historyItem } from './agreements-store.ts';
import { calendarEntryWrites } from './calendar-feeds-store.ts';
import { claimWrites, claimWritten, keyHeldFromCancellation } from './idempotency-store.ts';
import { fromItem, type Item, isIssuedId, ordered, toItem } from './items.ts';
import { notificationWrites, publishEvents } from './notifications-store.ts';
import { getItems, queryItems } from './query.ts';
import { type Reminder, reminderDeletes, reminderPuts } from './reminders-store.ts';
import { agreementCheck } from './sub-processors-store.ts';

/**
 * Requests forwarded to the controller (rule 16), next to the agreement in its partition:
 *
 * | item    | pk             | sk                                              |
 * |---------|----------------|-------------------------------------------------|
 * | request | AGREEMENT#<id> | FORWARDED#<requestId>                           |
 * | task    | AGREEMENT#<id> | FORWARDED#<requestId>#TASK#<number, 4 digits>   |
 *
 * The request holds its deadline, extension, status, outcome and the number of tasks asked
 * (`taskCount`); each task is its own item, so the processor marks one done by key. A change reads the
 * agreement with the request (and the task) in one round trip and writes in one transaction: its own
 * conditional writes (on the request's status, the count, the task's status), the history and audit
 * entries, the notifications, the reminders and the calendar entries it puts or ends, and an
 * Idempotency-Key's claim. One Query of `FORWARDED#` reads every request with its tasks.
 */
const PREFIX = 'FORWARDED#';

export const requestKey = (agreementId: string, requestId: string) => ({
  pk: `AGREEMENT#${agreementId}`,
  sk: `${PREFIX}${requestId}`,
});

export const requestTaskKey = (agreementId: string, requestId: string, number: number) => ({
  pk: `AGREEMENT#${agreementId}`,
  sk: `${PREFIX}${requestId}#TASK#${String(number).padStart(4, '0')}`,
});

const recordOrder = /* @__PURE__ */ lazily(() => Object.keys(forwardedRequestSchema.shape));
const taskOrder = /* @__PURE__ */ lazily(() => Object.keys(requestTaskSchema.shape));

/** A stored task as the API returns it. */
export const toRequestTask = (item: Item) =>
  ordered(fromItem<Record<string, unknown>>(item), taskOrder()) as RequestTask;

/** A stored request as the rules read it: the record without its tasks, with how many were asked. */
export function toStoredRequest(item: Item): StoredRequest {
  const raw = fromItem<Record<string, unknown>>(item);
  const { taskCount } = raw as { taskCount?: number };
  return {
    ...(ordered(raw, recordOrder()) as Omit<ForwardedRequest, 'tasks'>),
    ...(taskCount ? { taskCount } : {}),
  };
}

/** A stored request with its stored tasks as the API returns it (and the evidence pack keeps it): tasks in order. */
export function toForwardedRequestRecord(item: Item, taskItems: readonly Item[] = []): ForwardedRequest {
  const raw = fromItem<Record<string, unknown>>(item);
  const tasks = taskItems.map(toRequestTask).sort((a, b) => a.number - b.number);
  return ordered({ ...raw, tasks }, recordOrder()) as ForwardedRequest;
}

const requestItem = (agreementId: string, request: StoredRequest) =>
  toItem({ ...requestKey(agreementId, request.id), entity: 'forwarded-request', ...request });

type Titled = Pick<Agreement, 'id' | 'title' | 'controller' | 'processor'>;

/** What every change of a forwarded request writes beside its own items. */
interface RequestChangeBase {
  agreement: Titled;
  history: HistoryEntry[];
  audit: AuditEntry;
  notifications: Notification[];
}

const remindersOf = (agreementId: string, reminders: Omit<Reminder, 'agreementId'>[]) =>
  reminderPuts(
    agreementId,
    reminders.map((reminder) => ({ ...reminder, agreementId })),
  );

/**
 * One transaction: `own` (the change's conditional writes), the agreement check when given, the
 * history, audit entry, notifications, `extra` (reminders, calendar entries) and the key's claim. One
 * of `own` failing its condition is `lost` (another request changed the request meanwhile); the
 * agreement check failing is a conflict naming the agreement's state now.
 */
async function writeRequestChange(
  change: RequestChangeBase,
  own: TransactWriteItem[],
  extra: TransactWriteItem[],
  lost: string,
  agreementIn?: readonly AgreementStatus[],
): Promise<void> {
  const agreementId = change.agreement.id;
  const claims = claimWrites();
  const checks = agreementIn ? [agreementCheck(agreementId, agreementIn)] : [];
  try {
    await dynamoClient().send(
      new TransactWriteItemsCommand({
        TransactItems: [
          ...own,
          ...checks,
          ...change.history.map((entry, position) => historyItem(agreementId, entry, position)),
          { Put: auditItem(agreementId, change.audit) },
          ...change.notifications.flatMap((n) => notificationWrites(n)),
          ...extra,
          ...claims,
        ],
      }),
    );
  } catch (error) {
    throw (
      keyHeldFromCancellation(error, claims) ?? conflictFrom(error, own.length, checks.length, lost) ?? error
    );
  }
  claimWritten(claims);
  await publishEvents(change.notifications);
}

function conflictFrom(error: unknown, ownCount: number, checkCount: number, lost: string): Error | undefined {
  if (!(error instanceof TransactionCanceledException)) return undefined;
  const reasons = error.CancellationReasons ?? [];
  if (reasons.slice(0, ownCount).some((reason) => reason.Code === 'ConditionalCheckFailed')) {
    return conflict(lost);
  }
  const check = checkCount > 0 ? reasons[ownCount] : undefined;
  if (check?.Code !== 'ConditionalCheckFailed') return undefined;
  const current = check.Item ? fromItem<{ status?: AgreementStatus }>(check.Item).status : undefined;
  return conflict(
    `The agreement changed while the request was forwarded${current ? ` (it is ${current})` : ''}; nothing was recorded`,
    current,
  );
}

/** A new request's own write: its item, never over another's. */
function forwardedRequestWrites(agreementId: string, request: StoredRequest): TransactWriteItem[] {
  return [
    {
      Put: {
        TableName: config.tableName(),
        Item: requestItem(agreementId, request),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  ];
}

/** A new forwarded request, while the agreement is still in a state that takes one. */
export function saveForwardedRequest(
  change: RequestChangeBase & { request: StoredRequest; today: string },
): Promise<void> {
  const { agreement, request, today } = change;
  const reminder = requestDeadlineReminder(request, today);
  return writeRequestChange(
    change,
    forwardedRequestWrites(agreement.id, request),
    [
      ...remindersOf(agreement.id, reminder ? [reminder] : []),
      ...calendarEntryWrites(agreement, undefined, requestEntry(agreement, request)),
    ],
    'A request with that id exists already',
    REQUEST_FORWARDING_STATES,
  );
}

const openRequestCondition = 'attribute_exists(pk) AND #status = :open';

/** The extended deadline, once (another extension or the outcome meanwhile: a conflict). */
export function saveRequestExtension(
  change: RequestChangeBase & { before: StoredRequest; request: StoredRequest; today: string },
): Promise<void> {
  const { agreement, before, request, today } = change;
  const reminder = requestDeadlineReminder(request, today);
  return writeRequestChange(
    change,
    [
      {
        Update: {
          TableName: config.tableName(),
          Key: toItem(requestKey(agreement.id, request.id)),
          UpdateExpression: 'SET answerDeadline = :deadline, extension = :extension',
          ConditionExpression: `${openRequestCondition} AND attribute_not_exists(extension)`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: toItem({
            ':open': 'OPEN',
            ':deadline': request.answerDeadline,
            ':extension': request.extension,
          }),
        },
      },
    ],
    [
      ...remindersOf(agreement.id, reminder ? [reminder] : []),
      ...calendarEntryWrites(agreement, requestEntry(agreement, before), requestEntry(agreement, request)),
    ],
    'The request was extended or answered meanwhile; read it again',
  );
}

/** A task under the next number: the request's count moved from the number read, while it is open. */
export function saveRequestTask(
  change: RequestChangeBase & { request: StoredRequest; task: RequestTask },
): Promise<void> {
  const { agreement, request, task } = change;
  const previous = request.taskCount ?? 0;
  return writeRequestChange(
    change,
    [
      {
        Update: {
          TableName: config.tableName(),
          Key: toItem(requestKey(agreement.id, request.id)),
          UpdateExpression: 'SET taskCount = :number',
          ConditionExpression:
            previous === 0
              ? `${openRequestCondition} AND attribute_not_exists(taskCount)`
              : `${openRequestCondition} AND taskCount = :previous`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: toItem({
            ':open': 'OPEN',
            ':number': task.number,
            ...(previous === 0 ? {} : { ':previous': previous }),
          }),
        },
      },
      {
        Put: {
          TableName: config.tableName(),
          Item: toItem({
            ...requestTaskKey(agreement.id, request.id, task.number),
            entity: 'forwarded-request-task',
            requestId: request.id,
            ...task,
          }),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    ],
    [
      ...remindersOf(agreement.id, [requestTaskReminder(request.id, task)]),
      ...calendarEntryWrites(agreement, undefined, requestTaskEntry(agreement, request.id, task)),
    ],
    'Another task was asked for, or the request answered, meanwhile; read it and send yours again',
  );
}

/** A task marked done, once: its reminder and calendar entry end with it. */
export function saveRequestTaskDone(
  change: RequestChangeBase & { request: StoredRequest; before: RequestTask; task: RequestTask },
): Promise<void> {
  const { agreement, request, before, task } = change;
  return writeRequestChange(
    change,
    [
      {
        Update: {
          TableName: config.tableName(),
          Key: toItem(requestTaskKey(agreement.id, request.id, task.number)),
          UpdateExpression: 'SET #status = :done, note = :note, doneAt = :at, doneBy = :by, doneLate = :late',
          ConditionExpression: openRequestCondition,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: toItem({
            ':open': 'OPEN',
            ':done': 'DONE',
            ':note': task.note,
            ':at': task.doneAt,
            ':by': task.doneBy,
            ':late': task.doneLate === true,
          }),
        },
      },
    ],
    [
      ...reminderDeletes(agreement.id, [requestTaskReminderKind(request.id, task.number)]),
      ...calendarEntryWrites(agreement, requestTaskEntry(agreement, request.id, before), undefined),
    ],
    `Task ${task.number} was marked done meanwhile; a task is done once`,
  );
}

/** The outcome, once: the request is CLOSED, its deadline reminder and calendar entry end with it. */
export function saveRequestOutcome(
  change: RequestChangeBase & { before: StoredRequest; request: StoredRequest },
): Promise<void> {
  const { agreement, before, request } = change;
  return writeRequestChange(
    change,
    [
      {
        Update: {
          TableName: config.tableName(),
          Key: toItem(requestKey(agreement.id, request.id)),
          UpdateExpression: 'SET #status = :closed, outcome = :outcome',
          ConditionExpression: openRequestCondition,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: toItem({
            ':open': 'OPEN',
            ':closed': 'CLOSED',
            ':outcome': request.outcome,
          }),
        },
      },
    ],
    [
      ...reminderDeletes(agreement.id, [requestDeadlineReminderKind(request.id)]),
      ...calendarEntryWrites(agreement, requestEntry(agreement, before), undefined),
    ],
    'The outcome of this request was recorded meanwhile; it is recorded once',
  );
}

/** Every forwarded request of the agreement with its tasks, in the order forwarded (few: no paging). */
export async function listForwardedRequests(agreementId: string): Promise<ForwardedRequest[]> {
  return queryRequests(agreementId, PREFIX);
}

/** One request with its tasks (one Query of its sort keys). */
export async function getForwardedRequest(
  agreementId: string,
  requestId: string,
): Promise<ForwardedRequest | undefined> {
  if (!isIssuedId(requestId)) return undefined;
  const [record] = await queryRequests(agreementId, `${PREFIX}${requestId}`);
  return record;
}

async function queryRequests(agreementId: string, prefix: string): Promise<ForwardedRequest[]> {
  const items: Item[] = [];
  for await (const item of queryItems({
    TableName: config.tableName(),
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: toItem({ ':pk': `AGREEMENT#${agreementId}`, ':prefix': prefix }),
    ConsistentRead: true,
  })) {
    items.push(item);
  }
  return requestRecordsOf(items, toForwardedRequestRecord);
}

/** Whether an item of the agreement's partition is a forwarded request or one of its tasks. */
export const isForwardedRequestItem = (sk: string) => sk.startsWith(PREFIX);

/** The requests among the items (of one agreement, any order), each with its tasks, oldest first. */
function requestRecordsOf<T extends { forwardedAt: string; id: string }>(
  items: readonly Item[],
  toRecord: (item: Item, tasks: readonly Item[]) => T,
): T[] {
  const requests: Item[] = [];
  const tasks = new Map<string, Item[]>();
  for (const item of items) {
    const { requestId } = fromItem<{ requestId?: string }>(item);
    if (requestId !== undefined) tasks.set(requestId, [...(tasks.get(requestId) ?? []), item]);
    else requests.push(item);
  }
  return requests
    .map((item) => toRecord(item, tasks.get(fromItem<{ id: string }>(item).id) ?? []))
    .sort((a, b) => a.forwardedAt.localeCompare(b.forwardedAt) || a.id.localeCompare(b.id));
}

const INTERNAL_FIELDS = ['pk', 'sk', 'entity', 'taskCount', 'requestId'] as const;
function asRead(item: Item): Record<string, unknown> {
  const raw = fromItem<Record<string, unknown>>(item);
  for (const field of INTERNAL_FIELDS) delete raw[field];
  return raw;
}

/**
 * The requests among the items with their tasks, as the API answers them but with the fields in the
 * order DynamoDB returned them: for the evidence pack, which sorts every key itself (and so bundles no schema).
 */
export const forwardedRequestsAsRead = (items: readonly Item[]) =>
  requestRecordsOf(items, (item, taskItems) => {
    const tasks = taskItems.map(asRead).sort((a, b) => (a.number as number) - (b.number as number));
    return { ...asRead(item), tasks } as unknown as Record<string, unknown> & {
      forwardedAt: string;
      id: string;
    };
  });

/**
 * What a request reminder is about, as stored now: the request (`request-deadline#<id>`), or the
 * request and the task (`request-task#<id>.<number>`); undefined when gone.
 */
export async function loadRequestReminderSubject(agreementId: string, kind: string): Promise<unknown> {
  const task = taskReminderSubject(kind);
  if (task) {
    const [requestItem, taskItem] = await getItems([
      requestKey(agreementId, task.requestId),
      requestTaskKey(agreementId, task.requestId, task.number),
    ]);
    return requestItem && taskItem
      ? { request: toStoredRequest(requestItem), task: toRequestTask(taskItem) }
      : undefined;
  }
  const requestId = kind.split('#')[1] ?? '';
  if (!isIssuedId(requestId)) return undefined;
  const [item] = await getItems([requestKey(agreementId, requestId)]);
  return item ? toStoredRequest(item) : undefined;
}
