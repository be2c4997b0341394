import { type AuditEntry, pagingQuerySchema } from '../domain/schemas.ts';
import { now } from '../shared/clock.ts';
import { httpHandler } from '../shared/http.ts';
import { listEntries, recordAudit } from '../store/agreements-store.ts';
import { auditEntry, loadForParty } from './agreement-access.ts';

/**
 * Reading the log is itself a read of the agreement, so it is logged; the page is read first so that a
 * request refused for its cursor leaves no trace (the entry shows on the next page read).
 */
export const handler = httpHandler({ query: pagingQuerySchema }, async ({ caller, params, query, route }) => {
  const { agreement } = await loadForParty(params.id, caller);
  const page = await listEntries<AuditEntry>(agreement.id, 'AUDIT', query);
  await recordAudit(agreement.id, auditEntry(caller, 'audit-log.read', route, now()));
  return { status: 200, body: page };
});
