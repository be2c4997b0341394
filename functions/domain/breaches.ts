import type {
  BreachDecision,
  BreachDecisionRequest,
  BreachQuestion,
  BreachRecord,
  BreachReportRequest,
  BreachUpdate,
  BreachUpdateRequest,
} from './breach-schemas.ts';
import { TIME_ZONE } from './calendar.ts';
import { historyEntry } from './changes.ts';
import { conflict, forbidden, notFound, validationError } from './errors.ts';
import { lazily } from './lazily.ts';
import { notificationsFor } from './notifications.ts';
import { otherParty } from './parties.ts';
import type { Actor, Agreement, AgreementStatus, HistoryEntry, Notification, PartyRole } from './schemas.ts';

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

/** What a breach case holds beside its report: enough to decide on it without reading the report. */
export type BreachCase = Pick<
  BreachRecord,
  'id' | 'reporter' | 'reportedAt' | 'becameAwareAt' | 'supervisoryAuthorityDeadline' | 'decision'
> & {
  /** Supplements made so far: the next one is numbered one more. */
  updateCount?: number;
  /** Questions asked so far: the next one is numbered one more. */
  questionCount?: number;
};

export const breachCaseOf = (record: BreachRecord): BreachCase => ({
  id: record.id,
  reporter: record.reporter,
  reportedAt: record.reportedAt,
  becameAwareAt: record.becameAwareAt,
  supervisoryAuthorityDeadline: record.supervisoryAuthorityDeadline,
});

/**
 * The controller's decision on a breach (GDPR Art. 33 and 34), once: whether and when Datatilsynet was
 * notified (with its reference) or why not, and whether and when the data subjects were told or why
 * not. A time it names may not lie in the future nor before the breach came to light. After the 72
 * hours (the decision itself, or a notification it names) the reasons for the delay are required
 * (Art. 33(1)); the decision is then recorded as late.
 */
export function newBreachDecision(input: {
  breach: BreachCase;
  request: BreachDecisionRequest;
  actor: Actor;
  now: Date;
}): BreachDecision {
  const { breach, request, actor, now } = input;
  if (breach.decision) {
    throw conflict(
      `The controller decided on this breach at ${breach.decision.decidedAt}; a decision is made once`,
    );
  }
  const aware = Date.parse(breach.becameAwareAt);
  const times = [
    ...(request.datatilsynet.notified ? [['datatilsynet.notifiedAt', request.datatilsynet.notifiedAt]] : []),
    ...(request.dataSubjects.informed ? [['dataSubjects.informedAt', request.dataSubjects.informedAt]] : []),
  ] as [string, string][];
  const wrong = times.flatMap(([field, value]) => {
    const at = Date.parse(value);
    if (at > now.getTime())
      return [{ field, message: `may not be in the future (it is now ${now.toISOString()})` }];
    if (at < aware)
      return [{ field, message: `may not be before the breach came to light (${breach.becameAwareAt})` }];
    return [];
  });
  const deadline = Date.parse(breach.supervisoryAuthorityDeadline);
  const late =
    now.getTime() > deadline ||
    (request.datatilsynet.notified && Date.parse(request.datatilsynet.notifiedAt) > deadline);
  if (late && !request.delayReason) {
    wrong.push({
      field: 'delayReason',
      message: `is required: the 72 hours ended ${breach.supervisoryAuthorityDeadline} (GDPR Art. 33(1))`,
    });
  }
  if (wrong.length > 0) {
    throw validationError(`The decision is invalid: ${wrong.map((error) => error.field).join(', ')}`, wrong);
  }
  const instant = (value: string) => new Date(value).toISOString();
  return {
    datatilsynet: request.datatilsynet.notified
      ? { ...request.datatilsynet, notifiedAt: instant(request.datatilsynet.notifiedAt) }
      : request.datatilsynet,
    dataSubjects: request.dataSubjects.informed
      ? { informed: true, informedAt: instant(request.dataSubjects.informedAt) }
      : request.dataSubjects,
    ...(request.delayReason ? { delayReason: request.delayReason } : {}),
    decidedAt: now.toISOString(),
    decidedBy: actor,
    late,
  };
}

export function decidedHistory(breach: BreachCase, decision: BreachDecision): HistoryEntry {
  return historyEntry(decision.decidedBy, 'BREACH_DECIDED', new Date(decision.decidedAt), {
    details: {
      breachId: breach.id,
      datatilsynetNotified: decision.datatilsynet.notified,
      dataSubjectsInformed: decision.dataSubjects.informed,
      late: decision.late,
    },
  });
}

export const BREACH_DECIDED = 'breach.decided';

/** The processor learns what the controller decided; keyed by the breach (a decision is made once). */
export function decisionNotifications(
  agreement: Pick<Agreement, 'id' | 'title' | 'controller' | 'processor'>,
  breach: BreachCase,
  decision: BreachDecision,
  at: Date,
): Notification[] {
  const authority = decision.datatilsynet.notified
    ? `Datatilsynet was notified (reference ${decision.datatilsynet.reference})`
    : 'Datatilsynet was not notified';
  const subjects = decision.dataSubjects.informed
    ? 'the data subjects were told'
    : 'the data subjects were not told';
  return notificationsFor(
    agreement,
    ['processor'],
    {
      type: BREACH_DECIDED,
      key: breach.id,
      subject: `The controller decided on the breach: ${authority}; ${subjects}${decision.late ? ' (after the 72 hours)' : ''}`,
      details: {
        breachId: breach.id,
        datatilsynetNotified: decision.datatilsynet.notified,
        ...(decision.datatilsynet.notified ? { notifiedAt: decision.datatilsynet.notifiedAt } : {}),
        dataSubjectsInformed: decision.dataSubjects.informed,
        decidedAt: decision.decidedAt,
        late: decision.late,
      },
    },
    at,
  );
}

