import {
  GetItemCommand,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { conflict } from '../domain/errors.ts';
import { pendingReminderKind } from '../domain/instructions/reminders.ts';
import { INSTRUCTION_STATES } from '../domain/instructions/rules.ts';
import { type Instruction, instructionSchema } from '../domain/instructions/schemas.ts';
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
import { instructionCalendarWrites } from './calendar-feeds-store.ts';
import { claimWrites, claimWritten, keyHeldFromCancellation } from './idempotency-store.ts';
import { fromItem, type Item, isIssuedId, toItem } from './items.ts';
import { notificationWrites, publishEvents } from './notifications-store.ts';
import { queryItems } from './query.ts';
import { type Reminder, reminderDeletes, reminderPuts } from './reminders-store.ts';
import { agreementCheck } from './sub-processors-store.ts';

/**
 * The controller's documented instructions (rule 16, 003 §4), next to the agreement in its partition:
 *
 * | item              | pk             | sk                            |
 * |-------------------|----------------|-------------------------------|
 * | instruction       | AGREEMENT#<id> | INSTRUCTION#<instructionId>   |
 * | instruction count | AGREEMENT#<id> | INSTRUCTION#COUNT             |
 *
 * An instruction is found by its id alone, so a step of it reads the agreement and the instruction in
 * one round trip and writes in the second. The count holds the number of the last instruction given:
 * a new one moves it conditionally from the number read, so two given at once cannot take one number.
 * Every step is written only while the instruction is still in the state it was read in, with its
 * history, audit entry, notifications, reminders and the parties' calendar entries of its date (while
 * it awaits an answer, the day it is to apply from; once it binds, that day). One Query of
 * `INSTRUCTION#` reads them all.
 */
export const instructionKey = (agreementId: string, instructionId: string) => ({
  pk: `AGREEMENT#${agreementId}`,
  sk: `INSTRUCTION#${instructionId}`,
});

export const instructionCountKey = (agreementId: string) => ({
  pk: `AGREEMENT#${agreementId}`,
  sk: 'INSTRUCTION#COUNT',
});

const PREFIX = 'INSTRUCTION#';
const ENTITY = 'instruction';
const fieldOrder = /* @__PURE__ */ lazily(() => Object.keys(instructionSchema.shape));

/** A stored instruction as the API returns it (the schema's field order; keys and markers left out). */
export function toInstructionRecord(item: Item): Instruction {
  const raw = fromItem<Record<string, unknown>>(item);
  const record: Record<string, unknown> = {};
  for (const key of fieldOrder()) if (raw[key] !== undefined) record[key] = raw[key];
  return record as Instruction;
}

/** Whether an item of the agreement's partition is an instruction (its count item is not). */
export const isInstructionItem = (sk: string) => sk.startsWith(PREFIX) && sk !== 'INSTRUCTION#COUNT';

/**
 * An instruction as the API answers it, with the fields in the order DynamoDB returned them: for the
 * evidence pack, which sorts every key itself (and so bundles no schema).
 */
export function instructionAsRead(item: Item): Record<string, unknown> {
  const { pk: _pk, sk: _sk, entity: _entity, ...record } = fromItem<Record<string, unknown>>(item);
  return record;
}

/** The number of the last instruction given (0 before the first), from the count item as read. */
export const lastInstructionNumber = (countItem: Item | undefined): number =>
  countItem ? (fromItem<{ count?: number }>(countItem).count ?? 0) : 0;

/** What every step of an instruction writes beside the instruction itself. */
export interface InstructionChange {
  agreementId: string;
  /** The agreement as read: the parties' calendar entries of the instruction's date (rule 15). */
  agreement: Pick<Agreement, 'id' | 'title' | 'controller' | 'processor'>;
  history: HistoryEntry[];
  audit: AuditEntry;
  notifications: Notification[];
  /** The first reminder of the state the instruction enters, if it awaits anything there. */
  reminders: Reminder[];
}

const instructionPut = (agreementId: string, instruction: Instruction) => ({
  TableName: config.tableName(),
  Item: toItem({ ...instructionKey(agreementId, instruction.id), entity: ENTITY, ...instruction }),
});

/**
 * The agreement's check, history, audit entry, notifications, reminders, calendar entries and the
 * Idempotency-Key's claim, after the change's own writes.
 */
async function writeChange(
  change: InstructionChange,
  own: TransactWriteItem[],
  removedReminders: string[],
  calendar: TransactWriteItem[],
  lost: (reasons: { Code?: string; Item?: Item }[]) => Error | undefined,
): Promise<void> {
  const { agreementId } = change;
  const claims = claimWrites();
  try {
    await dynamoClient().send(
      new TransactWriteItemsCommand({
        TransactItems: [
          ...own,
          agreementCheck(agreementId, INSTRUCTION_STATES),
          ...change.history.map((entry, position) => historyItem(agreementId, entry, position)),
          { Put: auditItem(agreementId, change.audit) },
          ...change.notifications.flatMap((n) => notificationWrites(n)),
          ...reminderDeletes(agreementId, removedReminders),
          ...reminderPuts(agreementId, change.reminders),
          ...calendar,
          ...claims,
        ],
      }),
    );
  } catch (error) {
    const held = keyHeldFromCancellation(error, claims);
    if (held) throw held;
    if (!(error instanceof TransactionCanceledException)) throw error;
    const reasons = error.CancellationReasons ?? [];
    const failed = (index: number) => reasons[index]?.Code === 'ConditionalCheckFailed';
    const agreementLost = failed(own.length);
    if (agreementLost) {
      const current = reasons[own.length]?.Item
        ? fromItem<{ status?: AgreementStatus }>(reasons[own.length]!.Item!).status
        : undefined;
      throw conflict(
        `The agreement changed meanwhile${current ? ` (it is ${current})` : ''}; nothing was recorded`,
        current,
      );
    }
    throw lost(reasons.slice(0, own.length)) ?? error;
  }
  claimWritten(claims);
  await publishEvents(change.notifications);
}

/** A new instruction under the next number (a race lost is 409: it may be sent again). */
export function saveNewInstruction(
  change: InstructionChange & { instruction: Instruction; previousNumber: number },
): Promise<void> {
  const { agreementId, instruction, previousNumber } = change;
  const first = previousNumber === 0;
  const countWrite: TransactWriteItem = {
    Update: {
      TableName: config.tableName(),
      Key: toItem(instructionCountKey(agreementId)),
      UpdateExpression: 'SET #count = :number, entity = :entity',
      ConditionExpression: first ? 'attribute_not_exists(pk)' : '#count = :previous',
      ExpressionAttributeNames: { '#count': 'count' },
      ExpressionAttributeValues: toItem({
        ':number': instruction.number,
        ':entity': 'instruction-count',
        ...(first ? {} : { ':previous': previousNumber }),
      }),
    },
  };
  return writeChange(
    change,
    [
      countWrite,
      {
        Put: { ...instructionPut(agreementId, instruction), ConditionExpression: 'attribute_not_exists(pk)' },
      },
    ],
    [],
    instructionCalendarWrites(change.agreement, undefined, instruction),
    (reasons) =>
      reasons.some((reason) => reason.Code === 'ConditionalCheckFailed')
        ? conflict('Another instruction was given meanwhile; send yours again')
        : undefined,
  );
}

/**
 * A step of an instruction, written only while it is still in the state it was read in: a step taken
 * meanwhile by another request makes this one a conflict naming the state it is in now. The reminder
 * of the state it leaves is removed, the one of the state it enters (if any) added.
 */
export function saveInstructionStep(
  change: InstructionChange & { before: Instruction; after: Instruction },
): Promise<void> {
  const { agreementId, before, after } = change;
  const stepWrite: TransactWriteItem = {
    Put: {
      ...instructionPut(agreementId, after),
      ConditionExpression: 'attribute_exists(pk) AND #status = :before',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: toItem({ ':before': before.status }),
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
  const leaving = pendingReminderKind(before);
  const calendar = instructionCalendarWrites(change.agreement, before, after);
  return writeChange(change, [stepWrite], leaving ? [leaving] : [], calendar, ([reason]) => {
    if (reason?.Code !== 'ConditionalCheckFailed') return undefined;
    const current = reason.Item
      ? fromItem<{ status?: Instruction['status'] }>(reason.Item).status
      : undefined;
    return conflict(
      `Instruction ${before.number} was changed by another request meanwhile${current ? ` (it is ${current})` : ''}; read it again`,
      current,
    );
  });
}

/** Every instruction of the agreement, in the order given (few: no paging). */
export async function listInstructions(agreementId: string): Promise<Instruction[]> {
  const instructions: Instruction[] = [];
  for await (const item of queryItems({
    TableName: config.tableName(),
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: toItem({ ':pk': `AGREEMENT#${agreementId}`, ':prefix': PREFIX }),
    ConsistentRead: true,
  })) {
    if (fromItem<{ entity?: string }>(item).entity === ENTITY) instructions.push(toInstructionRecord(item));
  }
  return instructions.sort((a, b) => a.number - b.number);
}

/** One instruction by its id (an id we never issued names none and is not read). */
export async function getInstruction(
  agreementId: string,
  instructionId: string,
): Promise<Instruction | undefined> {
  if (!isIssuedId(instructionId)) return undefined;
  const { Item } = await dynamoClient().send(
    new GetItemCommand({
      TableName: config.tableName(),
      Key: toItem(instructionKey(agreementId, instructionId)),
      ConsistentRead: true,
    }),
  );
  return Item ? toInstructionRecord(Item) : undefined;
}
