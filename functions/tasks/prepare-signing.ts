import { secondsUntilDeadline } from '../domain/signing.ts';
import { now } from '../shared/clock.ts';
import { taskHandler } from '../shared/task.ts';
import { getAgreement } from '../store/agreements-store.ts';
import { AgreementMissing, agreementTaskInput } from './agreement-input.ts';

/**
 * How long the signature waits may last: the seconds left until the deadline ends, recomputed each time
 * the workflow (re)starts, so a workflow resumed after a restart keeps the original deadline.
 */
export const handler = taskHandler(agreementTaskInput, async ({ agreementId }) => {
  const stored = await getAgreement(agreementId);
  if (!stored) throw new AgreementMissing(agreementId);
  const { status, signatureDeadline } = stored.agreement;
  return { status, secondsLeft: signatureDeadline ? secondsUntilDeadline(signatureDeadline, now()) : 1 };
});
