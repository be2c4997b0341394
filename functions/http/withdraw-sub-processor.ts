import { BINDING_STATES } from '../domain/lifecycle.ts';
import { requireRole } from '../domain/parties.ts';
import { decisionReminderKind } from '../domain/sub-processor-reminders.ts';
import { withdrawRequestSchema } from '../domain/sub-processor-schemas.ts';
import {
  appendixChange,
  outcomeNotifications,
  transitionHistory,
  withdrawSubProcessor,
} from '../domain/sub-processors.ts';
import { actorOf } from '../shared/caller.ts';
import { now } from '../shared/clock.ts';
import { httpHandler } from '../shared/http.ts';
import { completeTask, notifyWorkflow } from '../shared/workflows.ts';
import {
  retryOnAppendixChange,
  saveSubProcessorChange,
  toAppendixHead,
} from '../store/sub-processors-store.ts';
import { auditEntry } from './agreement-access.ts';
import { idempotent } from './idempotency.ts';
import { loadSubProcessorForParty } from './sub-processor-access.ts';

/**
 * The processor withdraws a request still awaiting the decision (the approval workflow then ends), or
 * stops using an approved sub-processor, which leaves Vedlegg 3 from now on as a new appendix version.
 * An addition to product.md's routes: the contract names WITHDRAWN but no route leading there.
 *
 * Two round trips: the agreement, the request (with the workflow's token) and Vedlegg 3 in one read,
 * then the change, written only if the token is still the one read (else all is read again).
 */
export const handler = httpHandler(
  { body: withdrawRequestSchema },
  idempotent(async ({ caller, body, params, route }) => {
    const subProcessorId = params.subId ?? '';
    const actor = actorOf(caller);
    const { withdrawn, token } = await retryOnAppendixChange(async () => {
      const {
        agreement,
        role,
        request: stored,
        appendixItem,
      } = await loadSubProcessorForParty(params.id, subProcessorId, caller, { withAppendix: true });
      requireRole(role, 'processor', 'withdraw a sub-processor');
      const before = stored?.record;
      const at = now();
      const after = withdrawSubProcessor({ agreement, role, record: before, request: body, actor, now: at });
      const wasApproved = before?.status === 'APPROVED';
      const appendix = wasApproved
        ? (() => {
            const head = toAppendixHead(appendixItem);
            return { before: head, ...appendixChange(head, { removed: after }, actor, at) };
          })()
        : undefined;
      await saveSubProcessorChange({
        agreementId: agreement.id,
        before,
        after,
        ...(wasApproved ? { agreementIn: BINDING_STATES } : {}),
        ...(appendix ? { appendix: { before: appendix.before, after: appendix.after } } : {}),
        history: [transitionHistory(before, after, actor, at), ...(appendix ? [appendix.history] : [])],
        audit: {
          ...auditEntry(caller, 'sub-processor.withdraw', route, at),
          details: { subProcessorId, previousStatus: before?.status },
        },
        reminders: { remove: [decisionReminderKind(subProcessorId)] },
        notifications: outcomeNotifications(agreement, after, at),
        taskTokenAsRead: { token: stored?.taskToken },
        agreement,
      });
      return { withdrawn: after, token: stored?.taskToken };
    });
    if (token && !withdrawn.approvedUntil) {
      await notifyWorkflow('end the decision wait', () => completeTask(token, { status: 'WITHDRAWN' }));
    }
    return { status: 200, body: withdrawn };
  }),
);
