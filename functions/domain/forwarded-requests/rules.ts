import { BREACH_REPORTING_STATES } from '../breaches.ts';
import { addMonths, compareDates, osloDate } from '../calendar.ts';
import { historyEntry } from '../changes.ts';
import { conflict, forbidden, validationError } from '../errors.ts';
import { notificationsFor } from '../notifications.ts';
import type { Actor, Agreement, AgreementStatus, HistoryEntry, Notification, PartyRole } from '../schemas.ts';
import type {
  ExtensionRequest,
  ForwardedRequest,
  ForwardRequest,
  OutcomeRequest,
  RequestTask,
  TaskDoneRequest,
  TaskRequest,
} from './schemas.ts';

/**
 * Rule 16, requests forwarded to the controller (003 §5, 000 §11): the processor passes on a request
 * it received that the controller must answer, from a data subject (GDPR Art. 15-21) or from
 * Datatilsynet. The controller's deadline is computed (a data subject: one month from receipt with the
 * end-of-month rule of the notice period, extendable once by up to two further months with a reason,
 * Art. 12(3); Datatilsynet: the deadline its letter gives), the controller asks the processor for
 * assistance in numbered tasks the processor marks done, and records the outcome once.
 */

export const NO_SUCH_REQUEST = 'No such forwarded request on this agreement';
export const NO_SUCH_TASK = 'No such task on this request';

/** While the agreement binds or has bound the parties: as breach reports (the processor may still hold data). */
export const REQUEST_FORWARDING_STATES: readonly AgreementStatus[] = BREACH_REPORTING_STATES;

/** What a forwarded request is stored as: its record without the tasks, and how many tasks it has. */
export type StoredRequest = Omit<ForwardedRequest, 'tasks'> & { taskCount?: number };

const DAY_MS = 86_400_000;

/** Whole days from one Oslo date to a later one. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/**
 * A data subject's request: one month from the day it was received, as the notice period counts months
 * (31 January gives the last day of February); `extraMonths` further months once extended, counted
 * from receipt as well (31 January extended by two gives 30 April, not 28 April).
 */
export function dataSubjectDeadline(receivedOn: string, extraMonths = 0): string {
  return addMonths(receivedOn, 1 + extraMonths);
}

/**
 * The processor forwards a request. Refused (400, naming the field) when received in the future, a
 * data subject's request without its kind or with a Datatilsynet deadline, Datatilsynet's without its
 * deadline, with a kind, or with a deadline before the day it was received. Only the processor
 * forwards (403), and only while the agreement is or has been in force (409).
 */
export function newForwardedRequest(input: {
  agreement: Pick<Agreement, 'status'>;
  role: PartyRole;
  request: ForwardRequest;
  actor: Actor;
  id: string;
  now: Date;
}): StoredRequest {
  const { agreement, role, request, actor, id, now } = input;
  if (role !== 'processor') {
    throw forbidden('Only the processor forwards a request it received to the controller');
  }
  if (!REQUEST_FORWARDING_STATES.includes(agreement.status)) {
    throw conflict(
      `A request can only be forwarded under an agreement that is or has been in force (${REQUEST_FORWARDING_STATES.join(', ')}); this one is ${agreement.status}`,
      agreement.status,
    );
  }
  const wrong: { field: string; message: string }[] = [];
  const receivedAt = new Date(request.receivedAt);
  if (receivedAt.getTime() > now.getTime()) {
    wrong.push({ field: 'receivedAt', message: `may not be in the future (it is now ${now.toISOString()})` });
  }
  const receivedOn = osloDate(receivedAt);
  if (request.from === 'DATA_SUBJECT') {
    if (!request.kind) {
      wrong.push({
        field: 'kind',
        message:
          "is required for a data subject's request: ACCESS, RECTIFICATION, ERASURE, RESTRICTION, PORTABILITY or OBJECTION",
      });
    }
    if (request.datatilsynetDeadline !== undefined) {
      wrong.push({
        field: 'datatilsynetDeadline',
        message:
          "is only for Datatilsynet's requests: a data subject's deadline is computed (GDPR Art. 12(3))",
      });
    }
  } else {
    if (request.kind !== undefined) {
      wrong.push({ field: 'kind', message: "is only for a data subject's request" });
    }
    if (request.datatilsynetDeadline === undefined) {
      wrong.push({
        field: 'datatilsynetDeadline',
        message: "is required: the deadline Datatilsynet's letter gives",
      });
    } else if (compareDates(request.datatilsynetDeadline, receivedOn) < 0) {
      wrong.push({
        field: 'datatilsynetDeadline',
        message: `may not be before the day the request was received (${receivedOn})`,
      });
    }
  }
  if (wrong.length > 0) {
    throw validationError(`The request is invalid: ${wrong.map((error) => error.field).join(', ')}`, wrong);
  }
  const forwardedOn = osloDate(now);
  return {
    id,
    from: request.from,
    ...(request.kind ? { kind: request.kind } : {}),
    receivedAt: receivedAt.toISOString(),
    receivedOn,
    asked: request.asked,
    ...(request.reference ? { reference: request.reference } : {}),
    ...(request.datatilsynetDeadline ? { datatilsynetDeadline: request.datatilsynetDeadline } : {}),
    forwardedAt: now.toISOString(),
    forwardedBy: actor,
    forwardedAfterDays: Math.max(0, daysBetween(receivedOn, forwardedOn)),
    answerDeadline: request.datatilsynetDeadline ?? dataSubjectDeadline(receivedOn),
    status: 'OPEN',
  };
}

