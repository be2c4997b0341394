import { closedHistory, closedNotifications, closeRequest } from '../../domain/forwarded-requests/rules.ts';
import { outcomeRequestSchema } from '../../domain/forwarded-requests/schemas.ts';
import { actorOf } from '../../shared/caller.ts';
import { now } from '../../shared/clock.ts';
import { httpHandler } from '../../shared/http.ts';
import { saveRequestOutcome } from '../../store/forwarded-requests-store.ts';
import { auditEntry } from '../agreement-access.ts';
import { idempotent } from '../idempotency.ts';
import { loadRequestForParty } from './access.ts';

/**
 * Rule 16: the controller records how it answered a forwarded request, once; the request is CLOSED
 * (late when answered after its deadline), its reminders stop and its deadline leaves the calendar
 * feeds. Open assistance tasks stay open and tracked. 200 with the request; the processor is told.
 */
export const handler = httpHandler(
  { body: outcomeRequestSchema },
  idempotent(async ({ caller, body, params, route }) => {
    const { agreement, role, request: before } = await loadRequestForParty(params, caller);
    const at = now();
    const request = closeRequest({ request: before, role, outcome: body, actor: actorOf(caller), now: at });
    await saveRequestOutcome({
      agreement,
      before,
      request,
      history: [closedHistory(request)],
      audit: { ...auditEntry(caller, 'request.outcome', route, at), details: { requestId: request.id } },
      notifications: closedNotifications(agreement, request, at),
    });
    return { status: 200, body: request };
  }),
);
