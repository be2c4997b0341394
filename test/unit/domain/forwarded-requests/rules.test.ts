import { describe, expect, it } from 'vitest';
import { requestEntry, requestTaskEntry } from '../../../../functions/domain/calendar-feed/deadlines.ts';
import { eventText } from '../../../../functions/domain/calendar-feed/texts.ts';
import { DomainError } from '../../../../functions/domain/errors.ts';
import {
  decideRequestDeadlineReminder,
  decideRequestTaskReminder,
  nextDeadlineReminderOn,
  requestDeadlineReminder,
  requestTaskReminder,
  taskReminderSubject,
} from '../../../../functions/domain/forwarded-requests/reminders.ts';
import {
  closedNotifications,
  closeRequest,
  completeRequestTask,
  dataSubjectDeadline,
  extendRequest,
  forwardedHistory,
  forwardedNotifications,
  newForwardedRequest,
  newRequestTask,
  type StoredRequest,
} from '../../../../functions/domain/forwarded-requests/rules.ts';
import {
  extensionRequestSchema,
  type ForwardRequest,
  forwardRequestSchema,
  outcomeRequestSchema,
  taskDoneRequestSchema,
  taskRequestSchema,
} from '../../../../functions/domain/forwarded-requests/schemas.ts';
import { decideReminder } from '../../../../functions/domain/reminders.ts';
import type { AgreementStatus } from '../../../../functions/domain/schemas.ts';
import { CONTROLLER_ORG, draftAgreement, PROCESSOR_ORG } from '../agreement-fixture.ts';

const processorActor = { orgNumber: PROCESSOR_ORG, clientId: 'nav-system' };
const controllerActor = { orgNumber: CONTROLLER_ORG, clientId: 'radoy-system' };
const REQUEST_ID = '5e7a9c1b-3d5f-4b7a-9c1e-3f5a7b9d1c3e';
const inForce = (status: AgreementStatus = 'IN_FORCE') => draftAgreement({ status });

/** 10:15 in Oslo on 31 January 2027. */
const RECEIVED = '2027-01-31T10:15:00+01:00';
const fromSubject = (overrides: Partial<ForwardRequest> = {}): ForwardRequest => ({
  from: 'DATA_SUBJECT',
  kind: 'ACCESS',
  receivedAt: RECEIVED,
  asked: 'Innsyn i alle opplysninger i aktivitetsplanen',
  ...overrides,
});
const fromDatatilsynet = (overrides: Partial<ForwardRequest> = {}): ForwardRequest => ({
  from: 'DATATILSYNET',
  receivedAt: RECEIVED,
  asked: 'Redegjørelse for tilgangsstyringen',
  datatilsynetDeadline: '2027-02-21',
  ...overrides,
});

function forward(
  request: ForwardRequest,
  now = '2027-02-02T08:00:00Z',
  role: 'processor' | 'controller' = 'processor',
) {
  return newForwardedRequest({
    agreement: inForce(),
    role,
    request,
    actor: processorActor,
    id: REQUEST_ID,
    now: new Date(now),
  });
}

