import { addDays, compareDates } from '../calendar.ts';
import { notificationsFor } from '../notifications.ts';
import type { DueReminder, ReminderDecision } from '../reminders.ts';
import type { Agreement } from '../schemas.ts';
import { AUDIT_DUE_REMINDER, AUDIT_STATES, type AuditHead, FINDING_REMINDER } from './audits.ts';
import type { AuditFinding } from './schemas.ts';

/**
 * Oversight audit reminders (rule 16), through the daily run, one per subject:
 *
 * - `oversight-due#<auditId>`: 14 days before the due date to both parties (the processor's material,
 *   the controller's conclusion), then weekly from the day after it while the audit is open
 *   (`reminder.oversight-overdue`).
 * - `oversight-finding#<auditId>.<number>`: 7 days before a finding's deadline to the party responsible
 *   for it, then weekly from the day after it to both (`reminder.oversight-finding-overdue`) while it is
 *   open.
 *
 * Each is dropped unsent once its subject is closed (the change that closes it deletes it too) or the
 * agreement no longer binds the parties. The run hands the rule the subject as it is stored now.
 */
export const REMINDER_OVERSIGHT_DUE = 'reminder.oversight-due';
export const REMINDER_OVERSIGHT_OVERDUE = 'reminder.oversight-overdue';
export const REMINDER_FINDING_DUE = 'reminder.oversight-finding-due';
export const REMINDER_FINDING_OVERDUE = 'reminder.oversight-finding-overdue';
const WEEK = 7;

const isAudit = (subject: unknown): subject is AuditHead =>
  typeof subject === 'object' && subject !== null && 'dueOn' in subject && 'status' in subject;

export interface FindingSubject {
  auditId: string;
  finding: AuditFinding;
}
const isFinding = (subject: unknown): subject is FindingSubject =>
  typeof subject === 'object' && subject !== null && 'auditId' in subject && 'finding' in subject;

const binds = (agreement: Agreement | undefined): agreement is Agreement =>
  agreement !== undefined && AUDIT_STATES.includes(agreement.status);

export function decideAuditReminder(
  reminder: DueReminder,
  agreement: Agreement | undefined,
  now: Date,
  subject?: unknown,
): ReminderDecision {
  if (!binds(agreement) || !isAudit(subject) || subject.status === 'CLOSED') return { notifications: [] };
  const before = compareDates(reminder.dueOn, subject.dueOn) <= 0;
  const awaiting =
    subject.status === 'PLANNED' ? 'material from the processor' : "the controller's conclusion";
  return {
    notifications: notificationsFor(
      agreement,
      ['controller', 'processor'],
      {
        type: before ? REMINDER_OVERSIGHT_DUE : REMINDER_OVERSIGHT_OVERDUE,
        key: `${subject.id}:${reminder.dueOn}`,
        subject: before
          ? `The oversight audit (${subject.type}) is due ${subject.dueOn}; it awaits ${awaiting}`
          : `The oversight audit (${subject.type}) was due ${subject.dueOn} and is still open; it awaits ${awaiting}`,
        details: {
          auditId: subject.id,
          type: subject.type,
          dueOn: subject.dueOn,
          status: subject.status,
          openFindings: subject.openFindings,
        },
      },
      now,
    ),
    nextDueOn: before ? addDays(subject.dueOn, 1) : addDays(reminder.dueOn, WEEK),
  };
}

export function decideFindingReminder(
  reminder: DueReminder,
  agreement: Agreement | undefined,
  now: Date,
  subject?: unknown,
): ReminderDecision {
  if (!binds(agreement) || !isFinding(subject) || subject.finding.status !== 'OPEN')
    return { notifications: [] };
  const { auditId, finding } = subject;
  const before = compareDates(reminder.dueOn, finding.deadline) <= 0;
  return {
    notifications: notificationsFor(
      agreement,
      before ? [finding.responsible] : ['controller', 'processor'],
      {
        type: before ? REMINDER_FINDING_DUE : REMINDER_FINDING_OVERDUE,
        key: `${auditId}:${finding.number}:${reminder.dueOn}`,
        subject: before
          ? `Finding ${finding.number} of an oversight audit is to be closed by the ${finding.responsible} by ${finding.deadline}`
          : `Finding ${finding.number} of an oversight audit is overdue: the ${finding.responsible} was to close it by ${finding.deadline}`,
        details: {
          auditId,
          number: finding.number,
          deadline: finding.deadline,
          responsible: finding.responsible,
        },
      },
      now,
    ),
    nextDueOn: before ? addDays(finding.deadline, 1) : addDays(reminder.dueOn, WEEK),
  };
}

export const AUDIT_REMINDER_RULES = {
  [AUDIT_DUE_REMINDER]: decideAuditReminder,
  [FINDING_REMINDER]: decideFindingReminder,
};
