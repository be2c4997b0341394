import { BOTH_PARTIES, notificationsFor } from '../domain/notifications.ts';
import { now } from '../shared/clock.ts';
import { taskHandler } from '../shared/task.ts';
import { getAgreement } from '../store/agreements-store.ts';
import { sendNotifications } from '../store/notifications-store.ts';
import { AgreementMissing, agreementTaskInput } from './agreement-input.ts';

/**
 * Concludes signing. The second signature already put the agreement IN_FORCE in the same write; this
 * tells both parties (once, however often it runs) and reports the status the workflow ends with.
 */
export const handler = taskHandler(agreementTaskInput, async ({ agreementId }) => {
  const stored = await getAgreement(agreementId);
  if (!stored) throw new AgreementMissing(agreementId);
  const { agreement } = stored;
  if (agreement.status === 'IN_FORCE') {
    await sendNotifications(
      notificationsFor(
        agreement,
        BOTH_PARTIES,
        {
          type: 'agreement.in-force',
          key: 'in-force',
          subject: `In force from ${agreement.effectiveFrom}`,
          details: { effectiveFrom: agreement.effectiveFrom },
        },
        now(),
      ),
    );
  }
  return { status: agreement.status };
});
