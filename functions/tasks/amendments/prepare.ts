import { amendmentDeadlinePassed, workflowOutcome } from '../../domain/amendments/rules.ts';
import { endOfOsloDay } from '../../domain/calendar.ts';
import { now } from '../../shared/clock.ts';
import { taskHandler } from '../../shared/task.ts';
import { amendmentTaskInput, readAmendment } from './input.ts';

/**
 * Where the amendment stands, how many seconds are left until its signature deadline ends (Oslo), and,
 * once signed, when it takes effect: recomputed each time the workflow (re)starts, so a workflow
 * resumed after a restart keeps the original deadline.
 */
export const handler = taskHandler(amendmentTaskInput, async (input) => {
  const { stored } = await readAmendment(input);
  const { amendment } = stored;
  const at = now();
  const secondsLeft = amendmentDeadlinePassed(amendment, at)
    ? 1
    : Math.ceil((endOfOsloDay(amendment.signatureDeadline).getTime() - at.getTime()) / 1000);
  return { ...workflowOutcome(amendment), secondsLeft };
});
