import {
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { type BreachCase, breachCaseOf } from '../domain/breach-cases.ts';
import {
  type BreachDecision,
  type BreachQuestion,
  type BreachRecord,
  type BreachUpdate,
  breachQuestionSchema,
  breachRecordSchema,
  breachUpdateSchema,
} from '../domain/breach-schemas.ts';
import { conflict } from '../domain/errors.ts';
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
import { breachCalendarWrites } from './calendar-feeds-store.ts';
import { claimWrites, claimWritten, keyHeldFromCancellation } from './idempotency-store.ts';
import { fromItem, type Item, isIssuedId, ordered, toItem } from './items.ts';
import { notificationWrites, publishEvents } from './notifications-store.ts';
import { queryItems } from './query.ts';
import { agreementCheck } from './sub-processors-store.ts';

/**
 * Breach reports (rule 9), next to the agreement in its partition, in the order they were made:
 *
 * | item          | pk             | sk                             |
 * |---------------|----------------|--------------------------------|
 * | breach report | AGREEMENT#<id> | BREACH#<reportedAt>#<breachId> |
 * | breach case   | AGREEMENT#<id> | BREACHCASE#<breachId>          |
 * | supplement    | AGREEMENT#<id> | BREACHCASE#<breachId>#UPDATE#<number, 4 digits> |
 * | question      | AGREEMENT#<id> | BREACHCASE#<breachId>#QUESTION#<number, 4 digits> |
 *
 * A report is written once and never changed: together with its case, history entry, audit entry and
 * the notifications to both parties, and only while the agreement is in one of the states that allow
 * it. The case (rule 16) is what follows the report and is found by the breach's id alone: what a
 * decision needs of the report (who reported, when, the deadline), the number of supplements and the
 * controller's decision, so a change of the case reads the agreement and the case in one round trip
 * and writes in the second. A supplement and a question carry their breach's id (`breachId`); a
 * question is found by its number, so its answer is read and written by key.
 * One Query of the sort keys beginning `BREACH` reads reports and cases together. A report recorded
 * before cases existed has none: it takes no supplement and no decision.
 */
export const breachKey = (agreementId: string, record: Pick<BreachRecord, 'id' | 'reportedAt'>) => ({
  pk: `AGREEMENT#${agreementId}`,
  sk: `BREACH#${record.reportedAt}#${record.id}`,
});

export const breachCaseKey = (agreementId: string, breachId: string) => ({
  pk: `AGREEMENT#${agreementId}`,
  sk: `BREACHCASE#${breachId}`,
});

/** Reports (`BREACH#`) and cases (`BREACHCASE#`) alike. */
const BREACH_PREFIX = 'BREACH';
const CASE_PREFIX = 'BREACHCASE#';
const recordOrder = /* @__PURE__ */ lazily(() => Object.keys(breachRecordSchema.shape));
const CONTACT_ORDER = ['name', 'email', 'phone'];

/**
 * A report stored before breaches went both ways (rule 16) was the processor's, touched nothing
 * known to be outside the scope, and counted the controller's 72 hours from the processor's awareness.
 */
const beforeCases = (raw: Record<string, unknown>) => ({
  reporter: 'processor',
  outsideScope: [],
  controllerAwareAt: raw.becameAwareAt,
});

/**
 * How records leave the store: in their schemas' order (what the API answers), or as DynamoDB returned
 * them (for the evidence pack, which sorts every key itself and so bundles no schema).
 */
interface Arrangement {
  record(raw: Record<string, unknown>): Record<string, unknown>;
  update(raw: Record<string, unknown>): Record<string, unknown>;
  question(raw: Record<string, unknown>): Record<string, unknown>;
}

const INTERNAL_FIELDS = ['pk', 'sk', 'entity', 'breachId'] as const;
function asRead(raw: Record<string, unknown>): Record<string, unknown> {
  for (const field of INTERNAL_FIELDS) delete raw[field];
  return raw;
}
const AS_READ: Arrangement = { record: asRead, update: asRead, question: asRead };

const IN_SCHEMA_ORDER: Arrangement = {
  record(raw) {
    const record = ordered(raw, recordOrder());
    record.contactPoint = ordered(record.contactPoint as Record<string, unknown>, CONTACT_ORDER);
    return record;
  },
  update: (raw) => ordered(raw, updateOrder()),
  question: (raw) => ordered(raw, questionOrder()),
};

/** A report with what its case holds: supplements and questions in order (lists, maybe empty), the decision. */
function toBreachRecord(
  item: Item,
  arrangement: Arrangement,
  breachCase?: BreachCase,
  updates: BreachUpdate[] = [],
  questions: BreachQuestion[] = [],
): BreachRecord {
  const raw = fromItem<Record<string, unknown>>(item);
  const followed = breachCase
    ? {
        updates: [...updates].sort((a, b) => a.number - b.number),
        questions: [...questions].sort((a, b) => a.number - b.number),
        ...(breachCase.deadlinePassedAt ? { deadlinePassedAt: breachCase.deadlinePassedAt } : {}),
        ...(breachCase.decision ? { decision: breachCase.decision } : {}),
      }
    : {};
  return arrangement.record({ ...beforeCases(raw), ...raw, ...followed }) as BreachRecord;
}

const CASE_FIELDS = [
  'id',
  'reporter',
  'reportedAt',
  'becameAwareAt',
  'supervisoryAuthorityDeadline',
] as const;

export function toBreachCase(item: Item): BreachCase {
  const raw = fromItem<Record<string, unknown>>(item);
  const decision = raw.decision as BreachCase['decision'];
  const updateCount = raw.updateCount as number | undefined;
  const questionCount = raw.questionCount as number | undefined;
  const deadlinePassedAt = raw.deadlinePassedAt as string | undefined;
  return {
    ...(Object.fromEntries(CASE_FIELDS.map((field) => [field, raw[field]])) as Omit<BreachCase, 'decision'>),
    ...(updateCount ? { updateCount } : {}),
    ...(questionCount ? { questionCount } : {}),
    ...(deadlinePassedAt ? { deadlinePassedAt } : {}),
    ...(decision ? { decision } : {}),
  };
}

const childKey =
  (kind: 'UPDATE' | 'QUESTION') => (agreementId: string, breachId: string, number: number) => ({
    pk: `AGREEMENT#${agreementId}`,
    sk: `BREACHCASE#${breachId}#${kind}#${String(number).padStart(4, '0')}`,
  });
export const questionKey = childKey('QUESTION');
const questionOrder = /* @__PURE__ */ lazily(() => Object.keys(breachQuestionSchema.shape));

export const toBreachQuestion = (item: Item) =>
  IN_SCHEMA_ORDER.question(fromItem<Record<string, unknown>>(item)) as BreachQuestion;
const updateOrder = /* @__PURE__ */ lazily(() => Object.keys(breachUpdateSchema.shape));

const caseItem = (agreementId: string, breachCase: BreachCase) =>
  toItem({ ...breachCaseKey(agreementId, breachCase.id), entity: 'breachcase', ...breachCase });

export interface BreachReport {
  agreementId: string;
  record: BreachRecord;
  /** The agreement must still be in one of these states when the report is written. */
  agreementIn: readonly AgreementStatus[];
  history: HistoryEntry[];
  audit: AuditEntry;
  notifications: Notification[];
  /** The agreement as read: with it, the parties' calendar entries of the report's deadlines (rule 15). */
  agreement?: Pick<Agreement, 'id' | 'title' | 'controller' | 'processor' | 'breachNotificationHours'>;
}

/** The writes of a report, in order: the report, the agreement check, then the rest. */
export function breachReportWrites(report: BreachReport): TransactWriteItem[] {
  const { agreementId, record } = report;
  // What follows the report lives in its case, not in the report.
  const { updates: _updates, questions: _questions, decision: _decision, ...reported } = record;
  return [
    {
      Put: {
        TableName: config.tableName(),
        Item: toItem({ ...breachKey(agreementId, record), entity: 'breach', ...reported }),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    agreementCheck(agreementId, report.agreementIn),
    {
      Put: {
        TableName: config.tableName(),
        Item: caseItem(agreementId, breachCaseOf(record)),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    ...report.history.map((entry, position) => historyItem(agreementId, entry, position)),
    { Put: auditItem(agreementId, report.audit) },
    ...report.notifications.flatMap((n) => notificationWrites(n)),
    ...(report.agreement ? breachCalendarWrites(report.agreement, record) : []),
  ];
}

/**
 * Writes a report all or nothing. An agreement that left the allowed states between the read and
 * the write is a conflict carrying the state it is in now.
 */
export async function saveBreachReport(report: BreachReport): Promise<void> {
  // An Idempotency-Key's claim, last: the key is taken with the report or not at all.
  const claims = claimWrites();
  try {
    await dynamoClient().send(
      new TransactWriteItemsCommand({ TransactItems: [...breachReportWrites(report), ...claims] }),
    );
  } catch (error) {
    throw keyHeldFromCancellation(error, claims) ?? conflictFromCancellation(error) ?? error;
  }
  claimWritten(claims);
  await publishEvents(report.notifications);
}

function conflictFromCancellation(error: unknown): Error | undefined {
  if (!(error instanceof TransactionCanceledException)) return undefined;
  const reasons = error.CancellationReasons ?? [];
  if (reasons[0]?.Code === 'ConditionalCheckFailed') {
    return conflict('A breach report with that id exists already');
  }
  const check = reasons[1];
  if (check?.Code !== 'ConditionalCheckFailed') return undefined;
  const current = check.Item ? fromItem<{ status?: AgreementStatus }>(check.Item).status : undefined;
  return conflict(
    `The agreement changed while the breach was reported${current ? ` (it is ${current})` : ''}; nothing was recorded`,
    current,
  );
}

/** Every breach report of the agreement with its decision, oldest first (few: no paging). */
export async function listBreaches(agreementId: string): Promise<BreachRecord[]> {
  return queryBreaches(agreementId);
}

/** One report by its id, with its decision (one Query: the report's sort key starts with its time). */
export async function getBreach(agreementId: string, breachId: string): Promise<BreachRecord | undefined> {
  if (!isIssuedId(breachId)) return undefined;
  const [record] = await queryBreaches(agreementId, breachId);
  return record;
}

async function queryBreaches(agreementId: string, breachId?: string): Promise<BreachRecord[]> {
  const items: Item[] = [];
  for await (const item of queryItems({
    TableName: config.tableName(),
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ...(breachId
      ? { FilterExpression: '#id = :id OR breachId = :id', ExpressionAttributeNames: { '#id': 'id' } }
      : {}),
    ExpressionAttributeValues: toItem({
      ':pk': `AGREEMENT#${agreementId}`,
      ':prefix': BREACH_PREFIX,
      ...(breachId ? { ':id': breachId } : {}),
    }),
    ConsistentRead: true,
  })) {
    items.push(item);
  }
  return breachRecordsOf(items, IN_SCHEMA_ORDER);
}

/** Whether an item of the agreement's partition belongs to a breach: its report, case, supplements or questions. */
export const isBreachItem = (sk: string) => sk.startsWith(BREACH_PREFIX);

/**
 * The reports among the items, each with what its case holds, fields as DynamoDB returned them (see
 * Arrangement); the items are those of one agreement, in any order.
 */
export const breachRecordsAsRead = (items: Item[]) => breachRecordsOf(items, AS_READ);

function breachRecordsOf(items: Item[], arrangement: Arrangement): BreachRecord[] {
  const reports: Item[] = [];
  const cases = new Map<string, BreachCase>();
  const updates = new Map<string, BreachUpdate[]>();
  const questions = new Map<string, BreachQuestion[]>();
  for (const item of items) {
    const { sk, breachId: of } = fromItem<{ sk: string; breachId?: string }>(item);
    if (of !== undefined && sk.includes('#QUESTION#')) {
      const question = arrangement.question(fromItem<Record<string, unknown>>(item)) as BreachQuestion;
      questions.set(of, [...(questions.get(of) ?? []), question]);
    } else if (of !== undefined) {
      const update = arrangement.update(fromItem<Record<string, unknown>>(item)) as BreachUpdate;
      updates.set(of, [...(updates.get(of) ?? []), update]);
    } else if (sk.startsWith(CASE_PREFIX)) {
      const breachCase = toBreachCase(item);
      cases.set(breachCase.id, breachCase);
    } else reports.push(item);
  }
  return reports.map((item) => {
    const id = fromItem<{ id: string }>(item).id;
    return toBreachRecord(item, arrangement, cases.get(id), updates.get(id), questions.get(id));
  });
}

/** What every change of a breach case writes beside its own items. */
interface CaseChange {
  agreementId: string;
  breach: BreachCase;
  history: HistoryEntry[];
  audit: AuditEntry;
  notifications: Notification[];
}

/** The controller's decision on a breach, with its history, audit entry and notifications. */
export type BreachDecisionChange = CaseChange & { decision: BreachDecision };
/** A supplement to a report, with its history, audit entry and notifications. */
export type BreachUpdateChange = CaseChange & { update: BreachUpdate };
/** A question asked or answered, with its history, audit entry and notifications. */
export type BreachQuestionChange = CaseChange & { question: BreachQuestion };

/**
 * A change of a case in one transaction: its own conditional writes first, then its history, audit
 * entry, notifications and the Idempotency-Key's claim. One of its own conditions failing means
 * another request changed the case meanwhile: `conflictMessage`, and nothing is written.
 */
async function writeCaseChange(change: CaseChange, own: TransactWriteItem[], conflictMessage: string) {
  const { agreementId } = change;
  const claims = claimWrites();
  try {
    await dynamoClient().send(
      new TransactWriteItemsCommand({
        TransactItems: [
          ...own,
          ...change.history.map((entry, position) => historyItem(agreementId, entry, position)),
          { Put: auditItem(agreementId, change.audit) },
          ...change.notifications.flatMap((n) => notificationWrites(n)),
          ...claims,
        ],
      }),
    );
  } catch (error) {
    const lost =
      error instanceof TransactionCanceledException &&
      error.CancellationReasons?.slice(0, own.length).some(
        (reason) => reason.Code === 'ConditionalCheckFailed',
      );
    throw keyHeldFromCancellation(error, claims) ?? (lost ? conflict(conflictMessage) : error);
  }
  claimWritten(claims);
  await publishEvents(change.notifications);
}

/**
 * A numbered item of a case (a supplement, a question) and the case's count moved from the number
 * read to this one, so two made at once cannot take one number.
 */
function numberedWrites(
  change: CaseChange,
  kind: 'UPDATE' | 'QUESTION',
  item: { number: number } & Record<string, unknown>,
): TransactWriteItem[] {
  const { agreementId, breach } = change;
  const count = kind === 'UPDATE' ? 'updateCount' : 'questionCount';
  const previous = breach[count] ?? 0;
  return [
    {
      Update: {
        TableName: config.tableName(),
        Key: toItem(breachCaseKey(agreementId, breach.id)),
        UpdateExpression: `SET ${count} = :number`,
        ConditionExpression:
          previous === 0
            ? `attribute_exists(pk) AND attribute_not_exists(${count})`
            : `attribute_exists(pk) AND ${count} = :previous`,
        ExpressionAttributeValues: toItem({
          ':number': item.number,
          ...(previous === 0 ? {} : { ':previous': previous }),
        }),
      },
    },
    {
      Put: {
        TableName: config.tableName(),
        Item: toItem({
          ...childKey(kind)(agreementId, breach.id, item.number),
          entity: kind === 'UPDATE' ? 'breachupdate' : 'breachquestion',
          breachId: breach.id,
          ...item,
        }),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  ];
}

/** Records the decision on the case, once: one made meanwhile by another request makes this one a conflict. */
export function saveBreachDecision(change: BreachDecisionChange): Promise<void> {
  const decisionWrite: TransactWriteItem = {
    Update: {
      TableName: config.tableName(),
      Key: toItem(breachCaseKey(change.agreementId, change.breach.id)),
      UpdateExpression: 'SET decision = :decision',
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(decision)',
      ExpressionAttributeValues: toItem({ ':decision': change.decision }),
    },
  };
  return writeCaseChange(
    change,
    [decisionWrite],
    'The controller decided on this breach meanwhile; a decision is made once',
  );
}

/** Adds a supplement under the next number (a race lost is a conflict; it may be sent again). */
export function saveBreachUpdate(change: BreachUpdateChange): Promise<void> {
  return writeCaseChange(
    change,
    numberedWrites(change, 'UPDATE', change.update),
    'Another supplement to this breach report was added meanwhile; read it and send yours again',
  );
}

/** A question under the next number, or its answer (once: the question must still have none). */
export function saveBreachQuestion(change: BreachQuestionChange): Promise<void> {
  const { agreementId, breach, question } = change;
  if (question.answer === undefined) {
    return writeCaseChange(
      change,
      numberedWrites(change, 'QUESTION', question),
      'Another question about this breach was asked meanwhile; send yours again',
    );
  }
  const answerWrite: TransactWriteItem = {
    Update: {
      TableName: config.tableName(),
      Key: toItem(questionKey(agreementId, breach.id, question.number)),
      UpdateExpression: 'SET answer = :answer, answeredAt = :at, answeredBy = :by',
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(answer)',
      ExpressionAttributeValues: toItem({
        ':answer': question.answer,
        ':at': question.answeredAt,
        ':by': question.answeredBy,
      }),
    },
  };
  return writeCaseChange(
    change,
    [answerWrite],
    `Question ${question.number} was answered meanwhile; an answer is given once`,
  );
}

/**
 * What a mark of the 72 hours writes: its notifications and, at the deadline, DEADLINE_PASSED on the
 * case and in the history, only while no decision is recorded. False when the step was done already
 * (a retry: its notifications are sent once) or a decision came first.
 */
export async function saveDeadlineStep(change: {
  agreementId: string;
  breach: BreachCase;
  deadlinePassedAt?: string;
  history: HistoryEntry[];
  notifications: Notification[];
}): Promise<boolean> {
  const { agreementId, breach, deadlinePassedAt } = change;
  try {
    await dynamoClient().send(
      new TransactWriteItemsCommand({
        TransactItems: [
          ...(deadlinePassedAt
            ? [
                {
                  Update: {
                    TableName: config.tableName(),
                    Key: toItem(breachCaseKey(agreementId, breach.id)),
                    UpdateExpression: 'SET deadlinePassedAt = :at',
                    ConditionExpression:
                      'attribute_exists(pk) AND attribute_not_exists(decision) AND attribute_not_exists(deadlinePassedAt)',
                    ExpressionAttributeValues: toItem({ ':at': deadlinePassedAt }),
                  },
                },
              ]
            : []),
          ...change.history.map((entry, position) => historyItem(agreementId, entry, position)),
          ...change.notifications.flatMap((n) => notificationWrites(n)),
        ],
      }),
    );
  } catch (error) {
    const alreadyDone =
      error instanceof TransactionCanceledException &&
      (error.CancellationReasons ?? []).some((reason) => reason.Code === 'ConditionalCheckFailed');
    if (alreadyDone) return false;
    throw error;
  }
  await publishEvents(change.notifications);
  return true;
}
