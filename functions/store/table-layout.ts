/**
 * The single table's layout, shared by the data stack (which creates the table) and the store modules.
 *
 * | item                | pk                      | sk                         | gsi1 (by organisation)        | gsi2 (due reminders)        |
 * |---------------------|-------------------------|----------------------------|-------------------------------|-----------------------------|
 * | agreement           | AGREEMENT#<id>          | AGREEMENT                  |                               |                             |
 * | party membership    | AGREEMENT#<id>          | PARTY#<org>                | ORG#<org> / <createdAt>#<id>  |                             |
 * | history entry       | AGREEMENT#<id>          | HISTORY#<at>#<seq>         |                               |                             |
 * | audit entry         | AGREEMENT#<id>          | AUDIT#<at>#<seq>           |                               |                             |
 * | reminder            | AGREEMENT#<id>          | REMINDER#<kind>            |                               | REMINDERS / <dueOn>#<id>#<kind> |
 * | task token          | AGREEMENT#<id>          | TASK_TOKEN#<workflow>#<step> |                             |                             |
 * | sub-processor       | AGREEMENT#<id>          | SUBPROCESSOR#<subId>       |                               |                             |
 * | Vedlegg 3, current  | AGREEMENT#<id>          | APPENDIX3                  |                               |                             |
 * | breach report       | AGREEMENT#<id>          | BREACH#<reportedAt>#<id>   |                               |                             |
 * | notification        | NOTIFICATIONS#<org>     | <at>#<notificationId>      |                               |                             |
 * | notification marker | NOTIFICATION#<id>#<org> | MARKER                     |                               |                             |
 * | idempotency record  | IDEMPOTENCY#<org>       | <Idempotency-Key>          |                               |                             |
 */
export const TABLE_KEYS = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
  byOrganisation: { indexName: 'byOrganisation', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  dueReminders: { indexName: 'dueReminders', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
} as const;

export const agreementKey = (id: string) => ({ pk: `AGREEMENT#${id}`, sk: 'AGREEMENT' });
export const partyKey = (id: string, orgNumber: string) => ({
  pk: `AGREEMENT#${id}`,
  sk: `PARTY#${orgNumber}`,
});
export const reminderKey = (id: string, kind: string) => ({ pk: `AGREEMENT#${id}`, sk: `REMINDER#${kind}` });
export const REMINDERS_PARTITION = 'REMINDERS';
export const idempotencyKey = (orgNumber: string, key: string) => ({
  pk: `IDEMPOTENCY#${orgNumber}`,
  sk: key,
});
