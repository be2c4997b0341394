import { addDays, compareDates, endOfOsloDay, osloDate } from './calendar.ts';
import { historyEntry } from './changes.ts';
import { conflict, notFound, validationError } from './errors.ts';
import { agreementAllowsProcessing } from './lifecycle.ts';
import { BOTH_PARTIES, notificationsFor } from './notifications.ts';
import { requireRole } from './parties.ts';
import type { Actor, Agreement, HistoryEntry, Notification, PartyRole } from './schemas.ts';
import { secondsUntilDeadline } from './signing.ts';
import { canonicalDataType, subProcessorContentIssues } from './sub-processor-rules.ts';
import type {
  AppendixEntry,
  DecisionRequest,
  ProcessingAuthorization,
  SubProcessorRecord,
  SubProcessorRequestBody,
  SubProcessorStatus,
  WithdrawRequest,
} from './sub-processor-schemas.ts';

/**
 * Rule 7 (sub-processors need the controller's specific prior written approval; silence is never
 * approval; Vedlegg 3 is versioned) and rule 8 (the processing gate), without any AWS.
 */

/** No decision within 30 days: the request expires. Open to the end of that day in Oslo. */
export const DECISION_PERIOD_DAYS = 30;

export const NO_SUCH_SUB_PROCESSOR = 'No such sub-processor on this agreement';
export const INITIAL_APPROVAL_REASON = 'Approved by the signatures of both parties';

type AgreementView = Pick<
  Agreement,
  'id' | 'title' | 'status' | 'terminatesOn' | 'controller' | 'processor' | 'scope'
>;

export function decisionDeadlineFor(requestedAt: Date): string {
  return addDays(osloDate(requestedAt), DECISION_PERIOD_DAYS);
}

export function decisionDeadlinePassed(deadline: string, now: Date): boolean {
  return now.getTime() >= endOfOsloDay(deadline).getTime();
}

/** How long the approval workflow waits for the decision (at least 1 s, so a late resume still expires). */
export function secondsUntilDecisionDeadline(deadline: string, now: Date): number {
  return secondsUntilDeadline(deadline, now);
}

/**
 * The status as the rules see it: a request whose deadline has passed is EXPIRED, even in the moment
 * before the workflow has recorded it (and for good if that workflow failed): silence never approves.
 */
export function effectiveStatus(record: SubProcessorRecord, now: Date): SubProcessorStatus {
  return record.status === 'REQUESTED' &&
    record.decisionDeadline !== undefined &&
    decisionDeadlinePassed(record.decisionDeadline, now)
    ? 'EXPIRED'
    : record.status;
}

/** The record as a caller sees it at `now` (see `effectiveStatus`). */
export function presented(record: SubProcessorRecord, now: Date): SubProcessorRecord {
  if (effectiveStatus(record, now) === record.status) return record;
  return { ...record, status: 'EXPIRED', expiredAt: endOfOsloDay(record.decisionDeadline!).toISOString() };
}

/** Why nothing may be processed under the agreement now (rule 8), or undefined when it may. */
function agreementNotInForce(agreement: AgreementView, now: Date): string | undefined {
  if (agreementAllowsProcessing(agreement, now)) return undefined;
  return agreement.status === 'IN_FORCE' || agreement.status === 'NOTICE_PERIOD'
    ? `it ended with ${agreement.terminatesOn}`
    : `status ${agreement.status}`;
}

function requireInForce(agreement: AgreementView, now: Date, action: string): void {
  const reason = agreementNotInForce(agreement, now);
  if (reason) {
    throw conflict(
      `${action} only while the agreement is in force or in its notice period (${reason})`,
      agreement.status,
    );
  }
}

const CONTENT_FIELDS = [
  'name',
  'orgNumber',
  'address',
  'processingLocation',
  'activities',
  'personalDataTypes',
  'transferMechanism',
] as const;

/** What makes two requests the same request: everything the processor asks about, in a fixed order. */
export const contentOf = (request: Pick<SubProcessorRecord, (typeof CONTENT_FIELDS)[number]>) =>
  JSON.stringify(CONTENT_FIELDS.map((field) => request[field] ?? null));

