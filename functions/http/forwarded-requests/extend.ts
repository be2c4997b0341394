import { osloDate } from '../../domain/calendar.ts';
import {
  extendedHistory,
  extendedNotifications,
  extendRequest,
} from '../../domain/forwarded-requests/rules.ts';
import { extensionRequestSchema } from '../../domain/forwarded-requests/schemas.ts';
import { actorOf } from '../../shared/caller.ts';
import { now } from '../../shared/clock.ts';
import { httpHandler } from '../../shared/http.ts';
import { saveRequestExtension } from '../../store/forwarded-requests-store.ts';
import { auditEntry } from '../agreement-access.ts';
import { idempotent } from '../idempotency.ts';
import { loadRequestForParty } from './access.ts';

/**
 * Rule 16 (GDPR Art. 12(3)): the controller extends its deadline to answer a data subject by one or
 * two further months, with its reason, once and within the first month. 200 with the request and its
 * new deadline; the processor is told, the reminders and calendar entries follow the new deadline.
 */
export const handler = httpHandler(
  { body: extensionRequestSchema },
  idempotent(async ({ caller, body, params, route }) => {
    const { agreement, role, request: before } = await loadRequestForParty(params, caller);
    const at = now();
    const request = extendRequest({
      request: before,
      role,
      extension: body,
      actor: actorOf(caller),
      now: at,
    });
    await saveRequestExtension({
      agreement,
      before,
      request,
      today: osloDate(at),
      history: [extendedHistory(request)],
      audit: { ...auditEntry(caller, 'request.extend', route, at), details: { requestId: request.id } },
      notifications: extendedNotifications(agreement, request, at),
    });
    return { status: 200, body: request };
  }),
);
