import { historyEntry } from '../domain/changes.ts';
import { lazySchema } from '../domain/lazy-schema.ts';
import { BOTH_PARTIES, notificationsFor } from '../domain/notifications.ts';
import { attestationPending, dispositionPending } from '../domain/termination.ts';
import * as z from '../domain/zod.ts';
import { now } from '../shared/clock.ts';
import { taskHandler, workflowActor } from '../shared/task.ts';
import { getAgreement, historyItem } from '../store/agreements-store.ts';
import { sendNotifications } from '../store/notifications-store.ts';
import { AgreementMissing } from './agreement-input.ts';

const input = /* @__PURE__ */ lazySchema(() =>
  z.object({
    agreementId: z.uuid(),
    step: z.enum(['disposition', 'attestation']),
    round: z.int().check(z.minimum(1)),
    lastRound: z.int().check(z.minimum(1)),
  }),
);

/**
 * A human step of the termination workflow has waited 14 days: tells both parties' organisations
 * (an escalation, beyond the weekly reminder to the party that must act), once per round. After the
 * last round the workflow hands over to the daily reminders, which carry on until the step is done.
 * When the awaited fact has arrived meanwhile, nothing is sent and the workflow picks it up.
 */
export const handler = taskHandler(input, async ({ agreementId, step, round, lastRound }) => {
  const stored = await getAgreement(agreementId);
  if (!stored) throw new AgreementMissing(agreementId);
  const { agreement } = stored;
  const pending = step === 'disposition' ? dispositionPending(agreement) : attestationPending(agreement);
  if (!pending) return { pending: false, round, lastRound, handedOver: false };

  const at = now();
  const handedOver = round >= lastRound;
  const actor = workflowActor('termination');
  // The processor attests what the controller chose: the e-mail names it and fills in the call.
  const chosen = step === 'attestation' ? agreement.dataDisposition : undefined;
  const details = {
    step,
    round,
    lastRound,
    terminatesOn: agreement.terminatesOn,
    handedOver,
    ...(chosen ? { method: chosen.method, chosenOn: chosen.chosenOn } : {}),
  };
  await sendNotifications(
    notificationsFor(
      agreement,
      BOTH_PARTIES,
      {
        type: `escalation.${step}-overdue`,
        key: `round-${round}`,
        subject:
          step === 'disposition'
            ? `Overdue: the controller has not chosen return or deletion of the data (escalation ${round} of ${lastRound})`
            : `Overdue: the processor has not attested return or deletion of the data (escalation ${round} of ${lastRound})`,
        details,
      },
      at,
    ),
    [
      historyItem(agreementId, historyEntry(actor, 'ESCALATED', at, { details }), 0),
      ...(handedOver
        ? [
            historyItem(
              agreementId,
              historyEntry(actor, 'HANDED_TO_DAILY_REMINDERS', at, {
                details: { step, reason: `still pending after ${lastRound} escalation rounds` },
              }),
              1,
            ),
          ]
        : []),
    ],
  );
  return { pending: true, round, lastRound, handedOver };
});
