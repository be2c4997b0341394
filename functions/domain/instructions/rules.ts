import { compareDates, laterDate, osloDate } from '../calendar.ts';
import { historyEntry } from '../changes.ts';
import { conflict, forbidden, notFound, validationError } from '../errors.ts';
import { notificationsFor } from '../notifications.ts';
import type { Actor, Agreement, AgreementStatus, HistoryEntry, Notification, PartyRole } from '../schemas.ts';
import type {
  GiveInstructionRequest,
  Instruction,
  InstructionStatus,
  ObjectInstructionRequest,
} from './schemas.ts';

/**
 * Rule 16, the controller's documented instructions (003 §4 and §9, GDPR Art. 28(3)(a) and (h)): the
 * controller gives them in writing, numbered in order, each from a date; the processor acknowledges
 * each, or tells the controller at once that following it would break data protection law, which
 * holds the instruction until the controller withdraws it or upholds it with its reasons.
 */

/** While the agreement binds or has bound the parties (the processor may still hold the data). */
export const INSTRUCTION_STATES: readonly AgreementStatus[] = [
  'IN_FORCE',
  'NOTICE_PERIOD',
  'TERMINATED',
  'RETAINED_UNDER_LAW',
];

export const NO_SUCH_INSTRUCTION = 'No such instruction on this agreement';

type Parties = Pick<Agreement, 'id' | 'title' | 'controller' | 'processor'>;

function requireInstructionState(agreement: Pick<Agreement, 'status'>, action: string): void {
  if (!INSTRUCTION_STATES.includes(agreement.status)) {
    throw conflict(
      `Instructions are ${action} only under an agreement that is or has been in force (${INSTRUCTION_STATES.join(', ')}); this one is ${agreement.status}`,
      agreement.status,
    );
  }
}

/**
 * A new instruction by the controller, under the next number, awaiting the processor's acknowledgement.
 * It applies from `effectiveFrom` (today in Oslo when omitted), which may not lie before today.
 */
export function newInstruction(input: {
  agreement: Pick<Agreement, 'status'>;
  role: PartyRole;
  request: GiveInstructionRequest;
  previousNumber: number;
  actor: Actor;
  id: string;
  now: Date;
}): Instruction {
  const { agreement, role, request, previousNumber, actor, id, now } = input;
  if (role !== 'controller') throw forbidden('Only the controller gives the processor instructions');
  requireInstructionState(agreement, 'given');
  const today = osloDate(now);
  const effectiveFrom = request.effectiveFrom ?? today;
  if (compareDates(effectiveFrom, today) < 0) {
    throw validationError('The instruction is invalid: effectiveFrom', [
      { field: 'effectiveFrom', message: `may not be before today (${today}, Europe/Oslo)` },
    ]);
  }
  return {
    id,
    number: previousNumber + 1,
    topic: request.topic,
    title: request.title,
    text: request.text,
    effectiveFrom,
    status: 'AWAITING_ACKNOWLEDGEMENT',
    givenAt: now.toISOString(),
    givenBy: actor,
  };
}

/** The answers and the controller's follow-up: who may do each, from which states, to which. */
const TRANSITIONS = {
  acknowledge: {
    by: 'processor',
    from: ['AWAITING_ACKNOWLEDGEMENT'],
    to: 'ACKNOWLEDGED',
    what: 'acknowledge an instruction',
  },
  object: {
    by: 'processor',
    from: ['AWAITING_ACKNOWLEDGEMENT'],
    to: 'OBJECTED',
    what: 'object to an instruction',
  },
  withdraw: {
    by: 'controller',
    from: ['AWAITING_ACKNOWLEDGEMENT', 'OBJECTED'],
    to: 'WITHDRAWN',
    what: 'withdraw an instruction',
  },
  confirm: {
    by: 'controller',
    from: ['OBJECTED'],
    to: 'CONFIRMED',
    what: 'confirm an instruction',
  },
} as const satisfies Record<
  string,
  { by: PartyRole; from: readonly InstructionStatus[]; to: InstructionStatus; what: string }
>;

export type InstructionAction = keyof typeof TRANSITIONS;

export type InstructionAnswer =
  | { action: 'acknowledge'; comment?: string }
  | ({ action: 'object' } & ObjectInstructionRequest)
  | { action: 'withdraw'; reason?: string }
  | { action: 'confirm'; reasons: string };

/**
 * One step of an instruction: 404 for none, 403 for the wrong party, 409 (with the instruction's
 * status) from a state the step does not leave, or under an agreement no longer taking them.
 */
export function answeredInstruction(input: {
  agreement: Pick<Agreement, 'status'>;
  instruction: Instruction | undefined;
  role: PartyRole;
  answer: InstructionAnswer;
  actor: Actor;
  now: Date;
}): Instruction {
  const { agreement, instruction, role, answer, actor, now } = input;
  if (!instruction) throw notFound(NO_SUCH_INSTRUCTION);
  const step = TRANSITIONS[answer.action];
  if (role !== step.by) throw forbidden(`Only the ${step.by} may ${step.what}`);
  if (!(step.from as readonly InstructionStatus[]).includes(instruction.status)) {
    throw conflict(
      `Instruction ${instruction.number} is ${instruction.status}; only one that is ${step.from.join(' or ')} can be ${step.to.toLowerCase()}`,
      instruction.status,
    );
  }
  requireInstructionState(agreement, 'answered');
  const at = now.toISOString();
  const base = { ...instruction, status: step.to } as Instruction;
  switch (answer.action) {
    case 'acknowledge':
      return {
        ...base,
        inEffectFrom: instruction.effectiveFrom,
        acknowledgement: { at, by: actor, ...(answer.comment ? { comment: answer.comment } : {}) },
      };
    case 'object':
      return {
        ...base,
        objection: {
          at,
          by: actor,
          reason: answer.reason,
          ...(answer.legalReference ? { legalReference: answer.legalReference } : {}),
        },
      };
    case 'withdraw':
      return { ...base, withdrawal: { at, by: actor, ...(answer.reason ? { reason: answer.reason } : {}) } };
    case 'confirm':
      // Held while objected to: it binds from the confirmation, or its own date if that is later.
      return {
        ...base,
        inEffectFrom: laterDate(instruction.effectiveFrom, osloDate(now)),
        confirmation: { at, by: actor, reasons: answer.reasons },
      };
  }
}

