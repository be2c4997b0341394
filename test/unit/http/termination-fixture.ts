import { marshall } from '@aws-sdk/util-dynamodb';
import { beforeEach } from 'vitest';
import type { Agreement } from '../../../functions/domain/schemas.ts';
import { taskTokenKey } from '../../../functions/store/task-tokens-store.ts';
import { CONTROLLER_ORG, draftAgreement, PROCESSOR_ORG, signature } from '../domain/agreement-fixture.ts';
import { givenItem } from './aws-mocks.ts';

/** Agreements after signing, on the clock of aws-mocks.ts (NOW = 2026-11-22T10:00Z, 11:00 in Oslo). */

export const TERMINATION_STATE_MACHINE_ARN =
  'arn:aws:states:eu-north-1:123456789012:stateMachine:Termination';

export function useTerminationEnvironment(): void {
  beforeEach(() => {
    process.env.TERMINATION_STATE_MACHINE_ARN = TERMINATION_STATE_MACHINE_ARN;
  });
}

/** Both signed on 2026-06-01. */
export function inForceAgreement(overrides: Partial<Agreement> = {}): Agreement {
  return draftAgreement({
    status: 'IN_FORCE',
    version: 4,
    submittedAt: '2026-05-25T09:00:00.000Z',
    signatureDeadline: '2026-06-24',
    signatures: [signature('controller', '2026-06-01'), signature('processor', '2026-06-01')],
    effectiveFrom: '2026-06-01',
    updatedAt: '2026-06-01T12:00:00.000Z',
    ...overrides,
  });
}

/** Notice given by the controller on 2026-10-10, so the agreement ends with 2027-01-10. */
export function noticePeriodAgreement(overrides: Partial<Agreement> = {}): Agreement {
  return inForceAgreement({
    status: 'NOTICE_PERIOD',
    version: 5,
    termination: { givenBy: 'controller', givenOn: '2026-10-10', reason: 'Tjenesten avvikles' },
    terminatesOn: '2027-01-10',
    ...overrides,
  });
}

/** Notice given on 2026-08-01, terminated at the end of 2026-11-01. */
export function terminatedAgreement(overrides: Partial<Agreement> = {}): Agreement {
  return inForceAgreement({
    status: 'TERMINATED',
    version: 6,
    termination: { givenBy: 'processor', givenOn: '2026-08-01', reason: 'Tjenesten avvikles' },
    terminatesOn: '2026-11-01',
    terminatedAt: '2026-11-01T23:00:00.000Z',
    ...overrides,
  });
}

export function chosenDisposition(method: 'RETURN' | 'DELETE', chosenOn = '2026-11-05') {
  return {
    method,
    chosenOn,
    chosenAt: `${chosenOn}T09:00:00.000Z`,
    chosenBy: { orgNumber: CONTROLLER_ORG, clientId: 'test-client' },
  };
}

export function attestationOf(method: 'RETURN' | 'DELETE', retained = false) {
  return {
    method,
    completedOn: '2026-11-10',
    statement: 'Alle personopplysninger og kopier er behandlet som instruert.',
    signatory: { name: 'Per Testesen', title: 'Personvernombud' },
    ...(retained ? { retainedUnderLaw: { legalBasis: 'Bokføringsloven § 13', reviewOn: '2031-11-10' } } : {}),
    attestedAt: '2026-11-10T09:00:00.000Z',
    attestedBy: { orgNumber: PROCESSOR_ORG, clientId: 'test-client' },
  };
}

/** The termination workflow waits on this step with this token. */
export function givenTaskToken(
  agreementId: string,
  step: 'disposition' | 'attestation',
  token: string,
): void {
  givenItem(marshall({ ...taskTokenKey(agreementId, 'termination', step), entity: 'task-token', token }));
}
