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
  getAppendixHead,
  getSubProcessor,
  retryOnAppendixChange,
  saveSubProcessorChange,
} from '../store/sub-processors-store.ts';
import { auditEntry, loadForParty } from './agreement-access.ts';
import { idempotent } from './idempotency.ts';

/**
 * The controller's written decision on a request (rule 7), once, before the 30 days are out. Approval
 * adds the sub-processor to Vedlegg 3 as a new version. The approval workflow learns of it through
 * its task token; if it has not reached its wait yet, it finds the decision there when it does.
 */
export const handler = httpHandler(
  { body: decisionRequestSchema },
  idempotent(async ({ caller, body, params, route }) => {
    const { agreement, role } = await loadForParty(params.id, caller);
    requireRole(role, 'controller', 'decide on a sub-processor');
    const subProcessorId = params.subId ?? '';
    const actor = actorOf(caller);
    const decided = await retryOnAppendixChange(async () => {
      const before = (await getSubProcessor(agreement.id, subProcessorId))?.record;
      const at = now();
      const after = decideOnRequest({ agreement, role, record: before, decision: body, actor, now: at });
      const appendix =
        after.status === 'APPROVED'
          ? await getAppendixHead(agreement.id).then((head) => ({
              before: head,
              ...appendixChange(head, { added: after }, actor, at),
            }))
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
      });
      return after;
    });
    countMetricBy('subProcessorDecision', decided.status);
    const token = (await getSubProcessor(agreement.id, subProcessorId))?.taskToken;
    if (token) {
      await notifyWorkflow('complete the decision wait', () =>
        completeTask(token, { status: decided.status }),
      );
    }
    return { status: 200, body: decided };
  }),
);
