import { describe, expect, it } from 'vitest';
import { instructionEntry } from '../../../../functions/domain/calendar-feed/deadlines.ts';
import { renderCalendar } from '../../../../functions/domain/calendar-feed/ical.ts';
import {
  acknowledgementReminderKind,
  firstInstructionReminder,
  objectionReminderKind,
  pendingReminderKind,
} from '../../../../functions/domain/instructions/reminders.ts';
import {
  answeredInstruction,
  type InstructionAnswer,
  inEffectOn,
  instructionHistory,
  instructionNotifications,
  newInstruction,
} from '../../../../functions/domain/instructions/rules.ts';
import {
  giveInstructionRequestSchema,
  type Instruction,
  objectInstructionRequestSchema,
} from '../../../../functions/domain/instructions/schemas.ts';
import { decideReminder } from '../../../../functions/domain/reminders.ts';
import type { Actor, AgreementStatus, PartyRole } from '../../../../functions/domain/schemas.ts';
import { parseCalendar } from '../../../support/ical.ts';
import { AGREEMENT_ID, CONTROLLER_ORG, PROCESSOR_ORG } from '../agreement-fixture.ts';
import { domainErrorOf } from '../domain-error.ts';
import { inForceAgreement } from '../sub-processor-fixture.ts';

const INSTRUCTION_ID = '5b7d9f1a-3c5e-4a7b-9d1f-2c4e6a8b0d1f';
const controllerActor: Actor = { orgNumber: CONTROLLER_ORG, clientId: 'kommune-klient' };
const processorActor: Actor = { orgNumber: PROCESSOR_ORG, clientId: 'leverandor-klient' };
/** 10:00 in Oslo on 1 December 2026. */
const given = new Date('2026-12-01T09:00:00.000Z');

const request = {
  topic: 'THIRD_COUNTRY_TRANSFER' as const,
  title: 'Ingen overføring til tredjeland',
  text: 'Personopplysningene skal ikke overføres til land utenfor EØS.',
  effectiveFrom: '2027-01-01',
};

function give(
  overrides: { role?: PartyRole; status?: AgreementStatus; now?: Date; effectiveFrom?: string | null } = {},
): Instruction {
  const { effectiveFrom: _effectiveFrom, ...rest } = request;
  return newInstruction({
    agreement: { status: overrides.status ?? 'IN_FORCE' },
    role: overrides.role ?? 'controller',
    request:
      overrides.effectiveFrom === null
        ? rest
        : { ...rest, effectiveFrom: overrides.effectiveFrom ?? request.effectiveFrom },
    previousNumber: 2,
    actor: controllerActor,
    id: INSTRUCTION_ID,
    now: overrides.now ?? given,
  });
}

function step(
  instruction: Instruction | undefined,
  answer: InstructionAnswer,
  options: { role?: PartyRole; now?: Date; status?: AgreementStatus } = {},
): Instruction {
  const role =
    options.role ??
    (answer.action === 'acknowledge' || answer.action === 'object' ? 'processor' : 'controller');
  return answeredInstruction({
    agreement: { status: options.status ?? 'IN_FORCE' },
    instruction,
    role,
    answer,
    actor: role === 'controller' ? controllerActor : processorActor,
    now: options.now ?? new Date('2026-12-03T12:00:00.000Z'),
  });
}

const objection = {
  action: 'object',
  reason: 'Lagring i USA uten overføringsgrunnlag',
  legalReference: 'GDPR art. 44',
} as const;

