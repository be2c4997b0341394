import { now } from '../shared/clock.ts';
import { httpHandler } from '../shared/http.ts';
import { recordAudit } from '../store/agreements-store.ts';
import { listBreaches } from '../store/breaches-store.ts';
import { auditEntry, loadForParty } from './agreement-access.ts';

/**
 * Every breach reported under the agreement, oldest first: what the controller was told (rule 9).
 * Reading it is a read of the agreement, so it is logged (rule 10).
 */
export const handler = httpHandler({}, async ({ caller, params, route }) => {
  const { agreement } = await loadForParty(params.id, caller);
  const items = await listBreaches(agreement.id);
  await recordAudit(agreement.id, auditEntry(caller, 'breaches.read', route, now()));
  return { status: 200, body: { items } };
});
