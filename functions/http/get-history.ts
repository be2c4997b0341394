import { type HistoryEntry, pagingQuerySchema } from '../domain/schemas.ts';
import { now } from '../shared/clock.ts';
import { httpHandler } from '../shared/http.ts';
import { listEntries, recordAudit } from '../store/agreements-store.ts';
import { auditEntry, loadForParty } from './agreement-access.ts';

export const handler = httpHandler({ query: pagingQuerySchema }, async ({ caller, params, query, route }) => {
  const { agreement } = await loadForParty(params.id, caller);
  // Read first: a request refused for its cursor is not a read and leaves no trace.
  const page = await listEntries<HistoryEntry>(agreement.id, 'HISTORY', query);
  await recordAudit(agreement.id, auditEntry(caller, 'history.read', route, now()));
  return { status: 200, body: page };
});