describe('giving an instruction (rule 16, 003 §4)', () => {
  it('numbers it after the last one given and leaves it awaiting the processor’s acknowledgement', () => {
    expect(give()).toEqual({
      id: INSTRUCTION_ID,
      number: 3,
      ...request,
      status: 'AWAITING_ACKNOWLEDGEMENT',
      givenAt: '2026-12-01T09:00:00.000Z',
      givenBy: controllerActor,
    });
  });

  it('applies from today in Oslo when no date is given (23:30 UTC on 31 December is 1 January there)', () => {
    expect(give({ effectiveFrom: null, now: new Date('2026-12-31T23:30:00.000Z') }).effectiveFrom).toBe(
      '2027-01-01',
    );
  });

  it('takes today, and refuses a date before today, naming effectiveFrom', () => {
    expect(give({ effectiveFrom: '2026-12-01' }).effectiveFrom).toBe('2026-12-01');
    const error = domainErrorOf(() => give({ effectiveFrom: '2026-11-30' }));
    expect(error.kind).toBe('validation');
    expect(error.extra.errors).toEqual([
      { field: 'effectiveFrom', message: 'may not be before today (2026-12-01, Europe/Oslo)' },
    ]);
  });

  it('is for the controller only', () => {
    expect(domainErrorOf(() => give({ role: 'processor' })).kind).toBe('forbidden');
  });

  it('needs an agreement that is or has been in force, and names its status otherwise', () => {
    for (const status of ['NOTICE_PERIOD', 'TERMINATED', 'RETAINED_UNDER_LAW'] as const) {
      expect(give({ status }).status).toBe('AWAITING_ACKNOWLEDGEMENT');
    }
    for (const status of ['DRAFT', 'AWAITING_SIGNATURES', 'CLOSED', 'CANCELLED'] as const) {
      const error = domainErrorOf(() => give({ status }));
      expect(error.kind).toBe('conflict');
      expect(error.extra.currentStatus).toBe(status);
    }
  });

  it('refuses a national identity number in the text and an unknown topic, naming the field', () => {
    const withNumber = giveInstructionRequestSchema.safeParse({ ...request, text: 'Gjelder 13097248022' });
    expect(withNumber.success).toBe(false);
    expect(withNumber.error?.issues[0]?.path).toEqual(['text']);
    const unknown = giveInstructionRequestSchema.safeParse({ ...request, topic: 'TRANSFER' });
    expect(unknown.error?.issues[0]?.path).toEqual(['topic']);
    expect(objectInstructionRequestSchema.safeParse({}).error?.issues[0]?.path).toEqual(['reason']);
  });
});

describe('answering an instruction', () => {
  it('acknowledged: binds the processor from its effectiveFrom', () => {
    const acknowledged = step(give(), { action: 'acknowledge', comment: 'Mottatt' });
    expect(acknowledged).toMatchObject({
      status: 'ACKNOWLEDGED',
      inEffectFrom: '2027-01-01',
      acknowledgement: { at: '2026-12-03T12:00:00.000Z', by: processorActor, comment: 'Mottatt' },
    });
    expect(inEffectOn(acknowledged, '2026-12-31')).toBe(false);
    expect(inEffectOn(acknowledged, '2027-01-01')).toBe(true);
  });

  it('objected to: held, never in effect, with the reason and the provision named', () => {
    const objected = step(give(), objection);
    expect(objected.status).toBe('OBJECTED');
    expect(objected.inEffectFrom).toBeUndefined();
    expect(objected.objection).toEqual({
      at: '2026-12-03T12:00:00.000Z',
      by: processorActor,
      reason: 'Lagring i USA uten overføringsgrunnlag',
      legalReference: 'GDPR art. 44',
    });
    expect(inEffectOn(objected, '2030-01-01')).toBe(false);
  });

  it('confirmed after an objection: binds from its date, or from the confirmation when that is later', () => {
    const objected = step(give(), objection);
    const early = step(objected, { action: 'confirm', reasons: 'Adekvansbeslutning' });
    expect(early).toMatchObject({
      status: 'CONFIRMED',
      inEffectFrom: '2027-01-01',
      confirmation: { by: controllerActor, reasons: 'Adekvansbeslutning' },
    });
    const late = step(
      objected,
      { action: 'confirm', reasons: 'Adekvansbeslutning' },
      {
        now: new Date('2027-01-10T08:00:00.000Z'),
      },
    );
    expect(late.inEffectFrom).toBe('2027-01-10');
    // The objection stays on the record beside the confirmation.
    expect(late.objection?.reason).toBe('Lagring i USA uten overføringsgrunnlag');
  });

  it('withdrawn by the controller while awaiting acknowledgement or objected to', () => {
    expect(step(give(), { action: 'withdraw' })).toMatchObject({
      status: 'WITHDRAWN',
      withdrawal: { by: controllerActor },
    });
    expect(step(step(give(), objection), { action: 'withdraw', reason: 'Enig' }).withdrawal?.reason).toBe(
      'Enig',
    );
  });

  it('each step by its own party only', () => {
    expect(domainErrorOf(() => step(give(), { action: 'acknowledge' }, { role: 'controller' })).kind).toBe(
      'forbidden',
    );
    expect(domainErrorOf(() => step(give(), objection, { role: 'controller' })).kind).toBe('forbidden');
    expect(domainErrorOf(() => step(give(), { action: 'withdraw' }, { role: 'processor' })).kind).toBe(
      'forbidden',
    );
    const objected = step(give(), objection);
    expect(
      domainErrorOf(() => step(objected, { action: 'confirm', reasons: 'x' }, { role: 'processor' })).kind,
    ).toBe('forbidden');
  });

  it('only from the states a step leaves: 409 naming the instruction’s status', () => {
    const acknowledged = step(give(), { action: 'acknowledge' });
    const objected = step(give(), objection);
    const withdrawn = step(give(), { action: 'withdraw' });
    const cases: [Instruction, InstructionAnswer][] = [
      [acknowledged, { action: 'acknowledge' }],
      [acknowledged, objection],
      [acknowledged, { action: 'withdraw' }],
      [objected, { action: 'acknowledge' }],
      [objected, objection],
      [give(), { action: 'confirm', reasons: 'x' }],
      [withdrawn, { action: 'confirm', reasons: 'x' }],
      [withdrawn, { action: 'withdraw' }],
      [step(objected, { action: 'confirm', reasons: 'x' }), { action: 'withdraw' }],
    ];
    for (const [instruction, answer] of cases) {
      const error = domainErrorOf(() => step(instruction, answer));
      expect(error.kind).toBe('conflict');
      expect(error.extra.currentStatus).toBe(instruction.status);
    }
  });

  it('404 for no such instruction; 409 once the agreement no longer takes instructions', () => {
    expect(domainErrorOf(() => step(undefined, { action: 'acknowledge' })).kind).toBe('not-found');
    const error = domainErrorOf(() => step(give(), { action: 'acknowledge' }, { status: 'CLOSED' }));
    expect(error.kind).toBe('conflict');
    expect(error.extra.currentStatus).toBe('CLOSED');
  });
});

