import { GetItemCommand, QueryCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import type { BreachRecord } from '../domain/breach-schemas.ts';
import { BREACH_REPORTABLE_STATES } from '../domain/breaches.ts';
import { conflict } from '../domain/errors.ts';
import type { AgreementStatus, AuditEntry, HistoryEntry, Notification } from '../domain/schemas.ts';
import { dynamoClient } from '../shared/clients.ts';
import { config } from '../shared/config.ts';
import { auditItem, historyItem } from './agreements-store.ts';
import { fromItem, isIssuedId, toItem } from './items.ts';
import { notificationWrites, publishEvents } from './notifications-store.ts';
import { agreementCheck } from './sub-processors-store.ts';

const breachKey = (agreementId: string, breachId: string) => ({
  pk: `AGREEMENT#${agreementId}`,
  sk: `BREACH#${breachId}`,
});

/**
 * A breach report is its own item in the agreement's partition, written together with its history
 * entry, audit entry and notifications, and only while the agreement is in a reportable state.
 */
export async function saveBreachReport(change: {
  record: BreachRecord;
  history: HistoryEntry;
  audit: AuditEntry;
  notifications: Notification[];
}): Promise<void> {
  const { record } = change;
  try {
    await dynamoClient().send(
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            Put: {
              TableName: config.tableName(),
              Item: toItem({ ...breachKey(record.agreementId, record.id), entity: 'breach', ...record }),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          agreementCheck(record.agreementId, BREACH_REPORTABLE_STATES),
          historyItem(record.agreementId, change.history),
          { Put: auditItem(record.agreementId, change.audit) },
          ...change.notifications.flatMap(notificationWrites),
        ],
      }),
    );
  } catch (error) {
    const reasons = (error as { CancellationReasons?: { Code?: string; Item?: Record<string, never> }[] })
      .CancellationReasons;
    const check = reasons?.[1];
    if (check?.Code === 'ConditionalCheckFailed') {
      const status = check.Item ? fromItem<{ status?: AgreementStatus }>(check.Item).status : undefined;
      throw conflict('The agreement changed while the breach was reported; read it again', status);
    }
    throw error;
  }
  await publishEvents(change.notifications);
}

export async function getBreach(agreementId: string, breachId: string): Promise<BreachRecord | undefined> {
  if (!isIssuedId(breachId)) return undefined;
  const { Item: item } = await dynamoClient().send(
    new GetItemCommand({
      TableName: config.tableName(),
      Key: toItem(breachKey(agreementId, breachId)),
      ConsistentRead: true,
    }),
  );
  return item ? withoutKeys(fromItem<Record<string, unknown>>(item)) : undefined;
}

/** Every breach report of the agreement (each one is rare and serious: no paging needed). */
export async function listBreaches(agreementId: string): Promise<BreachRecord[]> {
  const records: BreachRecord[] = [];
  let startKey: Record<string, import('@aws-sdk/client-dynamodb').AttributeValue> | undefined;
  do {
    const page = await dynamoClient().send(
      new QueryCommand({
        TableName: config.tableName(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: toItem({ ':pk': `AGREEMENT#${agreementId}`, ':prefix': 'BREACH#' }),
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) records.push(withoutKeys(fromItem<Record<string, unknown>>(item)));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return records.sort((a, b) => a.reportedAt.localeCompare(b.reportedAt));
}

function withoutKeys(item: Record<string, unknown>): BreachRecord {
  const { pk: _pk, sk: _sk, entity: _entity, ...record } = item;
  return record as BreachRecord;
}
