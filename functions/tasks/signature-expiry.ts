import { historyEntry, nextVersion } from '../domain/changes.ts';
import { BOTH_PARTIES, notificationsFor } from '../domain/notifications.ts';
import { SIGNING_REMINDERS } from '../domain/reminders.ts';
import type { Agreement, AgreementStatus } from '../domain/schemas.ts';
import { signatureDeadlinePassed } from '../domain/signing.ts';
import { countMetric } from '../shared/observability.ts';
import { workflowActor } from '../shared/task.ts';
import { saveChange } from '../store/agreements-store.ts';
import { applyWhenDue } from './timed-transition.ts';

/**
 * Rule 4: expires the agreement only if it still awaits signatures and the deadline has really passed
 * by the clock; otherwise reports the status it has (a signature won the race, or the check came early).
 * Used by the signing workflow when its wait times out, and by the daily run as a safety net for an
 * agreement whose workflow could not do it.
 */
export async function expireIfOverdue(agreementId: string): Promise<AgreementStatus> {
  const { status } = await applyWhenDue({
    agreementId,
    from: 'AWAITING_SIGNATURES',
    to: 'EXPIRED',
    isDue: (agreement, at) => signatureDeadlinePassed(agreement.signatureDeadline!, at),
    apply: expire,
  });
  return status;
}

async function expire(agreement: Agreement, at: Date): Promise<Agreement> {
  const expired = nextVersion(agreement, { status: 'EXPIRED', expiredAt: at.toISOString() }, at);
  await saveChange({
    before: agreement,
    after: expired,
    history: [
      historyEntry(workflowActor('signing'), 'EXPIRED', at, {
        from: agreement.status,
        to: 'EXPIRED',
        details: { signatureDeadline: agreement.signatureDeadline },
      }),
    ],
    audit: {
      at: at.toISOString(),
      action: 'agreement.expire',
      actor: workflowActor('signing'),
      route: 'workflow:signing',
    },
    reminders: { remove: SIGNING_REMINDERS },
    notifications: notificationsFor(
      expired,
      BOTH_PARTIES,
      {
        type: 'agreement.expired',
        key: 'expired',
        subject: `Not signed by both parties by ${agreement.signatureDeadline}`,
        details: { signatureDeadline: agreement.signatureDeadline },
      },
      at,
    ),
  });
  countMetric('agreementExpired');
  return expired;
}
