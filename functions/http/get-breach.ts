import { NO_SUCH_BREACH } from '../domain/breaches.ts';
import { notFound } from '../domain/errors.ts';
import { now } from '../shared/clock.ts';
import { httpHandler } from '../shared/http.ts';
import { recordAudit } from '../store/agreements-store.ts';
import { getBreach } from '../store/breaches-store.ts';
import { auditEntry, loadForParty } from './agreement-access.ts';

/** One breach report (the `Location` of a new one); the read is logged (rule 10). */
export const handler = httpHandler({}, async ({ caller, params, route }) => {
  const { agreement } = await loadForParty(params.id, caller);
  const breachId = params.breachId ?? '';
  const record = await getBreach(agreement.id, breachId);
  if (!record) throw notFound(NO_SUCH_BREACH);
  await recordAudit(agreement.id, {
    ...auditEntry(caller, 'breach.read', route, now()),
    details: { breachId },
  });
  return { status: 200, body: record };
});
