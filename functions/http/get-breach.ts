import { NO_SUCH_BREACH } from '../domain/breaches.ts';
import { notFound } from '../domain/errors.ts';
import { now } from '../shared/clock.ts';
import { httpHandler } from '../shared/http.ts';
import { getBreach } from '../store/breaches-store.ts';
import { auditEntry, loadForParty, readAsParty } from './agreement-access.ts';

/** One breach report (the `Location` of a new one); the read is logged (rule 10). */
export const handler = httpHandler({}, async ({ caller, params, route }) => {
  const breachId = params.breachId ?? '';
  const record = await readAsParty(
    params.id,
    caller,
    async (id) => {
      const found = await getBreach(id, breachId);
      // No such report: a party learns that, anyone else only that there is no such agreement.
      if (!found) {
        await loadForParty(id, caller);
        throw notFound(NO_SUCH_BREACH);
      }
      return found;
    },
    () => ({ ...auditEntry(caller, 'breach.read', route, now()), details: { breachId } }),
  );
  return { status: 200, body: record };
});