/**
 * A supplement to a report by the party that made it (rule 16): new facts, measures taken, corrected
 * figures or categories, numbered in the order made. Corrected personal data categories outside the
 * agreement's scope are flagged as in the report.
 */
export function newBreachUpdate(input: {
  breach: BreachCase;
  role: PartyRole;
  scope: Pick<Agreement['scope'], 'personalDataTypes' | 'specialCategories'>;
  request: BreachUpdateRequest;
  actor: Actor;
  now: Date;
}): BreachUpdate {
  const { breach, role, scope, request, actor, now } = input;
  if (role !== breach.reporter) {
    throw forbidden(`Only the ${breach.reporter}, who reported the breach, adds to its report`);
  }
  const categories = request.corrections?.personalDataCategories;
  const outside = categories ? outsideScopeOf(scope, categories) : [];
  return {
    number: (breach.updateCount ?? 0) + 1,
    at: now.toISOString(),
    by: actor,
    ...request,
    ...(outside.length > 0 ? { outsideScope: outside } : {}),
  };
}

export function updatedHistory(breach: BreachCase, update: BreachUpdate): HistoryEntry {
  return historyEntry(update.by, 'BREACH_UPDATED', new Date(update.at), {
    details: {
      breachId: breach.id,
      number: update.number,
      ...(update.corrections ? { corrected: Object.keys(update.corrections) } : {}),
      ...(update.outsideScope ? { outsideScope: update.outsideScope } : {}),
    },
  });
}

export const BREACH_UPDATED = 'breach.updated';

/** The other party learns of each supplement, keyed by the breach and the supplement's number. */
export function updateNotifications(
  agreement: Pick<Agreement, 'id' | 'title' | 'controller' | 'processor'>,
  breach: BreachCase,
  update: BreachUpdate,
  at: Date,
): Notification[] {
  const outside = update.outsideScope
    ? `; it names personal data outside the agreement's scope (${update.outsideScope.join(', ')})`
    : '';
  return notificationsFor(
    agreement,
    [otherParty(breach.reporter)],
    {
      type: BREACH_UPDATED,
      key: `${breach.id}-${update.number}`,
      subject: `Supplement ${update.number} to the breach report by the ${breach.reporter}${outside}`,
      details: {
        breachId: breach.id,
        number: update.number,
        ...(update.corrections ? { corrected: Object.keys(update.corrections) } : {}),
        ...(update.outsideScope ? { outsideScope: update.outsideScope } : {}),
      },
    },
    at,
  );
}

export const NO_SUCH_QUESTION = 'No such question on this breach report';

/**
 * A question about a breach by the party that received the report (rule 16: the controller asks what
 * the processor answers; the other way round for the controller's own report), numbered as asked.
 */
export function newBreachQuestion(input: {
  breach: BreachCase;
  role: PartyRole;
  question: string;
  actor: Actor;
  now: Date;
}): BreachQuestion {
  const { breach, role, question, actor, now } = input;
  const asker = otherParty(breach.reporter);
  if (role !== asker) throw forbidden(`Only the ${asker}, who received the report, asks about it`);
  return { number: (breach.questionCount ?? 0) + 1, askedAt: now.toISOString(), askedBy: actor, question };
}

/** The reporting party answers a question, once. */
export function answeredQuestion(input: {
  breach: BreachCase;
  question: BreachQuestion | undefined;
  role: PartyRole;
  answer: string;
  actor: Actor;
  now: Date;
}): BreachQuestion {
  const { breach, question, role, answer, actor, now } = input;
  if (!question) throw notFound(NO_SUCH_QUESTION);
  if (role !== breach.reporter)
    throw forbidden(`Only the ${breach.reporter}, who reported the breach, answers`);
  if (question.answer !== undefined) {
    throw conflict(
      `Question ${question.number} was answered at ${question.answeredAt}; an answer is given once`,
    );
  }
  return { ...question, answer, answeredAt: now.toISOString(), answeredBy: actor };
}

export function questionHistory(breach: BreachCase, question: BreachQuestion): HistoryEntry {
  const answered = question.answer !== undefined;
  return historyEntry(
    answered ? question.answeredBy! : question.askedBy,
    answered ? 'BREACH_QUESTION_ANSWERED' : 'BREACH_QUESTION_ASKED',
    new Date(answered ? question.answeredAt! : question.askedAt),
    { details: { breachId: breach.id, question: question.number } },
  );
}

export const BREACH_QUESTION = 'breach.question';
export const BREACH_ANSWERED = 'breach.answered';

/** A question goes to the party that reported; its answer to the one that asked. */
export function questionNotifications(
  agreement: Pick<Agreement, 'id' | 'title' | 'controller' | 'processor'>,
  breach: BreachCase,
  question: BreachQuestion,
  at: Date,
): Notification[] {
  const answered = question.answer !== undefined;
  return notificationsFor(
    agreement,
    [answered ? otherParty(breach.reporter) : breach.reporter],
    {
      type: answered ? BREACH_ANSWERED : BREACH_QUESTION,
      key: `${breach.id}-${question.number}`,
      subject: answered
        ? `Question ${question.number} about the breach report was answered`
        : `Question ${question.number} about your breach report: answer it`,
      details: { breachId: breach.id, question: question.number },
    },
    at,
  );
}
