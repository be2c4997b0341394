import { now } from '../shared/clock.ts';
import { httpHandler } from '../shared/http.ts';
import { listBreaches } from '../store/breaches-store.ts';
import { auditEntry, readAsParty } from './agreement-access.ts';

/**
 * Every breach reported under the agreement, oldest first: what the controller was told (rule 9).
 * Reading it is a read of the agreement, so it is logged (rule 10), in a transaction that checks the
 * caller is a party.
 */
export const handler = httpHandler({}, async ({ caller, params, route }) => {
  const items = await readAsParty(params.id, caller, listBreaches, () =>
    auditEntry(caller, 'breaches.read', route, now()),
  );
  return { status: 200, body: { items } };
});
