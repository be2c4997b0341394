import { findingHistory, findingNotifications, newFinding } from '../../domain/audits/audits.ts';
import { auditFindingRequestSchema } from '../../domain/audits/schemas.ts';
import { osloDate } from '../../domain/calendar.ts';
import { actorOf } from '../../shared/caller.ts';
import { now } from '../../shared/clock.ts';
import { httpHandler } from '../../shared/http.ts';
import { saveAuditFinding } from '../../store/audits-store.ts';
import { auditEntry } from '../agreement-access.ts';
import { idempotent } from '../idempotency.ts';
import { loadAuditForParty } from './audit-access.ts';

/**
 * Rule 16: the controller records a finding of an open oversight audit, with its deadline and the party
 * responsible for closing it; numbered in order. The responsible party is reminded before the deadline
 * and both after it; the deadline goes in both calendar feeds. 201 with the finding.
 */
export const handler = httpHandler(
  { body: auditFindingRequestSchema },
  idempotent(async ({ caller, body, params, route }) => {
    const { agreement, role, head } = await loadAuditForParty(params, caller);
    const at = now();
    const finding = newFinding({
      agreement,
      audit: head,
      role,
      request: body,
      actor: actorOf(caller),
      now: at,
    });
    await saveAuditFinding({
      agreement,
      head,
      finding,
      today: osloDate(at),
      history: [findingHistory(head, finding)],
      audit: {
        ...auditEntry(caller, 'oversight.finding', route, at),
        details: { auditId: head.id, number: finding.number },
      },
      notifications: findingNotifications(agreement, head, finding, at),
    });
    return { status: 201, body: finding };
  }),
);
