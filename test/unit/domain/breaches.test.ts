import { describe, expect, it } from 'vitest';
import {
  answeredQuestion,
  deadlineMarks,
  deadlineStepDue,
  deadlineStepNotifications,
  decidedHistory,
  decisionNotifications,
  newBreachDecision,
  newBreachQuestion,
  newBreachUpdate,
  questionHistory,
  questionNotifications,
  updatedHistory,
  updateNotifications,
} from '../../../functions/domain/breach-cases.ts';
import {
  breachReportRequestSchema,
  breachUpdateRequestSchema,
} from '../../../functions/domain/breach-schemas.ts';
import {
  breachNotifications,
  isReportedLate,
  newBreachReport,
  notificationDeadlineFor,
  outsideScopeOf,
  supervisoryAuthorityDeadlineFor,
} from '../../../functions/domain/breaches.ts';
import { DomainError } from '../../../functions/domain/errors.ts';
import type { AgreementStatus } from '../../../functions/domain/schemas.ts';
import { AGREEMENT_ID, CONTROLLER_ORG, draftAgreement, PROCESSOR_ORG } from './agreement-fixture.ts';
import { BREACH_ID, breachBody } from './breach-fixture.ts';

const processorActor = { orgNumber: PROCESSOR_ORG, clientId: 'nav-system', person: 'Ola Testesen' };
const controllerActor = { orgNumber: CONTROLLER_ORG, clientId: 'radoy-system' };
/** 09:30 in Oslo (CET) on 2026-11-20, as in the fixture. */
const AWARE = '2026-11-20T09:30:00+01:00';
const AWARE_UTC = '2026-11-20T08:30:00.000Z';

const inForce = (overrides: Parameters<typeof draftAgreement>[0] = {}) =>
  draftAgreement({ status: 'IN_FORCE', version: 4, effectiveFrom: '2026-06-01', ...overrides });

const report = (now: string, hours = 36, status: AgreementStatus = 'IN_FORCE', body = breachBody()) =>
  newBreachReport({
    agreement: inForce({ status, breachNotificationHours: hours }),
    request: body,
    actor: processorActor,
    id: BREACH_ID,
    now: new Date(now),
  });

describe('breach deadlines (rule 9, 003 §10, GDPR Art. 33)', () => {
  it('gives the processor the default 36 hours from becoming aware', () => {
    expect(notificationDeadlineFor(new Date(AWARE), 36).toISOString()).toBe('2026-11-21T20:30:00.000Z');
  });

  it('gives the processor 24 hours where the agreement says so (004)', () => {
    expect(notificationDeadlineFor(new Date(AWARE), 24).toISOString()).toBe('2026-11-21T08:30:00.000Z');
  });

  it('gives the controller 72 hours towards Datatilsynet from its own awareness', () => {
    expect(supervisoryAuthorityDeadlineFor(new Date(AWARE)).toISOString()).toBe('2026-11-23T08:30:00.000Z');
  });

  it('counts whole hours across the change to summer time (instants, not wall-clock hours)', () => {
    // 2027-03-28 02:00 in Oslo becomes 03:00: 36 hours after 00:00 CET is 13:00 CEST the next day.
    const deadline = notificationDeadlineFor(new Date('2027-03-28T00:00:00+01:00'), 36);
    expect(deadline.toISOString()).toBe('2027-03-29T11:00:00.000Z');
  });

  it('is on time at the very instant of the deadline, late one millisecond after', () => {
    const deadline = new Date('2026-11-21T20:30:00.000Z');
    expect(isReportedLate(new Date('2026-11-21T20:30:00.000Z'), deadline)).toBe(false);
    expect(isReportedLate(new Date('2026-11-21T20:30:00.001Z'), deadline)).toBe(true);
  });
});

