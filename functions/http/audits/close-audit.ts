import {
  closeAudit,
  closedHistory,
  closedNotifications,
  plannedHistory,
} from '../../domain/audits/audits.ts';
import { closeAuditRequestSchema } from '../../domain/audits/schemas.ts';
import { osloDate } from '../../domain/calendar.ts';
import { actorOf } from '../../shared/caller.ts';
import { now } from '../../shared/clock.ts';
import { httpHandler } from '../../shared/http.ts';
import { saveAuditClose, toAuditSummary } from '../../store/audits-store.ts';
import { auditEntry } from '../agreement-access.ts';
import { idempotent } from '../idempotency.ts';
import { loadAuditForParty } from './audit-access.ts';

/**
 * Rule 16: the controller closes an oversight audit with its conclusion, once no finding is open. For a
 * recurring plan the next audit is planned in the same transaction (its reminder and calendar entry
 * too). 200 with `{audit, next?}`; the audit's material and findings are read with GET.
 */
export const handler = httpHandler(
  { body: closeAuditRequestSchema },
  idempotent(async ({ caller, body, params, route }) => {
    const { agreement, role, head } = await loadAuditForParty(params, caller);
    const at = now();
    const { closed, next } = closeAudit({
      agreement,
      audit: head,
      role,
      request: body,
      actor: actorOf(caller),
      nextId: crypto.randomUUID(),
      now: at,
    });
    await saveAuditClose({
      agreement,
      before: head,
      closed,
      ...(next ? { next } : {}),
      today: osloDate(at),
      history: [closedHistory(closed), ...(next ? [plannedHistory(next)] : [])],
      audit: {
        ...auditEntry(caller, 'oversight.close', route, at),
        details: { auditId: closed.id, ...(next ? { nextAuditId: next.id } : {}) },
      },
      notifications: closedNotifications(agreement, closed, next, at),
    });
    return {
      status: 200,
      body: { audit: toAuditSummary(closed), ...(next ? { next: toAuditSummary(next) } : {}) },
    };
  }),
);
