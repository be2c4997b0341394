import { addDays, compareDates } from '../calendar.ts';
import { notificationsFor } from '../notifications.ts';
import type { DueReminder, ReminderDecision } from '../reminders.ts';
import type { Agreement, PartyRole } from '../schemas.ts';
import { AMENDABLE_STATUSES, amendmentDeadlinePassed } from './rules.ts';
import type { Amendment } from './schemas.ts';

const WEEK = 7;

/**
 * Rule 13: while an amendment awaits signatures, each party that has not signed it is reminded weekly
 * until its deadline (`reminder.amendment-signature-missing`); otherwise the reminder is dropped unsent.
 * `subject` is the amendment as stored now.
 */
export function decideAmendmentSignatureReminder(
  reminder: DueReminder,
  agreement: Agreement | undefined,
  now: Date,
  subject?: unknown,
): ReminderDecision {
  const amendment = subject as Amendment | undefined;
  if (
    !agreement ||
    !amendment ||
    amendment.status !== 'AWAITING_SIGNATURES' ||
    !AMENDABLE_STATUSES.includes(agreement.status) ||
    compareDates(reminder.dueOn, amendment.signatureDeadline) > 0 ||
    amendmentDeadlinePassed(amendment, now)
  ) {
    return { notifications: [] };
  }
  const signed = new Set(amendment.signatures.map((signature) => signature.party));
  const missing = (['controller', 'processor'] as const).filter((party: PartyRole) => !signed.has(party));
  const next = addDays(reminder.dueOn, WEEK);
  return {
    notifications: notificationsFor(
      agreement,
      missing,
      {
        type: 'reminder.amendment-signature-missing',
        key: `${amendment.id}:${reminder.dueOn}`,
        subject: `Amendment ${amendment.number} still awaits your signature (deadline ${amendment.signatureDeadline})`,
        details: {
          amendmentId: amendment.id,
          number: amendment.number,
          contentHash: amendment.contentHash,
          signatureDeadline: amendment.signatureDeadline,
          missing,
        },
      },
      now,
    ),
    ...(compareDates(next, amendment.signatureDeadline) <= 0 ? { nextDueOn: next } : {}),
  };
}
