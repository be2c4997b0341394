import type { Amendment } from '../amendments/schemas.ts';
import type { BreachRecord } from '../breach-schemas.ts';
import { addDays, compareDates, osloDate } from '../calendar.ts';
import type { StoredRequest } from '../forwarded-requests/rules.ts';
import type { RequestTask } from '../forwarded-requests/schemas.ts';
import type { Instruction } from '../instructions/schemas.ts';
import type { Agreement } from '../schemas.ts';
import type { SubProcessorRecord } from '../sub-processor-schemas.ts';

/**
 * Rule 15: the deadlines a party's calendar feed lists. Each comes from one subject (the agreement
 * itself, or one of its sub-processor requests, amendments or breach reports) as that subject stands;
 * the store keeps one calendar entry per subject and party, written with the change that set or ended
 * the deadlines (functions/store/calendar-feeds-store.ts), so the feed reads them in one query.
 */
export type DeadlineKind =
  | 'signature'
  | 'termination-30-days'
  | 'termination-7-days'
  | 'termination'
  | 'retention-review'
  | 'sub-processor-decision'
  | 'amendment-signature'
  | 'breach-notification'
  | 'breach-supervisory-authority'
  | 'oversight-due'
  | 'oversight-finding'
  | 'instruction-answer'
  | 'instruction-effective'
  | 'request-answer'
  | 'request-task';

/** A deadline on a calendar date in Oslo (an all-day event), or at an instant (a timed event). */
export type Deadline = { kind: DeadlineKind; on: string } | { kind: DeadlineKind; at: string };

export type CalendarSubject =
  | { type: 'agreement' }
  | { type: 'sub-processor'; id: string; name: string }
  | { type: 'amendment'; id: string; number: number }
  | { type: 'breach'; id: string; reportedAt: string; notificationHours: number }
  | { type: 'instruction'; id: string; number: number; title: string }
  | { type: 'request'; id: string; from: 'DATA_SUBJECT' | 'DATATILSYNET'; kind?: string }
  | { type: 'request-task'; id: string; requestId: string; number: number }
  | { type: 'retention'; legalBasis: string }
  | { type: 'oversight'; id: string; auditType: string }
  | { type: 'oversight-finding'; id: string; number: number; responsible: 'controller' | 'processor' };

/** The deadlines of one subject of one agreement, as a party's feed shows them. */
export interface CalendarEntry {
  agreementId: string;
  title: string;
  subject: CalendarSubject;
  deadlines: Deadline[];
}

/** The days before `terminatesOn` on which the parties are reminded (as the daily reminder run does). */
export const TERMINATION_MARKS = [30, 7] as const;

type AgreementDates = Pick<
  Agreement,
  'id' | 'title' | 'status' | 'signatureDeadline' | 'terminatesOn' | 'attestation'
>;

/**
 * What the agreement's own state sets: its signature deadline while it awaits signatures; while under
 * notice, the day it terminates and the 30- and 7-day marks before it; while data are retained under
 * law (rule 6), the review date. None in any other state.
 */
export function agreementEntry(agreement: AgreementDates): CalendarEntry | undefined {
  const base = { agreementId: agreement.id, title: agreement.title };
  if (agreement.status === 'AWAITING_SIGNATURES' && agreement.signatureDeadline) {
    return {
      ...base,
      subject: { type: 'agreement' },
      deadlines: [{ kind: 'signature', on: agreement.signatureDeadline }],
    };
  }
  if (agreement.status === 'NOTICE_PERIOD' && agreement.terminatesOn) {
    const terminatesOn = agreement.terminatesOn;
    return {
      ...base,
      subject: { type: 'agreement' },
      deadlines: [
        { kind: 'termination-30-days', on: addDays(terminatesOn, -30) },
        { kind: 'termination-7-days', on: addDays(terminatesOn, -7) },
        { kind: 'termination', on: terminatesOn },
      ],
    };
  }
  const retained = agreement.attestation?.retainedUnderLaw;
  if (agreement.status === 'RETAINED_UNDER_LAW' && retained) {
    return {
      ...base,
      subject: { type: 'retention', legalBasis: retained.legalBasis },
      deadlines: [{ kind: 'retention-review', on: retained.reviewOn }],
    };
  }
  return undefined;
}

type Titled = Pick<Agreement, 'id' | 'title'>;

/** A request awaiting the controller's decision: the last day to decide (rule 7). */
export function subProcessorEntry(agreement: Titled, record: SubProcessorRecord): CalendarEntry | undefined {
  if (record.status !== 'REQUESTED' || !record.decisionDeadline) return undefined;
  return {
    agreementId: agreement.id,
    title: agreement.title,
    subject: { type: 'sub-processor', id: record.id, name: record.name },
    deadlines: [{ kind: 'sub-processor-decision', on: record.decisionDeadline }],
  };
}

/** An amendment awaiting signatures: the last day both must have signed (rule 13). */
export function amendmentEntry(agreement: Titled, amendment: Amendment): CalendarEntry | undefined {
  if (amendment.status !== 'AWAITING_SIGNATURES') return undefined;
  return {
    agreementId: agreement.id,
    title: agreement.title,
    subject: { type: 'amendment', id: amendment.id, number: amendment.number },
    deadlines: [{ kind: 'amendment-signature', on: amendment.signatureDeadline }],
  };
}

/**
 * A breach report (rule 9): the processor's notification deadline (the agreed hours after it became
 * aware) and the controller's deadline towards Datatilsynet (72 hours, GDPR Art. 33), as instants.
 */
