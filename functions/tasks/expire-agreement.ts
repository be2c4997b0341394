import { taskHandler } from '../shared/task.ts';
import { agreementTaskInput } from './agreement-input.ts';
import { expireIfOverdue } from './signature-expiry.ts';

/**
 * The signature wait timed out: EXPIRED if the deadline has really passed, otherwise the status the
 * agreement has (a signature won the race, or the timeout fired early and the workflow waits again).
 */
export const handler = taskHandler(agreementTaskInput, async ({ agreementId }) => ({
  status: await expireIfOverdue(agreementId),
}));