describe('a new breach report', () => {
  it('records the report with who made it, when, its deadlines, and the awareness in UTC', () => {
    expect(report('2026-11-21T10:00:00.000Z')).toEqual({
      id: BREACH_ID,
      reporter: 'processor',
      reportedAt: '2026-11-21T10:00:00.000Z',
      reportedBy: processorActor,
      ...breachBody(),
      becameAwareAt: AWARE_UTC,
      // The agreement's scope covers Navn only.
      outsideScope: ['Fødselsnummer'],
      notificationDeadline: '2026-11-21T20:30:00.000Z',
      reportedLate: false,
      // The controller became aware when the report arrived: its 72 hours run from then.
      controllerAwareAt: '2026-11-21T10:00:00.000Z',
      supervisoryAuthorityDeadline: '2026-11-24T10:00:00.000Z',
      updates: [],
      questions: [],
    });
  });

  it('is on time with 36 hours at the deadline, and late a millisecond after it', () => {
    expect(report('2026-11-21T20:30:00.000Z', 36).reportedLate).toBe(false);
    expect(report('2026-11-21T20:30:00.001Z', 36).reportedLate).toBe(true);
  });

  it('is late with 24 hours where the same moment is on time with 36', () => {
    const late = report('2026-11-21T10:00:00.000Z', 24);
    expect(late).toMatchObject({ notificationDeadline: '2026-11-21T08:30:00.000Z', reportedLate: true });
    expect(report('2026-11-21T08:30:00.000Z', 24).reportedLate).toBe(false);
  });

  it('keeps the optional proposed measures when given', () => {
    const record = report(
      '2026-11-21T10:00:00.000Z',
      36,
      'IN_FORCE',
      breachBody({ measuresProposed: 'Opplæring' }),
    );
    expect(record.measuresProposed).toBe('Opplæring');
  });

  it.each([
    'IN_FORCE',
    'NOTICE_PERIOD',
    'TERMINATED',
    'RETAINED_UNDER_LAW',
  ] as const)('is accepted while the agreement is %s', (status) => {
    expect(report('2026-11-21T10:00:00.000Z', 36, status).id).toBe(BREACH_ID);
  });

  it.each([
    'DRAFT',
    'AWAITING_SIGNATURES',
    'CANCELLED',
    'EXPIRED',
    'CLOSED',
  ] as const)('is refused with the current state while the agreement is %s', (status) => {
    const refusal = (() => {
      try {
        report('2026-11-21T10:00:00.000Z', 36, status);
      } catch (error) {
        return error;
      }
    })();
    expect(refusal).toBeInstanceOf(DomainError);
    expect(refusal).toMatchObject({ kind: 'conflict', extra: { currentStatus: status } });
  });

  it('refuses an awareness in the future, naming the field', () => {
    expect(() => report('2026-11-20T08:29:59.999Z')).toThrow(
      expect.objectContaining({
        kind: 'validation',
        extra: { errors: [{ field: 'becameAwareAt', message: expect.stringContaining('future') }] },
      }),
    );
  });

  it('accepts an awareness at this very instant', () => {
    expect(report(AWARE_UTC).reportedLate).toBe(false);
  });

  it('is the controller’s own report (000 §14): no processor deadline, its 72 hours from its own awareness', () => {
    const record = newBreachReport({
      agreement: inForce(),
      reporter: 'controller',
      request: breachBody(),
      actor: controllerActor,
      id: BREACH_ID,
      now: new Date('2026-11-21T10:00:00.000Z'),
    });

    expect(record).toMatchObject({
      reporter: 'controller',
      controllerAwareAt: AWARE_UTC,
      supervisoryAuthorityDeadline: '2026-11-23T08:30:00.000Z',
    });
    expect(record).not.toHaveProperty('notificationDeadline');
    expect(record).not.toHaveProperty('reportedLate');
  });

  it('names where it happened: a sub-processor request of the agreement, as read', () => {
    const subProcessor = { id: '6c7d8e9f-0a1b-4c2d-8e3f-4a5b6c7d8e9f', name: 'Driftspartner Vest AS' };
    const record = newBreachReport({
      agreement: inForce(),
      request: breachBody({ subProcessorId: subProcessor.id }),
      subProcessor,
      actor: processorActor,
      id: BREACH_ID,
      now: new Date('2026-11-21T10:00:00.000Z'),
    });

    expect(record.subProcessor).toEqual(subProcessor);
    expect(record).not.toHaveProperty('subProcessorId');
  });

  it('refuses a sub-processor id that names no request of the agreement, naming the field', () => {
    expect(() =>
      newBreachReport({
        agreement: inForce(),
        request: breachBody({ subProcessorId: '6c7d8e9f-0a1b-4c2d-8e3f-4a5b6c7d8e9f' }),
        actor: processorActor,
        id: BREACH_ID,
        now: new Date('2026-11-21T10:00:00.000Z'),
      }),
    ).toThrow(
      expect.objectContaining({
        kind: 'validation',
        extra: { errors: [expect.objectContaining({ field: 'subProcessorId' })] },
      }),
    );
  });
});

