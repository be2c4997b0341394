import { addDays, compareDates, endOfOsloDay, laterDate, osloDate, osloInstant } from '../calendar.ts';
import { historyEntry, nextVersion } from '../changes.ts';
import { type AgreementContent, CONTENT_FIELDS, contentHashOf } from '../content-hash.ts';
import { type CurrentStatus, conflict, DomainError, validationError } from '../errors.ts';
import { BOTH_PARTIES, notificationsFor } from '../notifications.ts';
import type {
  Actor,
  Agreement,
  AgreementStatus,
  HistoryEntry,
  Notification,
  PartyRole,
  SignatureRequest,
} from '../schemas.ts';
import { signatureFor } from '../signing.ts';
import { canonicalDataType } from '../sub-processor-rules.ts';
import type { Amendment, AmendmentProposal } from './schemas.ts';

/**
 * Rule 13 (003 §13): after entry into force the content changes only by a numbered amendment that both
 * parties sign; one open at a time; it takes effect from the later signature or an agreed later date.
 */

/** The agreement statuses in which an amendment can be proposed, signed and take effect. */
export const AMENDABLE_STATUSES: readonly AgreementStatus[] = ['IN_FORCE', 'NOTICE_PERIOD'];
/** An amendment is open until it is in force, withdrawn or expired. */
export const OPEN_AMENDMENT_STATUSES: readonly Amendment['status'][] = ['AWAITING_SIGNATURES', 'SIGNED'];
export const DEFAULT_AMENDMENT_DEADLINE_DAYS = 30;
export const AMENDMENT_SIGNATURE_REMINDER = 'amendment-signature-missing';

/** A sub-processor of Vedlegg 3 as the amendment rules need it: what it was approved to process. */
export interface ApprovedSubProcessor {
  id: string;
  name: string;
  personalDataTypes: readonly string[];
}

export interface Proposal {
  amendment: Amendment;
  /** The agreement with the open amendment named on it: a second proposal then conflicts. */
  agreement: Agreement;
  history: HistoryEntry[];
  notifications: Notification[];
  /** The first weekly reminder to whoever has not signed. */
  reminder: { kind: string; dueOn: string };
}

/** The content of an agreement: the signed fields of rule 2 (content-hash.ts). */
export function contentOf(agreement: AgreementContent): AgreementContent {
  return Object.fromEntries(
    CONTENT_FIELDS.filter((field) => agreement[field] !== undefined).map((field) => [
      field,
      agreement[field],
    ]),
  ) as AgreementContent;
}

export function proposeAmendment(input: {
  agreement: Agreement;
  role: PartyRole;
  actor: Actor;
  proposal: AmendmentProposal;
  /** Vedlegg 3 as it stands. */
  approved: readonly ApprovedSubProcessor[];
  id: string;
  now: Date;
}): Proposal {
  const { agreement, role, actor, proposal, id, now } = input;
  if (!AMENDABLE_STATUSES.includes(agreement.status)) {
    throw conflict(
      `An amendment can be proposed only while the agreement is IN_FORCE or NOTICE_PERIOD; it is ${agreement.status}`,
      agreement.status,
    );
  }
  const open = agreement.openAmendment;
  if (open) {
    throw conflict(
      `Amendment ${open.number} (${open.id}) is still open: one amendment at a time`,
      agreement.status,
    );
  }
  const { effectiveFrom: agreedAmongChanges, ...changes } = proposal.changes;
  const effectiveFrom = proposal.effectiveFrom ?? agreedAmongChanges;
  const base = contentOf(agreement);
  const amended = { ...base, ...changes };
  const contentHash = contentHashOf(amended);
  if (contentHash === agreement.contentHash) {
    throw validationError('The amendment changes nothing', [
      { field: 'changes', message: 'must differ from the content in force' },
    ]);
  }
  const today = osloDate(now);
  if (effectiveFrom !== undefined) effectiveFromIssues(agreement, effectiveFrom, today);
  if (changes.scope) refuseOutsideScope(input.approved, changes.scope, agreement.status);
  const number = (agreement.amendmentCount ?? 0) + 1;
  const amendment: Amendment = {
    id,
    agreementId: agreement.id,
    number,
    status: 'AWAITING_SIGNATURES',
    proposedBy: role,
    proposedByActor: actor,
    proposedAt: now.toISOString(),
    reason: proposal.reason,
    changes,
    baseVersion: agreement.contentVersion ?? 1,
    baseContentHash: agreement.contentHash,
    contentHash,
    ...(effectiveFrom === undefined ? {} : { agreedEffectiveFrom: effectiveFrom }),
    signatureDeadline: addDays(today, proposal.signatureDeadlineDays ?? DEFAULT_AMENDMENT_DEADLINE_DAYS),
    signatures: [],
  };
  const after = nextVersion(agreement, { amendmentCount: number, openAmendment: { id, number } }, now);
  return {
    amendment,
    agreement: after,
    history: [
      historyEntry(actor, 'AMENDMENT_PROPOSED', now, {
        details: {
          amendmentId: id,
          number,
          changes: Object.keys(changes),
          contentHash,
          signatureDeadline: amendment.signatureDeadline,
          ...(amendment.agreedEffectiveFrom ? { effectiveFrom: amendment.agreedEffectiveFrom } : {}),
        },
      }),
    ],
    notifications: notificationsFor(
      agreement,
      BOTH_PARTIES,
      {
        type: 'amendment.proposed',
        key: id,
        subject: `Amendment ${number} proposed by the ${role}; both parties sign by ${amendment.signatureDeadline}`,
        details: {
          amendmentId: id,
          number,
          proposedBy: role,
          changes: Object.keys(changes),
          contentHash,
          signatureDeadline: amendment.signatureDeadline,
        },
      },
      now,
    ),
    reminder: { kind: `${AMENDMENT_SIGNATURE_REMINDER}#${id}`, dueOn: addDays(today, 7) },
  };
}

