import { addDays, compareDates } from './calendar.ts';
import { agreementAllowsProcessing } from './lifecycle.ts';
import { notificationsFor } from './notifications.ts';
import type { DueReminder, ReminderDecision } from './reminders.ts';
import type { Agreement } from './schemas.ts';
import type { SubProcessorRecord } from './sub-processor-schemas.ts';
import { effectiveStatus } from './sub-processors.ts';

/**
 * "Sub-processor request awaiting a decision" (product.md, reminders): weekly to the controller while a
 * request is pending, one reminder per request (kind `sub-processor-decision#<subId>`). The daily run
 * hands the rule the request as it is stored now.
 */
export const SUB_PROCESSOR_DECISION_REMINDER = 'sub-processor-decision';
const WEEK = 7;

export const decisionReminderKind = (subProcessorId: string) =>
  `${SUB_PROCESSOR_DECISION_REMINDER}#${subProcessorId}`;

/** The first reminder, a week after the request. */
export function firstDecisionReminder(agreementId: string, subProcessorId: string, requestedOn: string) {
  return { agreementId, kind: decisionReminderKind(subProcessorId), dueOn: addDays(requestedOn, WEEK) };
}

function isRequest(subject: unknown): subject is SubProcessorRecord {
  return typeof subject === 'object' && subject !== null && 'status' in subject && 'id' in subject;
}

/** Sent while the request awaits a decision and the agreement is in force; dropped unsent otherwise. */
export function decideSubProcessorDecisionReminder(
  reminder: DueReminder,
  agreement: Agreement | undefined,
  now: Date,
  subject?: unknown,
): ReminderDecision {
  if (!agreement || !isRequest(subject) || !subject.decisionDeadline) return { notifications: [] };
  const deadline = subject.decisionDeadline;
  if (
    effectiveStatus(subject, now) !== 'REQUESTED' ||
    !agreementAllowsProcessing(agreement, now) ||
    compareDates(reminder.dueOn, deadline) > 0
  ) {
    return { notifications: [] };
  }
  const next = addDays(reminder.dueOn, WEEK);
  const { city, countryCode } = subject.processingLocation;
  return {
    notifications: notificationsFor(
      agreement,
      ['controller'],
      {
        type: 'reminder.sub-processor-decision',
        key: `${subject.id}:${reminder.dueOn}`,
        subject: `Sub-processor ${subject.name} (${city}, ${countryCode}) awaits your decision by ${deadline}`,
        details: {
          subProcessorId: subject.id,
          name: subject.name,
          processingLocation: subject.processingLocation,
          decisionDeadline: deadline,
        },
      },
      now,
    ),
    ...(compareDates(next, deadline) <= 0 ? { nextDueOn: next } : {}),
  };
}
