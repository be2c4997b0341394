import { addMonths, compareDates, endOfOsloDay, osloDate } from './calendar.ts';
import { conflict, DomainError, validationError } from './errors.ts';
import type { Actor, Agreement, AgreementStatus, PartyRole } from './schemas.ts';
import type {
  Attestation,
  AttestationRequest,
  DataDisposition,
  DataDispositionRequest,
  Termination,
  TerminationNoticeRequest,
} from './termination-schemas.ts';

/** The termination workflow's name, and its human steps (each waits with a task token). */
export const TERMINATION_WORKFLOW = 'termination';
export type TerminationStep = 'disposition' | 'attestation';

/**
 * Rule 5: notice date + N calendar months; a day the target month does not have becomes its last day
 * (domstolloven § 148): 2026-11-30 + 3 = 2027-02-28, 2027-11-30 + 3 = 2028-02-29.
 */
export function terminatesOnFor(givenOn: string, noticePeriodMonths: number): string {
  return addMonths(givenOn, noticePeriodMonths);
}

/** The agreement stays in force through `terminatesOn`: it terminates at the midnight that ends it (Oslo). */
export function terminationInstant(terminatesOn: string): Date {
  return endOfOsloDay(terminatesOn);
}

/** The instant as Step Functions wants a Wait timestamp: RFC 3339 in UTC, whole seconds, with `Z`. */
export function terminationTimestamp(terminatesOn: string): string {
  // Stryker disable Regex: equivalent, toISOString has exactly one ".sssZ", always at its end
  return terminationInstant(terminatesOn)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z');
  // Stryker restore Regex
}

export function terminationDue(terminatesOn: string, now: Date): boolean {
  return now.getTime() >= terminationInstant(terminatesOn).getTime();
}

/**
 * Rule 5: either party gives notice once, only while the agreement is in force. The notice date may
 * lie in the past (a notice given in writing earlier) but not before the agreement entered into force,
 * and not in the future.
 */
export function decideNotice(
  agreement: Agreement,
  party: PartyRole,
  request: TerminationNoticeRequest,
  now: Date,
): { termination: Termination; terminatesOn: string } {
  if (agreement.status === 'NOTICE_PERIOD' && agreement.termination) {
    const { givenBy, givenOn } = agreement.termination;
    throw conflict(
      `Notice was already given by the ${givenBy} on ${givenOn}; the agreement terminates at the end of ${agreement.terminatesOn}`,
      agreement.status,
    );
  }
  if (agreement.status !== 'IN_FORCE') {
    throw conflict(
      `Notice can only be given on an agreement in force; this one is ${agreement.status}`,
      agreement.status,
    );
  }
  const today = osloDate(now);
  const givenOn = request.givenOn ?? today;
  if (compareDates(givenOn, today) > 0) {
    throw validationError('Invalid termination notice', [
      { field: 'givenOn', message: `may not be in the future (today is ${today})` },
    ]);
  }
  if (agreement.effectiveFrom && compareDates(givenOn, agreement.effectiveFrom) < 0) {
    throw validationError('Invalid termination notice', [
      {
        field: 'givenOn',
        message: `may not be before the agreement entered into force (${agreement.effectiveFrom})`,
      },
    ]);
  }
  const terminatesOn = terminatesOnFor(givenOn, agreement.noticePeriodMonths);
  // A back-dated notice may not end the agreement in the past: processing already done under it, and
  // the log of it, were done while it was in force.
  if (compareDates(terminatesOn, today) < 0) {
    throw validationError('Invalid termination notice', [
      {
        field: 'givenOn',
        message: `is too far back: the agreement would have terminated on ${terminatesOn}, before today (${today})`,
      },
    ]);
  }
  return { termination: { givenBy: party, givenOn, reason: request.reason }, terminatesOn };
}

/** Rule 6: the controller may choose from the notice on, once, until the processor has attested. */
export function decideDisposition(
  agreement: Agreement,
  request: DataDispositionRequest,
  actor: Actor,
  now: Date,
): DataDisposition {
  if (agreement.dataDisposition) {
    const { method, chosenOn } = agreement.dataDisposition;
    throw conflict(`The controller already chose ${method} on ${chosenOn}`, agreement.status);
  }
  if (agreement.status !== 'NOTICE_PERIOD' && agreement.status !== 'TERMINATED') {
    throw conflict(
      `Return or deletion of the data is chosen from the termination notice until the processor attests; this agreement is ${agreement.status}`,
      agreement.status,
    );
  }
  return {
    method: request.method,
    ...(request.instructions ? { instructions: request.instructions } : {}),
    chosenOn: osloDate(now),
    chosenAt: now.toISOString(),
    chosenBy: actor,
  };
}

