import { addDays, osloDate } from '../calendar.ts';
import { notificationsFor } from '../notifications.ts';
import type { DueReminder, ReminderDecision } from '../reminders.ts';
import type { Agreement } from '../schemas.ts';
import { INSTRUCTION_STATES } from './rules.ts';
import type { Instruction, InstructionStatus } from './schemas.ts';

/**
 * Reminders of an instruction through the daily run (one per instruction and kind): weekly to the
 * processor while the instruction awaits its acknowledgement (`instruction-acknowledgement#<id>`), and
 * weekly to the controller while an objection awaits its withdrawal or confirmation
 * (`instruction-objection#<id>`). The run hands the rule the instruction as stored now; one answered
 * meanwhile drops the reminder unsent (the answer also deletes it in its own transaction).
 */
export const INSTRUCTION_ACKNOWLEDGEMENT_REMINDER = 'instruction-acknowledgement';
export const INSTRUCTION_OBJECTION_REMINDER = 'instruction-objection';
const WEEK = 7;

export const acknowledgementReminderKind = (instructionId: string) =>
  `${INSTRUCTION_ACKNOWLEDGEMENT_REMINDER}#${instructionId}`;
export const objectionReminderKind = (instructionId: string) =>
  `${INSTRUCTION_OBJECTION_REMINDER}#${instructionId}`;

/** The reminder an instruction now in `status` waits with (none once it is settled). */
export function pendingReminderKind(instruction: Pick<Instruction, 'id' | 'status'>): string | undefined {
  if (instruction.status === 'AWAITING_ACKNOWLEDGEMENT') return acknowledgementReminderKind(instruction.id);
  if (instruction.status === 'OBJECTED') return objectionReminderKind(instruction.id);
  return undefined;
}

/** The first reminder of the state the instruction has just entered: a week after it did. */
export function firstInstructionReminder(instruction: Instruction, agreementId: string, now: Date) {
  const kind = pendingReminderKind(instruction);
  return kind ? [{ agreementId, kind, dueOn: addDays(osloDate(now), WEEK) }] : [];
}

function isInstruction(subject: unknown): subject is Instruction {
  return typeof subject === 'object' && subject !== null && 'status' in subject && 'number' in subject;
}

const reminderOf =
  (awaited: InstructionStatus) =>
  (
    reminder: DueReminder,
    agreement: Agreement | undefined,
    now: Date,
    subject?: unknown,
  ): ReminderDecision => {
    if (
      !agreement ||
      !isInstruction(subject) ||
      subject.status !== awaited ||
      !INSTRUCTION_STATES.includes(agreement.status)
    ) {
      return { notifications: [] };
    }
    const acknowledgement = awaited === 'AWAITING_ACKNOWLEDGEMENT';
    return {
      notifications: notificationsFor(
        agreement,
        [acknowledgement ? 'processor' : 'controller'],
        {
          type: acknowledgement ? 'reminder.instruction-acknowledgement' : 'reminder.instruction-objection',
          key: `${subject.id}:${reminder.dueOn}`,
          subject: acknowledgement
            ? `Instruction ${subject.number} from the controller still awaits your acknowledgement or objection`
            : `The processor's objection to instruction ${subject.number} awaits your withdrawal or confirmation`,
          details: {
            instructionId: subject.id,
            number: subject.number,
            topic: subject.topic,
            title: subject.title,
            effectiveFrom: subject.effectiveFrom,
            since: (acknowledgement ? subject.givenAt : subject.objection?.at) ?? subject.givenAt,
          },
        },
        now,
      ),
      nextDueOn: addDays(reminder.dueOn, WEEK),
    };
  };

export const INSTRUCTION_REMINDER_RULES = {
  [INSTRUCTION_ACKNOWLEDGEMENT_REMINDER]: reminderOf('AWAITING_ACKNOWLEDGEMENT'),
  [INSTRUCTION_OBJECTION_REMINDER]: reminderOf('OBJECTED'),
};