/** An agreed effective date: not before today (the later signature is today at the earliest), nor after the end. */
function effectiveFromIssues(agreement: Agreement, effectiveFrom: string, today: string): void {
  if (compareDates(effectiveFrom, today) < 0) {
    throw validationError('Invalid amendment', [
      {
        field: 'effectiveFrom',
        message: `may not be before today (${today}): an amendment takes effect from the later signature at the earliest`,
      },
    ]);
  }
  if (agreement.terminatesOn && compareDates(effectiveFrom, agreement.terminatesOn) > 0) {
    throw validationError('Invalid amendment', [
      {
        field: 'effectiveFrom',
        message: `may not be after the agreement terminates (${agreement.terminatesOn})`,
      },
    ]);
  }
}

/**
 * Vedlegg 3 stays within the scope in force (rule 13): a new scope that leaves an approved
 * sub-processor's data types outside it is refused (409 naming them), when the amendment is proposed
 * and again when it is concluded (a sub-processor may have been approved in between).
 */
function refuseOutsideScope(
  approved: readonly ApprovedSubProcessor[],
  scope: Agreement['scope'],
  status: CurrentStatus,
): void {
  const outside = outsideScope(approved, scope);
  if (outside.length === 0) return;
  throw conflict(
    `The new scope leaves approved sub-processors processing personal data outside it: ${outside
      .map((entry) => `${entry.name} (${entry.id}: ${entry.types.join(', ')})`)
      .join('; ')}. Keep those data types in the scope, or have the processor withdraw them first`,
    status,
  );
}

/** Approved sub-processors with data types the scope does not cover, and those types. */
export function outsideScope(
  approved: readonly ApprovedSubProcessor[],
  scope: Pick<Agreement['scope'], 'personalDataTypes' | 'specialCategories'>,
): { id: string; name: string; types: string[] }[] {
  return approved.flatMap((entry) => {
    const types = entry.personalDataTypes.filter((type) => canonicalDataType(scope, type) === undefined);
    return types.length > 0 ? [{ id: entry.id, name: entry.name, types }] : [];
  });
}

export function amendmentDeadlinePassed(amendment: Pick<Amendment, 'signatureDeadline'>, now: Date): boolean {
  return now.getTime() >= endOfOsloDay(amendment.signatureDeadline).getTime();
}

export interface AmendmentSigning {
  amendment: Amendment;
  /** Both have signed. */
  completes: boolean;
  /** Both have signed and the effective date has come: the content changes now. */
  appliesNow: boolean;
}

/**
 * Each party signs an amendment once, any order, naming the hash of the amended content; while it
 * awaits signatures, before its deadline, and while the agreement is in force or under notice.
 */