/** Until when a pending request blocks an identical one: the end of its decision day, then it expires. */
export const pendingUntil = (record: SubProcessorRecord): Date | undefined =>
  record.decisionDeadline ? endOfOsloDay(record.decisionDeadline) : undefined;

/**
 * POST /sub-processors: the processor asks for approval while the agreement is in force. Every content
 * rule is checked at once (the detail says what is wrong and why); an identical request still pending
 * is refused rather than sent to the controller twice.
 */
export function newSubProcessorRequest(input: {
  agreement: AgreementView;
  role: PartyRole;
  request: SubProcessorRequestBody;
  actor: Actor;
  existing: readonly SubProcessorRecord[];
  id: string;
  now: Date;
}): SubProcessorRecord {
  const { agreement, role, request, now } = input;
  requireRole(role, 'processor', 'request approval of a sub-processor');
  requireInForce(agreement, now, 'A sub-processor can be requested');
  const issues = subProcessorContentIssues(request, agreement);
  if (issues.length > 0) {
    const errors = issues.map((issue) => ({ field: issue.path.join('.'), message: issue.message }));
    throw validationError(
      `Invalid sub-processor request: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`,
      errors,
    );
  }
  const content = {
    ...request,
    personalDataTypes: [
      ...new Set(request.personalDataTypes.map((type) => canonicalDataType(agreement.scope, type)!)),
    ],
  };
  const duplicate = input.existing.find(
    (record) => effectiveStatus(record, now) === 'REQUESTED' && contentOf(record) === contentOf(content),
  );
  if (duplicate) {
    throw conflict(
      `An identical request for ${duplicate.name} already awaits the controller's decision (id ${duplicate.id})`,
      'REQUESTED',
    );
  }
  return {
    id: input.id,
    ...content,
    status: 'REQUESTED',
    requestedAt: now.toISOString(),
    requestedBy: input.actor,
    decisionDeadline: decisionDeadlineFor(now),
  };
}

function closedMessage(record: SubProcessorRecord, status: SubProcessorStatus): string {
  switch (status) {
    case 'EXPIRED':
      return `The request expired without a decision when ${record.decisionDeadline} ended (silence is never approval); the processor may request it again`;
    case 'WITHDRAWN':
      return 'The processor has withdrawn this sub-processor';
    default:
      return `The controller has already decided: ${status} on ${record.decision?.decidedOn}`;
  }
}

/** POST .../decision: the controller approves or rejects, in writing, once, before the deadline. */
export function decideOnRequest(input: {
  agreement: AgreementView;
  role: PartyRole;
  record: SubProcessorRecord | undefined;
  decision: DecisionRequest;
  actor: Actor;
  now: Date;
}): SubProcessorRecord {
  const { agreement, record, decision, now } = input;
  requireRole(input.role, 'controller', 'decide on a sub-processor');
  if (!record) throw notFound(NO_SUCH_SUB_PROCESSOR);
  const status = effectiveStatus(record, now);
  if (status !== 'REQUESTED') throw conflict(closedMessage(record, status), status);
  requireInForce(agreement, now, 'A sub-processor can be approved or rejected');
  // Rule 13: checked against the scope in force when it is decided, which an amendment may have
  // changed since the request; a request outside it can only be rejected.
  const outside = record.personalDataTypes.filter(
    (type) => canonicalDataType(agreement.scope, type) === undefined,
  );
  if (decision.decision === 'APPROVED' && outside.length > 0) {
    throw conflict(
      `The scope in force no longer covers ${outside.join(', ')}, which ${record.name} would process: the request can only be rejected`,
      status,
    );
  }
  return {
    ...record,
    status: decision.decision,
    decision: {
      decision: decision.decision,
      reason: decision.reason,
      signatory: decision.signatory,
      decidedOn: osloDate(now),
      decidedAt: now.toISOString(),
      decidedBy: input.actor,
    },
    ...(decision.decision === 'APPROVED' ? { approvedFrom: now.toISOString() } : {}),
  };
}

/**
 * POST .../withdraw: the processor withdraws a pending request, or stops using an approved
 * sub-processor, which then leaves Vedlegg 3 from this moment (a new appendix version).
 */
