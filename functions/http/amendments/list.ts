import { now } from '../../shared/clock.ts';
import { httpHandler } from '../../shared/http.ts';
import { readAgreementWithAmendments } from '../../store/amendments-store.ts';
import { auditEntry, readAsParty } from '../agreement-access.ts';

/**
 * Every amendment of the agreement in the order of their numbers, whatever became of them. The read
 * is logged in a transaction that checks the caller is a party: two round trips.
 */
export const handler = httpHandler({}, async ({ caller, params, route }) => {
  const { amendments } = await readAsParty(params.id, caller, readAgreementWithAmendments, () =>
    auditEntry(caller, 'amendments.read', route, now()),
  );
  return { status: 200, body: { items: amendments } };
});
