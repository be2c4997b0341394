import { notFound } from '../domain/errors.ts';
import { now } from '../shared/clock.ts';
import { httpHandler } from '../shared/http.ts';
import { recordAudit } from '../store/agreements-store.ts';
import { getBreach } from '../store/breaches-store.ts';
import { auditEntry, loadForParty } from './agreement-access.ts';

export const handler = httpHandler({}, async ({ caller, params, route }) => {
  const { agreement } = await loadForParty(params.id, caller);
  const record = await getBreach(agreement.id, params.breachId ?? '');
  if (!record) throw notFound('No breach report with that id on this agreement');
  await recordAudit(agreement.id, {
    ...auditEntry(caller, 'breach.read', route, now()),
    details: { breachId: record.id },
  });
  return { status: 200, body: record };
});
