import { now } from '../../shared/clock.ts';
import { httpHandler } from '../../shared/http.ts';
import { listForwardedRequests } from '../../store/forwarded-requests-store.ts';
import { auditEntry, readAsParty } from '../agreement-access.ts';

/**
 * Every request the processor forwarded under the agreement, in the order forwarded, each with its
 * deadline, extension, outcome and tasks (rule 16). The read is logged (rule 10) in a transaction that
 * checks the caller is a party.
 */
export const handler = httpHandler({}, async ({ caller, params, route }) => {
  const items = await readAsParty(params.id, caller, listForwardedRequests, () =>
    auditEntry(caller, 'requests.read', route, now()),
  );
  return { status: 200, body: { items } };
});
