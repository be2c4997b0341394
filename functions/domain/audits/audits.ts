import { createHash } from 'node:crypto';
import { addDays, addMonths, compareDates, laterDate, osloDate } from '../calendar.ts';
import { historyEntry } from '../changes.ts';
import { conflict, forbidden, validationError } from '../errors.ts';
import { notificationsFor } from '../notifications.ts';
import { otherParty } from '../parties.ts';
import type { Actor, Agreement, AgreementStatus, HistoryEntry, Notification, PartyRole } from '../schemas.ts';
import {
  type AuditDocument,
  type AuditFinding,
  type AuditFindingRequest,
  type AuditMaterial,
  type AuditMaterialRequest,
  type AuditRecord,
  type CloseAuditRequest,
  type FindingClosureRequest,
  MAX_INLINE_CONTENT_BYTES,
  type PlanAuditRequest,
} from './schemas.ts';

/**
 * Rule 16, oversight audits (003 §11, 004): the controller plans an audit (a document review, an
 * on-site audit, or a third-party audit report) with a due date, once or as a recurring plan; the
 * processor submits its material; the controller records findings, each with a deadline and the party
 * responsible for closing it; that party records how it was closed; the controller closes the audit
 * once no finding is open, and the next audit of a recurring plan is planned with that close.
 */

/** An audit is planned and followed up while the agreement binds the parties. */
export const AUDIT_STATES: readonly AgreementStatus[] = ['IN_FORCE', 'NOTICE_PERIOD'];
export const NO_SUCH_AUDIT = 'No such oversight audit on this agreement';
export const NO_SUCH_FINDING = 'No such finding on this oversight audit';

/** What the audit's own item holds: the record without its material and findings, with their counts. */
export type AuditHead = Omit<AuditRecord, 'material' | 'findings'> & {
  /** Submissions of material so far: the next is numbered one more. */
  materialCount?: number;
  /** Findings recorded so far: the next is numbered one more. */
  findingCount?: number;
};

type Titled = Pick<Agreement, 'id' | 'title' | 'controller' | 'processor'>;

function requireAuditState(agreement: Pick<Agreement, 'status'>, what: string): void {
  if (!AUDIT_STATES.includes(agreement.status)) {
    throw conflict(
      `${what} only while the agreement is ${AUDIT_STATES.join(' or ')}; it is ${agreement.status}`,
      agreement.status,
    );
  }
}

function requireRole(role: PartyRole, required: PartyRole, what: string): void {
  if (role !== required) throw forbidden(`Only the ${required} ${what}`);
}

function requireOpen(audit: AuditHead, what: string): void {
  if (audit.status === 'CLOSED') {
    throw conflict(`The oversight audit was closed at ${audit.closedAt}; ${what} only while it is open`);
  }
}

function invalid(field: string, message: string): never {
  throw validationError(`The request is invalid: ${field}`, [{ field, message }]);
}

/** The controller plans an audit: due today or later; with a recurrence, the first of a plan. */
export function newAudit(input: {
  agreement: Pick<Agreement, 'status'>;
  role: PartyRole;
  request: PlanAuditRequest;
  actor: Actor;
  id: string;
  now: Date;
}): AuditHead {
  const { agreement, role, request, actor, id, now } = input;
  requireRole(role, 'controller', 'plans oversight audits');
  requireAuditState(agreement, 'An oversight audit is planned');
  const today = osloDate(now);
  if (compareDates(request.dueOn, today) < 0) invalid('dueOn', `may not be before today (${today})`);
  return {
    id,
    type: request.type,
    scope: request.scope,
    dueOn: request.dueOn,
    status: 'PLANNED',
    ...(request.recurrence
      ? {
          recurrence: {
            everyMonths: request.recurrence.everyMonths,
            firstDueOn: request.dueOn,
            occurrence: 1,
          },
        }
      : {}),
    plannedAt: now.toISOString(),
    plannedBy: actor,
    openFindings: 0,
  };
}

