import type { BreachRecord, BreachReportRequest } from './breach-schemas.ts';
import { TIME_ZONE } from './calendar.ts';
import { historyEntry } from './changes.ts';
import { conflict, validationError } from './errors.ts';
import { lazily } from './lazily.ts';
import { notificationsFor } from './notifications.ts';
import type { Actor, Agreement, AgreementStatus, HistoryEntry, Notification, PartyRole } from './schemas.ts';

/**
 * Rule 9, breach (avvik): the processor notifies the controller in writing no later than the agreed
 * number of hours after becoming aware (003 §10 a-f, 000 §14); rule 16: breaches go both ways, so the
 * controller reports its own the same way. Only the controller informs Datatilsynet, within 72 hours
 * of becoming aware (GDPR Art. 33), and the data subjects. What follows a report is in breach-cases.ts.
 */

const HOUR_MS = 3_600_000;

/** GDPR Art. 33(1): the controller notifies the supervisory authority within 72 hours of becoming aware. */
export const SUPERVISORY_AUTHORITY_HOURS = 72;

export const NO_SUCH_BREACH = 'No such breach report on this agreement';

/**
 * While the agreement binds or has bound the parties. A breach can come to light after termination,
 * while the processor still holds the data (or must keep some by law).
 */
export const BREACH_REPORTING_STATES: readonly AgreementStatus[] = [
  'IN_FORCE',
  'NOTICE_PERIOD',
  'TERMINATED',
  'RETAINED_UNDER_LAW',
];

const addHours = (instant: Date, hours: number) => new Date(instant.getTime() + hours * HOUR_MS);

/** The processor's deadline: when it became aware plus the agreed hours (36 by default, 24 in 004). */
export function notificationDeadlineFor(becameAwareAt: Date, breachNotificationHours: number): Date {
  return addHours(becameAwareAt, breachNotificationHours);
}

/** The controller's deadline towards Datatilsynet, counted from its own awareness (GDPR Art. 33(1)). */
export function supervisoryAuthorityDeadlineFor(controllerAwareAt: Date): Date {
  return addHours(controllerAwareAt, SUPERVISORY_AUTHORITY_HOURS);
}

/** Late only after the deadline: a report at the very instant of the deadline is on time. */
export function isReportedLate(reportedAt: Date, notificationDeadline: Date): boolean {
  return reportedAt.getTime() > notificationDeadline.getTime();
}

/**
 * The personal data categories of a report that the agreement's scope (its personal data types and
 * special categories) does not cover, compared without regard to case or surrounding space. Such a
 * report is accepted: that the breach reached data outside the scope is itself something the
 * controller must know.
 */
export function outsideScopeOf(
  scope: Pick<Agreement['scope'], 'personalDataTypes' | 'specialCategories'>,
  personalDataCategories: readonly string[],
): string[] {
  const normal = (category: string) => category.trim().toLocaleLowerCase('nb');
  const covered = new Set([...scope.personalDataTypes, ...scope.specialCategories].map(normal));
  return personalDataCategories.filter((category) => !covered.has(normal(category)));
}

/**
 * A report as it is recorded, from either party (000 §14: breaches go both ways). The processor's
 * report has the agreed hours to arrive (a late one is accepted and stays marked late: a late report
 * is better than none), and the controller becomes aware when it arrives; a controller reporting a
 * breach in its own systems was aware from `becameAwareAt`. Either way the controller's 72 hours
 * towards Datatilsynet run from its awareness (GDPR Art. 33(1)). Refused (409) unless the agreement
 * binds or has bound the parties, and (400) for an awareness in the future or a sub-processor that is
 * not one of this agreement's (`subProcessor` is the request the id names, as read).
 */
export function newBreachReport(input: {
  agreement: Pick<Agreement, 'status' | 'breachNotificationHours' | 'scope'>;
  /** The processor unless said otherwise. */
  reporter?: PartyRole;
  request: BreachReportRequest;
  subProcessor?: { id: string; name: string };
  actor: Actor;
  id: string;
  now: Date;
}): BreachRecord {
  const { agreement, reporter = 'processor', request, subProcessor, actor, id, now } = input;
  if (!BREACH_REPORTING_STATES.includes(agreement.status)) {
    throw conflict(
      `A breach can only be reported under an agreement that is or has been in force (${BREACH_REPORTING_STATES.join(', ')}); this one is ${agreement.status}`,
      agreement.status,
    );
  }
  const becameAwareAt = new Date(request.becameAwareAt);
  if (becameAwareAt.getTime() > now.getTime()) {
    throw validationError('The breach report is invalid: becameAwareAt', [
      { field: 'becameAwareAt', message: `may not be in the future (it is now ${now.toISOString()})` },
    ]);
  }
  if (request.subProcessorId !== undefined && subProcessor === undefined) {
    throw validationError('The breach report is invalid: subProcessorId', [
      { field: 'subProcessorId', message: 'names no sub-processor request of this agreement' },
    ]);
  }
  const { subProcessorId: _id, ...reported } = request;
  const processorDeadline =
    reporter === 'processor'
      ? notificationDeadlineFor(becameAwareAt, agreement.breachNotificationHours)
      : undefined;
  const controllerAwareAt = reporter === 'processor' ? now : becameAwareAt;
  return {
    id,
    reporter,
    reportedAt: now.toISOString(),
    reportedBy: actor,
    ...reported,
    becameAwareAt: becameAwareAt.toISOString(),
    ...(subProcessor ? { subProcessor } : {}),
    outsideScope: outsideScopeOf(agreement.scope, request.personalDataCategories),
    ...(processorDeadline
      ? {
          notificationDeadline: processorDeadline.toISOString(),
          reportedLate: isReportedLate(now, processorDeadline),
        }
      : {}),
    controllerAwareAt: controllerAwareAt.toISOString(),
    supervisoryAuthorityDeadline: supervisoryAuthorityDeadlineFor(controllerAwareAt).toISOString(),
    updates: [],
    questions: [],
  };
}