export function signAmendment(
  agreement: Agreement,
  amendment: Amendment,
  party: PartyRole,
  request: SignatureRequest,
  now: Date,
  person?: string,
  /** Vedlegg 3 as it stands: a new scope must still cover it when the amendment is concluded. */
  approved: readonly ApprovedSubProcessor[] = [],
): AmendmentSigning {
  if (amendment.status !== 'AWAITING_SIGNATURES') {
    throw conflict(
      `Amendment ${amendment.number} cannot be signed: it is ${amendment.status}`,
      amendment.status,
    );
  }
  if (!AMENDABLE_STATUSES.includes(agreement.status)) {
    throw conflict(
      `The agreement is ${agreement.status}: its amendments can no longer be signed`,
      agreement.status,
    );
  }
  if (amendmentDeadlinePassed(amendment, now)) {
    throw conflict(
      `The signature deadline of amendment ${amendment.number} (${amendment.signatureDeadline}) has passed`,
      amendment.status,
    );
  }
  if (agreement.contentHash !== amendment.baseContentHash) {
    throw conflict(
      `Amendment ${amendment.number} amends content ${amendment.baseContentHash}, but the content in force is ${agreement.contentHash}`,
      amendment.status,
    );
  }
  const { signature, other } = signatureFor(
    {
      signatures: amendment.signatures,
      contentHash: amendment.contentHash,
      status: amendment.status,
      earliestOn: osloDate(new Date(amendment.proposedAt)),
      what: `amendment ${amendment.number}`,
      since: 'the proposal',
    },
    party,
    request,
    now,
    person,
  );
  const signatures = [...amendment.signatures, signature];
  if (!other) {
    return { amendment: { ...amendment, signatures }, completes: false, appliesNow: false };
  }
  if (amendment.changes.scope) refuseOutsideScope(approved, amendment.changes.scope, amendment.status);
  const signedOn = laterDate(other.signedOn, signature.signedOn);
  const effectiveFrom = amendment.agreedEffectiveFrom
    ? laterDate(signedOn, amendment.agreedEffectiveFrom)
    : signedOn;
  const appliesNow = compareDates(effectiveFrom, osloDate(now)) <= 0;
  return {
    amendment: {
      ...amendment,
      signatures,
      status: appliesNow ? 'IN_FORCE' : 'SIGNED',
      effectiveFrom,
      signedAt: now.toISOString(),
    },
    completes: true,
    appliesNow,
  };
}

/** The instant a signed amendment takes effect: the start of its effective date in Oslo. */
export const effectiveInstant = (amendment: Pick<Amendment, 'effectiveFrom'>): Date =>
  osloInstant(amendment.effectiveFrom!);

/** A content version as `/versions` shows it and the evidence pack holds it. */
export interface ContentVersion {
  number: number;
  content: AgreementContent;
  contentHash: string;
  /** The date (Oslo) from which this content is in force. */
  effectiveFrom?: string;
  signatures: Agreement['signatures'];
  /** The amendment that made it (none for version 1). */
  amendment?: { id: string; number: number };
}

export interface AmendmentEffect {
  agreement: Agreement;
  /** Content versions to store: version 1 too when this is the first amendment to take effect. */
  versions: ContentVersion[];
  amendment: Amendment;
  history: HistoryEntry[];
  notifications: Notification[];
}

/**
 * A signed amendment takes effect: the agreement's content becomes the amended content, as the next
 * content version. A notice already given keeps its `terminatesOn` (a new notice period applies to
 * notices given after it).
 */
export function applyAmendment(
  agreement: Agreement,
  amendment: Amendment,
  actor: Actor | undefined,
  at: Date,
): AmendmentEffect {
  if (agreement.contentHash !== amendment.baseContentHash) {
    throw new DomainError(
      'conflict',
      `Amendment ${amendment.number} amends content ${amendment.baseContentHash}, not the content in force ${agreement.contentHash}`,
    );
  }
  const version = (agreement.contentVersion ?? 1) + 1;
  const after = nextVersion(
    agreement,
    { ...amendment.changes, contentVersion: version, openAmendment: undefined },
    at,
  );
  if (after.contentHash !== amendment.contentHash) {
    throw new Error(`Amendment ${amendment.id} does not produce the content its parties signed`);
  }
  const inForce: Amendment = {
    ...amendment,
    status: 'IN_FORCE',
    resultingVersion: version,
    inForceAt: at.toISOString(),
  };
  const current: ContentVersion = {
    number: version,
    content: contentOf(after),
    contentHash: after.contentHash,
    ...(amendment.effectiveFrom ? { effectiveFrom: amendment.effectiveFrom } : {}),
    signatures: amendment.signatures,
    amendment: { id: amendment.id, number: amendment.number },
  };
  return {
    agreement: after,
    versions: version === 2 ? [firstVersion(agreement), current] : [current],
    amendment: inForce,
    history: [
      historyEntry(actor, 'CONTENT_AMENDED', at, {
        details: {
          amendmentId: amendment.id,
          number: amendment.number,
          fromVersion: version - 1,
          toVersion: version,
          contentHash: after.contentHash,
          effectiveFrom: amendment.effectiveFrom,
          changes: Object.keys(amendment.changes),
        },
      }),
    ],
    notifications: notificationsFor(
      after,
      BOTH_PARTIES,
      {
        type: 'amendment.in-force',
        key: amendment.id,
        subject: `Amendment ${amendment.number} is in force from ${amendment.effectiveFrom}: content version ${version}`,
        details: {
          amendmentId: amendment.id,
          number: amendment.number,
          version,
          contentHash: after.contentHash,
          effectiveFrom: amendment.effectiveFrom,
        },
      },
      at,
    ),
  };
}

