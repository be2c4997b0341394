import { describe, expect, it } from 'vitest';
import type { AgreementStatus } from '../../../functions/domain/schemas.ts';
import {
  attestationPending,
  decideAttestation,
  decideNotice,
} from '../../../functions/domain/termination.ts';
import { domainErrorOf } from './domain-error.ts';
import {
  attestationRequest,
  chosen,
  inForce,
  noticed,
  osloMorning,
  processorActor,
  retained,
  terminated,
} from './termination-fixture.ts';

describe('the attestation after termination (rule 6, 003 §14)', () => {
  const today = osloMorning('2027-03-12');

  it('may be dated on the day the controller chose RETURN or DELETE', () => {
    const agreement = terminated({ dataDisposition: chosen('RETURN', '2027-03-02') });

    const { attestation, status } = decideAttestation(
      agreement,
      attestationRequest({ completedOn: '2027-03-02' }),
      processorActor,
      today,
    );

    expect(status).toBe('CLOSED');
    expect(attestation.completedOn).toBe('2027-03-02');
  });

  it('may be dated today', () => {
    const agreement = terminated({ dataDisposition: chosen('RETURN', '2027-03-02') });

    const { status } = decideAttestation(
      agreement,
      attestationRequest({ completedOn: '2027-03-12' }),
      processorActor,
      today,
    );

    expect(status).toBe('CLOSED');
  });

  it("may not be dated before the controller's instruction, and says which date that was", () => {
    const agreement = terminated({ dataDisposition: chosen('RETURN', '2027-03-02') });

    const error = domainErrorOf(() =>
      decideAttestation(agreement, attestationRequest({ completedOn: '2027-03-01' }), processorActor, today),
    );

    expect(error.kind).toBe('validation');
    expect(error.extra.errors).toEqual([
      { field: 'completedOn', message: "may not be before the controller's instruction (2027-03-02)" },
    ]);
  });

  it('may not be dated tomorrow, and says what today is', () => {
    const agreement = terminated({ dataDisposition: chosen('RETURN', '2027-03-02') });

    const error = domainErrorOf(() =>
      decideAttestation(agreement, attestationRequest({ completedOn: '2027-03-13' }), processorActor, today),
    );

    expect(error.extra.errors).toEqual([
      { field: 'completedOn', message: 'may not be in the future (today is 2027-03-12)' },
    ]);
  });
});

describe('the final deletion after legal retention (rule 6: the agreement stays open until it)', () => {
  it('closes the agreement when dated on the day of the attestation that kept data', () => {
    const agreement = retained('2027-03-10');

    const { attestation, status } = decideAttestation(
      agreement,
      attestationRequest({ method: 'DELETE', completedOn: '2027-03-10' }),
      processorActor,
      osloMorning('2027-03-12'),
    );

    expect(status).toBe('CLOSED');
    expect(attestation).not.toHaveProperty('retainedUnderLaw');
  });

  it('may not be dated before the attestation that kept data, even when that date is after terminatesOn', () => {
    // terminatesOn is 2027-02-28; the data were kept by the attestation of 2027-03-10.
    const agreement = retained('2027-03-10');

    const error = domainErrorOf(() =>
      decideAttestation(
        agreement,
        attestationRequest({ method: 'DELETE', completedOn: '2027-03-05' }),
        processorActor,
        osloMorning('2027-03-12'),
      ),
    );

    expect(error.kind).toBe('validation');
    expect(error.extra.errors).toEqual([
      { field: 'completedOn', message: 'may not be before the previous attestation (2027-03-10)' },
    ]);
  });
});

describe('no attestation before termination or after the agreement is done (rule 6)', () => {
  it('refuses a final deletion (DELETE, nothing kept) while the agreement is still in force, with 409', () => {
    const error = domainErrorOf(() =>
      decideAttestation(
        inForce(),
        attestationRequest({ method: 'DELETE', completedOn: '2026-11-10' }),
        processorActor,
        osloMorning('2026-11-12'),
      ),
    );

    expect(error.kind).toBe('conflict');
    expect(error.extra.currentStatus).toBe('IN_FORCE');
    expect(error.message).toBe('There is nothing to attest while the agreement is IN_FORCE');
  });

  it('refuses an attestation in the notice period with 409, saying when the agreement terminates', () => {
    const error = domainErrorOf(() =>
      decideAttestation(
        noticed({ dataDisposition: chosen('DELETE', '2026-12-01') }),
        attestationRequest({ method: 'DELETE', completedOn: '2026-12-10' }),
        processorActor,
        osloMorning('2026-12-12'),
      ),
    );

    expect(error.kind).toBe('conflict');
    expect(error.extra.currentStatus).toBe('NOTICE_PERIOD');
    expect(error.message).toBe(
      'The processor attests after the agreement has terminated, at the end of 2027-02-28',
    );
  });

  it.each([
    'DRAFT',
    'AWAITING_SIGNATURES',
    'CLOSED',
    'CANCELLED',
    'EXPIRED',
  ] as AgreementStatus[])('refuses a DELETE attestation while %s with 409: there is nothing to attest', (status) => {
    const error = domainErrorOf(() =>
      decideAttestation(
        terminated({ status, dataDisposition: chosen('DELETE') }),
        attestationRequest({ method: 'DELETE' }),
        processorActor,
        osloMorning('2027-03-12'),
      ),
    );

    expect(error.kind).toBe('conflict');
    expect(error.message).toBe(`There is nothing to attest while the agreement is ${status}`);
  });
});

describe('whether the processor still has to attest (the attestation reminder)', () => {
  it('is so once the agreement has terminated', () => {
    expect(attestationPending(terminated())).toBe(true);
  });

  it.each([
    'IN_FORCE',
    'NOTICE_PERIOD',
    'RETAINED_UNDER_LAW',
    'CLOSED',
  ] as AgreementStatus[])('is not so while %s', (status) => {
    expect(attestationPending({ status })).toBe(false);
  });
});

describe('notice on an agreement no longer in force (rule 5)', () => {
  it('is refused as such, not as a second notice, once the agreement has terminated', () => {
    const error = domainErrorOf(() =>
      decideNotice(terminated(), 'processor', { reason: 'Avvikles' }, osloMorning('2027-03-02')),
    );

    expect(error.kind).toBe('conflict');
    expect(error.extra.currentStatus).toBe('TERMINATED');
    expect(error.message).toBe('Notice can only be given on an agreement in force; this one is TERMINATED');
  });
});
