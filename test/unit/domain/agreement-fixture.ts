import { contentHashOf } from '../../../functions/domain/content-hash.ts';
import type { Agreement, Signature } from '../../../functions/domain/schemas.ts';

/** Radøy kommune (controller) and NAV (processor), as in product.md's example; the outsider is neither. */
export const CONTROLLER_ORG = '954748634';
export const PROCESSOR_ORG = '889640782';
export const OUTSIDER_ORG = '974652358';

export const AGREEMENT_ID = '3f1c2a4e-8b7d-4c21-9e5f-0a1b2c3d4e5f';

/** The create request of product.md, verbatim. */
export function exampleCreateRequest(): Record<string, unknown> {
  return {
    title: 'Databehandleravtale for digital aktivitetsplan (KVP)',
    controller: { orgNumber: CONTROLLER_ORG, name: 'Radøy kommune' },
    processor: { orgNumber: PROCESSOR_ORG, name: 'Arbeids- og velferdsetaten' },
    cooperationAgreementRef: 'Samarbeidsavtale om Modia arbeidsrettet oppfølging',
    scope: {
      purpose: 'Arbeidsrettet oppfølging av deltakere i kvalifiseringsprogrammet',
      nature: 'Lagring og visning i digital aktivitetsplan',
      dataSubjectCategories: ['Deltakere i KVP', 'Veiledere'],
      personalDataTypes: ['Navn', 'Fødselsnummer', 'Adresse'],
      specialCategories: ['Helseopplysninger'],
    },
    securityMeasures: 'Felles sikkerhetsnormer for arbeids- og velferdsforvaltningen',
    contacts: {
      controller: { name: 'Kari Nordmann', email: 'kari@example.kommune.no', phone: '+4799999999' },
      processor: { name: 'Ola Nordmann', email: 'ola@example.no', phone: '+4798888888' },
    },
    subProcessors: [],
    noticePeriodMonths: 3,
    breachNotificationHours: 36,
    signatureDeadlineDays: 30,
  };
}

/** A draft created by the controller on 2026-11-01; its content hash follows its content. */
export function draftAgreement(overrides: Partial<Agreement> = {}): Agreement {
  const agreement: Omit<Agreement, 'contentHash'> & { contentHash?: string } = {
    id: AGREEMENT_ID,
    status: 'DRAFT',
    version: 1,
    title: 'Databehandleravtale for digital aktivitetsplan (KVP)',
    controller: { orgNumber: CONTROLLER_ORG, name: 'Radøy kommune' },
    processor: { orgNumber: PROCESSOR_ORG, name: 'Arbeids- og velferdsetaten' },
    scope: {
      purpose: 'Arbeidsrettet oppfølging av deltakere i kvalifiseringsprogrammet',
      nature: 'Lagring og visning i digital aktivitetsplan',
      dataSubjectCategories: ['Deltakere i KVP'],
      personalDataTypes: ['Navn'],
      specialCategories: [],
    },
    securityMeasures: 'Felles sikkerhetsnormer',
    contacts: {
      controller: { name: 'Kari Nordmann', email: 'kari@example.kommune.no', phone: '+4799999999' },
      processor: { name: 'Ola Nordmann', email: 'ola@example.no', phone: '+4798888888' },
    },
    subProcessors: [],
    noticePeriodMonths: 3,
    breachNotificationHours: 36,
    signatureDeadlineDays: 30,
    createdBy: { orgNumber: CONTROLLER_ORG, clientId: 'test-client' },
    createdAt: '2026-11-01T09:00:00.000Z',
    updatedAt: '2026-11-01T09:00:00.000Z',
    signatures: [],
    ...overrides,
  };
  return { ...agreement, contentHash: agreement.contentHash ?? contentHashOf(agreement) };
}

/** Submitted on 2026-11-15 (Oslo), deadline 2026-12-15, nobody has signed yet. */
export function awaitingAgreement(overrides: Partial<Agreement> = {}): Agreement {
  return draftAgreement({
    status: 'AWAITING_SIGNATURES',
    version: 2,
    submittedAt: '2026-11-15T09:00:00.000Z',
    signatureDeadline: '2026-12-15',
    updatedAt: '2026-11-15T09:00:00.000Z',
    ...overrides,
  });
}

export function signature(party: Signature['party'], signedOn: string): Signature {
  return {
    party,
    signatory: { name: party === 'controller' ? 'Kari Ordfører' : 'Ola Direktør', title: 'Leder' },
    place: party === 'controller' ? 'Radøy' : 'Oslo',
    signedOn,
    signedAt: `${signedOn}T12:00:00.000Z`,
  };
}
