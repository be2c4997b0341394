import {
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { type BreachRecord, breachRecordSchema } from '../domain/breach-schemas.ts';
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
import { fromItem, type Item, isIssuedId, toItem } from './items.ts';
import { notificationWrites, publishEvents } from './notifications-store.ts';
import { queryItems } from './query.ts';
import { agreementCheck } from './sub-processors-store.ts';

/**
 * Breach reports (rule 9), next to the agreement in its partition, in the order they were made:
 *
 * | item          | pk             | sk                           |
 * |---------------|----------------|------------------------------|
 * | breach report | AGREEMENT#<id> | BREACH#<reportedAt>#<breachId> |
 *
 * A report is written once and never changed: together with its history entry, audit entry and the
 * notifications to both parties, and only while the agreement is in one of the states that allow it.
 */
export const breachKey = (agreementId: string, record: Pick<BreachRecord, 'id' | 'reportedAt'>) => ({
  pk: `AGREEMENT#${agreementId}`,
  sk: `BREACH#${record.reportedAt}#${record.id}`,
});

const BREACH_PREFIX = 'BREACH#';
const recordOrder = /* @__PURE__ */ lazily(() => Object.keys(breachRecordSchema.shape));
const CONTACT_ORDER = ['name', 'email', 'phone'];

/** DynamoDB returns attributes in no particular order; callers get the schema's order. */
function ordered(raw: Record<string, unknown>, order: readonly string[]): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const key of order) if (key in raw) result[key] = raw[key];
  return result;
}

/**
 * A report stored before breaches went both ways (issue 13) was the processor's, touched nothing
 * known to be outside the scope, and counted the controller's 72 hours from the processor's awareness.
 */
const BEFORE_CASES = (raw: Record<string, unknown>) => ({
  reporter: 'processor',
  outsideScope: [],
  controllerAwareAt: raw.becameAwareAt,
});

export function toBreachRecord(item: Item): BreachRecord {
  const raw = fromItem<Record<string, unknown>>(item);
  const record = ordered({ ...BEFORE_CASES(raw), ...raw }, recordOrder());
  record.contactPoint = ordered(record.contactPoint as Record<string, unknown>, CONTACT_ORDER);
  return record as BreachRecord;
}

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
  return [
    {
      Put: {
        TableName: config.tableName(),
        Item: toItem({ ...breachKey(agreementId, record), entity: 'breach', ...record }),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    agreementCheck(agreementId, report.agreementIn),
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

/** Every breach report of the agreement, oldest first (few, and each one matters: no paging). */
export async function listBreaches(agreementId: string): Promise<BreachRecord[]> {
  return queryBreaches(agreementId);
}

/** One report by its id (the sort key starts with the report's time, so it is found by a filter). */
export async function getBreach(agreementId: string, breachId: string): Promise<BreachRecord | undefined> {
  if (!isIssuedId(breachId)) return undefined;
  const [record] = await queryBreaches(agreementId, breachId);
  return record;
}

async function queryBreaches(agreementId: string, breachId?: string): Promise<BreachRecord[]> {
  const records: BreachRecord[] = [];
  for await (const item of queryItems({
    TableName: config.tableName(),
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ...(breachId ? { FilterExpression: '#id = :id', ExpressionAttributeNames: { '#id': 'id' } } : {}),
    ExpressionAttributeValues: toItem({
      ':pk': `AGREEMENT#${agreementId}`,
      ':prefix': BREACH_PREFIX,
      ...(breachId ? { ':id': breachId } : {}),
    }),
    ConsistentRead: true,
  })) {
    records.push(toBreachRecord(item));
    if (breachId) break;
  }
  return records;
}
