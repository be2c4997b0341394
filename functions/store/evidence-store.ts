import type { ContentVersion } from '../domain/amendments/rules.ts';
import type { Amendment } from '../domain/amendments/schemas.ts';
import type { Agreement } from '../domain/schemas.ts';
import { config } from '../shared/config.ts';
import { logEntryOf, storedAsRead } from './agreements-store.ts';
import { AMENDMENT_PREFIX, amendmentAsRead, toContentVersion, VERSION_PREFIX } from './amendments-store.ts';
import { isAuditItem, toAuditRecords } from './audits-store.ts';
import { breachRecordsAsRead, isBreachItem } from './breaches-store.ts';
import { forwardedRequestsAsRead, isForwardedRequestItem } from './forwarded-requests-store.ts';
import { instructionAsRead, isInstructionItem } from './instructions-store.ts';
import { type Item, toItem } from './items.ts';
import { queryItems } from './query.ts';
import { currentSeals, isLogEntryKey, type LogEntry, SEAL_PREFIX, type StoredSeal } from './seals-store.ts';
import { subProcessorAsRead } from './sub-processors-store.ts';

/**
 * Everything an evidence pack holds of one agreement, each part with the fields the API answers, in the
 * order DynamoDB returned them: the pack sorts every key, so this reader bundles no schema (and no zod).
 */
export interface AgreementRecord {
  agreement: Agreement | undefined;
  subProcessors: Record<string, unknown>[];
  amendments: Amendment[];
  /** Stored content versions (none until the first amendment takes effect). */
  versions: ContentVersion[];
  /** Each report with its case: supplements, questions and answers, the decision. */
  breaches: Record<string, unknown>[];
  /** Rule 16: each oversight audit with its material (small documents' content included) and findings. */
  audits: Record<string, unknown>[];
  /** Rule 16: each request forwarded to the controller, with its assistance tasks. */
  forwardedRequests: Record<string, unknown>[];
  /** Rule 16: each documented instruction with its answers. */
  instructions: Record<string, unknown>[];
  entries: LogEntry[];
  /** Oldest first; the last is the latest. */
  seals: StoredSeal[];
  /** The seals under the latest key, as read: what an export's seal joins. */
  latestSeals: StoredSeal[];
}

/**
 * The agreement's whole partition in one strongly consistent query (more pages only for a very long
 * log): the record, its sub-processor requests, breaches, oversight audits, forwarded requests and
 * instructions, history (with every version of Vedlegg 3), audit log and seals.
 */
export async function readAgreementRecord(agreementId: string): Promise<AgreementRecord> {
  const record: AgreementRecord = {
    agreement: undefined,
    subProcessors: [],
    amendments: [],
    versions: [],
    breaches: [],
    audits: [],
    forwardedRequests: [],
    instructions: [],
    entries: [],
    seals: [],
    latestSeals: [],
  };
  const sealItems: Item[] = [];
  const breachItems: Item[] = [];
  const auditItems: Item[] = [];
  const requestItems: Item[] = [];
  for await (const item of queryItems({
    TableName: config.tableName(),
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: toItem({ ':pk': `AGREEMENT#${agreementId}` }),
    ConsistentRead: true,
  })) {
    const sk = item.sk?.S ?? '';
    if (sk.startsWith(SEAL_PREFIX)) sealItems.push(item);
    else if (isBreachItem(sk)) breachItems.push(item);
    else if (isAuditItem(sk)) auditItems.push(item);
    else if (isForwardedRequestItem(sk)) requestItems.push(item);
    else if (isInstructionItem(sk)) record.instructions.push(instructionAsRead(item));
    else file(record, item, sk);
  }
  record.breaches = breachRecordsAsRead(breachItems) as unknown as Record<string, unknown>[];
  record.audits = toAuditRecords(auditItems, { withContent: true }) as unknown as Record<string, unknown>[];
  record.forwardedRequests = forwardedRequestsAsRead(requestItems);
  const { seals, tail } = currentSeals(sealItems);
  record.seals = seals;
  record.latestSeals = tail;
  return record;
}

function file(record: AgreementRecord, item: Item, sk: string): void {
  if (sk === 'AGREEMENT') record.agreement = storedAsRead(item).agreement;
  else if (sk.startsWith(AMENDMENT_PREFIX))
    record.amendments.push(amendmentAsRead(item) as unknown as Amendment);
  else if (sk.startsWith(VERSION_PREFIX)) record.versions.push(toContentVersion(item));
  else if (isLogEntryKey(sk)) record.entries.push(logEntryOf(item));
  else if (sk.startsWith('SUBPROCESSOR#')) record.subProcessors.push(subProcessorAsRead(item));
}
