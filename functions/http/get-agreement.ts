import { now } from '../shared/clock.ts';
import { etagOf, httpHandler } from '../shared/http.ts';
import { recordAudit } from '../store/agreements-store.ts';
import { auditEntry, loadForParty } from './agreement-access.ts';

export const handler = httpHandler({}, async ({ caller, params, route }) => {
  const { agreement } = await loadForParty(params.id, caller);
  await recordAudit(agreement.id, auditEntry(caller, 'agreement.read', route, now()));
  return { status: 200, body: agreement, headers: { etag: etagOf(agreement.version) } };
});
