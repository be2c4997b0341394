import { type HistoryEntry, pagingQuerySchema } from '../domain/schemas.ts';
import { now } from '../shared/clock.ts';
import { httpHandler } from '../shared/http.ts';
import { listEntries } from '../store/agreements-store.ts';
import { auditEntry, readAsParty } from './agreement-access.ts';

/**
 * The page is read first, then the read is logged in a transaction that checks the caller is a party
 * (two round trips): a request refused for its cursor is not a read and leaves no trace.
 */
export const handler = httpHandler({ query: pagingQuerySchema }, async ({ caller, params, query, route }) => {
  const page = await readAsParty(
    params.id,
    caller,
    (id) => listEntries<HistoryEntry>(id, 'HISTORY', query),
    () => auditEntry(caller, 'history.read', route, now()),
  );
  return { status: 200, body: page };
});