export function reportedHistory(record: BreachRecord, actor: Actor): HistoryEntry {
  return historyEntry(actor, 'BREACH_REPORTED', new Date(record.reportedAt), {
    details: {
      breachId: record.id,
      reporter: record.reporter,
      becameAwareAt: record.becameAwareAt,
      ...(record.notificationDeadline
        ? { reportedLate: record.reportedLate, notificationDeadline: record.notificationDeadline }
        : {}),
      ...(record.outsideScope.length > 0 ? { outsideScope: record.outsideScope } : {}),
      supervisoryAuthorityDeadline: record.supervisoryAuthorityDeadline,
    },
  });
}

const osloWallClock = lazily(
  () =>
    new Intl.DateTimeFormat('sv-SE', {
      timeZone: TIME_ZONE,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }),
);

/** `2026-11-24 11:00 Oslo time`: a deadline as a person reads it in a subject line. */
export function osloDateTime(instant: string | Date): string {
  return `${osloWallClock().format(new Date(instant))} Oslo time`;
}

export const BREACH_REPORTED = 'breach.reported';

/**
 * One notification to each party, keyed by the breach id (so each goes out once). The controller's
 * names its 72-hour deadline towards Datatilsynet and says that informing it and the data subjects is
 * the controller's duty alone; for the processor's report, the processor gets its receipt, saying
 * whether it was in time. A controller's own report asks the processor to help contain the breach
 * (000 §14) and gives the controller its receipt with the deadline.
 */
export function breachNotifications(
  agreement: Pick<Agreement, 'id' | 'title' | 'controller' | 'processor' | 'breachNotificationHours'>,
  record: BreachRecord,
  at: Date,
): Notification[] {
  const details = {
    breachId: record.id,
    reporter: record.reporter,
    becameAwareAt: record.becameAwareAt,
    reportedAt: record.reportedAt,
    ...(record.notificationDeadline
      ? { notificationDeadline: record.notificationDeadline, reportedLate: record.reportedLate }
      : {}),
    ...(record.outsideScope.length > 0 ? { outsideScope: record.outsideScope } : {}),
    supervisoryAuthorityDeadline: record.supervisoryAuthorityDeadline,
  };
  const message = (subject: string) => ({ type: BREACH_REPORTED, key: record.id, subject, details });
  const outside =
    record.outsideScope.length > 0
      ? `; it concerns personal data outside the agreement's scope (${record.outsideScope.join(', ')})`
      : '';
  const authorityDeadline = `Only you, the controller, notify Datatilsynet, by ${osloDateTime(record.supervisoryAuthorityDeadline)} (72 hours after you became aware, GDPR Art. 33), and the data subjects where required`;
  if (record.reporter === 'controller') {
    return [
      ...notificationsFor(
        agreement,
        ['processor'],
        message(
          `Personal data breach reported by the controller${outside}: help it contain the breach and answer its questions (000 §14)`,
        ),
        at,
      ),
      ...notificationsFor(
        agreement,
        ['controller'],
        message(`Your breach report was recorded. ${authorityDeadline}`),
        at,
      ),
    ];
  }
  const hours = agreement.breachNotificationHours;
  const timeliness = record.reportedLate
    ? `reported late: the agreed ${hours}-hour deadline was ${osloDateTime(record.notificationDeadline!)}`
    : `reported within the agreed ${hours} hours`;
  return [
    ...notificationsFor(
      agreement,
      ['controller'],
      message(
        `Personal data breach reported by the processor (${timeliness})${outside}. ${authorityDeadline}`,
      ),
      at,
    ),
    ...notificationsFor(
      agreement,
      ['processor'],
      message(`Your breach report was delivered to the controller (${timeliness})`),
      at,
    ),
  ];
}
