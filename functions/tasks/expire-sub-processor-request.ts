import { DomainError } from '../domain/errors.ts';
import { decisionReminderKind } from '../domain/sub-processor-reminders.ts';
import { expireRequest, outcomeNotifications, transitionHistory } from '../domain/sub-processors.ts';
import { now } from '../shared/clock.ts';
import { countMetric } from '../shared/observability.ts';
import { taskHandler, workflowActor } from '../shared/task.ts';
import { getAgreement } from '../store/agreements-store.ts';
import { getSubProcessor, saveSubProcessorChange } from '../store/sub-processors-store.ts';
import { AgreementMissing } from './agreement-input.ts';
import { SubProcessorMissing, subProcessorTaskInput } from './sub-processor-input.ts';

const actor = workflowActor('subProcessorApproval');

/**
 * The decision wait timed out. Expires the request only if it is still REQUESTED and the deadline has
 * really passed by the clock (silence is never approval); otherwise reports the status: a decision or a
 * withdrawal won the race, or the timeout fired early and the workflow waits again.
 */
export const handler = taskHandler(subProcessorTaskInput, async ({ agreementId, subProcessorId }) => {
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const stored = await getSubProcessor(agreementId, subProcessorId);
    if (!stored) throw new SubProcessorMissing(agreementId, subProcessorId);
    const at = now();
    const expired = expireRequest(stored.record, at);
    if (!expired) return { status: stored.record.status };
    const agreement = (await getAgreement(agreementId))?.agreement;
    if (!agreement) throw new AgreementMissing(agreementId);
    try {
      await saveSubProcessorChange({
        agreementId,
        before: stored.record,
        after: expired,
        history: [transitionHistory(stored.record, expired, actor, at)],
        audit: {
          at: at.toISOString(),
          action: 'sub-processor.expire',
          actor,
          route: 'workflow:subProcessorApproval',
          details: { subProcessorId },
        },
        reminders: { remove: [decisionReminderKind(subProcessorId)] },
        notifications: outcomeNotifications(agreement, expired, at),
      });
      countMetric('subProcessorRequestExpired');
      return { status: expired.status };
    } catch (error) {
      // A decision or withdrawal was written first: read again and report that.
      if (!(error instanceof DomainError && error.kind === 'conflict')) throw error;
    }
  }
  throw new Error(`The sub-processor request ${subProcessorId} kept changing while it was being expired`);
});
