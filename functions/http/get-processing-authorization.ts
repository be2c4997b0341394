import {
  type ProcessingAuthorization,
  processingAuthorizationQuerySchema,
} from '../domain/sub-processor-schemas.ts';
import { processingAuthorization } from '../domain/sub-processors.ts';
import { now } from '../shared/clock.ts';
import { httpHandler } from '../shared/http.ts';
import { recordAudit } from '../store/agreements-store.ts';
import { auditEntry } from './agreement-access.ts';
import { loadSubProcessorForParty } from './sub-processor-access.ts';

/**
 * The processing gate (rule 8): may this sub-processor process data under the agreement now? Yes only
 * while the agreement is in force (the notice period included) and the sub-processor is approved.
 * An id the agreement does not know is answered (not authorised, and why) rather than refused with
 * 404, which would read as "no such agreement". Every question and its answer go into the audit log.
 * The agreement and the request are read in one round trip, the answer logged in the second.
 */
export const handler = httpHandler(
  { query: processingAuthorizationQuerySchema },
  async ({ caller, params, query, route }) => {
    const { subProcessorId } = query;
    const { agreement, request } = await loadSubProcessorForParty(params.id, subProcessorId, caller);
    const record = request?.record;
    const at = now();
    const answer: ProcessingAuthorization = {
      ...processingAuthorization(agreement, record, at),
      subProcessorId,
      checkedAt: at.toISOString(),
    };
    await recordAudit(agreement.id, {
      ...auditEntry(caller, 'processing-authorization.read', route, at),
      details: { subProcessorId, authorized: answer.authorized, reasons: answer.reasons },
    });
    return { status: 200, body: answer };
  },
);
