import { historyEntry, nextVersion } from '../domain/changes.ts';
import { DomainError } from '../domain/errors.ts';
import { BOTH_PARTIES, notificationsFor } from '../domain/notifications.ts';
import { SIGNING_REMINDERS } from '../domain/reminders.ts';
import type { Agreement, AgreementStatus } from '../domain/schemas.ts';
import { signatureDeadlinePassed } from '../domain/signing.ts';
import { now } from '../shared/clock.ts';
import { workflowActor } from '../shared/task.ts';
import { getAgreement, saveChange } from '../store/agreements-store.ts';
import { AgreementMissing } from './agreement-input.ts';

/**
 * Rule 4: expires the agreement only if it still awaits signatures and the deadline has really passed
 * by the clock; otherwise reports the status it has (a signature won the race, or the check came early).
 * Used by the signing workflow when its wait times out, and by the daily run as a safety net for an
 * agreement whose workflow could not do it.
 */
export async function expireIfOverdue(agreementId: string): Promise<AgreementStatus> {
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const stored = await getAgreement(agreementId);
    if (!stored) throw new AgreementMissing(agreementId);
    const { agreement } = stored;
    const at = now();
    if (
      agreement.status !== 'AWAITING_SIGNATURES' ||
      !signatureDeadlinePassed(agreement.signatureDeadline!, at)
    ) {
      return agreement.status;
    }
    try {
      await expire(agreement, at);
      return 'EXPIRED';
    } catch (error) {
      // Changed since it was read (a last signature, a cancellation): read again and report that.
      if (!(error instanceof DomainError && error.kind === 'conflict')) throw error;
    }
  }
  throw new Error(`The agreement ${agreementId} kept changing while it was being expired`);
}

async function expire(agreement: Agreement, at: Date): Promise<void> {
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
      },
      at,
    ),
  });
}