describe('what each step tells and records', () => {
  const agreement = inForceAgreement();

  it('tells the other party: the processor of a new, withdrawn or confirmed one, the controller of its answers', () => {
    const objected = step(give(), objection);
    const recipients = (instruction: Instruction) =>
      instructionNotifications(agreement, instruction, given).map((n) => [n.type, n.recipientOrgNumber]);
    expect(recipients(give())).toEqual([['instruction.given', PROCESSOR_ORG]]);
    expect(recipients(step(give(), { action: 'acknowledge' }))).toEqual([
      ['instruction.acknowledged', CONTROLLER_ORG],
    ]);
    expect(recipients(objected)).toEqual([['instruction.objected', CONTROLLER_ORG]]);
    expect(recipients(step(objected, { action: 'withdraw' }))).toEqual([
      ['instruction.withdrawn', PROCESSOR_ORG],
    ]);
    expect(recipients(step(objected, { action: 'confirm', reasons: 'x' }))).toEqual([
      ['instruction.confirmed', PROCESSOR_ORG],
    ]);
  });

  it('names the instruction, its date and the provision objected under, keyed by the instruction', () => {
    const [notification] = instructionNotifications(agreement, step(give(), objection), given);
    expect(notification).toMatchObject({
      id: `instruction.objected:${AGREEMENT_ID}:${INSTRUCTION_ID}`,
      details: {
        instructionId: INSTRUCTION_ID,
        number: 3,
        topic: 'THIRD_COUNTRY_TRANSFER',
        title: 'Ingen overføring til tredjeland',
        effectiveFrom: '2027-01-01',
        legalReference: 'GDPR art. 44',
      },
    });
  });

  it('writes each step in the history by the party that took it, without the texts', () => {
    expect(instructionHistory(give())).toEqual({
      at: '2026-12-01T09:00:00.000Z',
      type: 'INSTRUCTION_GIVEN',
      actor: controllerActor,
      details: { instructionId: INSTRUCTION_ID, number: 3, topic: 'THIRD_COUNTRY_TRANSFER' },
    });
    const confirmed = step(step(give(), objection), { action: 'confirm', reasons: 'x' });
    expect(instructionHistory(confirmed)).toMatchObject({
      type: 'INSTRUCTION_CONFIRMED',
      actor: controllerActor,
      details: { inEffectFrom: '2027-01-01' },
    });
    expect(instructionHistory(step(give(), objection))).toMatchObject({
      type: 'INSTRUCTION_OBJECTED',
      actor: processorActor,
    });
  });
});