const sha256Hex = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/**
 * The processor's material: documents with their SHA-256 (the content of small files checked against
 * its size and hash), a third-party report's summary (required for a THIRD_PARTY_REPORT audit), or both.
 * The first submission moves the audit to MATERIAL_SUBMITTED; more may follow while it is open.
 */
export function newMaterial(input: {
  agreement: Pick<Agreement, 'status'>;
  audit: AuditHead;
  role: PartyRole;
  request: AuditMaterialRequest;
  actor: Actor;
  now: Date;
}): AuditMaterial {
  const { agreement, audit, role, request, actor, now } = input;
  requireRole(role, 'processor', 'submits material for an oversight audit');
  requireAuditState(agreement, 'Material is submitted');
  requireOpen(audit, 'material is submitted');
  if (audit.type === 'THIRD_PARTY_REPORT' && !request.thirdPartyReport) {
    invalid('thirdPartyReport', 'is required for a THIRD_PARTY_REPORT audit');
  }
  const today = osloDate(now);
  const report = request.thirdPartyReport;
  if (report) {
    if (compareDates(report.period.from, report.period.to) > 0) {
      invalid('thirdPartyReport.period.to', 'may not be before period.from');
    }
    if (compareDates(report.reportDate, today) > 0) {
      invalid('thirdPartyReport.reportDate', `may not be in the future (today is ${today})`);
    }
  }
  let inline = 0;
  const documents = request.documents?.map((document, index): AuditDocument => {
    const { content, ...metadata } = document;
    if (content === undefined) return { ...metadata, contentStored: false };
    const bytes = Buffer.from(content, 'base64');
    const field = `documents.${index}.content`;
    inline += bytes.length;
    if (bytes.length !== document.size)
      invalid(field, `holds ${bytes.length} bytes, not size ${document.size}`);
    if (inline > MAX_INLINE_CONTENT_BYTES) {
      invalid(
        field,
        `content is taken for at most ${MAX_INLINE_CONTENT_BYTES} bytes in all; give the SHA-256 alone`,
      );
    }
    if (sha256Hex(bytes) !== document.sha256) invalid(field, 'does not match sha256');
    return { ...metadata, contentStored: true, content };
  });
  return {
    number: (audit.materialCount ?? 0) + 1,
    at: now.toISOString(),
    by: actor,
    ...(documents ? { documents } : {}),
    ...(report ? { thirdPartyReport: report } : {}),
    ...(request.note ? { note: request.note } : {}),
  };
}

/** The controller records a finding with its deadline (today or later) and the party that closes it. */
export function newFinding(input: {
  agreement: Pick<Agreement, 'status'>;
  audit: AuditHead;
  role: PartyRole;
  request: AuditFindingRequest;
  actor: Actor;
  now: Date;
}): AuditFinding {
  const { agreement, audit, role, request, actor, now } = input;
  requireRole(role, 'controller', 'records findings of an oversight audit');
  requireAuditState(agreement, 'A finding is recorded');
  requireOpen(audit, 'findings are recorded');
  const today = osloDate(now);
  if (compareDates(request.deadline, today) < 0) invalid('deadline', `may not be before today (${today})`);
  return {
    number: (audit.findingCount ?? 0) + 1,
    status: 'OPEN',
    description: request.description,
    deadline: request.deadline,
    responsible: request.responsible,
    ...(request.severity ? { severity: request.severity } : {}),
    recordedAt: now.toISOString(),
    recordedBy: actor,
  };
}

/**
 * The party responsible for a finding records how it was closed, once; the day it was closed may not
 * lie in the future nor before the finding was recorded. Closed after the deadline is marked late.
 */