export function withdrawSubProcessor(input: {
  agreement: AgreementView;
  role: PartyRole;
  record: SubProcessorRecord | undefined;
  request: WithdrawRequest;
  actor: Actor;
  now: Date;
}): SubProcessorRecord {
  const { agreement, record, now } = input;
  requireRole(input.role, 'processor', 'withdraw a sub-processor');
  if (!record) throw notFound(NO_SUCH_SUB_PROCESSOR);
  const status = effectiveStatus(record, now);
  if (status !== 'REQUESTED' && status !== 'APPROVED') throw conflict(closedMessage(record, status), status);
  if (status === 'APPROVED') requireInForce(agreement, now, 'Vedlegg 3 can change');
  // Rule 10: nothing leaves the record without a stated reason; an approved sub-processor leaves Vedlegg 3.
  if (status === 'APPROVED' && !input.request.reason) {
    throw validationError('A reason is required', [
      { field: 'reason', message: 'is required to take an approved sub-processor out of Vedlegg 3' },
    ]);
  }
  const withdrawal = {
    withdrawnAt: now.toISOString(),
    withdrawnBy: input.actor,
    ...(input.request.reason ? { reason: input.request.reason } : {}),
  };
  return {
    ...record,
    status: 'WITHDRAWN',
    ...(status === 'APPROVED' ? { approvedUntil: now.toISOString() } : {}),
    withdrawal,
  };
}

/** The decision period is over: EXPIRED, or undefined when the request is no longer (or not yet) due to expire. */
export function expireRequest(record: SubProcessorRecord, now: Date): SubProcessorRecord | undefined {
  if (record.status !== 'REQUESTED' || !record.decisionDeadline) return undefined;
  if (!decisionDeadlinePassed(record.decisionDeadline, now)) return undefined;
  return { ...record, status: 'EXPIRED', expiredAt: endOfOsloDay(record.decisionDeadline).toISOString() };
}

// --- Vedlegg 3 -----------------------------------------------------------------------------------

/** The current version of Vedlegg 3: version 0 is the empty appendix before anything was approved. */
export interface AppendixHead {
  version: number;
  approved: AppendixEntry[];
}

export const EMPTY_APPENDIX: AppendixHead = { version: 0, approved: [] };

const entryOf = (record: SubProcessorRecord): AppendixEntry => ({
  id: record.id,
  name: record.name,
  personalDataTypes: record.personalDataTypes,
});

/** The history entry that records a version of Vedlegg 3 (its `details`: the version and its list). */
export const APPENDIX_VERSION_ENTRY = 'APPENDIX_3_VERSION';

/** Every change to the approved list is a new version of Vedlegg 3, recorded in the agreement's history. */
export function appendixChange(
  head: AppendixHead,
  change: { added: SubProcessorRecord } | { removed: SubProcessorRecord },
  actor: Actor | undefined,
  at: Date,
): { after: AppendixHead; history: HistoryEntry } {
  const added = 'added' in change ? change.added : undefined;
  const changedId = added?.id ?? ('removed' in change ? change.removed.id : '');
  const approved = head.approved.filter((entry) => entry.id !== changedId);
  const after = { version: head.version + 1, approved: added ? [...approved, entryOf(added)] : approved };
  return {
    after,
    history: historyEntry(actor, APPENDIX_VERSION_ENTRY, at, {
      details: {
        version: after.version,
        approved: after.approved,
        effectiveFrom: at.toISOString(),
        ...(added ? { added: changedId } : { removed: changedId }),
      },
    }),
  };
}

/**
 * Rule 7 and contract: the draft's sub-processors are approved by the two signatures, so they become
 * APPROVED, as version 1 of Vedlegg 3, at the moment the agreement enters into force, and not before.
 */
