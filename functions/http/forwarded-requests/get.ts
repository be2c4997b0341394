import { notFound } from '../../domain/errors.ts';
import { NO_SUCH_REQUEST } from '../../domain/forwarded-requests/rules.ts';
import { now } from '../../shared/clock.ts';
import { httpHandler } from '../../shared/http.ts';
import { getForwardedRequest } from '../../store/forwarded-requests-store.ts';
import { auditEntry, loadForParty, readAsParty } from '../agreement-access.ts';

/** One forwarded request with its tasks in order (the `Location` of a new one); the read is logged (rule 10). */
export const handler = httpHandler({}, async ({ caller, params, route }) => {
  const requestId = params.requestId ?? '';
  const record = await readAsParty(
    params.id,
    caller,
    async (id) => {
      const found = await getForwardedRequest(id, requestId);
      // No such request: a party learns that, anyone else only that there is no such agreement.
      if (!found) {
        await loadForParty(id, caller);
        throw notFound(NO_SUCH_REQUEST);
      }
      return found;
    },
    () => ({ ...auditEntry(caller, 'request.read', route, now()), details: { requestId } }),
  );
  return { status: 200, body: record };
});