function requireOpen(request: StoredRequest, what: string): void {
  if (request.status !== 'OPEN') {
    throw conflict(
      `The controller recorded the outcome of this request on ${request.outcome?.recordedAt ?? 'an earlier day'}; ${what}`,
    );
  }
}

/**
 * The controller extends a data subject's deadline by one or two further months (GDPR Art. 12(3)):
 * once, while the request is open and before the original month has run out (the data subject must be
 * told of the extension within that month). Datatilsynet's deadline is Datatilsynet's to move (409).
 */
export function extendRequest(input: {
  request: StoredRequest;
  role: PartyRole;
  extension: ExtensionRequest;
  actor: Actor;
  now: Date;
}): StoredRequest {
  const { request, role, extension, actor, now } = input;
  if (role !== 'controller') throw forbidden('Only the controller extends its deadline to answer');
  requireOpen(request, 'its deadline no longer runs');
  if (request.from !== 'DATA_SUBJECT') {
    throw conflict(
      "Datatilsynet's deadline is the one its letter gives; ask Datatilsynet to move it and forward its answer as a new request",
    );
  }
  if (request.extension) {
    throw conflict(
      `The deadline was extended on ${request.extension.at} to ${request.answerDeadline}; it is extended once (GDPR Art. 12(3))`,
    );
  }
  const today = osloDate(now);
  if (compareDates(today, request.answerDeadline) > 0) {
    throw conflict(
      `The month to answer ended on ${request.answerDeadline}; an extension must be made and told to the data subject within it (GDPR Art. 12(3))`,
    );
  }
  return {
    ...request,
    answerDeadline: dataSubjectDeadline(request.receivedOn, extension.months),
    extension: {
      months: extension.months,
      reason: extension.reason,
      at: now.toISOString(),
      by: actor,
      previousDeadline: request.answerDeadline,
    },
  };
}

/**
 * The controller asks the processor for assistance (003 §5): a task numbered in the order asked, due
 * on a day not yet past, while the request is open.
 */
export function newRequestTask(input: {
  request: StoredRequest;
  role: PartyRole;
  task: TaskRequest;
  actor: Actor;
  now: Date;
}): RequestTask {
  const { request, role, task, actor, now } = input;
  if (role !== 'controller') throw forbidden('Only the controller asks the processor for assistance');
  requireOpen(request, 'no more assistance is asked for it');
  const today = osloDate(now);
  if (compareDates(task.dueOn, today) < 0) {
    throw validationError('The task is invalid: dueOn', [
      { field: 'dueOn', message: `may not be in the past (today is ${today} in Oslo)` },
    ]);
  }
  return {
    number: (request.taskCount ?? 0) + 1,
    description: task.description,
    dueOn: task.dueOn,
    assignedAt: now.toISOString(),
    assignedBy: actor,
    status: 'OPEN',
  };
}

