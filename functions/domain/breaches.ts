import type { BreachRecord, BreachReportRequest } from './breach-schemas.ts';
import { TIME_ZONE } from './calendar.ts';
import { historyEntry } from './changes.ts';
import { conflict, validationError } from './errors.ts';
import { lazily } from './lazily.ts';
import { notificationsFor } from './notifications.ts';
import type { Actor, Agreement, AgreementStatus, HistoryEntry, Notification } from './schemas.ts';

/**
 * Rule 9, breach (avvik): the processor notifies the controller in writing no later than the agreed
 * number of hours after becoming aware (003 §10 a-f, 000 §14). Only the controller informs
 * Datatilsynet, within 72 hours (GDPR Art. 33), and the data subjects.
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

/** The controller's deadline towards Datatilsynet, counted from the same awareness (GDPR Art. 33). */
export function supervisoryAuthorityDeadlineFor(becameAwareAt: Date): Date {
  return addHours(becameAwareAt, SUPERVISORY_AUTHORITY_HOURS);
}

/** Late only after the deadline: a report at the very instant of the deadline is on time. */
export function isReportedLate(reportedAt: Date, notificationDeadline: Date): boolean {
  return reportedAt.getTime() > notificationDeadline.getTime();
}

/**
 * The processor's report as it is recorded. A late report is accepted and marked late (a late report
 * is better than none); it is refused (409) unless the agreement binds or has bound the parties, and
 * (400) when it claims an awareness in the future.
 */
export function newBreachReport(input: {
  agreement: Pick<Agreement, 'status' | 'breachNotificationHours'>;
  request: BreachReportRequest;
  actor: Actor;
  id: string;
  now: Date;
}): BreachRecord {
  const { agreement, request, actor, id, now } = input;
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
  const notificationDeadline = notificationDeadlineFor(becameAwareAt, agreement.breachNotificationHours);
  const { measuresProposed, ...required } = request;
  return {
    id,
    reportedAt: now.toISOString(),
    reportedBy: actor,
    ...required,
    becameAwareAt: becameAwareAt.toISOString(),
    ...(measuresProposed ? { measuresProposed } : {}),
    notificationDeadline: notificationDeadline.toISOString(),
    reportedLate: isReportedLate(now, notificationDeadline),
    supervisoryAuthorityDeadline: supervisoryAuthorityDeadlineFor(becameAwareAt).toISOString(),
  };
}

export function reportedHistory(record: BreachRecord, actor: Actor): HistoryEntry {
  return historyEntry(actor, 'BREACH_REPORTED', new Date(record.reportedAt), {
    details: {
      breachId: record.id,
      becameAwareAt: record.becameAwareAt,
      reportedLate: record.reportedLate,
      notificationDeadline: record.notificationDeadline,
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
 * names the 72-hour deadline towards Datatilsynet and says that informing it and the data subjects is
 * the controller's duty alone; the processor's is its receipt, saying whether it was in time.
 */
export function breachNotifications(
  agreement: Pick<Agreement, 'id' | 'title' | 'controller' | 'processor' | 'breachNotificationHours'>,
  record: BreachRecord,
  at: Date,
): Notification[] {
  const hours = agreement.breachNotificationHours;
  const timeliness = record.reportedLate
    ? `reported late: the agreed ${hours}-hour deadline was ${osloDateTime(record.notificationDeadline)}`
    : `reported within the agreed ${hours} hours`;
  const details = {
    breachId: record.id,
    becameAwareAt: record.becameAwareAt,
    reportedAt: record.reportedAt,
    notificationDeadline: record.notificationDeadline,
    reportedLate: record.reportedLate,
    supervisoryAuthorityDeadline: record.supervisoryAuthorityDeadline,
  };
  const message = (subject: string) => ({ type: BREACH_REPORTED, key: record.id, subject, details });
  return [
    ...notificationsFor(
      agreement,
      ['controller'],
      message(
        `Personal data breach reported by the processor (${timeliness}). Only you, the controller, notify Datatilsynet, by ${osloDateTime(record.supervisoryAuthorityDeadline)} (72 hours after the processor became aware, GDPR Art. 33), and the data subjects where required`,
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