/**
 * What completes the termination workflow's wait for the controller's choice (the task's output; the
 * workflow routes on `method`), from POST /data-disposition and from a task finding the choice made.
 */
export const dispositionChoiceOutput = (chosen: Pick<DataDisposition, 'method' | 'chosenOn'>) => ({
  method: chosen.method,
  chosenOn: chosen.chosenOn,
});

/** A conflict with the stored state that names the request field it concerns. */
function conflictOn(field: string, message: string, detail: string, status: AgreementStatus): DomainError {
  return new DomainError('conflict', detail, { currentStatus: status, errors: [{ field, message }] });
}

/**
 * Rule 6: after termination the processor attests that the data were returned or deleted as the
 * controller chose. Data that EEA law requires it to keep are named with their legal basis and a review
 * date, and the agreement stays open (RETAINED_UNDER_LAW) until a final deletion attestation.
 */
export function decideAttestation(
  agreement: Agreement,
  request: AttestationRequest,
  actor: Actor,
  now: Date,
): { attestation: Attestation; status: 'CLOSED' | 'RETAINED_UNDER_LAW' } {
  const { status } = agreement;
  let notBefore: string;
  if (status === 'TERMINATED') {
    const chosen = agreement.dataDisposition;
    if (!chosen) {
      throw conflict(
        'The controller has not yet chosen RETURN or DELETE; attest once it has (POST /data-disposition)',
        status,
      );
    }
    if (request.method !== chosen.method) {
      throw conflictOn(
        'method',
        `must be ${chosen.method}, the method the controller chose`,
        `The controller chose ${chosen.method} on ${chosen.chosenOn}; an attestation of ${request.method} does not carry out that instruction`,
        status,
      );
    }
    notBefore = chosen.chosenOn;
  } else if (status === 'RETAINED_UNDER_LAW') {
    if (request.method !== 'DELETE') {
      throw conflictOn(
        'method',
        'must be DELETE: after legal retention only the final deletion is attested',
        'The data kept under law can only be finally deleted; attest DELETE without retainedUnderLaw',
        status,
      );
    }
    if (request.retainedUnderLaw) {
      throw conflictOn(
        'retainedUnderLaw',
        'must be absent in the final deletion attestation',
        'The agreement already records data kept under law; the next attestation is the final deletion',
        status,
      );
    }
    notBefore = agreement.attestation?.completedOn ?? agreement.terminatesOn ?? '0000-01-01';
  } else if (status === 'NOTICE_PERIOD') {
    throw conflict(
      `The processor attests after the agreement has terminated, at the end of ${agreement.terminatesOn}`,
      status,
    );
  } else {
    throw conflict(`There is nothing to attest while the agreement is ${status}`, status);
  }

  const today = osloDate(now);
  const errors: { field: string; message: string }[] = [];
  if (compareDates(request.completedOn, today) > 0) {
    errors.push({ field: 'completedOn', message: `may not be in the future (today is ${today})` });
  } else if (compareDates(request.completedOn, notBefore) < 0) {
    errors.push({
      field: 'completedOn',
      message:
        status === 'TERMINATED'
          ? `may not be before the controller's instruction (${notBefore})`
          : `may not be before the previous attestation (${notBefore})`,
    });
  }
  if (request.retainedUnderLaw && compareDates(request.retainedUnderLaw.reviewOn, today) <= 0) {
    errors.push({ field: 'retainedUnderLaw.reviewOn', message: `must be after today (${today})` });
  }
  if (errors.length > 0) throw validationError('Invalid attestation', errors);

  const attestation: Attestation = {
    method: request.method,
    completedOn: request.completedOn,
    statement: request.statement,
    signatory: request.signatory,
    ...(request.retainedUnderLaw ? { retainedUnderLaw: request.retainedUnderLaw } : {}),
    attestedAt: now.toISOString(),
    attestedBy: actor,
  };
  return { attestation, status: request.retainedUnderLaw ? 'RETAINED_UNDER_LAW' : 'CLOSED' };
}

/** After termination the controller still has to choose. */
export function dispositionPending(agreement: Pick<Agreement, 'status' | 'dataDisposition'>): boolean {
  return agreement.status === 'TERMINATED' && !agreement.dataDisposition;
}

/** After termination the processor still has to attest. */
export function attestationPending(agreement: Pick<Agreement, 'status'>): boolean {
  return agreement.status === 'TERMINATED';
}
