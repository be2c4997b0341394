import { outcomeNotifications } from '../domain/sub-processors.ts';
import { now } from '../shared/clock.ts';
import { taskHandler } from '../shared/task.ts';
import { getAgreement } from '../store/agreements-store.ts';
import { sendNotifications } from '../store/notifications-store.ts';
import { getSubProcessor } from '../store/sub-processors-store.ts';
import { AgreementMissing } from './agreement-input.ts';
import { SubProcessorMissing, subProcessorTaskInput } from './sub-processor-input.ts';

/**
 * Concludes the approval workflow: the parties hear the outcome as recorded (APPROVED, REJECTED,
 * EXPIRED or WITHDRAWN). The handler that recorded it sent the same notification in its own
 * transaction; the deterministic id makes sure it goes out exactly once, whichever comes first.
 */
export const handler = taskHandler(subProcessorTaskInput, async ({ agreementId, subProcessorId }) => {
  const stored = await getSubProcessor(agreementId, subProcessorId);
  if (!stored) throw new SubProcessorMissing(agreementId, subProcessorId);
  const agreement = (await getAgreement(agreementId))?.agreement;
  if (!agreement) throw new AgreementMissing(agreementId);
  const sent = await sendNotifications(outcomeNotifications(agreement, stored.record, now()));
  return { status: stored.record.status, notified: sent.length };
});
