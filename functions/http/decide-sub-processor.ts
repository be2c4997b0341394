import { BINDING_STATES } from '../domain/lifecycle.ts';
import { requireRole } from '../domain/parties.ts';
import { decisionReminderKind } from '../domain/sub-processor-reminders.ts';
import { decisionRequestSchema } from '../domain/sub-processor-schemas.ts';
import {
  appendixChange,
  decideOnRequest,
  outcomeNotifications,
  transitionHistory,
} from '../domain/sub-processors.ts';
import { actorOf } from '../shared/caller.ts';
import { now } from '../shared/clock.ts';
import { httpHandler } from '../shared/http.ts';
import { countMetricBy } from '../shared/observability.ts';
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
 * The controller's written decision on a request (rule 7), once, before the 30 days are out. Approval
 * adds the sub-processor to Vedlegg 3 as a new version. The approval workflow learns of it through
 * its task token; if it has not reached its wait yet, it finds the decision there when it does.
 *
 * Two round trips: the agreement, the request (with the workflow's token) and Vedlegg 3 in one read,
 * then the change, written only if the token is still the one read (else all is read again).
 */
export const handler = httpHandler(
  { body: decisionRequestSchema },
  idempotent(async ({ caller, body, params, route }) => {
    const subProcessorId = params.subId ?? '';
    const actor = actorOf(caller);
    const { decided, token } = await retryOnAppendixChange(async () => {
      const {
        agreement,
        role,
        request: stored,
        appendixItem,
      } = await loadSubProcessorForParty(params.id, subProcessorId, caller, { withAppendix: true });
      requireRole(role, 'controller', 'decide on a sub-processor');
      const before = stored?.record;
      const at = now();
      const after = decideOnRequest({ agreement, role, record: before, decision: body, actor, now: at });
      const appendix =
        after.status === 'APPROVED'
          ? (() => {
              const head = toAppendixHead(appendixItem);
              return { before: head, ...appendixChange(head, { added: after }, actor, at) };
            })()
          : undefined;
      await saveSubProcessorChange({
        agreementId: agreement.id,
        before,
        after,
        agreementIn: BINDING_STATES,
        ...(appendix ? { appendix: { before: appendix.before, after: appendix.after } } : {}),
        history: [transitionHistory(before, after, actor, at), ...(appendix ? [appendix.history] : [])],
        audit: {
          ...auditEntry(caller, 'sub-processor.decide', route, at),
          details: { subProcessorId, decision: after.status },
        },
        reminders: { remove: [decisionReminderKind(subProcessorId)] },
        notifications: outcomeNotifications(agreement, after, at),
        taskTokenAsRead: { token: stored?.taskToken },
        agreement,
      });
      return { decided: after, token: stored?.taskToken };
    });
    countMetricBy('subProcessorDecision', decided.status);
    if (token) {
      await notifyWorkflow('complete the decision wait', () =>
        completeTask(token, { status: decided.status }),
      );
    }
    return { status: 200, body: decided };
  }),
);