describe('personal data outside the agreement’s scope', () => {
  const scope = { personalDataTypes: ['Navn', 'Adresse'], specialCategories: ['Helseopplysninger'] };

  it('lists the reported categories neither the personal data types nor the special categories cover', () => {
    expect(outsideScopeOf(scope, ['Navn', 'Fødselsnummer', 'Helseopplysninger', 'Kontonummer'])).toEqual([
      'Fødselsnummer',
      'Kontonummer',
    ]);
  });

  it('compares without regard to case or surrounding space', () => {
    expect(outsideScopeOf(scope, [' navn', 'ADRESSE ', 'helseopplysninger'])).toEqual([]);
  });

  it('accepts the report and flags the categories, and tells the controller', () => {
    const record = report('2026-11-21T10:00:00.000Z');
    const [toController] = breachNotifications(inForce(), record, new Date('2026-11-21T10:00:00.000Z'));

    expect(record.outsideScope).toEqual(['Fødselsnummer']);
    expect(toController!.details).toMatchObject({ outsideScope: ['Fødselsnummer'] });
    expect(toController!.subject).toContain("outside the agreement's scope (Fødselsnummer)");
  });
});

describe('the breach report request', () => {
  it('accepts the contract example and rejects a timestamp without an offset', () => {
    expect(breachReportRequestSchema.safeParse(breachBody()).success).toBe(true);
    const local = breachReportRequestSchema.safeParse(breachBody({ becameAwareAt: '2026-11-20T09:30:00' }));
    expect(local.success).toBe(false);
  });

  it('rejects unknown fields, empty lists and negative counts', () => {
    const result = breachReportRequestSchema.safeParse({
      ...breachBody({ dataSubjectCategories: [], approximateRecords: -1 }),
      urgency: 'high',
    });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((issue) => issue.path.join('.') || issue.code).sort()).toEqual([
      'approximateRecords',
      'dataSubjectCategories',
      'unrecognized_keys',
    ]);
  });

  it('requires a severity of LOW, MEDIUM, HIGH or CRITICAL', () => {
    const { severity: _, ...without } = breachBody();
    expect(breachReportRequestSchema.safeParse(without).success).toBe(false);
    expect(breachReportRequestSchema.safeParse(breachBody({ severity: 'high' })).success).toBe(false);
    for (const severity of ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']) {
      expect(breachReportRequestSchema.safeParse(breachBody({ severity })).success, severity).toBe(true);
    }
  });

  it('refuses a national identity number in any free text, naming the field (003 §10 b: a count or a category)', () => {
    const fields = [
      'nature',
      'affectedIdentities',
      'likelyConsequences',
      'measuresTaken',
      'otherInformation',
    ];
    for (const field of fields) {
      const result = breachReportRequestSchema.safeParse(
        breachBody({ [field]: 'Gjelder 130972 48022 og flere' }),
      );
      expect(result.success, field).toBe(false);
      expect(
        result.error!.issues.map((issue) => issue.path.join('.')),
        field,
      ).toEqual([field]);
    }
    const listed = breachReportRequestSchema.safeParse(
      breachBody({ dataSubjectCategories: ['13097248022'] }),
    );
    expect(listed.error!.issues.map((issue) => issue.path.join('.'))).toEqual(['dataSubjectCategories.0']);
  });

  it('keeps a count or a category of the affected, and eleven digits that are no identity number', () => {
    const result = breachReportRequestSchema.safeParse(
      breachBody({
        affectedIdentities: '12 deltakere i KVP; kontonummer 12345678903 berørt',
        otherInformation: 'Sak 2026/114',
      }),
    );
    expect(result.success).toBe(true);
  });
});

