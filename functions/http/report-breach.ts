import { breachReportRequestSchema } from '../domain/breach-schemas.ts';
import {
  BREACH_REPORTING_STATES,
  breachNotifications,
  newBreachReport,
  reportedHistory,
} from '../domain/breaches.ts';
import { requireRole } from '../domain/parties.ts';
import { actorOf } from '../shared/caller.ts';
import { now } from '../shared/clock.ts';
import { httpHandler } from '../shared/http.ts';
import { countMetric } from '../shared/observability.ts';
import { saveBreachReport } from '../store/breaches-store.ts';
import { auditEntry, loadForParty } from './agreement-access.ts';
import { idempotent } from './idempotency.ts';

/**
 * Rule 9: the processor reports a personal data breach (avvik) to the controller in writing, with
 * the content of 003 §10 a-f. 201 with the report, its deadlines and whether it came late; both
 * parties are notified, the controller with its own 72-hour deadline towards Datatilsynet.
 */
export const handler = httpHandler(
  { body: breachReportRequestSchema },
  idempotent(async ({ caller, body, params, route }) => {
    const { agreement, role } = await loadForParty(params.id, caller);
    requireRole(role, 'processor', 'report a breach');
    const at = now();
    const record = newBreachReport({
      agreement,
      request: body,
      actor: actorOf(caller),
      id: crypto.randomUUID(),
      now: at,
    });
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
