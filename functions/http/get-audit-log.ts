import { type AuditEntry, pagingQuerySchema } from '../domain/schemas.ts';
import { now } from '../shared/clock.ts';
import { httpHandler } from '../shared/http.ts';
import { listEntries } from '../store/agreements-store.ts';
import { auditEntry, readAsParty } from './agreement-access.ts';

/**
 * Reading the log is itself a read of the agreement, so it is logged; the page is read first so that a
 * request refused for its cursor leaves no trace (the entry shows on the next page read). The entry is
 * written in a transaction that checks the caller is a party: two round trips.
 */
export const handler = httpHandler({ query: pagingQuerySchema }, async ({ caller, params, query, route }) => {
  const page = await readAsParty(
    params.id,
    caller,
    (id) => listEntries<AuditEntry>(id, 'AUDIT', query),
    () => auditEntry(caller, 'audit-log.read', route, now()),
  );
  return { status: 200, body: page };
});