export function initialAppendix(
  agreement: Agreement,
  actor: Actor,
  at: Date,
  newId: () => string,
): { records: SubProcessorRecord[]; head?: AppendixHead; history: HistoryEntry[] } {
  if (agreement.subProcessors.length === 0) return { records: [], history: [] };
  const controllerSignature = agreement.signatures.find((signature) => signature.party === 'controller');
  const records = agreement.subProcessors.map(
    (subProcessor): SubProcessorRecord => ({
      id: newId(),
      ...subProcessor,
      personalDataTypes: subProcessor.personalDataTypes.map(
        (type) => canonicalDataType(agreement.scope, type) ?? type,
      ),
      status: 'APPROVED',
      requestedAt: agreement.submittedAt ?? at.toISOString(),
      requestedBy: agreement.createdBy,
      decision: {
        decision: 'APPROVED',
        reason: INITIAL_APPROVAL_REASON,
        signatory: controllerSignature?.signatory ?? { name: 'Unknown', title: 'Unknown' },
        decidedOn: agreement.effectiveFrom ?? osloDate(at),
        decidedAt: at.toISOString(),
      },
      approvedFrom: at.toISOString(),
    }),
  );
  const head = { version: 1, approved: records.map(entryOf) };
  return {
    records,
    head,
    history: [
      historyEntry(actor, APPENDIX_VERSION_ENTRY, at, {
        details: {
          version: 1,
          approved: head.approved,
          effectiveFrom: at.toISOString(),
          basis: INITIAL_APPROVAL_REASON,
        },
      }),
    ],
  };
}

/**
 * Vedlegg 3 as it stood at the end of `date` (Europe/Oslo): approved at or before that moment and not
 * withdrawn before it, each shown as it was then. Today gives the list as it stands now.
 */
export function vedlegg3On(records: readonly SubProcessorRecord[], date: string, now: Date) {
  refuseFutureDay(date, now);
  const end = endOfOsloDay(date).getTime();
  return records
    .filter(
      (record) =>
        record.approvedFrom !== undefined &&
        Date.parse(record.approvedFrom) < end &&
        (record.approvedUntil === undefined || Date.parse(record.approvedUntil) >= end),
    )
    .map(({ approvedUntil: _until, withdrawal: _withdrawal, ...record }) => ({
      ...record,
      status: 'APPROVED' as const,
    }))
    .sort((a, b) => a.approvedFrom!.localeCompare(b.approvedFrom!) || a.name.localeCompare(b.name, 'nb'));
}

/** Vedlegg 3 of a day after today (Europe/Oslo) is not known yet: 400 naming `on`. */
export function refuseFutureDay(date: string, now: Date): void {
  const today = osloDate(now);
  if (compareDates(date, today) > 0) {
    throw validationError('Vedlegg 3 of a future day is not known yet', [
      { field: 'on', message: `may not be after today (${today})` },
    ]);
  }
}

/** Oldest request first. */
export function byRequestTime(records: readonly SubProcessorRecord[]): SubProcessorRecord[] {
  return [...records].sort((a, b) => a.requestedAt.localeCompare(b.requestedAt) || a.id.localeCompare(b.id));
}

// --- the processing gate (rule 8) ----------------------------------------------------------------

/**
 * May this sub-processor process data now? Only while the agreement is in force (the notice period
 * included) and the sub-processor is approved. Not authorised: the reasons are the conditions that
 * fail; authorised: the conditions that hold.
 */
export function processingAuthorization(
  agreement: AgreementView,
  record: SubProcessorRecord | undefined,
  now: Date,
): Pick<ProcessingAuthorization, 'authorized' | 'reasons'> {
  const failing: string[] = [];
  const holding: string[] = [];
  const notInForce = agreementNotInForce(agreement, now);
  if (notInForce) failing.push(`The agreement is not in force (${notInForce})`);
  else if (agreement.status === 'NOTICE_PERIOD') {
    holding.push(
      `The agreement is in force, in its notice period until the end of ${agreement.terminatesOn}`,
    );
  } else holding.push('The agreement is in force');
  if (!record) failing.push(NO_SUCH_SUB_PROCESSOR);
  else {
    const status = effectiveStatus(record, now);
    if (status === 'APPROVED') {
      holding.push(
        `The sub-processor ${record.name} is approved (in Vedlegg 3 since ${record.approvedFrom})`,
      );
    } else {
      const pending =
        status === 'REQUESTED' ? ': the controller has not decided, and silence is never approval' : '';
      failing.push(`The sub-processor is not approved (status ${status})${pending}`);
    }
  }
  return failing.length > 0
    ? { authorized: false, reasons: failing }
    : { authorized: true, reasons: holding };
}

