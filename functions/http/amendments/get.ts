import { notFound } from '../../domain/errors.ts';
import { now } from '../../shared/clock.ts';
import { httpHandler } from '../../shared/http.ts';
import { recordAudit } from '../../store/agreements-store.ts';
import { auditEntry } from '../agreement-access.ts';
import { loadAmendmentForParty, NO_SUCH_AMENDMENT } from './access.ts';

/** One amendment with its status and signatures (the `Location` of a new one); an audited read. */
export const handler = httpHandler({}, async ({ caller, params, route }) => {
  const { agreement, amendment } = await loadAmendmentForParty(params.id, params.amendmentId, caller);
  if (!amendment) throw notFound(NO_SUCH_AMENDMENT);
  await recordAudit(agreement.id, {
    ...auditEntry(caller, 'amendment.read', route, now()),
    details: { amendmentId: amendment.amendment.id },
  });
  return { status: 200, body: amendment.amendment };
});
