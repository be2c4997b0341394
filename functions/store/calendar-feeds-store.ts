import { isDeepStrictEqual } from 'node:util';
import {
  GetItemCommand,
  QueryCommand,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import type { Amendment } from '../domain/amendments/schemas.ts';
import type { BreachRecord } from '../domain/breach-schemas.ts';
import { addDays, endOfOsloDay } from '../domain/calendar.ts';
import {
  agreementEntry,
  amendmentEntry,
  breachEntry,
  type CalendarEntry,
  instructionEntry,
  lastDayOf,
  subjectKey,
  subProcessorEntry,
} from '../domain/calendar-feed/deadlines.ts';
import type { CalendarFeed } from '../domain/calendar-feed/schemas.ts';
import type { Instruction } from '../domain/instructions/schemas.ts';
import type { Agreement } from '../domain/schemas.ts';
import type { SubProcessorRecord } from '../domain/sub-processor-schemas.ts';
import { dynamoClient } from '../shared/clients.ts';
import { config } from '../shared/config.ts';
import { writeWithClaim } from './idempotency-store.ts';
import { cancelledWith, fromItem, isIssuedId, toItem } from './items.ts';
import { queryItems } from './query.ts';
import {
  calendarEntryKey,
  calendarFeedKey,
  calendarTokenKey,
  deadlinesPartition,
  TABLE_KEYS,
} from './table-layout.ts';

/**
 * Rule 15, the calendar feed (the layout is in table-layout.ts):
 *
 * - a feed is two items written together: the organisation's record of it (`CALENDAR_FEEDS#<org>` /
 *   `FEED#<id>`: id, name, who created it, the token's hash) and the token's (`CALENDAR_TOKEN#<sha256>`
 *   / `FEED`: whose feed it is), which is what `GET /calendar/<token>.ics` reads by key;
 * - a calendar entry is the deadlines of one subject (the agreement, a sub-processor request, an
 *   amendment, a breach report) for one party, next to the agreement (`AGREEMENT#<id>` /
 *   `CALENDAR#<org>#<subject>`) and in the `dueReminders` index under `DEADLINES#<org>`, sorted by its
 *   last day: one Query gives a party every entry with a deadline still ahead. Entries are written in
 *   the transaction of the change that sets or ends their deadlines (the writes below), so they never
 *   disagree with the subject; an entry whose last day is long gone expires (TTL).
 */

/** The nearest deadlines one feed lists at most: one Query page, whatever the organisation's size. */
export const FEED_ENTRY_LIMIT = 1000;

/** Days an entry is kept after its last deadline (the feed no longer shows it from the day after). */
const ENTRY_RETENTION_DAYS = 90;

type Parties = Pick<Agreement, 'controller' | 'processor'>;
type Titled = Pick<Agreement, 'id' | 'title'> & Parties;

const partiesOf = (agreement: Parties) => [agreement.controller.orgNumber, agreement.processor.orgNumber];

/**
 * The writes that bring one subject's entries from `before` to `after` for both parties: nothing when
 * they are the same, a Put each when there are deadlines, a Delete each when there are none any more.
 */
export function calendarEntryWrites(
  agreement: Parties,
  before: CalendarEntry | undefined,
  after: CalendarEntry | undefined,
): TransactWriteItem[] {
  if (isDeepStrictEqual(before, after)) return [];
  const table = config.tableName();
  if (!after) {
    return partiesOf(agreement).map((orgNumber) => ({
      Delete: {
        TableName: table,
        Key: toItem(calendarEntryKey(before!.agreementId, orgNumber, subjectKey(before!.subject))),
      },
    }));
  }
  const subject = subjectKey(after.subject);
  const lastDay = lastDayOf(after);
  const expiresAt = Math.floor(endOfOsloDay(addDays(lastDay, ENTRY_RETENTION_DAYS)).getTime() / 1000);
  return partiesOf(agreement).map((orgNumber) => ({
    Put: {
      TableName: table,
      Item: toItem({
        ...calendarEntryKey(after.agreementId, orgNumber, subject),
        entity: 'calendar-entry',
        [TABLE_KEYS.dueReminders.partitionKey]: deadlinesPartition(orgNumber),
        [TABLE_KEYS.dueReminders.sortKey]: `${lastDay}#${after.agreementId}#${subject}`,
        [TABLE_KEYS.ttlAttribute]: expiresAt,
        entry: after,
      }),
    },
  }));
}

/**
 * The agreement's own deadlines as a change leaves them (saveChange), and the entry of an amendment
 * that stops awaiting signatures: its signature reminder removed, or the agreement no longer naming it.
 */
export function agreementChangeCalendarWrites(
  before: Agreement,
  after: Agreement,
  removedReminders: readonly string[],
): TransactWriteItem[] {
  const ended = new Set(
    removedReminders.flatMap((kind) => {
      const [rule, amendmentId] = kind.split('#');
      return rule === 'amendment-signature-missing' && amendmentId ? [amendmentId] : [];
    }),
  );
  const open = before.openAmendment;
  if (open && after.openAmendment?.id !== open.id) ended.add(open.id);
  return [
    ...calendarEntryWrites(after, agreementEntry(before), agreementEntry(after)),
    ...[...ended].flatMap((id) => calendarSubjectDeletes(after, { type: 'amendment', id })),
  ];
}

function calendarSubjectDeletes(
  agreement: Pick<Agreement, 'id'> & Parties,
  subject: { type: 'amendment'; id: string },
): TransactWriteItem[] {
  return partiesOf(agreement).map((orgNumber) => ({
    Delete: {
      TableName: config.tableName(),
      Key: toItem(calendarEntryKey(agreement.id, orgNumber, `${subject.type}-${subject.id}`)),
    },
  }));
}

export const subProcessorCalendarWrites = (
  agreement: Titled,
  before: SubProcessorRecord | undefined,
  after: SubProcessorRecord,
) =>
  calendarEntryWrites(
    agreement,
    before && subProcessorEntry(agreement, before),
    subProcessorEntry(agreement, after),
  );

/** A new amendment's signature deadline (its end is found by saveChange, see above). */
export const amendmentCalendarWrites = (agreement: Titled, amendment: Amendment) =>
  calendarEntryWrites(agreement, undefined, amendmentEntry(agreement, amendment));

export const breachCalendarWrites = (
  agreement: Titled & Pick<Agreement, 'breachNotificationHours'>,
  record: BreachRecord,
) => calendarEntryWrites(agreement, undefined, breachEntry(agreement, record));

/** An instruction's date in both parties' feeds, as its step leaves it (rule 16). */
export const instructionCalendarWrites = (
  agreement: Titled,
  before: Instruction | undefined,
  after: Instruction,
) =>
  calendarEntryWrites(
    agreement,
    before && instructionEntry(agreement, before),
    instructionEntry(agreement, after),
  );

/** Every entry of the organisation with a deadline on `today` (Oslo) or later: one Query. */
export async function upcomingEntries(orgNumber: string, today: string): Promise<CalendarEntry[]> {
  const { indexName, partitionKey, sortKey } = TABLE_KEYS.dueReminders;
  const page = await dynamoClient().send(
    new QueryCommand({
      TableName: config.tableName(),
      IndexName: indexName,
      KeyConditionExpression: '#pk = :pk AND #sk >= :today',
      ExpressionAttributeNames: { '#pk': partitionKey, '#sk': sortKey },
      ExpressionAttributeValues: toItem({ ':pk': deadlinesPartition(orgNumber), ':today': today }),
      Limit: FEED_ENTRY_LIMIT,
    }),
  );
  return (page.Items ?? []).map((item) => fromItem<{ entry: CalendarEntry }>(item).entry);
}

export interface StoredFeed extends CalendarFeed {
  orgNumber: string;
  tokenHash: string;
}

/** The feed and its token's item, both new, in one transaction (with an Idempotency-Key's claim). */
export async function createFeed(feed: StoredFeed): Promise<void> {
  const table = config.tableName();
  await writeWithClaim([
    {
      Put: {
        TableName: table,
        Item: toItem({ ...calendarFeedKey(feed.orgNumber, feed.id), entity: 'calendar-feed', ...feed }),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    {
      Put: {
        TableName: table,
        Item: toItem({
          ...calendarTokenKey(feed.tokenHash),
          entity: 'calendar-token',
          orgNumber: feed.orgNumber,
          feedId: feed.id,
        }),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  ]);
}

const feedOf = (raw: StoredFeed): CalendarFeed => ({
  id: raw.id,
  ...(raw.name ? { name: raw.name } : {}),
  createdAt: raw.createdAt,
  createdBy: raw.createdBy,
});

/** The organisation's feeds, newest first (a handful; without their secrets). */
export async function listFeeds(orgNumber: string): Promise<CalendarFeed[]> {
  const feeds: CalendarFeed[] = [];
  for await (const item of queryItems({
    TableName: config.tableName(),
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: toItem({ ':pk': calendarFeedKey(orgNumber, '').pk, ':prefix': 'FEED#' }),
    ConsistentRead: true,
  })) {
    feeds.push(feedOf(fromItem<StoredFeed>(item)));
  }
  return feeds.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id));
}

/**
 * Revokes the organisation's feed: the feed and its token's item go together, so the address answers
 * 404 from then on. False when the organisation has no such feed (another's is not found either).
 */
export async function deleteFeed(orgNumber: string, id: string): Promise<boolean> {
  if (!isIssuedId(id)) return false;
  const key = calendarFeedKey(orgNumber, id);
  const { Item: item } = await dynamoClient().send(
    new GetItemCommand({ TableName: config.tableName(), Key: toItem(key), ConsistentRead: true }),
  );
  if (!item) return false;
  const { tokenHash } = fromItem<StoredFeed>(item);
  try {
    await dynamoClient().send(
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            Delete: {
              TableName: config.tableName(),
              Key: toItem(key),
              ConditionExpression: 'attribute_exists(pk)',
            },
          },
          { Delete: { TableName: config.tableName(), Key: toItem(calendarTokenKey(tokenHash)) } },
        ],
      }),
    );
  } catch (error) {
    // Revoked by a request in between: gone all the same.
    if (cancelledWith(error, 'ConditionalCheckFailed')) return false;
    throw error;
  }
  return true;
}

/** Whose feed a token's hash opens; undefined for a token never issued or revoked. */
export async function feedByTokenHash(
  tokenHash: string,
): Promise<{ orgNumber: string; feedId: string } | undefined> {
  const { Item: item } = await dynamoClient().send(
    // Consistent: a revoked address stops answering at once.
    new GetItemCommand({
      TableName: config.tableName(),
      Key: toItem(calendarTokenKey(tokenHash)),
      ConsistentRead: true,
    }),
  );
  if (!item) return undefined;
  const { orgNumber, feedId } = fromItem<{ orgNumber: string; feedId: string }>(item);
  return { orgNumber, feedId };
}
