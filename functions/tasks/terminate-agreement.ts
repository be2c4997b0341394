import { taskHandler } from '../shared/task.ts';
import { agreementTaskInput } from './agreement-input.ts';
import { terminateIfDue } from './termination-due.ts';

/**
 * The termination workflow's wait has ended: TERMINATED if the end of `terminatesOn` has really come,
 * otherwise the status the agreement has (the workflow then waits again).
 */
export const handler = taskHandler(agreementTaskInput, async ({ agreementId }) => ({
  status: await terminateIfDue(agreementId),
}));
