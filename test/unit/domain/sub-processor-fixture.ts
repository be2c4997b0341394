import type { Agreement, SubProcessorRequest } from '../../../functions/domain/schemas.ts';
import type { SubProcessorRecord } from '../../../functions/domain/sub-processor-schemas.ts';
import { CONTROLLER_ORG, draftAgreement, PROCESSOR_ORG, signature } from './agreement-fixture.ts';

export const SUB_ID = '7d9e2c1a-4b3f-4e8a-9c6d-1f2e3a4b5c6d';
export const OTHER_SUB_ID = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
/** A valid organisation number that is neither party (invented sub-processor "Driftshuset AS"). */
export const SUB_PROCESSOR_ORG = '974652358';

/** In force since 2026-11-16, covering name, national identity number and health data. */
export function inForceAgreement(overrides: Partial<Agreement> = {}): Agreement {
  return draftAgreement({
    status: 'IN_FORCE',
    version: 4,
    scope: {
      purpose: 'Arbeidsrettet oppfølging',
      nature: 'Lagring og visning',
      dataSubjectCategories: ['Deltakere i KVP'],
      personalDataTypes: ['Navn', 'Fødselsnummer'],
      specialCategories: ['Helseopplysninger'],
    },
    submittedAt: '2026-11-15T09:00:00.000Z',
    signatureDeadline: '2026-12-15',
    signatures: [signature('processor', '2026-11-16'), signature('controller', '2026-11-16')],
    effectiveFrom: '2026-11-16',
    updatedAt: '2026-11-16T12:00:00.000Z',
    ...overrides,
  });
}

/** The request body of the contract, for a Norwegian sub-processor (overrides may make it invalid). */
export function requestBody(overrides: Record<string, unknown> = {}): SubProcessorRequest {
  return {
    name: 'Driftshuset AS',
    orgNumber: SUB_PROCESSOR_ORG,
    address: 'Storgata 1, 0155 Oslo',
    processingLocation: { city: 'Oslo', countryCode: 'NO' },
    activities: 'Drift og backup av fagsystemet',
    personalDataTypes: ['Navn'],
    ...overrides,
  } as SubProcessorRequest;
}

/** Requested 2026-11-20 at 10:00 Oslo time by the processor; decision due by the end of 2026-12-20. */
export function pendingRecord(overrides: Partial<SubProcessorRecord> = {}): SubProcessorRecord {
  return {
    id: SUB_ID,
    name: 'Driftshuset AS',
    orgNumber: SUB_PROCESSOR_ORG,
    address: 'Storgata 1, 0155 Oslo',
    processingLocation: { city: 'Oslo', countryCode: 'NO' },
    activities: 'Drift og backup av fagsystemet',
    personalDataTypes: ['Navn'],
    status: 'REQUESTED',
    requestedAt: '2026-11-20T09:00:00.000Z',
    requestedBy: { orgNumber: PROCESSOR_ORG, clientId: 'test-client' },
    decisionDeadline: '2026-12-20',
    ...overrides,
  };
}

export function approvedRecord(overrides: Partial<SubProcessorRecord> = {}): SubProcessorRecord {
  return pendingRecord({
    status: 'APPROVED',
    decision: {
      decision: 'APPROVED',
      reason: 'Databehandleravtale med Driftshuset AS er inngått',
      signatory: { name: 'Kari Testesen', title: 'Rådmann' },
      decidedOn: '2026-11-21',
      decidedAt: '2026-11-21T10:00:00.000Z',
      decidedBy: { orgNumber: CONTROLLER_ORG, clientId: 'test-client' },
    },
    approvedFrom: '2026-11-21T10:00:00.000Z',
    ...overrides,
  });
}