describe('the breach notifications', () => {
  const agreement = inForce();

  it('tell the controller that only it notifies Datatilsynet, by the 72-hour deadline in Oslo time', () => {
    const [toController, toProcessor] = breachNotifications(
      agreement,
      report('2026-11-21T10:00:00.000Z'),
      new Date('2026-11-21T10:00:00.000Z'),
    );
    expect(toController).toMatchObject({
      id: `breach.reported:${agreement.id}:${BREACH_ID}`,
      type: 'breach.reported',
      recipientOrgNumber: CONTROLLER_ORG,
      details: { breachId: BREACH_ID, supervisoryAuthorityDeadline: '2026-11-24T10:00:00.000Z' },
    });
    expect(toController!.subject).toContain('reported within the agreed 36 hours');
    expect(toController!.subject).toContain(
      'Only you, the controller, notify Datatilsynet, by 2026-11-24 11:00 Oslo time (72 hours after you became aware',
    );
    expect(toProcessor).toMatchObject({
      id: `breach.reported:${agreement.id}:${BREACH_ID}`,
      recipientOrgNumber: PROCESSOR_ORG,
    });
    expect(toProcessor!.subject).not.toContain('Datatilsynet');
  });

  it('say so when the report came late', () => {
    const [toController] = breachNotifications(
      agreement,
      report('2026-11-22T10:00:00.000Z'),
      new Date('2026-11-22T10:00:00.000Z'),
    );
    expect(toController!.subject).toContain(
      'reported late: the agreed 36-hour deadline was 2026-11-21 21:30 Oslo time',
    );
  });

  it('ask the processor to help contain a breach the controller reports, and give the controller its deadline', () => {
    const record = newBreachReport({
      agreement,
      reporter: 'controller',
      request: breachBody(),
      actor: controllerActor,
      id: BREACH_ID,
      now: new Date('2026-11-21T10:00:00.000Z'),
    });
    const notifications = breachNotifications(agreement, record, new Date('2026-11-21T10:00:00.000Z'));
    const to = (org: string) => notifications.find((n) => n.recipientOrgNumber === org)!;

    expect(notifications).toHaveLength(2);
    expect(to(PROCESSOR_ORG).subject).toContain('reported by the controller');
    expect(to(PROCESSOR_ORG).subject).toContain('help it contain the breach');
    expect(to(PROCESSOR_ORG).details).toMatchObject({ reporter: 'controller' });
    expect(to(PROCESSOR_ORG).details).not.toHaveProperty('notificationDeadline');
    expect(to(CONTROLLER_ORG).subject).toContain('by 2026-11-23 09:30 Oslo time');
  });
});

