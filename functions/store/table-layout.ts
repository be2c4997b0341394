/**
 * The single table's layout, shared by the data stack (which creates the table) and the store modules.
 *
 * | item                | pk                      | sk                         | gsi1 (by organisation)        | gsi2 (due reminders)        |
 * |---------------------|-------------------------|----------------------------|-------------------------------|-----------------------------|
 * | agreement           | AGREEMENT#<id>          | AGREEMENT                  |                               |                             |
 * | party membership    | AGREEMENT#<id>          | PARTY#<org>                | ORG#<org> / <createdAt>#<id>  |                             |
 * | history entry       | AGREEMENT#<id>          | HISTORY#<at>#<seq>         |                               |                             |
 * | audit entry         | AGREEMENT#<id>          | AUDIT#<at>#<seq>           |                               |                             |
 * | log seals           | AGREEMENT#<id>          | SEAL#LATEST (the latest few), older ones SEAL#<seq of the first, 6 digits> |  |                |
 * | reminder            | AGREEMENT#<id>          | REMINDER#<kind>            |                               | REMINDERS / <dueOn>#<id>#<kind> |
 * | task token          | AGREEMENT#<id>          | TASK_TOKEN#<workflow>#<step> |                             |                             |
 * | sub-processor       | AGREEMENT#<id>          | SUBPROCESSOR#<subId>       |                               |                             |
 * | Vedlegg 3, current  | AGREEMENT#<id>          | APPENDIX3                  |                               |                             |
 * | breach report       | AGREEMENT#<id>          | BREACH#<reportedAt>#<id>   |                               |                             |
 * | breach case         | AGREEMENT#<id>          | BREACHCASE#<id>, its supplements BREACHCASE#<id>#UPDATE#<n> |  |                     |
 * | oversight audit     | AGREEMENT#<id>          | OVERSIGHT#<auditId>, its material and findings OVERSIGHT#<auditId>#MATERIAL#<n>, #FINDING#<n> | |      |
 * | instruction         | AGREEMENT#<id>          | INSTRUCTION#<instructionId> |                              |                             |
 * | instruction count   | AGREEMENT#<id>          | INSTRUCTION#COUNT          |                               |                             |
 * | forwarded request   | AGREEMENT#<id>          | FORWARDED#<requestId>, its tasks FORWARDED#<requestId>#TASK#<n> | |                   |
 * | notification        | NOTIFICATIONS#<org>     | <at>#<notificationId>      |                               |                             |
 * | notification marker | NOTIFICATION#<id>#<org> | MARKER                     |                               |                             |
 * | idempotency record  | IDEMPOTENCY#<org>       | <Idempotency-Key>          |                               |                             |
 * | seal run            | SEALS                   | RUN                        |                               |                             |
 * | calendar entry      | AGREEMENT#<id>          | CALENDAR#<org>#<subject>   |                               | DEADLINES#<org> / <last day>#<id>#<subject> |
 * | calendar feed       | CALENDAR_FEEDS#<org>    | FEED#<feedId>              |                               |                             |
 * | feed token          | CALENDAR_TOKEN#<sha256> | FEED                       |                               |                             |
 * | webhook             | WEBHOOKS#<org>          | WEBHOOK#<webhookId>        |                               |                             |
 * | webhook delivery    | WEBHOOK#<webhookId>     | DELIVERY#<deliveryId>      |                               |                             |
 *
 * History and audit entries are also in gsi3 (`entriesByDay`, the whole entry): `ENTRIES#<UTC day of
 * at>#<shard>` / `<agreementId>`, so that the daily seal run reads the entries written since it last ran
 * without a Scan and without reading each entry. The shard (0-7, from the agreement id) spreads one day's writes over eight index partitions.
 *
 * The calendar feed (rule 15) answers `GET /calendar/<token>.ics` in two round trips: a GetItem of the
 * token's item (by the SHA-256 of the token; the token itself is never stored) names the organisation,
 * and one Query of `DEADLINES#<org>` in `dueReminders` with `sort key >= <today>` returns every calendar
 * entry of that party with a deadline still ahead. A calendar entry holds the deadlines of one subject
 * (`agreement`: signature deadline, terminatesOn and its 30- and 7-day marks, retention review;
 * `sub-processor-<id>`, `amendment-<id>`, `breach-<id>`, `oversight-<id>`, `oversight-finding-<id>.<n>`,
 * `request-<id>`, `request-task-<id>.<n>`, `instruction-<id>`) with the agreement's title, once per party,
 * and is put or deleted in the same transaction as the change that sets or ends those deadlines
 * (saveChange, subProcessorChangeWrites, breachReportWrites, an amendment's proposal, and the changes
 * of an oversight audit, a forwarded request and an instruction), so the feed
 * never reads the agreements themselves. The reminder run reads only the `REMINDERS` partition of that
 * index; entries carry a TTL of 90 days after their last deadline.
 *
 * An organisation's webhook endpoints (rule 15) share one partition, so the delivery of a notification
 * reads them all in one Query; each holds its signing secrets (the current one first, a rotated-out one
 * until its `expiresAt`), which no response but the one that made them ever shows.
 */
