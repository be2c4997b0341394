import type { BreachReportRequest } from '../../../functions/domain/breach-schemas.ts';

export const BREACH_ID = '5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e';

/** A breach report as the processor sends it (invented content); aware at 09:30 in Oslo on 2026-11-20. */
export function breachBody(overrides: Record<string, unknown> = {}): BreachReportRequest {
  return {
    becameAwareAt: '2026-11-20T09:30:00+01:00',
    severity: 'HIGH',
    nature: 'Vedlegg med personopplysninger sendt til feil mottaker',
    dataSubjectCategories: ['Deltakere i KVP'],
    approximateDataSubjects: 12,
    personalDataCategories: ['Navn', 'Fødselsnummer'],
    approximateRecords: 12,
    contactPoint: { name: 'Ola Testesen', email: 'personvern@example.no', phone: '+4798888888' },
    likelyConsequences: 'Uvedkommende kan ha sett navn og fødselsnummer',
    measuresTaken: 'Mottaker har bekreftet sletting',
    ...overrides,
  } as BreachReportRequest;
}
