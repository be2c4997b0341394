import {
  GetItemCommand,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import {
  AUDIT_STATES,
  type AuditHead,
  auditReminder,
  auditReminderKind,
  findingReminder,
  findingReminderKind,
} from '../domain/audits/audits.ts';
import type { FindingSubject } from '../domain/audits/reminders.ts';
import type { AuditFinding, AuditMaterial, AuditRecord, AuditSummary } from '../domain/audits/schemas.ts';
import { oversightEntry, oversightFindingEntry } from '../domain/calendar-feed/deadlines.ts';
import { conflict } from '../domain/errors.ts';
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
import { fromItem, type Item, isIssuedId, toItem } from './items.ts';
import { notificationWrites, publishEvents } from './notifications-store.ts';
import { queryItems } from './query.ts';
import { reminderDeletes, reminderPuts } from './reminders-store.ts';
import { agreementCheck } from './sub-processors-store.ts';

/**
 * Oversight audits (rule 16, 003 §11), next to the agreement in its partition:
 *
 * | item             | pk             | sk                                             |
 * |------------------|----------------|------------------------------------------------|
 * | oversight audit  | AGREEMENT#<id> | OVERSIGHT#<auditId>                            |
 * | its material     | AGREEMENT#<id> | OVERSIGHT#<auditId>#MATERIAL#<number, 4 digits> |
 * | its finding      | AGREEMENT#<id> | OVERSIGHT#<auditId>#FINDING#<number, 4 digits>  |
 *
 * (`OVERSIGHT#`, not `AUDIT#`: that is the audit log.) The audit's item holds its state and the counts
 * of its material, findings and open findings, so each change reads the agreement and the audit (and a
 * finding) in one round trip and writes in a second: its own conditional writes (a count moved from the
 * number read, so two at once cannot take one number; a status still open), with a check that the
 * agreement still binds the parties, its history, audit-log entry, notifications, reminders and the
 * parties' calendar entries. One Query of the sort keys beginning `OVERSIGHT#` reads them all.
 */
const PREFIX = 'OVERSIGHT#';
const pk = (agreementId: string) => `AGREEMENT#${agreementId}`;

export const auditKey = (agreementId: string, auditId: string) => ({
  pk: pk(agreementId),
  sk: `${PREFIX}${auditId}`,
});
const childKey =
  (kind: 'MATERIAL' | 'FINDING') => (agreementId: string, auditId: string, number: number) => ({
    pk: pk(agreementId),
    sk: `${PREFIX}${auditId}#${kind}#${String(number).padStart(4, '0')}`,
  });
export const materialKey = childKey('MATERIAL');
export const findingKey = childKey('FINDING');

const HEAD_ORDER = [
  'id',
  'type',
  'scope',
  'dueOn',
  'status',
  'recurrence',
  'previousAuditId',
  'plannedAt',
  'plannedBy',
  'material',
  'findings',
  'openFindings',
  'closedAt',
  'closedBy',
  'conclusion',
  'closedLate',
  'nextAuditId',
  'recurrenceEnded',
] as const;
const MATERIAL_ORDER = ['number', 'at', 'by', 'documents', 'thirdPartyReport', 'note'] as const;
const DOCUMENT_ORDER = ['name', 'sha256', 'size', 'mediaType', 'contentStored', 'content'] as const;
const FINDING_ORDER = [
  'number',
  'status',
  'description',
  'deadline',
  'responsible',
  'severity',
  'recordedAt',
  'recordedBy',
  'howClosed',
  'closedOn',
  'closedAt',
  'closedBy',
  'closedLate',
] as const;

function ordered<T>(raw: Record<string, unknown>, order: readonly string[]): T {
  const result: Record<string, unknown> = {};
  for (const key of order) if (raw[key] !== undefined) result[key] = raw[key];
  return result as T;
}

export const toAuditHead = (item: Item): AuditHead => {
  const { pk: _pk, sk: _sk, entity: _entity, ...head } = fromItem<Record<string, unknown>>(item);
  return head as AuditHead;
};

export const toAuditFinding = (item: Item): AuditFinding =>
  ordered(fromItem<Record<string, unknown>>(item), FINDING_ORDER);

function toAuditMaterial(item: Item, withContent: boolean): AuditMaterial {
  const raw = fromItem<Record<string, unknown>>(item);
  const documents = raw.documents as Record<string, unknown>[] | undefined;
  return ordered(
    {
      ...raw,
      ...(documents
        ? {
            documents: documents.map((document) =>
              ordered(withContent ? document : { ...document, content: undefined }, DOCUMENT_ORDER),
            ),
          }
        : {}),
    },
    MATERIAL_ORDER,
  );
}

/** An audit's item as the API returns it without its material and findings (what closing it answers). */
export const toAuditSummary = (head: AuditHead): AuditSummary =>
  ordered(
    head as unknown as Record<string, unknown>,
    HEAD_ORDER.filter((key) => key !== 'material' && key !== 'findings'),
  );

/**
 * An audit as the API returns it (and the evidence pack keeps it): its item with its material and
 * findings in the order made. A document's content (small files only) only `withContent`.
 */
export function toAuditRecord(
  item: Item,
  material: readonly Item[] = [],
  findings: readonly Item[] = [],
  options: { withContent?: boolean } = {},
): AuditRecord {
  const head = toAuditHead(item);
  const byNumber = (a: { number: number }, b: { number: number }) => a.number - b.number;
  return ordered(
    {
      ...head,
      material: material.map((m) => toAuditMaterial(m, options.withContent ?? false)).sort(byNumber),
      findings: findings.map(toAuditFinding).sort(byNumber),
    },
    HEAD_ORDER,
  );
}

/** Whether an item of the agreement's partition is an oversight audit, its material or a finding. */
export const isAuditItem = (sk: string) => sk.startsWith(PREFIX);

/** The audits among items of the agreement's partition (`OVERSIGHT#...`), by due date, then as planned. */
export function toAuditRecords(
  items: readonly Item[],
  options: { withContent?: boolean } = {},
): AuditRecord[] {
  const heads: Item[] = [];
  const children = new Map<string, { material: Item[]; findings: Item[] }>();
  for (const item of items) {
    const sk = fromItem<{ sk: string }>(item).sk;
    const [, auditId, kind] = sk.split('#');
    if (!kind) {
      heads.push(item);
      continue;
    }
    const of = children.get(auditId!) ?? { material: [], findings: [] };
    (kind === 'MATERIAL' ? of.material : of.findings).push(item);
    children.set(auditId!, of);
  }
  return heads
    .map((head) => {
      const id = fromItem<{ id: string }>(head).id;
      const of = children.get(id);
      return toAuditRecord(head, of?.material, of?.findings, options);
    })
    .sort((a, b) => a.dueOn.localeCompare(b.dueOn) || a.plannedAt.localeCompare(b.plannedAt));
}

async function queryAudits(agreementId: string, prefix: string): Promise<Item[]> {
  const items: Item[] = [];
  for await (const item of queryItems({
    TableName: config.tableName(),
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: toItem({ ':pk': pk(agreementId), ':prefix': prefix }),
    ConsistentRead: true,
  })) {
    items.push(item);
  }
  return items;
}

/** Every oversight audit of the agreement with its material (without content) and findings. */
export async function listAudits(agreementId: string): Promise<AuditRecord[]> {
  return toAuditRecords(await queryAudits(agreementId, PREFIX));
}

/** One audit with its material (with the content of small files) and findings; one Query. */
export async function getAudit(agreementId: string, auditId: string): Promise<AuditRecord | undefined> {
  if (!isIssuedId(auditId)) return undefined;
  const [record] = toAuditRecords(await queryAudits(agreementId, `${PREFIX}${auditId}`), {
    withContent: true,
  });
  return record;
}

/** What an `oversight-due#` or `oversight-finding#` reminder is about, as stored now. */
export async function loadAuditReminderSubject(
  agreementId: string,
  rule: string,
  subject: string,
): Promise<AuditHead | FindingSubject | undefined> {
  const [auditId, number] = subject.split('.');
  if (!auditId || !isIssuedId(auditId)) return undefined;
  const finding = rule === 'oversight-finding';
  if (finding && !/^\d{1,4}$/.test(number ?? '')) return undefined;
  const key = finding ? findingKey(agreementId, auditId, Number(number)) : auditKey(agreementId, auditId);
  const { Item: item } = await dynamoClient().send(
    new GetItemCommand({ TableName: config.tableName(), Key: toItem(key), ConsistentRead: true }),
  );
  if (!item) return undefined;
  return finding ? { auditId, finding: toAuditFinding(item) } : toAuditHead(item);
}

type Parties = Pick<Agreement, 'id' | 'title' | 'controller' | 'processor'>;

/** What every change of an audit writes beside its own items. */
export interface AuditChange {
  agreement: Parties;
  /** The Oslo date of the change: reminders start no earlier than the day after. */
  today: string;
  history: HistoryEntry[];
  audit: AuditEntry;
  notifications: Notification[];
}

const headItem = (agreementId: string, head: AuditHead) =>
  toItem({ ...auditKey(agreementId, head.id), entity: 'oversight', ...head });

/**
 * One change in one transaction: the agreement still binding, the change's own conditional writes,
 * then history, audit-log entry, notifications, the rest (reminders, calendar) and the
 * Idempotency-Key's claim. The agreement's state changed: 409 with its status; one of the own
 * conditions failed: `conflictMessage` (409); nothing is written either way.
 */
async function writeAuditChange(
  change: AuditChange,
  own: TransactWriteItem[],
  rest: TransactWriteItem[],
  conflictMessage: string,
): Promise<void> {
  const agreementId = change.agreement.id;
  const claims = claimWrites();
  try {
    await dynamoClient().send(
      new TransactWriteItemsCommand({
        TransactItems: [
          agreementCheck(agreementId, AUDIT_STATES),
          ...own,
          ...change.history.map((entry, position) => historyItem(agreementId, entry, position)),
          { Put: auditItem(agreementId, change.audit) },
          ...change.notifications.flatMap((n) => notificationWrites(n)),
          ...rest,
          ...claims,
        ],
      }),
    );
  } catch (error) {
    throw (
      keyHeldFromCancellation(error, claims) ??
      conflictFromCancellation(error, own.length, conflictMessage) ??
      error
    );
  }
  claimWritten(claims);
  await publishEvents(change.notifications);
}

function conflictFromCancellation(error: unknown, own: number, message: string): Error | undefined {
  if (!(error instanceof TransactionCanceledException)) return undefined;
  const reasons = error.CancellationReasons ?? [];
  const check = reasons[0];
  if (check?.Code === 'ConditionalCheckFailed') {
    const current = check.Item ? fromItem<{ status?: AgreementStatus }>(check.Item).status : undefined;
    return conflict(
      `The agreement changed meanwhile${current ? ` (it is ${current})` : ''}; nothing was recorded`,
      current,
    );
  }
  const lost = reasons.slice(1, 1 + own).some((reason) => reason.Code === 'ConditionalCheckFailed');
  return lost ? conflict(message) : undefined;
}

const CLOSED = 'CLOSED';

/** A new audit (or plan), its reminder and the parties' calendar entry of its due date. */
export function saveAuditPlan(change: AuditChange & { head: AuditHead }): Promise<void> {
  const { agreement, head, today } = change;
  return writeAuditChange(
    change,
    [
      {
        Put: {
          TableName: config.tableName(),
          Item: headItem(agreement.id, head),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    ],
    [
      ...reminderPuts(agreement.id, [auditReminder(agreement.id, head, today)]),
      ...calendarEntryWrites(agreement, undefined, oversightEntry(agreement, head)),
    ],
    'An oversight audit with that id exists already',
  );
}

/**
 * A numbered child of an audit (material, a finding) and the audit's count moved from the number read
 * to this one, while the audit is open; `set` adds to what the audit's update sets.
 */
function numberedWrites(
  agreementId: string,
  audit: AuditHead,
  kind: 'MATERIAL' | 'FINDING',
  child: { number: number } & Record<string, unknown>,
  set: { expression: string; values: Record<string, unknown> },
): TransactWriteItem[] {
  const count = kind === 'MATERIAL' ? 'materialCount' : 'findingCount';
  const previous = audit[count] ?? 0;
  return [
    {
      Update: {
        TableName: config.tableName(),
        Key: toItem(auditKey(agreementId, audit.id)),
        UpdateExpression: `SET ${count} = :number, ${set.expression}`,
        ConditionExpression: `attribute_exists(pk) AND #status <> :closed AND ${
          previous === 0 ? `attribute_not_exists(${count})` : `${count} = :previous`
        }`,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: toItem({
          ':number': child.number,
          ':closed': CLOSED,
          ...(previous === 0 ? {} : { ':previous': previous }),
          ...set.values,
        }),
      },
    },
    {
      Put: {
        TableName: config.tableName(),
        Item: toItem({
          ...childKey(kind)(agreementId, audit.id, child.number),
          entity: kind === 'MATERIAL' ? 'oversight-material' : 'oversight-finding',
          auditId: audit.id,
          ...child,
        }),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  ];
}

/** Material under the next number; the audit moves to MATERIAL_SUBMITTED (it stays there after). */
export function saveAuditMaterial(
  change: AuditChange & { head: AuditHead; material: AuditMaterial },
): Promise<void> {
  return writeAuditChange(
    change,
    numberedWrites(change.agreement.id, change.head, 'MATERIAL', change.material, {
      expression: '#status = :submitted',
      values: { ':submitted': 'MATERIAL_SUBMITTED' },
    }),
    [],
    'The oversight audit changed meanwhile (material submitted or the audit closed); read it and send again',
  );
}

/** A finding under the next number, one more open finding, its reminder and calendar entry. */
export function saveAuditFinding(
  change: AuditChange & { head: AuditHead; finding: AuditFinding },
): Promise<void> {
  const { agreement, head, finding, today } = change;
  return writeAuditChange(
    change,
    numberedWrites(agreement.id, head, 'FINDING', finding, {
      expression: 'openFindings = openFindings + :one',
      values: { ':one': 1 },
    }),
    [
      ...reminderPuts(agreement.id, [findingReminder(agreement.id, head.id, finding, today)]),
      ...calendarEntryWrites(agreement, undefined, oversightFindingEntry(agreement, head.id, finding)),
    ],
    'The oversight audit changed meanwhile (another finding recorded or the audit closed); read it and send again',
  );
}

/** A finding closed, once; one open finding less; its reminder and calendar entry go. */
export function saveFindingClosure(
  change: AuditChange & { head: AuditHead; before: AuditFinding; finding: AuditFinding },
): Promise<void> {
  const { agreement, head, before, finding } = change;
  const closure = {
    ':closed': CLOSED,
    ':open': 'OPEN',
    ':howClosed': finding.howClosed,
    ':closedOn': finding.closedOn,
    ':closedAt': finding.closedAt,
    ':closedBy': finding.closedBy,
    ':closedLate': finding.closedLate,
  };
  return writeAuditChange(
    change,
    [
      {
        Update: {
          TableName: config.tableName(),
          Key: toItem(findingKey(agreement.id, head.id, finding.number)),
          UpdateExpression:
            'SET #status = :closed, howClosed = :howClosed, closedOn = :closedOn, closedAt = :closedAt, closedBy = :closedBy, closedLate = :closedLate',
          ConditionExpression: 'attribute_exists(pk) AND #status = :open',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: toItem(closure),
        },
      },
      {
        Update: {
          TableName: config.tableName(),
          Key: toItem(auditKey(agreement.id, head.id)),
          UpdateExpression: 'SET openFindings = openFindings - :one',
          ConditionExpression: 'attribute_exists(pk) AND openFindings > :zero',
          ExpressionAttributeValues: toItem({ ':one': 1, ':zero': 0 }),
        },
      },
    ],
    [
      ...reminderDeletes(agreement.id, [findingReminderKind(head.id, finding.number)]),
      ...calendarEntryWrites(
        agreement,
        oversightFindingEntry(agreement, head.id, before),
        oversightFindingEntry(agreement, head.id, finding),
      ),
    ],
    `Finding ${finding.number} was closed meanwhile; a finding is closed once`,
  );
}

/**
 * The audit closed (still open and with no open finding when written) and, for a plan, the next audit
 * with its reminder and calendar entry; the closed one's reminder and entry go.
 */
export function saveAuditClose(
  change: AuditChange & { before: AuditHead; closed: AuditHead; next?: AuditHead },
): Promise<void> {
  const { agreement, before, closed, next, today } = change;
  const optional = {
    ...(closed.nextAuditId ? { nextAuditId: closed.nextAuditId } : {}),
    ...(closed.recurrenceEnded ? { recurrenceEnded: closed.recurrenceEnded } : {}),
  };
  const sets = [
    '#status = :closed',
    'closedAt = :closedAt',
    'closedBy = :closedBy',
    'conclusion = :conclusion',
    'closedLate = :closedLate',
    ...Object.keys(optional).map((name) => `${name} = :${name}`),
  ];
  return writeAuditChange(
    change,
    [
      {
        Update: {
          TableName: config.tableName(),
          Key: toItem(auditKey(agreement.id, closed.id)),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_exists(pk) AND #status <> :closed AND openFindings = :zero',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: toItem({
            ':closed': CLOSED,
            ':closedAt': closed.closedAt,
            ':closedBy': closed.closedBy,
            ':conclusion': closed.conclusion,
            ':closedLate': closed.closedLate,
            ':zero': 0,
            ...Object.fromEntries(Object.entries(optional).map(([name, value]) => [`:${name}`, value])),
          }),
        },
      },
      ...(next
        ? [
            {
              Put: {
                TableName: config.tableName(),
                Item: headItem(agreement.id, next),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ]
        : []),
    ],
    [
      ...reminderDeletes(agreement.id, [auditReminderKind(closed.id)]),
      ...calendarEntryWrites(agreement, oversightEntry(agreement, before), undefined),
      ...(next
        ? [
            ...reminderPuts(agreement.id, [auditReminder(agreement.id, next, today)]),
            ...calendarEntryWrites(agreement, undefined, oversightEntry(agreement, next)),
          ]
        : []),
    ],
    'The oversight audit changed meanwhile (closed, or a finding recorded); read it again',
  );
}
