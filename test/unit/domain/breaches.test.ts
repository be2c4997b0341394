import { describe, expect, it } from 'vitest';
import { breachReportSchema } from '../../../functions/domain/breach-schemas.ts';
import { BREACH_REPORTABLE_STATES, decideBreachReport } from '../../../functions/domain/breaches.ts';
import { DomainError } from '../../../functions/domain/errors.ts';
import type { Agreement, AgreementStatus } from '../../../functions/domain/schemas.ts';
import { draftAgreement, PROCESSOR_ORG } from './agreement-fixture.ts';

const BREACH_ID = '0b9e3c1a-7f2d-4e8b-9a6c-5d4e3f2a1b0c';
const actor = { orgNumber: PROCESSOR_ORG, clientId: 'test-client' };

const breachReport = (becameAwareAt: string) => ({
  becameAwareAt,
  nature: 'Feiladressert brev med vedtak sendt til feil mottaker',
  dataSubjectCategories: ['Deltakere i KVP'],
  approximateDataSubjects: 1,
  personalDataCategories: ['Navn', 'Fødselsnummer'],
  approximateRecords: 1,
  contactPoint: { name: 'Ola Prøvesen', email: 'ola@example.no', phone: '+4798888888' },
  likelyConsequences: 'Uvedkommende kan ha lest opplysninger om én deltaker',
  measuresTaken: 'Mottaker har bekreftet sletting; rutine for adressering er skjerpet',
});

const inForce = (overrides: Partial<Agreement> = {}) => draftAgreement({ status: 'IN_FORCE', ...overrides });

function report(
  agreement: Agreement,
  becameAwareAt: string,
  now: string,
  role: 'controller' | 'processor' = 'processor',
) {
  return decideBreachReport({
    agreement,
    role,
    request: breachReportSchema.parse(breachReport(becameAwareAt)),
    actor,
    id: BREACH_ID,
    now: new Date(now),
  });
}

function refusal(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('breach reports (rule 9)', () => {
  it('sets the deadline at the agreed number of hours after awareness (36 by default) and 72 hours for Datatilsynet', () => {
    const record = report(inForce(), '2026-11-20T08:00:00Z', '2026-11-21T19:59:59Z');
    expect(record.notificationDeadline).toBe('2026-11-21T20:00:00.000Z');
    expect(record.reportedLate).toBe(false);
    expect(record.supervisoryAuthorityDeadline).toBe('2026-11-23T08:00:00.000Z');
    expect(record.reportedBy).toEqual(actor);
  });

  it('marks a report after the agreed deadline as late but still accepts it', () => {
    const record = report(inForce(), '2026-11-20T08:00:00Z', '2026-11-21T20:00:01Z');
    expect(record.reportedLate).toBe(true);
  });

  it('uses the agreed 24 hours where the processor agreed to them (004)', () => {
    const agreement = inForce({ breachNotificationHours: 24 });
    expect(report(agreement, '2026-11-20T08:00:00Z', '2026-11-21T08:00:00Z').reportedLate).toBe(false);
    expect(report(agreement, '2026-11-20T08:00:00Z', '2026-11-21T08:00:01Z').reportedLate).toBe(true);
  });

  it('lets only the processor report (403 for the controller)', () => {
    const error = refusal(() =>
      report(inForce(), '2026-11-20T08:00:00Z', '2026-11-21T08:00:00Z', 'controller'),
    );
    expect(error.kind).toBe('forbidden');
  });

  it('refuses an awareness time in the future, naming becameAwareAt', () => {
    const error = refusal(() => report(inForce(), '2026-11-22T08:00:00Z', '2026-11-21T08:00:00Z'));
    expect(error.kind).toBe('validation');
    expect(JSON.stringify(error.extra.errors)).toContain('becameAwareAt');
  });

  it.each([
    'DRAFT',
    'AWAITING_SIGNATURES',
    'CANCELLED',
    'EXPIRED',
    'CLOSED',
  ] as AgreementStatus[])('refuses a report on an agreement that is %s (409 with the status)', (status) => {
    const error = refusal(() => report(inForce({ status }), '2026-11-20T08:00:00Z', '2026-11-21T08:00:00Z'));
    expect(error.kind).toBe('conflict');
    expect(error.extra.currentStatus).toBe(status);
  });

  it('accepts reports while the processor may still hold data', () => {
    expect(BREACH_REPORTABLE_STATES).toEqual([
      'IN_FORCE',
      'NOTICE_PERIOD',
      'TERMINATED',
      'RETAINED_UNDER_LAW',
    ]);
    for (const status of BREACH_REPORTABLE_STATES) {
      expect(report(inForce({ status }), '2026-11-20T08:00:00Z', '2026-11-21T08:00:00Z').id).toBe(BREACH_ID);
    }
  });

  it('requires the content a-f and rejects unknown fields', () => {
    const { measuresTaken: _missing, ...incomplete } = breachReport('2026-11-20T08:00:00Z');
    expect(breachReportSchema.safeParse(incomplete).success).toBe(false);
    expect(
      breachReportSchema.safeParse({ ...breachReport('2026-11-20T08:00:00Z'), colour: 'red' }).success,
    ).toBe(false);
    expect(breachReportSchema.safeParse({ ...breachReport('yesterday') }).success).toBe(false);
  });
});
