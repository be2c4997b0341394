import { newAudit, plannedHistory, plannedNotifications } from '../../domain/audits/audits.ts';
import { planAuditRequestSchema } from '../../domain/audits/schemas.ts';
import { osloDate } from '../../domain/calendar.ts';
import { actorOf } from '../../shared/caller.ts';
import { now } from '../../shared/clock.ts';
import { httpHandler } from '../../shared/http.ts';
import { saveAuditPlan, toAuditSummary } from '../../store/audits-store.ts';
import { auditEntry, loadForParty } from '../agreement-access.ts';
import { idempotent } from '../idempotency.ts';

/**
 * Rule 16 (003 §11): the controller plans an oversight audit of the processor, once or as a recurring
 * plan; the processor is told, both are reminded before the due date and see it in their calendar
 * feeds. 201 with the audit and its `Location`. Two round trips (the agreement, the transaction).
 */
export const handler = httpHandler(
  { body: planAuditRequestSchema },
  idempotent(async ({ caller, body, params, route }) => {
    const { agreement, role } = await loadForParty(params.id, caller);
    const at = now();
    const head = newAudit({
      agreement,
      role,
      request: body,
      actor: actorOf(caller),
      id: crypto.randomUUID(),
      now: at,
    });
    await saveAuditPlan({
      agreement,
      head,
      today: osloDate(at),
      history: [plannedHistory(head)],
      audit: { ...auditEntry(caller, 'oversight.plan', route, at), details: { auditId: head.id } },
      notifications: plannedNotifications(agreement, head, at),
    });
    return {
      status: 201,
      body: { ...toAuditSummary(head), material: [], findings: [] },
      headers: { location: `/agreements/${agreement.id}/audits/${head.id}` },
    };
  }),
);
