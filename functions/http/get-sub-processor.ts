import { notFound } from '../domain/errors.ts';
import { NO_SUCH_SUB_PROCESSOR, presented } from '../domain/sub-processors.ts';
import { now } from '../shared/clock.ts';
import { httpHandler } from '../shared/http.ts';
import { recordAudit } from '../store/agreements-store.ts';
import { auditEntry } from './agreement-access.ts';
import { loadSubProcessorForParty } from './sub-processor-access.ts';

/**
 * One sub-processor request with its state and decision (the `Location` of a new request). The
 * agreement and the request are read in one round trip, the read logged in the second.
 */
export const handler = httpHandler({}, async ({ caller, params, route }) => {
  const subProcessorId = params.subId ?? '';
  const { agreement, request: stored } = await loadSubProcessorForParty(params.id, subProcessorId, caller);
  if (!stored) throw notFound(NO_SUCH_SUB_PROCESSOR);
  const at = now();
  await recordAudit(agreement.id, {
    ...auditEntry(caller, 'sub-processor.read', route, at),
    details: { subProcessorId },
  });
  return { status: 200, body: presented(stored.record, at) };
});
