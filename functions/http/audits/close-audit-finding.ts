import {
  closedFinding,
  findingClosedHistory,
  findingClosedNotifications,
} from '../../domain/audits/audits.ts';
import { findingClosureRequestSchema } from '../../domain/audits/schemas.ts';
import { osloDate } from '../../domain/calendar.ts';
import { actorOf } from '../../shared/caller.ts';
import { now } from '../../shared/clock.ts';
import { httpHandler } from '../../shared/http.ts';
import { saveFindingClosure } from '../../store/audits-store.ts';
import { auditEntry } from '../agreement-access.ts';
import { idempotent } from '../idempotency.ts';
import { loadAuditForParty } from './audit-access.ts';

/**
 * Rule 16: the party responsible for a finding records how it was closed, once; its reminders and
 * calendar entry end, and the other party is told. 201 with the closed finding.
 */
export const handler = httpHandler(
  { body: findingClosureRequestSchema },
  idempotent(async ({ caller, body, params, route }) => {
    const {
      agreement,
      role,
      head,
      finding: before,
    } = await loadAuditForParty(params, caller, { finding: true });
    const at = now();
    const finding = closedFinding({
      agreement,
      finding: before!,
      role,
      request: body,
      actor: actorOf(caller),
      now: at,
    });
    await saveFindingClosure({
      agreement,
      head,
      before: before!,
      finding,
      today: osloDate(at),
      history: [findingClosedHistory(head, finding)],
      audit: {
        ...auditEntry(caller, 'oversight.finding-closure', route, at),
        details: { auditId: head.id, number: finding.number },
      },
      notifications: findingClosedNotifications(agreement, head, finding, at),
    });
    return { status: 201, body: finding };
  }),
);