export function closedFinding(input: {
  agreement: Pick<Agreement, 'status'>;
  finding: AuditFinding;
  role: PartyRole;
  request: FindingClosureRequest;
  actor: Actor;
  now: Date;
}): AuditFinding {
  const { agreement, finding, role, request, actor, now } = input;
  requireRole(role, finding.responsible, `closes finding ${finding.number}: it is responsible for it`);
  requireAuditState(agreement, 'A finding is closed');
  if (finding.status === 'CLOSED') {
    throw conflict(`Finding ${finding.number} was closed at ${finding.closedAt}; it is closed once`);
  }
  const today = osloDate(now);
  const closedOn = request.closedOn ?? today;
  if (compareDates(closedOn, today) > 0) invalid('closedOn', `may not be in the future (today is ${today})`);
  const recordedOn = osloDate(new Date(finding.recordedAt));
  if (compareDates(closedOn, recordedOn) < 0) {
    invalid('closedOn', `may not be before the finding was recorded (${recordedOn})`);
  }
  return {
    ...finding,
    status: 'CLOSED',
    howClosed: request.howClosed,
    closedOn,
    closedAt: now.toISOString(),
    closedBy: actor,
    closedLate: compareDates(closedOn, finding.deadline) > 0,
  };
}

/**
 * The due date of the next audit of a plan: the first due date plus as many periods as audits so far,
 * on the end-of-month rule (31 January, every month: 28 February, then 31 March), and later than today
 * (a plan closed late skips the dates already passed).
 */
export function nextOccurrence(
  recurrence: NonNullable<AuditRecord['recurrence']>,
  today: string,
): { dueOn: string; occurrence: number } {
  let occurrence = recurrence.occurrence + 1;
  let dueOn = addMonths(recurrence.firstDueOn, recurrence.everyMonths * (occurrence - 1));
  while (compareDates(dueOn, today) <= 0) {
    occurrence += 1;
    dueOn = addMonths(recurrence.firstDueOn, recurrence.everyMonths * (occurrence - 1));
  }
  return { dueOn, occurrence };
}

/**
 * The controller closes an audit with its conclusion, once no finding is open (409 naming them). An
 * audit of a recurring plan plans the next with the same type, scope and period, unless the controller
 * ends the plan or the agreement terminates before the next would be due.
 */
export function closeAudit(input: {
  agreement: Pick<Agreement, 'status' | 'terminatesOn'>;
  audit: AuditHead;
  role: PartyRole;
  request: CloseAuditRequest;
  actor: Actor;
  nextId: string;
  now: Date;
}): { closed: AuditHead; next?: AuditHead } {
  const { agreement, audit, role, request, actor, nextId, now } = input;
  requireRole(role, 'controller', 'closes an oversight audit');
  requireAuditState(agreement, 'An oversight audit is closed');
  requireOpen(audit, 'it is closed');
  if (audit.openFindings > 0) {
    throw conflict(
      `The oversight audit has ${audit.openFindings} open finding(s); each is closed by the party responsible before the audit is closed`,
    );
  }
  const today = osloDate(now);
  const at = now.toISOString();
  const closedBase: AuditHead = {
    ...audit,
    status: 'CLOSED',
    closedAt: at,
    closedBy: actor,
    conclusion: request.conclusion,
    closedLate: compareDates(today, audit.dueOn) > 0,
  };
  if (!audit.recurrence) return { closed: closedBase };
  if (request.endRecurrence) return { closed: { ...closedBase, recurrenceEnded: 'by the controller' } };
  const { dueOn, occurrence } = nextOccurrence(audit.recurrence, today);
  if (agreement.terminatesOn && compareDates(dueOn, agreement.terminatesOn) > 0) {
    return {
      closed: {
        ...closedBase,
        recurrenceEnded: `the agreement terminates on ${agreement.terminatesOn}, before the next audit (${dueOn})`,
      },
    };
  }
  const next: AuditHead = {
    id: nextId,
    type: audit.type,
    scope: audit.scope,
    dueOn,
    status: 'PLANNED',
    recurrence: { ...audit.recurrence, occurrence },
    previousAuditId: audit.id,
    plannedAt: at,
    plannedBy: actor,
    openFindings: 0,
  };
  return { closed: { ...closedBase, nextAuditId: nextId }, next };
}

// Reminders (the daily run) ------------------------------------------------------------------------

