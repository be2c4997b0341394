import type { TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { config } from '../shared/config.ts';
import { fromItem, toItem } from './items.ts';
import { queryItems } from './query.ts';
import { REMINDERS_PARTITION, reminderKey, TABLE_KEYS } from './table-layout.ts';

/** A reminder due on a date; the daily run finds due ones through the dueReminders index (no Scan). */
export interface Reminder {
  agreementId: string;
  kind: string;
  dueOn: string;
}

function reminderItem(reminder: Reminder) {
  const { partitionKey, sortKey } = TABLE_KEYS.dueReminders;
  return {
    ...reminderKey(reminder.agreementId, reminder.kind),
    entity: 'reminder',
    [partitionKey]: REMINDERS_PARTITION,
    [sortKey]: `${reminder.dueOn}#${reminder.agreementId}#${reminder.kind}`,
    ...reminder,
  };
}

export const reminderPuts = (agreementId: string, reminders: Reminder[]): TransactWriteItem[] =>
  reminders.map((reminder) => ({
    Put: { TableName: config.tableName(), Item: toItem(reminderItem({ ...reminder, agreementId })) },
  }));

export const reminderDeletes = (agreementId: string, kinds: string[]): TransactWriteItem[] =>
  kinds.map((kind) => ({
    Delete: { TableName: config.tableName(), Key: toItem(reminderKey(agreementId, kind)) },
  }));

/**
 * Moves a reminder on to its next date (or removes it), only if it is still due on the date it was
 * read with: a second run of the same day finds it already moved and sends nothing twice.
 */
export function reminderAdvance(reminder: Reminder, nextDueOn: string | undefined): TransactWriteItem {
  const key = toItem(reminderKey(reminder.agreementId, reminder.kind));
  const condition = {
    ConditionExpression: 'dueOn = :dueOn',
    ExpressionAttributeValues: toItem({ ':dueOn': reminder.dueOn }),
  };
  if (!nextDueOn) return { Delete: { TableName: config.tableName(), Key: key, ...condition } };
  const { sortKey } = TABLE_KEYS.dueReminders;
  return {
    Update: {
      TableName: config.tableName(),
      Key: key,
      UpdateExpression: 'SET dueOn = :next, #sk = :sortKey',
      ConditionExpression: condition.ConditionExpression,
      ExpressionAttributeNames: { '#sk': sortKey },
      ExpressionAttributeValues: toItem({
        ':dueOn': reminder.dueOn,
        ':next': nextDueOn,
        ':sortKey': `${nextDueOn}#${reminder.agreementId}#${reminder.kind}`,
      }),
    },
  };
}

/** Every reminder due on or before the date, oldest first. */
export async function dueReminders(onOrBefore: string): Promise<Reminder[]> {
  const { indexName, partitionKey, sortKey } = TABLE_KEYS.dueReminders;
  const reminders: Reminder[] = [];
  for await (const item of queryItems({
    TableName: config.tableName(),
    IndexName: indexName,
    KeyConditionExpression: '#pk = :pk AND #sk < :until',
    ExpressionAttributeNames: { '#pk': partitionKey, '#sk': sortKey },
    ExpressionAttributeValues: toItem({ ':pk': REMINDERS_PARTITION, ':until': `${onOrBefore}#\uffff` }),
  })) {
    const { agreementId, kind, dueOn } = fromItem<Reminder>(item);
    reminders.push({ agreementId, kind, dueOn });
  }
  return reminders;
}
