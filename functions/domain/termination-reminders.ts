import { addDays, addMonths, compareDates, osloDate } from './calendar.ts';
import { BOTH_PARTIES, notificationsFor } from './notifications.ts';
import type { DueReminder, ReminderDecision, ReminderRule } from './reminders.ts';
import type { Agreement, PartyRole } from './schemas.ts';
import { dispositionPending } from './termination.ts';

/**
 * Reminders of notice, termination and data disposition (product.md "Notifications and reminders"),
 * sent by the daily run. Each notification's id is derived from the reminder's due date, so each goes
 * out once however often the run is repeated.
 */
export const TERMINATION_AHEAD_30 = 'termination-ahead-30';
export const TERMINATION_AHEAD_7 = 'termination-ahead-7';
/**
 * The morning after `terminatesOn`, the daily run makes sure an agreement still in its notice period is
 * TERMINATED, should its termination workflow have failed to do it at midnight.
 */
export const TERMINATION_DUE_CHECK = 'termination-due';
/** Every reminder that exists only during the notice period. */
export const NOTICE_PERIOD_REMINDERS = [TERMINATION_AHEAD_30, TERMINATION_AHEAD_7, TERMINATION_DUE_CHECK];

/** The termination check, the day after `terminatesOn`. */
export function terminationDueCheck(agreementId: string, terminatesOn: string): ReminderItem {
  return { agreementId, kind: TERMINATION_DUE_CHECK, dueOn: addDays(terminatesOn, 1) };
}
export const DISPOSITION_MISSING = 'disposition-missing';
export const ATTESTATION_MISSING = 'attestation-missing';
export const RETENTION_REVIEW = 'retention-review';

const WEEK = 7;
const AHEAD: Record<string, number> = { [TERMINATION_AHEAD_30]: 30, [TERMINATION_AHEAD_7]: 7 };

export interface ReminderItem {
  agreementId: string;
  kind: string;
  dueOn: string;
}

/** Put with the notice: 30 and 7 days before `terminatesOn`, each unless that day has already passed. */
export function terminationAheadReminders(
  agreementId: string,
  terminatesOn: string,
  today: string,
): ReminderItem[] {
  return Object.entries(AHEAD)
    .map(([kind, days]) => ({ agreementId, kind, dueOn: addDays(terminatesOn, -days) }))
    .filter((reminder) => compareDates(reminder.dueOn, today) >= 0);
}

/** Put with the termination: weekly from a week after `terminatesOn`, until chosen and attested. */
export function afterTerminationReminders(
  agreement: Pick<Agreement, 'id' | 'terminatesOn' | 'dataDisposition'>,
): ReminderItem[] {
  const dueOn = addDays(agreement.terminatesOn!, WEEK);
  return [
    ...(agreement.dataDisposition ? [] : [{ agreementId: agreement.id, kind: DISPOSITION_MISSING, dueOn }]),
    { agreementId: agreement.id, kind: ATTESTATION_MISSING, dueOn },
  ];
}

export function retentionReviewReminder(agreementId: string, reviewOn: string): ReminderItem {
  return { agreementId, kind: RETENTION_REVIEW, dueOn: reviewOn };
}

/** The next weekly date after today (a run that was missed for weeks sends one reminder, not a backlog). */
function nextWeekAfter(dueOn: string, today: string): string {
  let next = addDays(dueOn, WEEK);
  while (compareDates(next, today) <= 0) next = addDays(next, WEEK);
  return next;
}

function remind(
  agreement: Agreement,
  recipients: readonly PartyRole[],
  reminder: DueReminder,
  subject: string,
  details: Record<string, unknown>,
  now: Date,
): ReminderDecision['notifications'] {
  return notificationsFor(
    agreement,
    recipients,
    { type: `reminder.${reminder.kind}`, key: reminder.dueOn, subject, details },
    now,
  );
}

/** 30 and 7 days before the end date, to both parties, while the notice period runs. */
const decideTerminationAhead: ReminderRule = (reminder, agreement, now) => {
  const terminatesOn = agreement?.terminatesOn;
  if (
    agreement?.status !== 'NOTICE_PERIOD' ||
    !terminatesOn ||
    compareDates(osloDate(now), terminatesOn) > 0
  ) {
    return { notifications: [] };
  }
  const daysAhead = AHEAD[reminder.kind] ?? 0;
  return {
    notifications: remind(
      agreement,
      BOTH_PARTIES,
      reminder,
      `Terminates at the end of ${terminatesOn}`,
      { terminatesOn, daysAhead },
      now,
    ),
  };
};

/** Weekly to the controller after termination until it has chosen RETURN or DELETE. */
const decideDispositionMissing: ReminderRule = (reminder, agreement, now) => {
  if (!agreement || !dispositionPending(agreement)) return { notifications: [] };
  return {
    notifications: remind(
      agreement,
      ['controller'],
      reminder,
      'Choose return or deletion of the data',
      { terminatesOn: agreement.terminatesOn },
      now,
    ),
    nextDueOn: nextWeekAfter(reminder.dueOn, osloDate(now)),
  };
};

/**
 * Weekly to the processor after termination until it has attested. While the controller has not chosen
 * yet there is nothing the processor can attest: that week passes silently and the reminder stays.
 */
const decideAttestationMissing: ReminderRule = (reminder, agreement, now) => {
  if (agreement?.status !== 'TERMINATED') return { notifications: [] };
  const nextDueOn = nextWeekAfter(reminder.dueOn, osloDate(now));
  const chosen = agreement.dataDisposition;
  if (!chosen) return { notifications: [], nextDueOn };
  return {
    notifications: remind(
      agreement,
      ['processor'],
      reminder,
      `Attest that the data were ${chosen.method === 'RETURN' ? 'returned' : 'deleted'}`,
      { method: chosen.method, chosenOn: chosen.chosenOn, terminatesOn: agreement.terminatesOn },
      now,
    ),
    nextDueOn,
  };
};

/** On the review date of data kept under law, to the processor; yearly after that while still kept. */
const decideRetentionReview: ReminderRule = (reminder, agreement, now) => {
  const retained = agreement?.attestation?.retainedUnderLaw;
  if (agreement?.status !== 'RETAINED_UNDER_LAW' || !retained) return { notifications: [] };
  let nextDueOn = addMonths(reminder.dueOn, 12);
  while (compareDates(nextDueOn, osloDate(now)) <= 0) nextDueOn = addMonths(nextDueOn, 12);
  return {
    notifications: remind(
      agreement,
      ['processor'],
      reminder,
      'Review the data kept under law: delete them, or keep them while the law requires',
      { legalBasis: retained.legalBasis, reviewOn: retained.reviewOn },
      now,
    ),
    nextDueOn,
  };
};

/** Registered in the daily run's rule registry (functions/domain/reminders.ts). */
export const TERMINATION_REMINDER_RULES: Record<string, ReminderRule> = {
  [TERMINATION_AHEAD_30]: decideTerminationAhead,
  [TERMINATION_AHEAD_7]: decideTerminationAhead,
  [DISPOSITION_MISSING]: decideDispositionMissing,
  [ATTESTATION_MISSING]: decideAttestationMissing,
  [RETENTION_REVIEW]: decideRetentionReview,
};