export const AUDIT_DUE_REMINDER = 'oversight-due';
export const FINDING_REMINDER = 'oversight-finding';
/** Days before an audit's due date its parties are reminded. */
export const AUDIT_REMINDER_DAYS = 14;
/** Days before a finding's deadline the responsible party is reminded. */
export const FINDING_REMINDER_DAYS = 7;

export const auditReminderKind = (auditId: string) => `${AUDIT_DUE_REMINDER}#${auditId}`;
/** `<auditId>.<number>`: a subject holds no `#`. */
export const findingSubject = (auditId: string, number: number) => `${auditId}.${number}`;
export const findingReminderKind = (auditId: string, number: number) =>
  `${FINDING_REMINDER}#${findingSubject(auditId, number)}`;

/** Before a due date and weekly after it; the first no earlier than tomorrow (the change itself told today). */
function firstReminderOn(deadline: string, daysBefore: number, today: string): string {
  return laterDate(addDays(deadline, -daysBefore), addDays(today, 1));
}

export function auditReminder(agreementId: string, audit: Pick<AuditHead, 'id' | 'dueOn'>, today: string) {
  return {
    agreementId,
    kind: auditReminderKind(audit.id),
    dueOn: firstReminderOn(audit.dueOn, AUDIT_REMINDER_DAYS, today),
  };
}

export function findingReminder(agreementId: string, auditId: string, finding: AuditFinding, today: string) {
  return {
    agreementId,
    kind: findingReminderKind(auditId, finding.number),
    dueOn: firstReminderOn(finding.deadline, FINDING_REMINDER_DAYS, today),
  };
}

// History and notifications ----------------------------------------------------------------------

export const OVERSIGHT_PLANNED = 'oversight.planned';
export const OVERSIGHT_MATERIAL_SUBMITTED = 'oversight.material-submitted';
export const OVERSIGHT_FINDING_RECORDED = 'oversight.finding-recorded';
export const OVERSIGHT_FINDING_CLOSED = 'oversight.finding-closed';
export const OVERSIGHT_CLOSED = 'oversight.closed';

export function plannedHistory(audit: AuditHead): HistoryEntry {
  return historyEntry(audit.plannedBy, 'OVERSIGHT_PLANNED', new Date(audit.plannedAt), {
    details: {
      auditId: audit.id,
      type: audit.type,
      dueOn: audit.dueOn,
      ...(audit.recurrence
        ? { everyMonths: audit.recurrence.everyMonths, occurrence: audit.recurrence.occurrence }
        : {}),
      ...(audit.previousAuditId ? { previousAuditId: audit.previousAuditId } : {}),
    },
  });
}

/** The processor learns of a planned audit: what, and by when its material is due. */
export function plannedNotifications(agreement: Titled, audit: AuditHead, at: Date): Notification[] {
  return notificationsFor(
    agreement,
    ['processor'],
    {
      type: OVERSIGHT_PLANNED,
      key: audit.id,
      subject: `The controller planned an oversight audit (${audit.type}) due ${audit.dueOn}`,
      details: {
        auditId: audit.id,
        type: audit.type,
        dueOn: audit.dueOn,
        ...(audit.recurrence ? { everyMonths: audit.recurrence.everyMonths } : {}),
      },
    },
    at,
  );
}

export function materialHistory(audit: AuditHead, material: AuditMaterial): HistoryEntry {
  return historyEntry(material.by, 'OVERSIGHT_MATERIAL_SUBMITTED', new Date(material.at), {
    details: {
      auditId: audit.id,
      number: material.number,
      documents:
        material.documents?.map((document) => ({ name: document.name, sha256: document.sha256 })) ?? [],
      thirdPartyReport: material.thirdPartyReport !== undefined,
    },
  });
}