/**
 * The processor marks a task done, once, with a note of what it did; late when after its dueOn. Also
 * after the outcome: assistance asked for is tracked to done whatever the controller answered.
 */
export function completeRequestTask(input: {
  task: RequestTask;
  role: PartyRole;
  done: TaskDoneRequest;
  actor: Actor;
  now: Date;
}): RequestTask {
  const { task, role, done, actor, now } = input;
  if (role !== 'processor') throw forbidden('Only the processor marks its assistance tasks done');
  if (task.status === 'DONE') {
    throw conflict(`Task ${task.number} was marked done on ${task.doneAt}; a task is done once`);
  }
  return {
    ...task,
    status: 'DONE',
    note: done.note,
    doneAt: now.toISOString(),
    doneBy: actor,
    doneLate: compareDates(osloDate(now), task.dueOn) > 0,
  };
}

/**
 * The controller records how it answered, once; the request is then CLOSED. The day it answered may
 * not be in the future nor before the request was received; after answerDeadline it is recorded as
 * late. Open assistance tasks do not hold the outcome back: the controller's deadline is the
 * controller's, and a task (e.g. carrying out an erasure) may rightly follow the answer.
 */
export function closeRequest(input: {
  request: StoredRequest;
  role: PartyRole;
  outcome: OutcomeRequest;
  actor: Actor;
  now: Date;
}): StoredRequest {
  const { request, role, outcome, actor, now } = input;
  if (role !== 'controller') throw forbidden('Only the controller records the outcome of a request');
  requireOpen(request, 'an outcome is recorded once');
  const today = osloDate(now);
  const wrong: { field: string; message: string }[] = [];
  if (compareDates(outcome.answeredOn, today) > 0) {
    wrong.push({ field: 'answeredOn', message: `may not be in the future (today is ${today} in Oslo)` });
  } else if (compareDates(outcome.answeredOn, request.receivedOn) < 0) {
    wrong.push({
      field: 'answeredOn',
      message: `may not be before the request was received (${request.receivedOn})`,
    });
  }
  if (wrong.length > 0) throw validationError('The outcome is invalid: answeredOn', wrong);
  return {
    ...request,
    status: 'CLOSED',
    outcome: {
      outcome: outcome.outcome,
      answeredOn: outcome.answeredOn,
      summary: outcome.summary,
      recordedAt: now.toISOString(),
      recordedBy: actor,
      late: compareDates(outcome.answeredOn, request.answerDeadline) > 0,
    },
  };
}

// --- History ---------------------------------------------------------------------------------------------

const origin = (request: StoredRequest) => ({
  requestId: request.id,
  from: request.from,
  ...(request.kind ? { kind: request.kind } : {}),
});

export const forwardedHistory = (request: StoredRequest): HistoryEntry =>
  historyEntry(request.forwardedBy, 'REQUEST_FORWARDED', new Date(request.forwardedAt), {
    details: {
      ...origin(request),
      receivedOn: request.receivedOn,
      answerDeadline: request.answerDeadline,
      forwardedAfterDays: request.forwardedAfterDays,
    },
  });

export const extendedHistory = (request: StoredRequest): HistoryEntry =>
  historyEntry(request.extension!.by, 'REQUEST_EXTENDED', new Date(request.extension!.at), {
    details: {
      requestId: request.id,
      months: request.extension!.months,
      previousDeadline: request.extension!.previousDeadline,
      answerDeadline: request.answerDeadline,
    },
  });

export const taskAssignedHistory = (request: StoredRequest, task: RequestTask): HistoryEntry =>
  historyEntry(task.assignedBy, 'REQUEST_TASK_ASSIGNED', new Date(task.assignedAt), {
    details: { requestId: request.id, task: task.number, dueOn: task.dueOn },
  });

export const taskDoneHistory = (request: StoredRequest, task: RequestTask): HistoryEntry =>
  historyEntry(task.doneBy, 'REQUEST_TASK_DONE', new Date(task.doneAt!), {
    details: { requestId: request.id, task: task.number, late: task.doneLate === true },
  });

export const closedHistory = (request: StoredRequest): HistoryEntry =>
  historyEntry(request.outcome!.recordedBy, 'REQUEST_CLOSED', new Date(request.outcome!.recordedAt), {
    details: {
      requestId: request.id,
      outcome: request.outcome!.outcome,
      answeredOn: request.outcome!.answeredOn,
      late: request.outcome!.late,
    },
  });

