import { osloDate } from '../../domain/calendar.ts';
import {
  forwardedHistory,
  forwardedNotifications,
  newForwardedRequest,
} from '../../domain/forwarded-requests/rules.ts';
import { forwardRequestSchema } from '../../domain/forwarded-requests/schemas.ts';
import { actorOf } from '../../shared/caller.ts';
import { now } from '../../shared/clock.ts';
import { httpHandler } from '../../shared/http.ts';
import { saveForwardedRequest } from '../../store/forwarded-requests-store.ts';
import { auditEntry, loadForParty } from '../agreement-access.ts';
import { idempotent } from '../idempotency.ts';

/**
 * Rule 16 (003 §5, 000 §11): the processor forwards a request it received that the controller must
 * answer, from a data subject or from Datatilsynet. 201 with the request and the controller's
 * deadline to answer; the controller is told, reminded before the deadline, and the deadline is in
 * both parties' calendar feeds. The agreement is read in one round trip, everything written in the
 * second.
 */
export const handler = httpHandler(
  { body: forwardRequestSchema },
  idempotent(async ({ caller, body, params, route }) => {
    const { agreement, role } = await loadForParty(params.id, caller);
    const at = now();
    const request = newForwardedRequest({
      agreement,
      role,
      request: body,
      actor: actorOf(caller),
      id: crypto.randomUUID(),
      now: at,
    });
    await saveForwardedRequest({
      agreement,
      request,
      today: osloDate(at),
      history: [forwardedHistory(request)],
      audit: { ...auditEntry(caller, 'request.forward', route, at), details: { requestId: request.id } },
      notifications: forwardedNotifications(agreement, request, at),
    });
    return {
      status: 201,
      body: { ...request, tasks: [] },
      headers: { location: `/agreements/${agreement.id}/requests/${request.id}` },
    };
  }),
);