function refusal(action: () => unknown): DomainError {
  try {
    action();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('was not refused');
}

describe("a data subject's deadline (GDPR Art. 12(3))", () => {
  it('is one month from the day received, the end of February for 31 January', () => {
    expect(dataSubjectDeadline('2027-01-31')).toBe('2027-02-28');
    expect(dataSubjectDeadline('2028-01-31')).toBe('2028-02-29');
    expect(dataSubjectDeadline('2027-03-15')).toBe('2027-04-15');
  });

  it('extended, counts the further months from receipt, not from the shortened month', () => {
    expect(dataSubjectDeadline('2027-01-31', 2)).toBe('2027-04-30');
    expect(dataSubjectDeadline('2027-01-31', 1)).toBe('2027-03-31');
  });
});

describe('forwarding a request', () => {
  it("a data subject's: the deadline from the Oslo day it was received, and how many days the processor took", () => {
    const request = forward(fromSubject());
    expect(request).toMatchObject({
      id: REQUEST_ID,
      from: 'DATA_SUBJECT',
      kind: 'ACCESS',
      receivedAt: '2027-01-31T09:15:00.000Z',
      receivedOn: '2027-01-31',
      answerDeadline: '2027-02-28',
      forwardedAfterDays: 2,
      status: 'OPEN',
      forwardedBy: processorActor,
    });
  });

  it('counts the Oslo day: received at 00:30 Oslo time on 1 February (still 31 January in UTC)', () => {
    const request = forward(fromSubject({ receivedAt: '2027-01-31T23:30:00Z' }));
    expect(request.receivedOn).toBe('2027-02-01');
    expect(request.answerDeadline).toBe('2027-03-01');
  });

  it("Datatilsynet's: the deadline as given, no kind", () => {
    const request = forward(fromDatatilsynet());
    expect(request.answerDeadline).toBe('2027-02-21');
    expect(request.kind).toBeUndefined();
    expect(request.datatilsynetDeadline).toBe('2027-02-21');
  });

  it.each([
    [fromSubject({ kind: undefined }), 'kind'],
    [fromSubject({ datatilsynetDeadline: '2027-03-01' }), 'datatilsynetDeadline'],
    [fromDatatilsynet({ kind: 'ACCESS' }), 'kind'],
    [fromDatatilsynet({ datatilsynetDeadline: undefined }), 'datatilsynetDeadline'],
    [fromDatatilsynet({ datatilsynetDeadline: '2027-01-30' }), 'datatilsynetDeadline'],
    [fromSubject({ receivedAt: '2027-02-02T08:00:01Z' }), 'receivedAt'],
  ])('refuses %o naming %s', (body, field) => {
    const error = refusal(() => forward(body));
    expect(error.kind).toBe('validation');
    expect(error.extra.errors?.map((e) => e.field)).toEqual([field]);
  });

  it('is the processor’s to do (403) and only under an agreement that is or was in force (409)', () => {
    expect(refusal(() => forward(fromSubject(), undefined, 'controller')).kind).toBe('forbidden');
    const error = refusal(() =>
      newForwardedRequest({
        agreement: inForce('DRAFT'),
        role: 'processor',
        request: fromSubject(),
        actor: processorActor,
        id: REQUEST_ID,
        now: new Date('2027-02-02T08:00:00Z'),
      }),
    );
    expect(error.kind).toBe('conflict');
    expect(error.extra.currentStatus).toBe('DRAFT');
  });

  it('refuses a national identity number in any free text, at the edge, naming the field', () => {
    const checks = [
      [forwardRequestSchema, { ...fromSubject(), asked: 'Gjelder 130972 48022' }, 'asked'],
      [forwardRequestSchema, { ...fromSubject(), reference: 'Sak 13097248022' }, 'reference'],
      [extensionRequestSchema, { months: 1, reason: 'Gjelder 13097248022' }, 'reason'],
      [taskRequestSchema, { description: 'Slett 13097248022', dueOn: '2027-02-10' }, 'description'],
      [taskDoneRequestSchema, { note: 'Slettet 13097248022' }, 'note'],
      [
        outcomeRequestSchema,
        { outcome: 'REFUSED', answeredOn: '2027-02-10', summary: '13097248022' },
        'summary',
      ],
    ] as const;
    for (const [schema, body, field] of checks) {
      const result = schema.safeParse(body);
      expect(
        result.error?.issues.map((issue) => issue.path.join('.')),
        field,
      ).toEqual([field]);
    }
  });

  it('tells the controller, with the deadline, and records the history', () => {
    const request = forward(fromSubject());
    const [notification, ...others] = forwardedNotifications(draftAgreement(), request, new Date());
    expect(others).toEqual([]);
    expect(notification).toMatchObject({
      type: 'request.forwarded',
      recipientOrgNumber: CONTROLLER_ORG,
      details: { requestId: REQUEST_ID, answerDeadline: '2027-02-28', kind: 'ACCESS' },
    });
    expect(JSON.stringify(notification)).not.toContain('aktivitetsplanen');
    expect(forwardedHistory(request)).toMatchObject({
      type: 'REQUEST_FORWARDED',
      details: { forwardedAfterDays: 2 },
    });
  });
});

const open = (overrides: Partial<StoredRequest> = {}): StoredRequest => ({
  ...forward(fromSubject()),
  ...overrides,
});
const extension = { months: 2, reason: 'Omfattende innsyn' };

describe('extending the deadline', () => {
  it('by two months: 31 January gives 30 April, the previous deadline kept', () => {
    const extended = extendRequest({
      request: open(),
      role: 'controller',
      extension,
      actor: controllerActor,
      now: new Date('2027-02-27T10:00:00Z'),
    });
    expect(extended.answerDeadline).toBe('2027-04-30');
    expect(extended.extension).toMatchObject({
      months: 2,
      previousDeadline: '2027-02-28',
      by: controllerActor,
    });
  });

  it('on the last day of the month still; the day after, no longer (409)', () => {
    const on = (now: string) => () =>
      extendRequest({
        request: open(),
        role: 'controller',
        extension,
        actor: controllerActor,
        now: new Date(now),
      });
    expect(on('2027-02-28T22:59:00Z')().answerDeadline).toBe('2027-04-30');
    expect(refusal(on('2027-02-28T23:00:00Z')).kind).toBe('conflict');
  });

  it('once, by the controller, for data subjects only, while open', () => {
    const now = new Date('2027-02-10T10:00:00Z');
    const extended = extendRequest({
      request: open(),
      role: 'controller',
      extension,
      actor: controllerActor,
      now,
    });
    const again = () =>
      extendRequest({ request: extended, role: 'controller', extension, actor: controllerActor, now });
    expect(refusal(again).kind).toBe('conflict');
    expect(
      refusal(() =>
        extendRequest({ request: open(), role: 'processor', extension, actor: processorActor, now }),
      ).kind,
    ).toBe('forbidden');
    const datatilsynet = { ...forward(fromDatatilsynet()) };
    expect(
      refusal(() =>
        extendRequest({ request: datatilsynet, role: 'controller', extension, actor: controllerActor, now }),
      ).message,
    ).toContain('Datatilsynet');
    expect(
      refusal(() =>
        extendRequest({
          request: open({ status: 'CLOSED' }),
          role: 'controller',
          extension,
          actor: controllerActor,
          now,
        }),
      ).kind,
    ).toBe('conflict');
  });
});

describe('assistance tasks', () => {
  const now = new Date('2027-02-03T10:00:00Z');
  const ask = (request = open(), role: 'controller' | 'processor' = 'controller', dueOn = '2027-02-10') =>
    newRequestTask({
      request,
      role,
      task: { description: 'Hent ut loggene', dueOn },
      actor: controllerActor,
      now,
    });

  it('are numbered in the order asked', () => {
    expect(ask().number).toBe(1);
    expect(ask(open({ taskCount: 3 })).number).toBe(4);
    expect(ask()).toMatchObject({ status: 'OPEN', dueOn: '2027-02-10', assignedBy: controllerActor });
  });

  it('are asked by the controller, while open, not due in the past (today is fine)', () => {
    expect(refusal(() => ask(open(), 'processor')).kind).toBe('forbidden');
    expect(refusal(() => ask(open({ status: 'CLOSED' }))).kind).toBe('conflict');
    expect(refusal(() => ask(open(), 'controller', '2027-02-02')).extra.errors?.[0]?.field).toBe('dueOn');
    expect(ask(open(), 'controller', '2027-02-03').dueOn).toBe('2027-02-03');
  });

  it('are marked done by the processor once, late after their dueOn', () => {
    const task = ask();
    const done = (at: string, role: 'controller' | 'processor' = 'processor', which = task) =>
      completeRequestTask({
        task: which,
        role,
        done: { note: 'Levert' },
        actor: processorActor,
        now: new Date(at),
      });
    expect(done('2027-02-10T22:00:00Z')).toMatchObject({ status: 'DONE', note: 'Levert', doneLate: false });
    expect(done('2027-02-10T23:00:00Z').doneLate).toBe(true);
    expect(refusal(() => done('2027-02-05T10:00:00Z', 'controller')).kind).toBe('forbidden');
    const finished = done('2027-02-05T10:00:00Z');
    expect(refusal(() => done('2027-02-06T10:00:00Z', 'processor', finished)).kind).toBe('conflict');
  });
});

describe('the outcome', () => {
  const close = (answeredOn: string, request = open(), role: 'controller' | 'processor' = 'controller') =>
    closeRequest({
      request,
      role,
      outcome: { outcome: 'ANSWERED', answeredOn, summary: 'Innsyn gitt' },
      actor: controllerActor,
      now: new Date('2027-03-05T10:00:00Z'),
    });

  it('closes the request; late only when answered after the deadline', () => {
    expect(close('2027-02-28')).toMatchObject({
      status: 'CLOSED',
      outcome: { late: false, outcome: 'ANSWERED' },
    });
    expect(close('2027-03-01').outcome?.late).toBe(true);
    expect(close('2027-03-01', open({ answerDeadline: '2027-04-30' })).outcome?.late).toBe(false);
  });

  it('is recorded once, by the controller, on a day neither future nor before receipt', () => {
    expect(refusal(() => close('2027-02-28', close('2027-02-28'))).kind).toBe('conflict');
    expect(refusal(() => close('2027-02-28', open(), 'processor')).kind).toBe('forbidden');
    expect(refusal(() => close('2027-03-06')).extra.errors?.[0]?.field).toBe('answeredOn');
    expect(refusal(() => close('2027-01-30')).extra.errors?.[0]?.field).toBe('answeredOn');
  });

  it('tells the processor', () => {
    const [notification] = closedNotifications(draftAgreement(), close('2027-02-20'), new Date());
    expect(notification).toMatchObject({ type: 'request.closed', recipientOrgNumber: PROCESSOR_ORG });
  });
});

describe('reminders of the deadline', () => {
  it('fall 7 and 1 days before, the day after, then weekly', () => {
    expect(nextDeadlineReminderOn('2027-02-28', '2027-02-02')).toBe('2027-02-21');
    expect(nextDeadlineReminderOn('2027-02-28', '2027-02-21')).toBe('2027-02-27');
    expect(nextDeadlineReminderOn('2027-02-28', '2027-02-27')).toBe('2027-03-01');
    expect(nextDeadlineReminderOn('2027-02-28', '2027-03-01')).toBe('2027-03-08');
    expect(nextDeadlineReminderOn('2027-02-28', '2027-03-10')).toBe('2027-03-15');
  });

  it('start at the next mark after the day forwarded, and none for a closed request', () => {
    expect(requestDeadlineReminder(open(), '2027-02-02')).toEqual({
      kind: `request-deadline#${REQUEST_ID}`,
      dueOn: '2027-02-21',
    });
    expect(requestDeadlineReminder(open({ status: 'CLOSED' }), '2027-02-02')).toBeUndefined();
  });

  it('remind the controller before, with the days left, and move on to the next mark', () => {
    const decision = decideReminder(
      { kind: `request-deadline#${REQUEST_ID}`, dueOn: '2027-02-21' },
      draftAgreement({ status: 'IN_FORCE' }),
      new Date('2027-02-21T06:00:00Z'),
      open(),
    );
    expect(decision.nextDueOn).toBe('2027-02-27');
    expect(decision.notifications).toHaveLength(1);
    expect(decision.notifications[0]).toMatchObject({
      type: 'reminder.request-deadline',
      recipientOrgNumber: CONTROLLER_ORG,
      details: { overdue: false, daysLeft: 7, answerDeadline: '2027-02-28' },
    });
  });

  it('remind weekly once overdue', () => {
    const decision = decideRequestDeadlineReminder(
      { kind: `request-deadline#${REQUEST_ID}`, dueOn: '2027-03-08' },
      draftAgreement({ status: 'IN_FORCE' }),
      new Date('2027-03-08T06:00:00Z'),
      open(),
    );
    expect(decision.notifications[0]?.details).toMatchObject({ overdue: true, daysOverdue: 8 });
    expect(decision.nextDueOn).toBe('2027-03-15');
  });

  it('are dropped unsent once the outcome is recorded', () => {
    const decision = decideRequestDeadlineReminder(
      { kind: `request-deadline#${REQUEST_ID}`, dueOn: '2027-02-27' },
      draftAgreement({ status: 'IN_FORCE' }),
      new Date(),
      open({ status: 'CLOSED' }),
    );
    expect(decision).toEqual({ notifications: [] });
  });
});

describe('reminders of a task', () => {
  const task = newRequestTask({
    request: open(),
    role: 'controller',
    task: { description: 'Slett', dueOn: '2027-02-10' },
    actor: controllerActor,
    now: new Date('2027-02-03T10:00:00Z'),
  });

  it('fall the day after its dueOn, named by the request and number', () => {
    const reminder = requestTaskReminder(REQUEST_ID, task);
    expect(reminder).toEqual({ kind: `request-task#${REQUEST_ID}.1`, dueOn: '2027-02-11' });
    expect(taskReminderSubject(reminder.kind)).toEqual({ requestId: REQUEST_ID, number: 1 });
    expect(taskReminderSubject('request-task#nonsense.1')).toBeUndefined();
  });

  it('go weekly to the processor while not done, also after the outcome; dropped once done', () => {
    const reminder = { kind: `request-task#${REQUEST_ID}.1`, dueOn: '2027-02-11' };
    const agreement = draftAgreement({ status: 'IN_FORCE' });
    const sent = decideRequestTaskReminder(reminder, agreement, new Date(), {
      request: open({ status: 'CLOSED' }),
      task,
    });
    expect(sent.nextDueOn).toBe('2027-02-18');
    expect(sent.notifications[0]).toMatchObject({
      type: 'reminder.request-task',
      recipientOrgNumber: PROCESSOR_ORG,
      details: { task: 1, dueOn: '2027-02-10', daysOverdue: 1 },
    });
    const done = { ...task, status: 'DONE' as const };
    expect(
      decideRequestTaskReminder(reminder, agreement, new Date(), { request: open(), task: done }),
    ).toEqual({
      notifications: [],
    });
  });
});

describe('calendar entries', () => {
  const agreement = { id: 'a1', title: 'Avtale' };

  it('the answer deadline while open, none once closed', () => {
    expect(requestEntry(agreement, open())?.deadlines).toEqual([
      { kind: 'request-answer', on: '2027-02-28' },
    ]);
    expect(requestEntry(agreement, open({ status: 'CLOSED' }))).toBeUndefined();
  });

  it("a task's dueOn while open, with a text naming the call that marks it done", () => {
    const entry = requestTaskEntry(agreement, REQUEST_ID, {
      number: 2,
      dueOn: '2027-02-10',
      status: 'OPEN',
    })!;
    expect(entry.deadlines).toEqual([{ kind: 'request-task', on: '2027-02-10' }]);
    expect(eventText(entry, entry.deadlines[0]!).description).toContain(
      `POST /agreements/a1/requests/${REQUEST_ID}/tasks/2/done`,
    );
    expect(
      requestTaskEntry(agreement, REQUEST_ID, { number: 2, dueOn: '2027-02-10', status: 'DONE' }),
    ).toBeUndefined();
  });
});