const HISTORY_TYPES: Record<InstructionStatus, string> = {
  AWAITING_ACKNOWLEDGEMENT: 'INSTRUCTION_GIVEN',
  ACKNOWLEDGED: 'INSTRUCTION_ACKNOWLEDGED',
  OBJECTED: 'INSTRUCTION_OBJECTED',
  WITHDRAWN: 'INSTRUCTION_WITHDRAWN',
  CONFIRMED: 'INSTRUCTION_CONFIRMED',
};

/** Who did the step that left the instruction as it is, and when. */
function lastStep(instruction: Instruction): { at: string; by: Actor } {
  switch (instruction.status) {
    case 'ACKNOWLEDGED':
      return instruction.acknowledgement!;
    case 'OBJECTED':
      return instruction.objection!;
    case 'WITHDRAWN':
      return instruction.withdrawal!;
    case 'CONFIRMED':
      return instruction.confirmation!;
    default:
      return { at: instruction.givenAt, by: instruction.givenBy };
  }
}

/** The instruction's step in the agreement's history (the texts stay on the instruction). */
export function instructionHistory(instruction: Instruction): HistoryEntry {
  const { at, by } = lastStep(instruction);
  return historyEntry(by, HISTORY_TYPES[instruction.status], new Date(at), {
    details: {
      instructionId: instruction.id,
      number: instruction.number,
      topic: instruction.topic,
      ...(instruction.inEffectFrom ? { inEffectFrom: instruction.inEffectFrom } : {}),
    },
  });
}

export const INSTRUCTION_GIVEN = 'instruction.given';
export const INSTRUCTION_ACKNOWLEDGED = 'instruction.acknowledged';
export const INSTRUCTION_OBJECTED = 'instruction.objected';
export const INSTRUCTION_WITHDRAWN = 'instruction.withdrawn';
export const INSTRUCTION_CONFIRMED = 'instruction.confirmed';

const NOTIFIED: Record<
  InstructionStatus,
  { type: string; to: PartyRole; subject: (i: Instruction) => string }
> = {
  AWAITING_ACKNOWLEDGEMENT: {
    type: INSTRUCTION_GIVEN,
    to: 'processor',
    subject: (i) =>
      `Instruction ${i.number} from the controller, from ${i.effectiveFrom}: acknowledge it, or object if it would break the law`,
  },
  ACKNOWLEDGED: {
    type: INSTRUCTION_ACKNOWLEDGED,
    to: 'controller',
    subject: (i) => `The processor acknowledged instruction ${i.number}, in effect from ${i.inEffectFrom}`,
  },
  OBJECTED: {
    type: INSTRUCTION_OBJECTED,
    to: 'controller',
    subject: (i) =>
      `The processor objects that instruction ${i.number} would break data protection law; it is held until you withdraw or confirm it`,
  },
  WITHDRAWN: {
    type: INSTRUCTION_WITHDRAWN,
    to: 'processor',
    subject: (i) => `The controller withdrew instruction ${i.number}`,
  },
  CONFIRMED: {
    type: INSTRUCTION_CONFIRMED,
    to: 'processor',
    subject: (i) =>
      `The controller upholds instruction ${i.number} despite the objection, in effect from ${i.inEffectFrom}`,
  },
};

/** The other party hears of each step, once (keyed by the instruction: each step happens once). */
export function instructionNotifications(
  agreement: Parties,
  instruction: Instruction,
  at: Date,
): Notification[] {
  const { type, to, subject } = NOTIFIED[instruction.status];
  return notificationsFor(
    agreement,
    [to],
    {
      type,
      key: instruction.id,
      subject: subject(instruction),
      details: {
        instructionId: instruction.id,
        number: instruction.number,
        topic: instruction.topic,
        title: instruction.title,
        effectiveFrom: instruction.effectiveFrom,
        ...(instruction.inEffectFrom ? { inEffectFrom: instruction.inEffectFrom } : {}),
        ...(instruction.status === 'OBJECTED' && instruction.objection?.legalReference
          ? { legalReference: instruction.objection.legalReference }
          : {}),
      },
    },
    at,
  );
}

/** An instruction binds the processor on `day` once acknowledged or confirmed, from `inEffectFrom`. */
export function inEffectOn(instruction: Instruction, day: string): boolean {
  return (
    (instruction.status === 'ACKNOWLEDGED' || instruction.status === 'CONFIRMED') &&
    instruction.inEffectFrom !== undefined &&
    compareDates(instruction.inEffectFrom, day) <= 0
  );
}

/** Instructions in the order given. */
export const byNumber = (instructions: readonly Instruction[]) =>
  [...instructions].sort((a, b) => a.number - b.number);