describe('the controller’s decision on a breach (rule 16, GDPR Art. 33 and 34)', () => {
  const breach = {
    id: BREACH_ID,
    reporter: 'processor' as const,
    reportedAt: '2026-11-21T10:00:00.000Z',
    becameAwareAt: AWARE_UTC,
    supervisoryAuthorityDeadline: '2026-11-24T10:00:00.000Z',
  };
  const notified = {
    datatilsynet: { notified: true as const, notifiedAt: '2026-11-22T09:00:00+01:00', reference: '26/01234' },
    dataSubjects: { informed: false as const, reason: 'Lav risiko: mottakeren har slettet e-posten' },
  };
  const decide = (now: string, request: Parameters<typeof newBreachDecision>[0]['request'] = notified) =>
    newBreachDecision({ breach, request, actor: controllerActor, now: new Date(now) });
  const fieldsOf = (action: () => unknown) => {
    try {
      action();
    } catch (error) {
      return (error as DomainError).extra?.errors?.map((e: { field: string }) => e.field);
    }
    return [];
  };

  it('records the decision in time, with the times in UTC, by whom and not late', () => {
    expect(decide('2026-11-22T10:00:00.000Z')).toEqual({
      datatilsynet: { notified: true, notifiedAt: '2026-11-22T08:00:00.000Z', reference: '26/01234' },
      dataSubjects: notified.dataSubjects,
      decidedAt: '2026-11-22T10:00:00.000Z',
      decidedBy: controllerActor,
      late: false,
    });
  });

  it('is on time at the very end of the 72 hours, and needs the reasons for the delay a millisecond after', () => {
    expect(decide('2026-11-24T10:00:00.000Z').late).toBe(false);
    expect(fieldsOf(() => decide('2026-11-24T10:00:00.001Z'))).toEqual(['delayReason']);
    const late = decide('2026-11-24T10:00:00.001Z', {
      ...notified,
      delayReason: 'Saken ble først vurdert av personvernombudet',
    });
    expect(late).toMatchObject({ late: true, delayReason: 'Saken ble først vurdert av personvernombudet' });
  });

  it('counts a notification of Datatilsynet after the 72 hours as late, even when recorded later still', () => {
    const request = {
      ...notified,
      datatilsynet: { notified: true as const, notifiedAt: '2026-11-25T09:00:00Z', reference: '26/01234' },
    };
    expect(fieldsOf(() => decide('2026-11-26T10:00:00.000Z', request))).toEqual(['delayReason']);
  });

  it('refuses times in the future or before the breach came to light, naming each', () => {
    const request = {
      datatilsynet: { notified: true as const, notifiedAt: '2026-11-23T09:00:00Z', reference: '26/01234' },
      dataSubjects: { informed: true as const, informedAt: '2026-11-19T09:00:00Z' },
    };
    expect(fieldsOf(() => decide('2026-11-22T10:00:00.000Z', request))).toEqual([
      'datatilsynet.notifiedAt',
      'dataSubjects.informedAt',
    ]);
  });

  it('is made once: a second decision is a conflict', () => {
    const decided = { ...breach, decision: decide('2026-11-22T10:00:00.000Z') };
    expect(() =>
      newBreachDecision({
        breach: decided,
        request: notified,
        actor: controllerActor,
        now: new Date('2026-11-23T10:00:00Z'),
      }),
    ).toThrow(expect.objectContaining({ kind: 'conflict' }));
  });

  it('tells the processor what was decided, keyed by the breach', () => {
    const decision = decide('2026-11-22T10:00:00.000Z');
    const [told, ...others] = decisionNotifications(
      inForce(),
      breach,
      decision,
      new Date('2026-11-22T10:00:00.000Z'),
    );

    expect(others).toEqual([]);
    expect(told).toMatchObject({
      id: `breach.decided:${AGREEMENT_ID}:${BREACH_ID}`,
      recipientOrgNumber: PROCESSOR_ORG,
      details: { breachId: BREACH_ID, datatilsynetNotified: true, dataSubjectsInformed: false, late: false },
    });
    expect(told!.subject).toContain('Datatilsynet was notified (reference 26/01234)');
  });

  it('puts the decision in the history without its reasons', () => {
    const entry = decidedHistory(breach, decide('2026-11-22T10:00:00.000Z'));
    expect(entry).toMatchObject({
      type: 'BREACH_DECIDED',
      details: { breachId: BREACH_ID, datatilsynetNotified: true, dataSubjectsInformed: false, late: false },
    });
    expect(JSON.stringify(entry)).not.toContain('Lav risiko');
  });
});

