import { deadlineMarks } from '../domain/breach-cases.ts';
import { breachReportRequestSchema } from '../domain/breach-schemas.ts';
import {
  BREACH_REPORTING_STATES,
  breachNotifications,
  newBreachReport,
  reportedHistory,
} from '../domain/breaches.ts';
import { actorOf } from '../shared/caller.ts';
import { now } from '../shared/clock.ts';
import { httpHandler } from '../shared/http.ts';
import { countMetric } from '../shared/observability.ts';
import { startBreachDeadlineWorkflow } from '../shared/workflows.ts';
import { saveBreachReport } from '../store/breaches-store.ts';
import { isIssuedId } from '../store/items.ts';
import { subProcessorKey, toStoredSubProcessor } from '../store/sub-processors-store.ts';
import { auditEntry, loadForPartyWith } from './agreement-access.ts';
import { idempotent } from './idempotency.ts';

/**
 * Rule 9 and 16: a party reports a personal data breach (avvik) to the other in writing: the processor
 * with the content of 003 §10 a-f, or the controller about an incident the processor must help
 * contain (000 §14). 201 with the report, its deadlines, whether it came late and what it touches
 * outside the agreement's scope; both parties are notified, the controller with its own 72-hour
 * deadline towards Datatilsynet, whose marks the breach's deadline workflow keeps. A named
 * sub-processor is read with the agreement, in one round trip.
 */
export const handler = httpHandler(
  { body: breachReportRequestSchema },
  idempotent(async ({ caller, body, params, route }) => {
    const subProcessorId = body.subProcessorId;
    const named = subProcessorId !== undefined && params.id !== undefined && isIssuedId(subProcessorId);
    const {
      agreement,
      role,
      related: [subProcessorItem],
    } = await loadForPartyWith(params.id, caller, named ? [subProcessorKey(params.id!, subProcessorId)] : []);
    const request = subProcessorItem ? toStoredSubProcessor(subProcessorItem).record : undefined;
    const at = now();
    const record = newBreachReport({
      agreement,
      reporter: role,
      request: body,
      subProcessor: request ? { id: request.id, name: request.name } : undefined,
      actor: actorOf(caller),
      id: crypto.randomUUID(),
      now: at,
    });
    // The deadline workflow starts first: a report that could not be followed must not stand, and a
    // workflow whose report was not written closes at its first mark (there is no case).
    await startBreachDeadlineWorkflow(agreement.id, record.id, deadlineMarks(record.controllerAwareAt));
    await saveBreachReport({
      agreementId: agreement.id,
      record,
      agreementIn: BREACH_REPORTING_STATES,
      history: [reportedHistory(record, actorOf(caller))],
      audit: { ...auditEntry(caller, 'breach.report', route, at), details: { breachId: record.id } },
      notifications: breachNotifications(agreement, record, at),
      agreement,
    });
    countMetric('breachReported');
    if (record.reportedLate) countMetric('breachReportedLate');
    return {
      status: 201,
      body: record,
      headers: { location: `/agreements/${agreement.id}/breaches/${record.id}` },
    };
  }),
);
