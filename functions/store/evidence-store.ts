import type { ContentVersion } from '../domain/amendments/rules.ts';
import type { Amendment } from '../domain/amendments/schemas.ts';
import type { Agreement } from '../domain/schemas.ts';
import { config } from '../shared/config.ts';
import { logEntryOf, toStored } from './agreements-store.ts';
import { AMENDMENT_PREFIX, toContentVersion, toStoredAmendment, VERSION_PREFIX } from './amendments-store.ts';
import { toBreachRecord } from './breaches-store.ts';
import { type Item, toItem } from './items.ts';
import { queryItems } from './query.ts';
import { currentSeals, isLogEntryKey, type LogEntry, SEAL_PREFIX, type StoredSeal } from './seals-store.ts';
import { toStoredSubProcessor } from './sub-processors-store.ts';

/** Everything an evidence pack holds of one agreement, as the API returns each part. */
export interface AgreementRecord {
  agreement: Agreement | undefined;
  subProcessors: Record<string, unknown>[];
  amendments: Amendment[];
  /** Stored content versions (none until the first amendment takes effect). */
  versions: ContentVersion[];
  breaches: Record<string, unknown>[];
  entries: LogEntry[];
  /** Oldest first; the last is the latest. */
  seals: StoredSeal[];
  /** The seals under the latest key, as read: what an export's seal joins. */
  latestSeals: StoredSeal[];
}

/**
 * The agreement's whole partition in one strongly consistent query (more pages only for a very long
 * log): the record, its requests, breaches, history (with every version of Vedlegg 3), audit log and seals.
 */
export async function readAgreementRecord(agreementId: string): Promise<AgreementRecord> {
  const record: AgreementRecord = {
    agreement: undefined,
    subProcessors: [],
    amendments: [],
    versions: [],
    breaches: [],
    entries: [],
    seals: [],
    latestSeals: [],
  };
  const sealItems: Item[] = [];
  for await (const item of queryItems({
    TableName: config.tableName(),
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: toItem({ ':pk': `AGREEMENT#${agreementId}` }),
    ConsistentRead: true,
  })) {
    if (item.sk?.S?.startsWith(SEAL_PREFIX)) sealItems.push(item);
    else file(record, item);
  }
  const { seals, tail } = currentSeals(sealItems);
  record.seals = seals;
  record.latestSeals = tail;
  return record;
}

function file(record: AgreementRecord, item: Item): void {
  const sk = item.sk?.S ?? '';
  if (sk === 'AGREEMENT') record.agreement = toStored(item).agreement;
  else if (sk.startsWith(AMENDMENT_PREFIX)) record.amendments.push(toStoredAmendment(item).amendment);
  else if (sk.startsWith(VERSION_PREFIX)) record.versions.push(toContentVersion(item));
  else if (isLogEntryKey(sk)) record.entries.push(logEntryOf(item));
  else if (sk.startsWith('SUBPROCESSOR#'))
    record.subProcessors.push(toStoredSubProcessor(item).record as unknown as Record<string, unknown>);
  else if (sk.startsWith('BREACH#'))
    record.breaches.push(toBreachRecord(item) as unknown as Record<string, unknown>);
}
