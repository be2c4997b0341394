import { NO_SUCH_AUDIT } from '../../domain/audits/audits.ts';
import { notFound } from '../../domain/errors.ts';
import { now } from '../../shared/clock.ts';
import { httpHandler } from '../../shared/http.ts';
import { getAudit } from '../../store/audits-store.ts';
import { auditEntry, loadForParty, readAsParty } from '../agreement-access.ts';

/**
 * One oversight audit (the `Location` of a new one) with its material, the content of small documents
 * included, and its findings; the read is logged (rule 10).
 */
export const handler = httpHandler({}, async ({ caller, params, route }) => {
  const auditId = params.auditId ?? '';
  const record = await readAsParty(
    params.id,
    caller,
    async (id) => {
      const found = await getAudit(id, auditId);
      // No such audit: a party learns that, anyone else only that there is no such agreement.
      if (!found) {
        await loadForParty(id, caller);
        throw notFound(NO_SUCH_AUDIT);
      }
      return found;
    },
    () => ({ ...auditEntry(caller, 'oversight.read', route, now()), details: { auditId } }),
  );
  return { status: 200, body: record };
});