describe('supplements to a breach report (rule 16)', () => {
  const breach = {
    id: BREACH_ID,
    reporter: 'processor' as const,
    reportedAt: '2026-11-21T10:00:00.000Z',
    becameAwareAt: AWARE_UTC,
    supervisoryAuthorityDeadline: '2026-11-24T10:00:00.000Z',
  };
  const supplement = (role: 'controller' | 'processor', updateCount?: number) =>
    newBreachUpdate({
      breach: { ...breach, ...(updateCount ? { updateCount } : {}) },
      role,
      scope: inForce().scope,
      request: { corrections: { personalDataCategories: ['Navn', 'Kontonummer'] } },
      actor: processorActor,
      now: new Date('2026-11-22T10:00:00.000Z'),
    });

  it('hold something: facts, measures or a correction that corrects something (400 naming the field otherwise)', () => {
    expect(breachUpdateRequestSchema.safeParse({}).success).toBe(false);
    const empty = breachUpdateRequestSchema.safeParse({ facts: 'Nytt', corrections: {} });
    expect(empty.error!.issues.map((issue) => issue.path.join('.'))).toEqual(['corrections']);
    expect(breachUpdateRequestSchema.safeParse({ corrections: { severity: 'LOW' } }).success).toBe(true);
  });

  it('are numbered in the order made, from 1', () => {
    expect(supplement('processor').number).toBe(1);
    expect(supplement('processor', 4).number).toBe(5);
  });

  it('are made by the party that reported, and by no one else', () => {
    expect(() => supplement('controller')).toThrow(expect.objectContaining({ kind: 'forbidden' }));
  });

  it('flag corrected categories outside the scope, and tell the other party', () => {
    const update = supplement('processor');
    expect(update.outsideScope).toEqual(['Kontonummer']);
    const [told, ...others] = updateNotifications(inForce(), breach, update, new Date(update.at));
    expect(others).toEqual([]);
    expect(told).toMatchObject({
      recipientOrgNumber: CONTROLLER_ORG,
      id: `breach.updated:${AGREEMENT_ID}:${BREACH_ID}-1`,
    });
    expect(updatedHistory(breach, update).details).toEqual({
      breachId: BREACH_ID,
      number: 1,
      corrected: ['personalDataCategories'],
      outsideScope: ['Kontonummer'],
    });
  });
});

describe('questions about a breach report (rule 16)', () => {
  const breach = {
    id: BREACH_ID,
    reporter: 'processor' as const,
    reportedAt: '2026-11-21T10:00:00.000Z',
    becameAwareAt: AWARE_UTC,
    supervisoryAuthorityDeadline: '2026-11-24T10:00:00.000Z',
  };
  const at = new Date('2026-11-22T10:00:00.000Z');
  const ask = (role: 'controller' | 'processor', questionCount?: number) =>
    newBreachQuestion({
      breach: { ...breach, ...(questionCount ? { questionCount } : {}) },
      role,
      question: 'Er de berørte varslet?',
      actor: controllerActor,
      now: at,
    });

  it('are asked by the party that received the report, numbered in order', () => {
    expect(ask('controller')).toEqual({
      number: 1,
      askedAt: at.toISOString(),
      askedBy: controllerActor,
      question: 'Er de berørte varslet?',
    });
    expect(ask('controller', 3).number).toBe(4);
    expect(() => ask('processor')).toThrow(expect.objectContaining({ kind: 'forbidden' }));
  });

  it('are answered once, by the party that reported; the asker is told', () => {
    const question = ask('controller');
    const answer = (role: 'controller' | 'processor', asked = question) =>
      answeredQuestion({ breach, question: asked, role, answer: 'Ja', actor: processorActor, now: at });

    const answered = answer('processor');
    expect(answered).toMatchObject({ number: 1, answer: 'Ja', answeredBy: processorActor });
    expect(() => answer('controller')).toThrow(expect.objectContaining({ kind: 'forbidden' }));
    expect(() => answer('processor', answered)).toThrow(expect.objectContaining({ kind: 'conflict' }));
    expect(() =>
      answeredQuestion({
        breach,
        question: undefined,
        role: 'processor',
        answer: 'Ja',
        actor: processorActor,
        now: at,
      }),
    ).toThrow(expect.objectContaining({ kind: 'not-found' }));
    expect(questionNotifications(inForce(), breach, question, at).map((n) => n.recipientOrgNumber)).toEqual([
      PROCESSOR_ORG,
    ]);
    expect(
      questionNotifications(inForce(), breach, answered, at).map((n) => [n.type, n.recipientOrgNumber]),
    ).toEqual([['breach.answered', CONTROLLER_ORG]]);
    expect(questionHistory(breach, answered).type).toBe('BREACH_QUESTION_ANSWERED');
  });
});

