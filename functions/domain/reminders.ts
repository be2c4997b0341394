import { decideAmendmentSignatureReminder } from './amendments/reminders.ts';
import { AMENDMENT_SIGNATURE_REMINDER } from './amendments/rules.ts';
import { AUDIT_REMINDER_RULES } from './audits/reminders.ts';
import { addDays, compareDates } from './calendar.ts';
import { REQUEST_REMINDER_RULES } from './forwarded-requests/reminders.ts';
import { INSTRUCTION_REMINDER_RULES } from './instructions/reminders.ts';
import { notificationsFor } from './notifications.ts';
import type { Agreement, Notification } from './schemas.ts';
import { missingSignatures, signatureDeadlinePassed } from './signing.ts';
import {
  decideSubProcessorDecisionReminder,
  SUB_PROCESSOR_DECISION_REMINDER,
} from './sub-processor-reminders.ts';
import { TERMINATION_REMINDER_RULES } from './termination-reminders.ts';

export const SIGNATURE_REMINDER = 'signature-missing';
/**
 * The morning after the deadline day, the daily run makes sure an agreement still awaiting signatures
 * is EXPIRED, should its signing workflow have failed to do it at midnight.
 */
export const SIGNATURE_DEADLINE_CHECK = 'signature-deadline';
/** Every reminder that exists only while signatures are awaited. */
export const SIGNING_REMINDERS = [SIGNATURE_REMINDER, SIGNATURE_DEADLINE_CHECK];
const WEEK = 7;

/** The deadline check, the day after the deadline day. */
export function signatureDeadlineCheck(agreementId: string, signatureDeadline: string) {
  return { agreementId, kind: SIGNATURE_DEADLINE_CHECK, dueOn: addDays(signatureDeadline, 1) };
}

/** The first weekly "signature still missing" reminder, a week after submission. */
export function firstSignatureReminder(agreementId: string, submittedOn: string) {
  return { agreementId, kind: SIGNATURE_REMINDER, dueOn: addDays(submittedOn, WEEK) };
}

export interface DueReminder {
  /** `<rule>` or `<rule>#<subject>` (e.g. one reminder per sub-processor request). */
  kind: string;
  dueOn: string;
}

/**
 * A reminder rule decides, on the day a reminder is due, whom it notifies and when it is due again.
 * `subject` is what a `<rule>#<subject>` kind is about as stored now (e.g. the sub-processor request).
 */
export type ReminderRule = (
  reminder: DueReminder,
  agreement: Agreement | undefined,
  now: Date,
  subject?: unknown,
) => ReminderDecision;

export interface ReminderDecision {
  notifications: Notification[];
  /** When the reminder is due again; undefined removes it. */
  nextDueOn?: string;
}

/**
 * What a due reminder sends today. A signature reminder goes weekly to each party that has not signed,
 * while signatures are awaited and the deadline has not passed; otherwise it is dropped unsent.
 */
function decideSignatureReminder(
  reminder: DueReminder,
  agreement: Agreement | undefined,
  now: Date,
): ReminderDecision {
  if (!agreement) return { notifications: [] };
  const deadline = agreement.signatureDeadline;
  if (
    agreement.status !== 'AWAITING_SIGNATURES' ||
    !deadline ||
    compareDates(reminder.dueOn, deadline) > 0 ||
    signatureDeadlinePassed(deadline, now)
  ) {
    return { notifications: [] };
  }
  const missing = missingSignatures(agreement);
  const next = addDays(reminder.dueOn, WEEK);
  return {
    notifications: notificationsFor(
      agreement,
      missing,
      {
        type: 'reminder.signature-missing',
        key: reminder.dueOn,
        subject: `Signature still missing (deadline ${deadline})`,
        details: { signatureDeadline: deadline, missing },
      },
      now,
    ),
    ...(compareDates(next, deadline) <= 0 ? { nextDueOn: next } : {}),
  };
}

/** Every reminder kind the daily run knows; a kind it does not know is dropped unsent. */
const RULES: Record<string, ReminderRule> = {
  [SIGNATURE_REMINDER]: decideSignatureReminder,
  ...TERMINATION_REMINDER_RULES,
  [SUB_PROCESSOR_DECISION_REMINDER]: decideSubProcessorDecisionReminder,
  [AMENDMENT_SIGNATURE_REMINDER]: decideAmendmentSignatureReminder,
  ...AUDIT_REMINDER_RULES,
  ...INSTRUCTION_REMINDER_RULES,
  ...REQUEST_REMINDER_RULES,
};

export function decideReminder(
  reminder: DueReminder,
  agreement: Agreement | undefined,
  now: Date,
  subject?: unknown,
): ReminderDecision {
  const rule = RULES[reminder.kind.split('#')[0]!];
  return rule ? rule(reminder, agreement, now, subject) : { notifications: [] };
}
