import { AMENDMENT_SIGNATURE_REMINDER } from '../domain/amendments/rules.ts';
import { AUDIT_DUE_REMINDER, FINDING_REMINDER } from '../domain/audits/audits.ts';
import { REQUEST_DEADLINE_REMINDER, REQUEST_TASK_REMINDER } from '../domain/forwarded-requests/reminders.ts';
import {
  INSTRUCTION_ACKNOWLEDGEMENT_REMINDER,
  INSTRUCTION_OBJECTION_REMINDER,
} from '../domain/instructions/reminders.ts';
import { SUB_PROCESSOR_DECISION_REMINDER } from '../domain/sub-processor-reminders.ts';
import { getAmendment } from './amendments-store.ts';
import { loadAuditReminderSubject } from './audits-store.ts';
import { loadRequestReminderSubject } from './forwarded-requests-store.ts';
import { getInstruction } from './instructions-store.ts';
import type { Reminder } from './reminders-store.ts';
import { getSubProcessor } from './sub-processors-store.ts';

/**
 * What a `<rule>#<subject>` reminder is about, as stored now (a sub-processor request, an amendment,
 * an oversight audit or one of its findings, an instruction, a forwarded request or one of its tasks); undefined for other kinds.
 */
export async function loadReminderSubject(reminder: Reminder): Promise<unknown> {
  const [rule, subject] = reminder.kind.split('#');
  if (!subject) return undefined;
  if (rule === SUB_PROCESSOR_DECISION_REMINDER) {
    return (await getSubProcessor(reminder.agreementId, subject))?.record;
  }
  if (rule === AMENDMENT_SIGNATURE_REMINDER)
    return (await getAmendment(reminder.agreementId, subject))?.amendment;
  if (rule === AUDIT_DUE_REMINDER || rule === FINDING_REMINDER) {
    return loadAuditReminderSubject(reminder.agreementId, rule, subject);
  }
  if (rule === REQUEST_DEADLINE_REMINDER || rule === REQUEST_TASK_REMINDER) {
    return loadRequestReminderSubject(reminder.agreementId, reminder.kind);
  }
  if (rule === INSTRUCTION_ACKNOWLEDGEMENT_REMINDER || rule === INSTRUCTION_OBJECTION_REMINDER) {
    return getInstruction(reminder.agreementId, subject);
  }
  return undefined;
}
