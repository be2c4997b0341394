import { secondsUntilDecisionDeadline } from '../domain/sub-processors.ts';
import { now } from '../shared/clock.ts';
import { taskHandler } from '../shared/task.ts';
import { getSubProcessor } from '../store/sub-processors-store.ts';
import { SubProcessorMissing, subProcessorTaskInput } from './sub-processor-input.ts';

/**
 * How long the wait for the controller's decision may last: the seconds left until the decision
 * deadline ends (30 days after the request, end of that day in Oslo), recomputed each time the workflow
 * (re)starts, so a workflow resumed after a restart keeps the original deadline.
 */
export const handler = taskHandler(subProcessorTaskInput, async ({ agreementId, subProcessorId }) => {
  const stored = await getSubProcessor(agreementId, subProcessorId);
  if (!stored) throw new SubProcessorMissing(agreementId, subProcessorId);
  const { status, decisionDeadline } = stored.record;
  return {
    status,
    secondsLeft: decisionDeadline ? secondsUntilDecisionDeadline(decisionDeadline, now()) : 1,
  };
});