describe('the marks of the controller’s 72 hours (rule 16)', () => {
  const breach = {
    id: BREACH_ID,
    reporter: 'processor' as const,
    reportedAt: '2026-11-21T10:00:00.000Z',
    becameAwareAt: AWARE_UTC,
    supervisoryAuthorityDeadline: '2026-11-24T10:00:00.000Z',
  };

  it('fall at 24, 48, 66 and 72 hours after the controller became aware', () => {
    expect(deadlineMarks('2026-11-21T10:00:00.000Z')).toEqual({
      reminder24: '2026-11-22T10:00:00.000Z',
      reminder48: '2026-11-23T10:00:00.000Z',
      escalation: '2026-11-24T04:00:00.000Z',
      deadline: '2026-11-24T10:00:00.000Z',
    });
  });

  it('say nothing once decided; a reminder not once the next mark has passed too; the deadline once', () => {
    const at = new Date('2026-11-22T10:00:00.000Z');
    expect(deadlineStepDue(breach, 'REMINDER_24', '2026-11-23T10:00:00.000Z', at)).toBe(true);
    expect(deadlineStepDue(breach, 'REMINDER_24', '2026-11-22T10:00:00.000Z', at)).toBe(false);
    expect(deadlineStepDue(breach, 'DEADLINE_72', undefined, at)).toBe(true);
    expect(
      deadlineStepDue({ ...breach, deadlinePassedAt: at.toISOString() }, 'DEADLINE_72', undefined, at),
    ).toBe(false);
    const decided = { ...breach, decision: { decidedAt: at.toISOString() } as never };
    expect(deadlineStepDue(decided, 'REMINDER_48', '2026-11-24T04:00:00.000Z', at)).toBe(false);
  });

  it('remind the controller alone, escalate to both, and tell both the deadline passed, each once per step', () => {
    const at = new Date('2026-11-22T10:00:00.000Z');
    const to = (step: Parameters<typeof deadlineStepNotifications>[2]) =>
      deadlineStepNotifications(inForce(), breach, step, at).map((n) => [n.type, n.recipientOrgNumber, n.id]);

    expect(to('REMINDER_24')).toEqual([
      [
        'reminder.breach-decision',
        CONTROLLER_ORG,
        `reminder.breach-decision:${AGREEMENT_ID}:${BREACH_ID}-REMINDER_24`,
      ],
    ]);
    expect(to('ESCALATION_66').map(([type, org]) => [type, org])).toEqual([
      ['escalation.breach-decision', CONTROLLER_ORG],
      ['escalation.breach-decision', PROCESSOR_ORG],
    ]);
    expect(to('DEADLINE_72').map(([type]) => type)).toEqual([
      'breach.deadline-passed',
      'breach.deadline-passed',
    ]);
  });
});