export const TABLE_KEYS = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
  byOrganisation: { indexName: 'byOrganisation', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  dueReminders: { indexName: 'dueReminders', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  entriesByDay: { indexName: 'entriesByDay', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
} as const;

export const ENTRY_SHARDS = 8;

/** The `entriesByDay` partition of the entries of one agreement written on one UTC day. */
export function entriesByDayPartition(day: string, agreementId: string): string {
  let hash = 0;
  for (const char of agreementId) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return `ENTRIES#${day}#${hash % ENTRY_SHARDS}`;
}

/** Every `entriesByDay` partition of one UTC day, shard 0 first. */
export const entriesByDayPartitions = (day: string): string[] =>
  Array.from({ length: ENTRY_SHARDS }, (_, shard) => `ENTRIES#${day}#${shard}`);

export const SEAL_RUN_KEY = { pk: 'SEALS', sk: 'RUN' } as const;

export const agreementKey = (id: string) => ({ pk: `AGREEMENT#${id}`, sk: 'AGREEMENT' });
export const partyKey = (id: string, orgNumber: string) => ({
  pk: `AGREEMENT#${id}`,
  sk: `PARTY#${orgNumber}`,
});
export const reminderKey = (id: string, kind: string) => ({ pk: `AGREEMENT#${id}`, sk: `REMINDER#${kind}` });
export const REMINDERS_PARTITION = 'REMINDERS';
export const calendarEntryKey = (id: string, orgNumber: string, subject: string) => ({
  pk: `AGREEMENT#${id}`,
  sk: `CALENDAR#${orgNumber}#${subject}`,
});
export const deadlinesPartition = (orgNumber: string) => `DEADLINES#${orgNumber}`;
export const calendarFeedKey = (orgNumber: string, feedId: string) => ({
  pk: `CALENDAR_FEEDS#${orgNumber}`,
  sk: `FEED#${feedId}`,
});
export const calendarTokenKey = (tokenHash: string) => ({ pk: `CALENDAR_TOKEN#${tokenHash}`, sk: 'FEED' });
export const webhookKey = (orgNumber: string, webhookId: string) => ({
  pk: `WEBHOOKS#${orgNumber}`,
  sk: `WEBHOOK#${webhookId}`,
});
export const webhookDeliveryKey = (webhookId: string, deliveryId: string) => ({
  pk: `WEBHOOK#${webhookId}`,
  sk: `DELIVERY#${deliveryId}`,
});
export const idempotencyKey = (orgNumber: string, key: string) => ({
  pk: `IDEMPOTENCY#${orgNumber}`,
  sk: key,
});