// --- history and notifications -------------------------------------------------------------------

const HISTORY_TYPES: Record<SubProcessorStatus, string> = {
  REQUESTED: 'SUB_PROCESSOR_REQUESTED',
  APPROVED: 'SUB_PROCESSOR_APPROVED',
  REJECTED: 'SUB_PROCESSOR_REJECTED',
  EXPIRED: 'SUB_PROCESSOR_EXPIRED',
  WITHDRAWN: 'SUB_PROCESSOR_WITHDRAWN',
};

/** The history entry of a request reaching `after.status`. */
export function transitionHistory(
  before: SubProcessorRecord | undefined,
  after: SubProcessorRecord,
  actor: Actor | undefined,
  at: Date,
): HistoryEntry {
  const details: Record<string, unknown> = { subProcessorId: after.id, name: after.name };
  if (after.status === 'REQUESTED') {
    Object.assign(details, {
      processingLocation: after.processingLocation,
      decisionDeadline: after.decisionDeadline,
      ...(after.transferMechanism ? { transferMechanism: after.transferMechanism } : {}),
    });
  } else if (after.status === 'APPROVED' || after.status === 'REJECTED') {
    const { decision, reason, signatory, decidedOn } = after.decision!;
    Object.assign(details, { decision, reason, signatory, decidedOn });
  } else if (after.status === 'EXPIRED') {
    details.decisionDeadline = after.decisionDeadline;
  } else {
    Object.assign(details, {
      previousStatus: before?.status,
      ...(after.withdrawal?.reason ? { reason: after.withdrawal.reason } : {}),
    });
  }
  return historyEntry(actor, HISTORY_TYPES[after.status], at, { details });
}

/** To the controller: a processor asks for approval. */
export function requestedNotifications(
  agreement: AgreementView,
  record: SubProcessorRecord,
  at: Date,
): Notification[] {
  const { city, countryCode } = record.processingLocation;
  return notificationsFor(
    agreement,
    ['controller'],
    {
      type: 'sub-processor.requested',
      key: record.id,
      subject: `Approval requested for sub-processor ${record.name} (${city}, ${countryCode}); decide by ${record.decisionDeadline}`,
      details: {
        subProcessorId: record.id,
        name: record.name,
        processingLocation: record.processingLocation,
        decisionDeadline: record.decisionDeadline,
      },
    },
    at,
  );
}

const OUTCOME_SUBJECTS: Partial<Record<SubProcessorStatus, (record: SubProcessorRecord) => string>> = {
  APPROVED: (record) => `Sub-processor ${record.name} approved`,
  REJECTED: (record) => `Sub-processor ${record.name} rejected`,
  EXPIRED: (record) => `Sub-processor ${record.name} not approved: no decision by ${record.decisionDeadline}`,
  WITHDRAWN: (record) => `Sub-processor ${record.name} withdrawn by the processor`,
};

/**
 * To both parties, once per outcome (the id is derived from the request and its outcome): the processor
 * learns every outcome, the controller gets its receipt, and integrations see Vedlegg 3 change.
 */
export function outcomeNotifications(
  agreement: AgreementView,
  record: SubProcessorRecord,
  at: Date,
): Notification[] {
  const subject = OUTCOME_SUBJECTS[record.status];
  if (!subject) return [];
  // The reason of this outcome: a withdrawn approval carries the withdrawal's reason, not the approval's.
  const reason =
    record.status === 'WITHDRAWN'
      ? record.withdrawal?.reason
      : record.status === 'EXPIRED'
        ? undefined
        : record.decision?.reason;
  return notificationsFor(
    agreement,
    BOTH_PARTIES,
    {
      type: `sub-processor.${record.status.toLowerCase()}`,
      key: record.id,
      subject: subject(record),
      details: {
        subProcessorId: record.id,
        name: record.name,
        status: record.status,
        ...(reason ? { reason } : {}),
      },
    },
    at,
  );
}