describe('the instruction reminders of the daily run', () => {
  const agreement = inForceAgreement();
  const morning = (date: string) => new Date(`${date}T06:00:00.000Z`);

  it('wait a week after the step, one per instruction: acknowledgement while awaiting, objection while objected', () => {
    const awaiting = give();
    expect(firstInstructionReminder(awaiting, AGREEMENT_ID, given)).toEqual([
      {
        agreementId: AGREEMENT_ID,
        kind: `instruction-acknowledgement#${INSTRUCTION_ID}`,
        dueOn: '2026-12-08',
      },
    ]);
    const objected = step(awaiting, objection);
    expect(pendingReminderKind(objected)).toBe(objectionReminderKind(INSTRUCTION_ID));
    expect(firstInstructionReminder(objected, AGREEMENT_ID, new Date('2026-12-03T12:00:00Z'))[0]?.dueOn).toBe(
      '2026-12-10',
    );
    expect(firstInstructionReminder(step(awaiting, { action: 'acknowledge' }), AGREEMENT_ID, given)).toEqual(
      [],
    );
  });

  it('remind the processor weekly while it has not answered', () => {
    const decision = decideReminder(
      { kind: acknowledgementReminderKind(INSTRUCTION_ID), dueOn: '2026-12-08' },
      agreement,
      morning('2026-12-08'),
      give(),
    );
    expect(decision.nextDueOn).toBe('2026-12-15');
    expect(decision.notifications).toEqual([
      expect.objectContaining({
        id: `reminder.instruction-acknowledgement:${AGREEMENT_ID}:${INSTRUCTION_ID}:2026-12-08`,
        recipientOrgNumber: PROCESSOR_ORG,
      }),
    ]);
  });

  it('remind the controller weekly while an objection awaits its withdrawal or confirmation', () => {
    const decision = decideReminder(
      { kind: objectionReminderKind(INSTRUCTION_ID), dueOn: '2026-12-10' },
      agreement,
      morning('2026-12-10'),
      step(give(), objection),
    );
    expect(decision.nextDueOn).toBe('2026-12-17');
    expect(decision.notifications.map((n) => [n.type, n.recipientOrgNumber])).toEqual([
      ['reminder.instruction-objection', CONTROLLER_ORG],
    ]);
  });

  it('are dropped unsent once answered, once the instruction is gone, or once the agreement is closed', () => {
    const kind = acknowledgementReminderKind(INSTRUCTION_ID);
    const due = { kind, dueOn: '2026-12-08' };
    expect(decideReminder(due, agreement, morning('2026-12-08'), step(give(), objection))).toEqual({
      notifications: [],
    });
    expect(decideReminder(due, agreement, morning('2026-12-08'), undefined)).toEqual({ notifications: [] });
    expect(
      decideReminder(due, inForceAgreement({ status: 'CLOSED' }), morning('2026-12-08'), give()),
    ).toEqual({ notifications: [] });
    expect(
      decideReminder(
        { kind: objectionReminderKind(INSTRUCTION_ID), dueOn: '2026-12-10' },
        agreement,
        morning('2026-12-10'),
        step(step(give(), objection), { action: 'withdraw' }),
      ),
    ).toEqual({ notifications: [] });
  });
});

describe('an instruction in the parties’ calendar feeds', () => {
  const agreement = inForceAgreement({ title: 'Avtale om KVP' });

  it('while it awaits an answer: the day it is to apply from; once it binds: that day; held or withdrawn: none', () => {
    const awaiting = give();
    expect(instructionEntry(agreement, awaiting)).toEqual({
      agreementId: AGREEMENT_ID,
      title: 'Avtale om KVP',
      subject: {
        type: 'instruction',
        id: INSTRUCTION_ID,
        number: 3,
        title: 'Ingen overføring til tredjeland',
      },
      deadlines: [{ kind: 'instruction-answer', on: '2027-01-01' }],
    });
    expect(instructionEntry(agreement, step(awaiting, { action: 'acknowledge' }))?.deadlines).toEqual([
      { kind: 'instruction-effective', on: '2027-01-01' },
    ]);
    const objected = step(awaiting, objection);
    expect(instructionEntry(agreement, objected)).toBeUndefined();
    expect(instructionEntry(agreement, step(objected, { action: 'withdraw' }))).toBeUndefined();
    const confirmed = step(
      objected,
      { action: 'confirm', reasons: 'x' },
      { now: new Date('2027-01-10T08:00:00Z') },
    );
    expect(instructionEntry(agreement, confirmed)?.deadlines).toEqual([
      { kind: 'instruction-effective', on: '2027-01-10' },
    ]);
  });

  it('says in bokmål which instruction awaits an answer and which calls answer it', () => {
    const [event] = parseCalendar(
      renderCalendar({
        entries: [instructionEntry(agreement, give())!],
        now: new Date('2026-12-01T10:00:00Z'),
        name: 'Frister',
      }),
    ).events;

    expect(event?.summary).toBe('Instruks 3 venter på svar: Avtale om KVP');
    expect(event?.description).toContain('«Ingen overføring til tredjeland»');
    expect(event?.description).toContain('skal gjelde fra 01.01.2027');
    expect(event?.description).toContain(
      `POST /agreements/${AGREEMENT_ID}/instructions/${INSTRUCTION_ID}/acknowledgement`,
    );
    expect(event?.description).toContain(
      `POST /agreements/${AGREEMENT_ID}/instructions/${INSTRUCTION_ID}/objection`,
    );
  });
});
