import { notFound } from '../domain/errors.ts';
import { NO_SUCH_SUB_PROCESSOR, presented } from '../domain/sub-processors.ts';
import { now } from '../shared/clock.ts';
import { httpHandler } from '../shared/http.ts';
import { recordAudit } from '../store/agreements-store.ts';
import { getSubProcessor } from '../store/sub-processors-store.ts';
import { auditEntry, loadForParty } from './agreement-access.ts';

/** One sub-processor request with its state and decision (the `Location` of a new request). */
export const handler = httpHandler({}, async ({ caller, params, route }) => {
  const { agreement } = await loadForParty(params.id, caller);
  const subProcessorId = params.subId ?? '';
  const stored = await getSubProcessor(agreement.id, subProcessorId);
  if (!stored) throw notFound(NO_SUCH_SUB_PROCESSOR);
  const at = now();
  await recordAudit(agreement.id, {
    ...auditEntry(caller, 'sub-processor.read', route, at),
    details: { subProcessorId },
  });
  return { status: 200, body: presented(stored.record, at) };
});