export function breachEntry(
  agreement: Titled & Pick<Agreement, 'breachNotificationHours'>,
  record: BreachRecord,
): CalendarEntry {
  return {
    agreementId: agreement.id,
    title: agreement.title,
    subject: {
      type: 'breach',
      id: record.id,
      reportedAt: record.reportedAt,
      notificationHours: agreement.breachNotificationHours,
    },
    deadlines: [
      // The processor's own deadline, for its report; a controller's report has none.
      ...(record.notificationDeadline
        ? [{ kind: 'breach-notification' as const, at: record.notificationDeadline }]
        : []),
      { kind: 'breach-supervisory-authority', at: record.supervisoryAuthorityDeadline },
    ],
  };
}

/** An open oversight audit (rule 16): its due date. None once it is closed. */
export function oversightEntry(
  agreement: Titled,
  audit: { id: string; type: string; dueOn: string; status: string },
): CalendarEntry | undefined {
  if (audit.status === 'CLOSED') return undefined;
  return {
    agreementId: agreement.id,
    title: agreement.title,
    subject: { type: 'oversight', id: audit.id, auditType: audit.type },
    deadlines: [{ kind: 'oversight-due', on: audit.dueOn }],
  };
}

/** An open finding of an oversight audit: the last day for the responsible party to close it. */
export function oversightFindingEntry(
  agreement: Titled,
  auditId: string,
  finding: { number: number; deadline: string; status: string; responsible: 'controller' | 'processor' },
): CalendarEntry | undefined {
  if (finding.status !== 'OPEN') return undefined;
  return {
    agreementId: agreement.id,
    title: agreement.title,
    subject: {
      type: 'oversight-finding',
      id: `${auditId}.${finding.number}`,
      number: finding.number,
      responsible: finding.responsible,
    },
    deadlines: [{ kind: 'oversight-finding', on: finding.deadline }],
  };
}

/**
 * A documented instruction (rule 16): while it awaits the processor's answer, the day it is to apply
 * from (the processor acknowledges or objects before then); once acknowledged or confirmed, the day it
 * binds. None while it is held by an objection, nor once withdrawn.
 */
export function instructionEntry(agreement: Titled, instruction: Instruction): CalendarEntry | undefined {
  const deadline: Deadline | undefined =
    instruction.status === 'AWAITING_ACKNOWLEDGEMENT'
      ? { kind: 'instruction-answer', on: instruction.effectiveFrom }
      : instruction.inEffectFrom &&
          (instruction.status === 'ACKNOWLEDGED' || instruction.status === 'CONFIRMED')
        ? { kind: 'instruction-effective', on: instruction.inEffectFrom }
        : undefined;
  if (!deadline) return undefined;
  return {
    agreementId: agreement.id,
    title: agreement.title,
    subject: {
      type: 'instruction',
      id: instruction.id,
      number: instruction.number,
      title: instruction.title,
    },
    deadlines: [deadline],
  };
}

/** A forwarded request still open (rule 16): the controller's last day to answer. */
export function requestEntry(
  agreement: Titled,
  request: Pick<StoredRequest, 'id' | 'from' | 'kind' | 'status' | 'answerDeadline'>,
): CalendarEntry | undefined {
  if (request.status !== 'OPEN') return undefined;
  return {
    agreementId: agreement.id,
    title: agreement.title,
    subject: {
      type: 'request',
      id: request.id,
      from: request.from,
      ...(request.kind ? { kind: request.kind } : {}),
    },
    deadlines: [{ kind: 'request-answer', on: request.answerDeadline }],
  };
}

/** An assistance task not done yet: the day the controller asked it done by. */
export function requestTaskEntry(
  agreement: Titled,
  requestId: string,
  task: Pick<RequestTask, 'number' | 'dueOn' | 'status'>,
): CalendarEntry | undefined {
  if (task.status !== 'OPEN') return undefined;
  return {
    agreementId: agreement.id,
    title: agreement.title,
    subject: { type: 'request-task', id: `${requestId}.${task.number}`, requestId, number: task.number },
    deadlines: [{ kind: 'request-task', on: task.dueOn }],
  };
}

/** The Oslo calendar date a deadline falls on. */
export const dayOf = (deadline: Deadline): string =>
  'on' in deadline ? deadline.on : osloDate(new Date(deadline.at));

/** The entry's last day: it has upcoming deadlines as long as today is not after it. */
export function lastDayOf(entry: CalendarEntry): string {
  return entry.deadlines.map(dayOf).reduce((last, day) => (compareDates(day, last) > 0 ? day : last));
}

/** What `subject` names in stable ids: `agreement`, or the type and id of the request, amendment or report. */
export function subjectKey(subject: CalendarSubject): string {
  return 'id' in subject ? `${subject.type}-${subject.id}` : 'agreement';
}

/**
 * A deadline's UID: the agreement, the kind and the subject, and nothing that changes, so a calendar
 * client that fetches the feed again updates the event instead of adding a second one.
 */
export const uidOf = (entry: CalendarEntry, deadline: Deadline): string =>
  `${entry.agreementId}.${deadline.kind}.${subjectKey(entry.subject)}@databehandleravtaler`;

/**
 * The deadlines still ahead at `now`: an all-day one until its day has ended in Oslo, a timed one
 * until its instant; nearest first.
 */
export function upcomingDeadlines(
  entries: readonly CalendarEntry[],
  now: Date,
): { entry: CalendarEntry; deadline: Deadline }[] {
  const today = osloDate(now);
  return entries
    .flatMap((entry) => entry.deadlines.map((deadline) => ({ entry, deadline })))
    .filter(({ deadline }) =>
      'on' in deadline ? compareDates(deadline.on, today) >= 0 : new Date(deadline.at) >= now,
    )
    .sort(
      (a, b) =>
        compareDates(dayOf(a.deadline), dayOf(b.deadline)) ||
        uidOf(a.entry, a.deadline).localeCompare(uidOf(b.entry, b.deadline)),
    );
}