export function materialNotifications(
  agreement: Titled,
  audit: AuditHead,
  material: AuditMaterial,
  at: Date,
): Notification[] {
  return notificationsFor(
    agreement,
    ['controller'],
    {
      type: OVERSIGHT_MATERIAL_SUBMITTED,
      key: `${audit.id}:${material.number}`,
      subject: `The processor submitted material for the oversight audit due ${audit.dueOn}`,
      details: {
        auditId: audit.id,
        number: material.number,
        dueOn: audit.dueOn,
        documents: material.documents?.length ?? 0,
        thirdPartyReport: material.thirdPartyReport !== undefined,
      },
    },
    at,
  );
}

export function findingHistory(audit: AuditHead, finding: AuditFinding): HistoryEntry {
  return historyEntry(finding.recordedBy, 'OVERSIGHT_FINDING_RECORDED', new Date(finding.recordedAt), {
    details: {
      auditId: audit.id,
      number: finding.number,
      deadline: finding.deadline,
      responsible: finding.responsible,
      ...(finding.severity ? { severity: finding.severity } : {}),
    },
  });
}

/** Both parties learn of a finding: the processor is audited, and either may be the one to close it. */
export function findingNotifications(
  agreement: Titled,
  audit: AuditHead,
  finding: AuditFinding,
  at: Date,
): Notification[] {
  return notificationsFor(
    agreement,
    ['processor'],
    {
      type: OVERSIGHT_FINDING_RECORDED,
      key: `${audit.id}:${finding.number}`,
      subject: `Finding ${finding.number} of the oversight audit, to be closed by the ${finding.responsible} by ${finding.deadline}`,
      details: {
        auditId: audit.id,
        number: finding.number,
        deadline: finding.deadline,
        responsible: finding.responsible,
        ...(finding.severity ? { severity: finding.severity } : {}),
      },
    },
    at,
  );
}

export function findingClosedHistory(audit: AuditHead, finding: AuditFinding): HistoryEntry {
  return historyEntry(finding.closedBy, 'OVERSIGHT_FINDING_CLOSED', new Date(finding.closedAt!), {
    details: {
      auditId: audit.id,
      number: finding.number,
      closedOn: finding.closedOn,
      closedLate: finding.closedLate,
    },
  });
}

/** The other party learns that a finding was closed, and how to read how. */
export function findingClosedNotifications(
  agreement: Titled,
  audit: AuditHead,
  finding: AuditFinding,
  at: Date,
): Notification[] {
  return notificationsFor(
    agreement,
    [otherParty(finding.responsible)],
    {
      type: OVERSIGHT_FINDING_CLOSED,
      key: `${audit.id}:${finding.number}`,
      subject: `Finding ${finding.number} of the oversight audit was closed by the ${finding.responsible}`,
      details: {
        auditId: audit.id,
        number: finding.number,
        closedOn: finding.closedOn,
        deadline: finding.deadline,
        closedLate: finding.closedLate,
        openFindings: Math.max(audit.openFindings - 1, 0),
      },
    },
    at,
  );
}

export function closedHistory(audit: AuditHead): HistoryEntry {
  return historyEntry(audit.closedBy, 'OVERSIGHT_CLOSED', new Date(audit.closedAt!), {
    details: {
      auditId: audit.id,
      closedLate: audit.closedLate,
      ...(audit.nextAuditId ? { nextAuditId: audit.nextAuditId } : {}),
      ...(audit.recurrenceEnded ? { recurrenceEnded: audit.recurrenceEnded } : {}),
    },
  });
}

/** The processor learns the conclusion and, for a plan, when the next audit is due. */
export function closedNotifications(
  agreement: Titled,
  audit: AuditHead,
  next: AuditHead | undefined,
  at: Date,
): Notification[] {
  return notificationsFor(
    agreement,
    ['processor'],
    {
      type: OVERSIGHT_CLOSED,
      key: audit.id,
      subject: `The controller closed the oversight audit due ${audit.dueOn}${next ? `; the next is due ${next.dueOn}` : ''}`,
      details: {
        auditId: audit.id,
        dueOn: audit.dueOn,
        ...(next ? { nextAuditId: next.id, nextDueOn: next.dueOn } : {}),
      },
    },
    at,
  );
}