/** Version 1, the content as first signed, for an agreement that has not been amended yet. */
export function firstVersion(agreement: Agreement): ContentVersion {
  return {
    number: 1,
    content: contentOf(agreement),
    contentHash: agreement.contentHash,
    ...(agreement.effectiveFrom ? { effectiveFrom: agreement.effectiveFrom } : {}),
    signatures: agreement.signatures,
  };
}

export interface AmendmentClosing {
  amendment: Amendment;
  /** The agreement without its open amendment. */
  agreement: Agreement;
  history: HistoryEntry[];
  notifications: Notification[];
}

/** The proposer withdraws an amendment while it awaits signatures. */
export function withdrawAmendment(
  agreement: Agreement,
  amendment: Amendment,
  role: PartyRole,
  actor: Actor,
  reason: string | undefined,
  now: Date,
): AmendmentClosing {
  if (role !== amendment.proposedBy) {
    throw new DomainError(
      'forbidden',
      `Only the ${amendment.proposedBy}, who proposed it, may withdraw amendment ${amendment.number}`,
    );
  }
  if (amendment.status !== 'AWAITING_SIGNATURES') {
    throw conflict(
      `Amendment ${amendment.number} cannot be withdrawn: it is ${amendment.status}`,
      amendment.status,
    );
  }
  return closing(
    agreement,
    {
      ...amendment,
      status: 'WITHDRAWN',
      withdrawnAt: now.toISOString(),
      ...(reason ? { withdrawReason: reason } : {}),
    },
    actor,
    now,
    'AMENDMENT_WITHDRAWN',
    'amendment.withdrawn',
    `Amendment ${amendment.number} was withdrawn by the ${role}`,
  );
}

/**
 * An open amendment ends as EXPIRED: its signature deadline passed without both signatures, or the
 * agreement was terminated before it took effect. Undefined when it is not open (nothing to do).
 */
export function expireAmendment(
  agreement: Agreement,
  amendment: Amendment,
  because: NonNullable<Amendment['expiredBecause']>,
  actor: Actor | undefined,
  now: Date,
): AmendmentClosing | undefined {
  if (!OPEN_AMENDMENT_STATUSES.includes(amendment.status)) return undefined;
  if (
    because === 'SIGNATURE_DEADLINE' &&
    (amendment.status !== 'AWAITING_SIGNATURES' || !amendmentDeadlinePassed(amendment, now))
  ) {
    return undefined;
  }
  const why =
    because === 'SIGNATURE_DEADLINE'
      ? `its signature deadline ${amendment.signatureDeadline} passed without both signatures`
      : 'the agreement was terminated before it took effect';
  return closing(
    agreement,
    { ...amendment, status: 'EXPIRED', expiredAt: now.toISOString(), expiredBecause: because },
    actor,
    now,
    'AMENDMENT_EXPIRED',
    'amendment.expired',
    `Amendment ${amendment.number} expired: ${why}`,
  );
}

function closing(
  agreement: Agreement,
  amendment: Amendment,
  actor: Actor | undefined,
  now: Date,
  historyType: string,
  notificationType: string,
  subject: string,
): AmendmentClosing {
  const after =
    agreement.openAmendment?.id === amendment.id
      ? nextVersion(agreement, { openAmendment: undefined }, now)
      : agreement;
  return {
    amendment,
    agreement: after,
    history: [
      historyEntry(actor, historyType, now, {
        details: {
          amendmentId: amendment.id,
          number: amendment.number,
          ...(amendment.expiredBecause ? { because: amendment.expiredBecause } : {}),
          ...(amendment.withdrawReason ? { reason: amendment.withdrawReason } : {}),
        },
      }),
    ],
    notifications: notificationsFor(
      agreement,
      BOTH_PARTIES,
      {
        type: notificationType,
        key: amendment.id,
        subject,
        details: {
          amendmentId: amendment.id,
          number: amendment.number,
          ...(amendment.expiredBecause ? { because: amendment.expiredBecause } : {}),
          ...(amendment.expiredBecause === 'SIGNATURE_DEADLINE'
            ? { signatureDeadline: amendment.signatureDeadline }
            : {}),
          // Only the proposer withdraws (withdrawAmendment), in its own words.
          ...(amendment.status === 'WITHDRAWN' ? { withdrawnBy: amendment.proposedBy } : {}),
          ...(amendment.withdrawReason ? { reason: amendment.withdrawReason } : {}),
        },
      },
      now,
    ),
  };
}

/**
 * What the amendment workflow's wait is completed with and its tasks answer: the status and, once
 * signed, the instant it takes effect. Every field is always present: the state machine selects them.
 */
export function workflowOutcome(amendment: Amendment) {
  return {
    status: amendment.status,
    secondsLeft: 1,
    effectiveAt: amendment.status === 'SIGNED' ? effectiveInstant(amendment).toISOString() : null,
  };
}
