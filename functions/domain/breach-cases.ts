import type {
  BreachDecision,
  BreachDecisionRequest,
  BreachQuestion,
  BreachRecord,
  BreachUpdate,
  BreachUpdateRequest,
} from './breach-schemas.ts';
import { outsideScopeOf } from './breaches.ts';
import { historyEntry } from './changes.ts';
import { conflict, forbidden, notFound, validationError } from './errors.ts';
import { notificationsFor } from './notifications.ts';
import { otherParty } from './parties.ts';
import type { Actor, Agreement, HistoryEntry, Notification, PartyRole } from './schemas.ts';

/**
 * Rule 16, breaches as cases: what follows a report. The reporting party supplements it, the other
 * party asks and the reporter answers, and the controller records its decision on Datatilsynet and
 * the data subjects (GDPR Art. 33 and 34) within 72 hours of becoming aware, or gives the reasons for
 * the delay.
 */

/** What a breach case holds beside its report: enough to decide on it without reading the report. */
export type BreachCase = Pick<
  BreachRecord,
  'id' | 'reporter' | 'reportedAt' | 'becameAwareAt' | 'supervisoryAuthorityDeadline' | 'decision'
> & {
  /** Supplements made so far: the next one is numbered one more. */
  updateCount?: number;
  /** Questions asked so far: the next one is numbered one more. */
  questionCount?: number;
  /** When the 72 hours passed without a decision, as the workflow recorded it. */
  deadlinePassedAt?: string;
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

/** The controller's 72 hours, marked at 24 and 48 (reminders), 66 (escalation) and 72 (the deadline). */
export type DeadlineStep = 'REMINDER_24' | 'REMINDER_48' | 'ESCALATION_66' | 'DEADLINE_72';

const HOUR_MS = 3_600_000;

/** The instants of the marks, counted from when the controller became aware (the workflow's Waits). */
export function deadlineMarks(controllerAwareAt: string) {
  const at = (hours: number) => new Date(Date.parse(controllerAwareAt) + hours * HOUR_MS).toISOString();
  return { reminder24: at(24), reminder48: at(48), escalation: at(66), deadline: at(72) };
}

/**
 * Whether a mark's step still has something to say: nothing once the controller has decided; a
 * reminder or the escalation not once the next mark has passed too (a workflow that started late, or
 * waited long for a retry, says only the latest); the deadline always, once.
 */
export function deadlineStepDue(
  breach: BreachCase,
  step: DeadlineStep,
  nextAt: string | undefined,
  now: Date,
) {
  if (breach.decision || breach.deadlinePassedAt) return false;
  return step === 'DEADLINE_72' || nextAt === undefined || now.getTime() < Date.parse(nextAt);
}

export const BREACH_DECISION_REMINDER = 'reminder.breach-decision';
export const BREACH_DECISION_ESCALATION = 'escalation.breach-decision';
export const BREACH_DEADLINE_PASSED = 'breach.deadline-passed';

/**
 * What a mark tells: the controller is reminded at 24 and 48 hours; both organisations hear at 66 hours
 * that 6 are left and at 72 that they have passed without a decision. Keyed by the breach and the
 * step, so a retried step sends nothing twice.
 */
export function deadlineStepNotifications(
  agreement: Pick<Agreement, 'id' | 'title' | 'controller' | 'processor'>,
  breach: BreachCase,
  step: DeadlineStep,
  at: Date,
): Notification[] {
  const details = {
    breachId: breach.id,
    step,
    supervisoryAuthorityDeadline: breach.supervisoryAuthorityDeadline,
  };
  const key = `${breach.id}-${step}`;
  if (step === 'REMINDER_24' || step === 'REMINDER_48') {
    const hours = step === 'REMINDER_24' ? 48 : 24;
    return notificationsFor(
      agreement,
      ['controller'],
      {
        type: BREACH_DECISION_REMINDER,
        key,
        subject: `Decide on notifying Datatilsynet of the breach: about ${hours} hours are left (GDPR Art. 33)`,
        details,
      },
      at,
    );
  }
  return notificationsFor(
    agreement,
    ['controller', 'processor'],
    step === 'ESCALATION_66'
      ? {
          type: BREACH_DECISION_ESCALATION,
          key,
          subject:
            'Six hours are left of the controller’s 72 hours to decide on notifying Datatilsynet of the breach',
          details,
        }
      : {
          type: BREACH_DEADLINE_PASSED,
          key,
          subject:
            'The 72 hours to decide on notifying Datatilsynet of the breach have passed without a decision: a decision now needs the reasons for the delay',
          details,
        },
    at,
  );
}

/** DEADLINE_PASSED in the agreement's history, by the workflow. */
export function deadlinePassedHistory(breach: BreachCase, at: Date): HistoryEntry {
  return historyEntry(
    { orgNumber: 'system', clientId: 'breachDeadline-workflow' },
    'BREACH_DEADLINE_PASSED',
    at,
    {
      details: { breachId: breach.id, supervisoryAuthorityDeadline: breach.supervisoryAuthorityDeadline },
    },
  );
}
