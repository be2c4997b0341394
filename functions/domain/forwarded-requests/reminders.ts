import { addDays, compareDates } from '../calendar.ts';
import { notificationsFor } from '../notifications.ts';
import type { DueReminder, ReminderDecision } from '../reminders.ts';
import type { Agreement } from '../schemas.ts';
import { daysBetween, requestTitle, type StoredRequest } from './rules.ts';
import type { RequestTask } from './schemas.ts';

/**
 * The daily run's reminders of forwarded requests (rule 16), one per subject:
 *
 * - `request-deadline#<requestId>`: to the controller 7 days and 1 day before its answer deadline,
 *   then the day after it and weekly while no outcome is recorded; dropped unsent once closed.
 * - `request-task#<requestId>.<number>`: to the processor the day after a task's dueOn and weekly
 *   while it is not done; dropped unsent once done.
 *
 * The run hands each rule its subject as stored now, so an extension (which moves the deadline and
 * puts the reminder anew) or an outcome that came first is what counts.
 */
export const REQUEST_DEADLINE_REMINDER = 'request-deadline';
export const REQUEST_TASK_REMINDER = 'request-task';

/** Days before the deadline on which the controller is reminded. */
export const DEADLINE_MARKS = [7, 1] as const;
const WEEK = 7;

export const requestDeadlineReminderKind = (requestId: string) => `${REQUEST_DEADLINE_REMINDER}#${requestId}`;
export const requestTaskReminderKind = (requestId: string, number: number) =>
  `${REQUEST_TASK_REMINDER}#${requestId}.${number}`;

/** The request and the task number a `request-task#<requestId>.<number>` kind names. */
export function taskReminderSubject(kind: string): { requestId: string; number: number } | undefined {
  const match = /^request-task#([0-9a-f-]{36})\.(\d{1,4})$/.exec(kind);
  return match ? { requestId: match[1]!, number: Number(match[2]) } : undefined;
}

/**
 * The first reminder day after `after` for a deadline: 7 and 1 days before it, the day after it, and
 * weekly from then on.
 */
export function nextDeadlineReminderOn(deadline: string, after: string): string {
  for (const days of DEADLINE_MARKS) {
    const mark = addDays(deadline, -days);
    if (compareDates(mark, after) > 0) return mark;
  }
  let overdue = addDays(deadline, 1);
  while (compareDates(overdue, after) <= 0) overdue = addDays(overdue, WEEK);
  return overdue;
}

/** The deadline reminder of a request as it now stands (to put), or none once it is closed (to delete). */
export function requestDeadlineReminder(request: StoredRequest, today: string) {
  if (request.status !== 'OPEN') return undefined;
  return {
    kind: requestDeadlineReminderKind(request.id),
    dueOn: nextDeadlineReminderOn(request.answerDeadline, today),
  };
}

/** A new task's reminder: the day after its dueOn. */
export const requestTaskReminder = (requestId: string, task: Pick<RequestTask, 'number' | 'dueOn'>) => ({
  kind: requestTaskReminderKind(requestId, task.number),
  dueOn: addDays(task.dueOn, 1),
});

const isRequest = (subject: unknown): subject is StoredRequest =>
  typeof subject === 'object' && subject !== null && 'answerDeadline' in subject && 'status' in subject;

export function decideRequestDeadlineReminder(
  reminder: DueReminder,
  agreement: Agreement | undefined,
  now: Date,
  subject?: unknown,
): ReminderDecision {
  if (!agreement || !isRequest(subject) || subject.status !== 'OPEN') return { notifications: [] };
  const deadline = subject.answerDeadline;
  const overdue = compareDates(reminder.dueOn, deadline) > 0;
  const days = Math.abs(daysBetween(reminder.dueOn, deadline));
  return {
    notifications: notificationsFor(
      agreement,
      ['controller'],
      {
        type: 'reminder.request-deadline',
        key: `${subject.id}:${reminder.dueOn}`,
        subject: overdue
          ? `${requestTitle(subject)} is unanswered ${days} days after its deadline ${deadline}`
          : `${requestTitle(subject)} must be answered by ${deadline}`,
        details: {
          requestId: subject.id,
          from: subject.from,
          ...(subject.kind ? { kind: subject.kind } : {}),
          answerDeadline: deadline,
          overdue,
          ...(overdue ? { daysOverdue: days } : { daysLeft: days }),
        },
      },
      now,
    ),
    nextDueOn: nextDeadlineReminderOn(deadline, reminder.dueOn),
  };
}

const isTaskSubject = (subject: unknown): subject is { request: StoredRequest; task: RequestTask } =>
  typeof subject === 'object' &&
  subject !== null &&
  isRequest((subject as { request?: unknown }).request) &&
  typeof (subject as { task?: unknown }).task === 'object';

export function decideRequestTaskReminder(
  reminder: DueReminder,
  agreement: Agreement | undefined,
  now: Date,
  subject?: unknown,
): ReminderDecision {
  if (!agreement || !isTaskSubject(subject) || subject.task.status !== 'OPEN') return { notifications: [] };
  const { request, task } = subject;
  return {
    notifications: notificationsFor(
      agreement,
      ['processor'],
      {
        type: 'reminder.request-task',
        key: `${request.id}.${task.number}:${reminder.dueOn}`,
        subject: `${requestTitle(request)}: task ${task.number} was due ${task.dueOn} and is not done`,
        details: {
          requestId: request.id,
          from: request.from,
          ...(request.kind ? { kind: request.kind } : {}),
          task: task.number,
          dueOn: task.dueOn,
          daysOverdue: daysBetween(task.dueOn, reminder.dueOn),
        },
      },
      now,
    ),
    nextDueOn: addDays(reminder.dueOn, WEEK),
  };
}

export const REQUEST_REMINDER_RULES = {
  [REQUEST_DEADLINE_REMINDER]: decideRequestDeadlineReminder,
  [REQUEST_TASK_REMINDER]: decideRequestTaskReminder,
};
