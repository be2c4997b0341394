import { addDays, compareDates, endOfOsloDay, laterDate, osloDate } from './calendar.ts';
import { type CurrentStatus, conflict, DomainError, validationError } from './errors.ts';
import type { Agreement, PartyRole, Signature, SignatureRequest } from './schemas.ts';

/** Rule 4: the signature deadline is the submission date in Oslo plus N days, open to the end of that day. */
export function signatureDeadlineFor(submittedAt: Date, days: number): string {
  return addDays(osloDate(submittedAt), days);
}

export function signatureDeadlinePassed(deadline: string, now: Date): boolean {
  return now.getTime() >= endOfOsloDay(deadline).getTime();
}

/** Seconds left before the deadline ends (at least 1, so a workflow resumed late still times out). */
export function secondsUntilDeadline(deadline: string, now: Date): number {
  return Math.max(1, Math.ceil((endOfOsloDay(deadline).getTime() - now.getTime()) / 1000));
}

/**
 * Rule 3: each party signs once, in any order, while signatures are awaited and the deadline has not
 * passed. The signature date may not lie in the future nor before the submission.
 */
export function decideSignature(
  agreement: Agreement,
  party: PartyRole,
  request: SignatureRequest,
  now: Date,
  /** The person the caller's token names, if any (a name, never a national identity number). */
  person?: string,
): { signature: Signature; completes: boolean; effectiveFrom?: string } {
  if (agreement.status !== 'AWAITING_SIGNATURES') {
    throw conflict(`The agreement cannot be signed while ${agreement.status}`, agreement.status);
  }
  if (agreement.signatureDeadline && signatureDeadlinePassed(agreement.signatureDeadline, now)) {
    throw conflict(`The signature deadline ${agreement.signatureDeadline} has passed`, agreement.status);
  }
  const { signature, other } = signatureFor(
    {
      signatures: agreement.signatures,
      contentHash: agreement.contentHash,
      status: agreement.status,
      earliestOn: agreement.submittedAt ? osloDate(new Date(agreement.submittedAt)) : osloDate(now),
      what: 'this agreement',
      since: 'the submission for signature',
    },
    party,
    request,
    now,
    person,
  );
  if (!other) return { signature, completes: false };
  return { signature, completes: true, effectiveFrom: laterDate(other.signedOn, signature.signedOn) };
}

/** What is being signed: an agreement's content, or an amendment's amended content. */
export interface Signable {
  signatures: readonly Signature[];
  /** The hash of the content the signatories must have read (rule 12). */
  contentHash: string;
  /** For the 409s. */
  status: CurrentStatus;
  /** The earliest `signedOn`: the day it was put up for signature. */
  earliestOn: string;
  /** "this agreement", "amendment 2". */
  what: string;
  /** "the submission for signature", "the proposal". */
  since: string;
}

/**
 * One party's signature of something with a content hash (rule 12): once per party, naming the hash
 * of the content as it stands, dated today or earlier but not before it was put up for signature.
 * Returns the signature and the other party's, if that one has signed already.
 */
export function signatureFor(
  signable: Signable,
  party: PartyRole,
  request: SignatureRequest,
  now: Date,
  person?: string,
): { signature: Signature; other?: Signature } {
  if (signable.signatures.some((s) => s.party === party)) {
    throw conflict(`The ${party} has already signed ${signable.what}`, signable.status);
  }
  // Rule 12: a signature binds to the content the signatory read; any other content is not signed.
  if (request.contentHash !== signable.contentHash) {
    throw new DomainError(
      'conflict',
      `The signature names content ${request.contentHash}, but the content of ${signable.what} is ${signable.contentHash}: read it again before signing`,
      { currentStatus: signable.status, contentHash: signable.contentHash },
    );
  }
  const today = osloDate(now);
  const signedOn = request.signedOn ?? today;
  if (compareDates(signedOn, today) > 0) {
    throw validationError('Invalid signature', [{ field: 'signedOn', message: 'may not be in the future' }]);
  }
  if (compareDates(signedOn, signable.earliestOn) < 0) {
    throw validationError('Invalid signature', [
      { field: 'signedOn', message: `may not be before ${signable.since} (${signable.earliestOn})` },
    ]);
  }
  const signature: Signature = {
    party,
    signatory: request.signatory,
    place: request.place,
    signedOn,
    signedAt: now.toISOString(),
    contentHash: request.contentHash,
    ...(person ? { person } : {}),
  };
  // Stryker disable next-line ConditionalExpression: equivalent, this party has not signed (refused above), so every signature is the other's
  const other = signable.signatures.find((s) => s.party !== party);
  return other ? { signature, other } : { signature };
}

/** Parties whose signature is still missing. */
export function missingSignatures(agreement: Pick<Agreement, 'signatures'>): PartyRole[] {
  const signed = new Set(agreement.signatures.map((s) => s.party));
  return (['controller', 'processor'] as const).filter((party) => !signed.has(party));
}