// --- Notifications -----------------------------------------------------------------------------------

type Parties = Pick<Agreement, 'id' | 'title' | 'controller' | 'processor'>;

const REQUEST_FORWARDED = 'request.forwarded';
const REQUEST_EXTENDED = 'request.extended';
const REQUEST_TASK_ASSIGNED = 'request.task-assigned';
const REQUEST_TASK_DONE = 'request.task-done';
const REQUEST_CLOSED = 'request.closed';

const RIGHT_NAMES: Record<string, string> = {
  ACCESS: 'access',
  RECTIFICATION: 'rectification',
  ERASURE: 'erasure',
  RESTRICTION: 'restriction',
  PORTABILITY: 'portability',
  OBJECTION: 'objection',
};

/** `A data subject's request for erasure`, `A request from Datatilsynet`. */
export const requestTitle = (request: Pick<StoredRequest, 'from' | 'kind'>) =>
  request.from === 'DATATILSYNET'
    ? 'A request from Datatilsynet'
    : `A data subject's request for ${RIGHT_NAMES[request.kind ?? ''] ?? 'action'}`;

/** The controller learns of the request and its deadline (not what was asked: that is read with GET). */
export function forwardedNotifications(agreement: Parties, request: StoredRequest, at: Date): Notification[] {
  return notificationsFor(
    agreement,
    ['controller'],
    {
      type: REQUEST_FORWARDED,
      key: request.id,
      subject: `${requestTitle(request)} was forwarded; answer by ${request.answerDeadline}`,
      details: {
        ...origin(request),
        receivedAt: request.receivedAt,
        answerDeadline: request.answerDeadline,
        forwardedAfterDays: request.forwardedAfterDays,
      },
    },
    at,
  );
}

export function extendedNotifications(agreement: Parties, request: StoredRequest, at: Date): Notification[] {
  return notificationsFor(
    agreement,
    ['processor'],
    {
      type: REQUEST_EXTENDED,
      key: request.id,
      subject: `${requestTitle(request)}: the controller extended its deadline to ${request.answerDeadline}`,
      details: {
        ...origin(request),
        months: request.extension!.months,
        previousDeadline: request.extension!.previousDeadline,
        answerDeadline: request.answerDeadline,
      },
    },
    at,
  );
}

export function taskAssignedNotifications(
  agreement: Parties,
  request: StoredRequest,
  task: RequestTask,
  at: Date,
): Notification[] {
  return notificationsFor(
    agreement,
    ['processor'],
    {
      type: REQUEST_TASK_ASSIGNED,
      key: `${request.id}:${task.number}`,
      subject: `${requestTitle(request)}: the controller asks for your assistance by ${task.dueOn}`,
      details: {
        ...origin(request),
        task: task.number,
        dueOn: task.dueOn,
        answerDeadline: request.answerDeadline,
      },
    },
    at,
  );
}

export function taskDoneNotifications(
  agreement: Parties,
  request: StoredRequest,
  task: RequestTask,
  at: Date,
): Notification[] {
  return notificationsFor(
    agreement,
    ['controller'],
    {
      type: REQUEST_TASK_DONE,
      key: `${request.id}:${task.number}`,
      subject: `${requestTitle(request)}: the processor did task ${task.number}`,
      details: {
        ...origin(request),
        task: task.number,
        dueOn: task.dueOn,
        doneAt: task.doneAt,
        late: task.doneLate === true,
      },
    },
    at,
  );
}

export function closedNotifications(agreement: Parties, request: StoredRequest, at: Date): Notification[] {
  const outcome = request.outcome!;
  return notificationsFor(
    agreement,
    ['processor'],
    {
      type: REQUEST_CLOSED,
      key: request.id,
      subject: `${requestTitle(request)} was answered (${outcome.outcome.toLowerCase().replace('_', ' ')})`,
      details: {
        ...origin(request),
        outcome: outcome.outcome,
        answeredOn: outcome.answeredOn,
        answerDeadline: request.answerDeadline,
        late: outcome.late,
      },
    },
    at,
  );
}
