import type { Agreement } from '../../../functions/domain/schemas.ts';
import type { AttestationRequest } from '../../../functions/domain/termination-schemas.ts';
import { CONTROLLER_ORG, draftAgreement, PROCESSOR_ORG, signature } from './agreement-fixture.ts';

export const controllerActor = {
  orgNumber: CONTROLLER_ORG,
  clientId: 'kommune-system',
  person: 'Kari Testesen',
};
export const processorActor = { orgNumber: PROCESSOR_ORG, clientId: 'nav-system' };

/** In force since 2026-10-01 (both signed that day). */
export function inForce(overrides: Partial<Agreement> = {}): Agreement {
  return draftAgreement({
    status: 'IN_FORCE',
    version: 4,
    submittedAt: '2026-09-25T09:00:00.000Z',
    signatureDeadline: '2026-10-25',
    signatures: [signature('controller', '2026-10-01'), signature('processor', '2026-10-01')],
    effectiveFrom: '2026-10-01',
    ...overrides,
  });
}

/** Notice given by the controller on 2026-11-30: in force through 2027-02-28. */
export function noticed(overrides: Partial<Agreement> = {}): Agreement {
  return inForce({
    status: 'NOTICE_PERIOD',
    version: 5,
    termination: { givenBy: 'controller', givenOn: '2026-11-30', reason: 'Ny leverandør' },
    terminatesOn: '2027-02-28',
    ...overrides,
  });
}

/** Terminated at the end of 2027-02-28 (midnight in Oslo). */
export function terminated(overrides: Partial<Agreement> = {}): Agreement {
  return noticed({
    status: 'TERMINATED',
    version: 6,
    terminatedAt: '2027-02-28T23:00:00.000Z',
    ...overrides,
  });
}

/** The controller's choice of RETURN or DELETE, made at 10:00 Oslo time on `chosenOn`. */
export const chosen = (method: 'RETURN' | 'DELETE', chosenOn = '2027-03-02') => ({
  method,
  chosenOn,
  chosenAt: `${chosenOn}T09:00:00.000Z`,
  chosenBy: controllerActor,
});

/** The processor's attestation as it sends it (RETURN, completed 2027-03-10). */
export const attestationRequest = (overrides: Partial<AttestationRequest> = {}): AttestationRequest => ({
  method: 'RETURN',
  completedOn: '2027-03-10',
  statement: 'Alle personopplysninger og kopier er tilbakelevert.',
  signatory: { name: 'Per Testesen', title: 'Personvernombud' },
  ...overrides,
});

/**
 * Data kept under law: the DELETE attestation of `completedOn` kept some data (bokføringsloven), so
 * the agreement stays open until the final deletion.
 */
export function retained(completedOn: string, overrides: Partial<Agreement> = {}): Agreement {
  return terminated({
    status: 'RETAINED_UNDER_LAW',
    version: 7,
    dataDisposition: chosen('DELETE'),
    attestation: {
      ...attestationRequest({ method: 'DELETE', completedOn, statement: 'Slettet, unntatt regnskapsbilag.' }),
      retainedUnderLaw: { legalBasis: 'Bokføringsloven § 13', reviewOn: '2032-03-01' },
      attestedAt: `${completedOn}T12:00:00.000Z`,
      attestedBy: processorActor,
    },
    ...overrides,
  });
}

/** 10:00 in Oslo (winter) on the date. */
export const osloMorning = (date: string) => new Date(`${date}T09:00:00Z`);
