import { readDeliveryAgreement } from '../../store/deliveries-store.ts';
import { recordAttempts } from './attempts.ts';
import { sendEmail } from './email.ts';
import { retryTask } from './retry-task.ts';

/** One retry of an e-mail (see retryTask), to the contact person in force now. */
export const handler = retryTask(async (stored, _channel, at) => {
  const { agreementId } = stored.notification;
  const agreement = agreementId === undefined ? undefined : await readDeliveryAgreement(agreementId);
  const delivery = await sendEmail(stored, agreement, at);
  const [recorded] = await recordAttempts([{ stored, delivery }]);
  return { delivery, recorded: recorded! };
});
