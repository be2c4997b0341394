import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../functions/domain/errors.ts';
import { agreementAllowsProcessing } from '../../../functions/domain/lifecycle.ts';
import {
  type Agreement,
  type AgreementStatus,
  agreementStatusSchema,
  createAgreementSchema,
  patchAgreementSchema,
} from '../../../functions/domain/schemas.ts';
import {
  decideAttestation,
  decideDisposition,
  decideNotice,
  dispositionPending,
} from '../../../functions/domain/termination.ts';
import type { AttestationRequest } from '../../../functions/domain/termination-schemas.ts';
import {
  attestationRequestSchema,
  dataDispositionRequestSchema,
  terminationNoticeRequestSchema,
} from '../../../functions/domain/termination-schemas.ts';
import { draftAgreement, exampleCreateRequest, PROCESSOR_ORG, signature } from './agreement-fixture.ts';

const controllerActor = { orgNumber: '954748634', clientId: 'kommune-system', person: 'Kari Testesen' };
const processorActor = { orgNumber: PROCESSOR_ORG, clientId: 'nav-system' };

/** In force since 2026-10-01 (both signed that day). */
function inForce(overrides: Partial<Agreement> = {}): Agreement {
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

function noticed(overrides: Partial<Agreement> = {}): Agreement {
  return inForce({
    status: 'NOTICE_PERIOD',
    version: 5,
    termination: { givenBy: 'controller', givenOn: '2026-11-30', reason: 'Ny leverandør' },
    terminatesOn: '2027-02-28',
    ...overrides,
  });
}

function terminated(overrides: Partial<Agreement> = {}): Agreement {
  return noticed({
    status: 'TERMINATED',
    version: 6,
    terminatedAt: '2027-02-28T23:00:00.000Z',
    ...overrides,
  });
}

const chosen = (method: 'RETURN' | 'DELETE', chosenOn = '2027-03-02') => ({
  method,
  chosenOn,
  chosenAt: `${chosenOn}T09:00:00.000Z`,
  chosenBy: controllerActor,
});

/** 10:00 in Oslo (winter) on the date. */
const osloMorning = (date: string) => new Date(`${date}T09:00:00Z`);

function caught(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}

describe('decideNotice (rule 5)', () => {
  it('gives notice today by default and computes terminatesOn with the end-of-month rule', () => {
    const decision = decideNotice(inForce(), 'processor', { reason: 'Avvikles' }, osloMorning('2026-11-30'));
    expect(decision).toEqual({
      termination: { givenBy: 'processor', givenOn: '2026-11-30', reason: 'Avvikles' },
      terminatesOn: '2027-02-28',
    });
  });

  it("takes today's date in Oslo, which at 23:30 UTC is already the next day", () => {
    const decision = decideNotice(
      inForce(),
      'controller',
      { reason: 'Avvikles' },
      new Date('2027-11-29T23:30:00Z'),
    );
    expect(decision.termination.givenOn).toBe('2027-11-30');
    expect(decision.terminatesOn).toBe('2028-02-29');
  });

  it('refuses a back-dated notice whose terminatesOn has already passed, naming givenOn', () => {
    let refused: unknown;
    try {
      decideNotice(
        inForce(),
        'controller',
        { givenOn: '2026-10-15', reason: 'Avvikles' },
        osloMorning('2027-02-01'),
      );
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(DomainError);
    expect((refused as DomainError).kind).toBe('validation');
    expect(JSON.stringify((refused as DomainError).extra.errors)).toContain('givenOn');
  });

  it('accepts a back-dated notice that terminates today at the earliest', () => {
    const decision = decideNotice(
      inForce(),
      'controller',
      { givenOn: '2026-11-01', reason: 'Avvikles' },
      osloMorning('2027-02-01'),
    );
    expect(decision.terminatesOn).toBe('2027-02-01');
  });

  it('uses the agreed notice period', () => {
    const decision = decideNotice(
      inForce({ noticePeriodMonths: 6 }),
      'controller',
      { reason: 'Avvikles' },
      osloMorning('2027-08-31'),
    );
    expect(decision.terminatesOn).toBe('2028-02-29');
  });

  it('accepts a notice dated in the past, from the day the agreement entered into force', () => {
    const decision = decideNotice(
      inForce(),
      'controller',
      { givenOn: '2026-10-01', reason: 'Varslet per brev' },
      osloMorning('2026-11-30'),
    );
    expect(decision.terminatesOn).toBe('2027-01-01');
  });

  it('refuses a notice dated in the future, naming givenOn', () => {
    const error = caught(() =>
      decideNotice(
        inForce(),
        'controller',
        { givenOn: '2026-12-01', reason: 'x' },
        osloMorning('2026-11-30'),
      ),
    );
    expect(error.kind).toBe('validation');
    expect(error.extra.errors).toEqual([{ field: 'givenOn', message: expect.stringContaining('future') }]);
  });

  it('refuses a notice dated before the agreement entered into force, naming givenOn', () => {
    const error = caught(() =>
      decideNotice(
        inForce(),
        'controller',
        { givenOn: '2026-09-30', reason: 'x' },
        osloMorning('2026-11-30'),
      ),
    );
    expect(error.kind).toBe('validation');
    expect(error.extra.errors).toEqual([
      { field: 'givenOn', message: expect.stringContaining('2026-10-01') },
    ]);
  });

  it('refuses a second notice with 409, telling who gave the first and when the agreement ends', () => {
    const error = caught(() =>
      decideNotice(noticed(), 'processor', { reason: 'x' }, osloMorning('2026-12-10')),
    );
    expect(error.kind).toBe('conflict');
    expect(error.extra.currentStatus).toBe('NOTICE_PERIOD');
    expect(error.message).toContain('controller on 2026-11-30');
    expect(error.message).toContain('2027-02-28');
  });

  it.each(
    agreementStatusSchema.options.filter((s) => s !== 'IN_FORCE' && s !== 'NOTICE_PERIOD'),
  )('refuses notice on an agreement that is %s with 409', (status) => {
    const error = caught(() =>
      decideNotice(inForce({ status }), 'controller', { reason: 'x' }, osloMorning('2026-11-30')),
    );
    expect(error.kind).toBe('conflict');
    expect(error.extra.currentStatus).toBe(status);
  });
});

describe('decideDisposition (rule 6)', () => {
  it('records the choice made during the notice period, with who chose and when', () => {
    const disposition = decideDisposition(
      noticed(),
      { method: 'RETURN', instructions: 'CSV via SFTP' },
      controllerActor,
      osloMorning('2026-12-10'),
    );
    expect(disposition).toEqual({
      method: 'RETURN',
      instructions: 'CSV via SFTP',
      chosenOn: '2026-12-10',
      chosenAt: '2026-12-10T09:00:00.000Z',
      chosenBy: controllerActor,
    });
  });

  it('records a choice after termination', () => {
    expect(
      decideDisposition(terminated(), { method: 'DELETE' }, controllerActor, osloMorning('2027-03-02')),
    ).toMatchObject({ method: 'DELETE', chosenOn: '2027-03-02' });
  });

  it('refuses a second choice with 409 naming the first', () => {
    const error = caught(() =>
      decideDisposition(
        terminated({ dataDisposition: chosen('RETURN') }),
        { method: 'DELETE' },
        controllerActor,
        osloMorning('2027-03-05'),
      ),
    );
    expect(error.kind).toBe('conflict');
    expect(error.message).toContain('RETURN on 2027-03-02');
  });

  it.each([
    'DRAFT',
    'AWAITING_SIGNATURES',
    'IN_FORCE',
    'CLOSED',
    'CANCELLED',
    'EXPIRED',
  ] as const)('refuses a choice while %s with 409', (status) => {
    const error = caught(() =>
      decideDisposition(
        inForce({ status }),
        { method: 'DELETE' },
        controllerActor,
        osloMorning('2027-03-02'),
      ),
    );
    expect(error.kind).toBe('conflict');
    expect(error.extra.currentStatus).toBe(status);
  });
});

describe('decideAttestation (rule 6)', () => {
  const request = (overrides: Partial<AttestationRequest> = {}): AttestationRequest => ({
    method: 'RETURN',
    completedOn: '2027-03-10',
    statement: 'Alle personopplysninger og kopier er tilbakelevert.',
    signatory: { name: 'Per Testesen', title: 'Personvernombud' },
    ...overrides,
  });
  const at = osloMorning('2027-03-12');

  it('closes a terminated agreement when the processor attests the chosen method', () => {
    const { attestation, status } = decideAttestation(
      terminated({ dataDisposition: chosen('RETURN') }),
      request(),
      processorActor,
      at,
    );
    expect(status).toBe('CLOSED');
    expect(attestation).toEqual({
      method: 'RETURN',
      completedOn: '2027-03-10',
      statement: 'Alle personopplysninger og kopier er tilbakelevert.',
      signatory: { name: 'Per Testesen', title: 'Personvernombud' },
      attestedAt: '2027-03-12T09:00:00.000Z',
      attestedBy: processorActor,
    });
  });

  it('keeps the agreement open, RETAINED_UNDER_LAW, when EEA law requires keeping data', () => {
    const retainedUnderLaw = { legalBasis: 'Bokføringsloven § 13', reviewOn: '2032-03-01' };
    const { attestation, status } = decideAttestation(
      terminated({ dataDisposition: chosen('DELETE') }),
      request({ method: 'DELETE', retainedUnderLaw }),
      processorActor,
      at,
    );
    expect(status).toBe('RETAINED_UNDER_LAW');
    expect(attestation.retainedUnderLaw).toEqual(retainedUnderLaw);
  });

  it('closes a RETAINED_UNDER_LAW agreement with the final deletion, whichever method was chosen', () => {
    const retained = terminated({
      status: 'RETAINED_UNDER_LAW',
      dataDisposition: chosen('RETURN'),
      attestation: {
        ...request(),
        retainedUnderLaw: { legalBasis: 'Bokføringsloven § 13', reviewOn: '2032-03-01' },
        attestedAt: '2027-03-12T09:00:00.000Z',
        attestedBy: processorActor,
      },
    });
    const { status } = decideAttestation(
      retained,
      request({ method: 'DELETE', completedOn: '2032-03-01' }),
      processorActor,
      osloMorning('2032-03-02'),
    );
    expect(status).toBe('CLOSED');
  });

  it('refuses a method other than the chosen one with 409, naming method', () => {
    const error = caught(() =>
      decideAttestation(
        terminated({ dataDisposition: chosen('RETURN') }),
        request({ method: 'DELETE' }),
        processorActor,
        at,
      ),
    );
    expect(error.kind).toBe('conflict');
    expect(error.extra).toEqual({
      currentStatus: 'TERMINATED',
      errors: [{ field: 'method', message: 'must be RETURN, the method the controller chose' }],
    });
  });

  it('refuses anything but DELETE, and a second retention, after legal retention', () => {
    const retained = terminated({ status: 'RETAINED_UNDER_LAW', dataDisposition: chosen('RETURN') });
    expect(caught(() => decideAttestation(retained, request(), processorActor, at)).extra.errors).toEqual([
      { field: 'method', message: expect.stringContaining('DELETE') },
    ]);
    const again = caught(() =>
      decideAttestation(
        retained,
        request({ method: 'DELETE', retainedUnderLaw: { legalBasis: 'x', reviewOn: '2033-01-01' } }),
        processorActor,
        at,
      ),
    );
    expect(again.kind).toBe('conflict');
    expect(again.extra.errors).toEqual([{ field: 'retainedUnderLaw', message: expect.any(String) }]);
  });

  it('refuses an attestation before the controller has chosen, with 409', () => {
    const error = caught(() => decideAttestation(terminated(), request(), processorActor, at));
    expect(error.kind).toBe('conflict');
    expect(error.extra.currentStatus).toBe('TERMINATED');
  });

  it.each([
    'IN_FORCE',
    'NOTICE_PERIOD',
    'CLOSED',
    'DRAFT',
  ] as const)('refuses an attestation while %s with 409', (status) => {
    const error = caught(() =>
      decideAttestation(
        terminated({ status, dataDisposition: chosen('RETURN') }),
        request(),
        processorActor,
        at,
      ),
    );
    expect(error.kind).toBe('conflict');
    expect(error.extra.currentStatus).toBe(status);
  });

  it('refuses a completion date in the future or before the instruction, and a review date not after today', () => {
    const agreement = terminated({ dataDisposition: chosen('RETURN', '2027-03-02') });
    expect(
      caught(() => decideAttestation(agreement, request({ completedOn: '2027-03-13' }), processorActor, at))
        .extra.errors,
    ).toEqual([{ field: 'completedOn', message: expect.stringContaining('future') }]);
    expect(
      caught(() => decideAttestation(agreement, request({ completedOn: '2027-03-01' }), processorActor, at))
        .extra.errors,
    ).toEqual([{ field: 'completedOn', message: expect.stringContaining('2027-03-02') }]);
    expect(
      caught(() =>
        decideAttestation(
          agreement,
          request({ retainedUnderLaw: { legalBasis: 'x', reviewOn: '2027-03-12' } }),
          processorActor,
          at,
        ),
      ).extra.errors,
    ).toEqual([{ field: 'retainedUnderLaw.reviewOn', message: expect.stringContaining('after today') }]);
  });
});

describe('agreementAllowsProcessing (rules 5 and 8)', () => {
  it.each(
    agreementStatusSchema.options.map((status) => [
      status,
      status === 'IN_FORCE' || status === 'NOTICE_PERIOD',
    ]),
  )('%s allows processing: %s', (status, allowed) => {
    expect(agreementAllowsProcessing({ status: status as AgreementStatus }, osloMorning('2027-01-10'))).toBe(
      allowed,
    );
  });

  it('allows processing through the last second of terminatesOn in Oslo, and not from midnight', () => {
    const agreement = noticed();
    expect(agreementAllowsProcessing(agreement, new Date('2027-02-28T22:59:59.999Z'))).toBe(true);
    // Still NOTICE_PERIOD in the record (the workflow has not run yet), yet the agreement has ended.
    expect(agreementAllowsProcessing(agreement, new Date('2027-02-28T23:00:00.000Z'))).toBe(false);
  });

  it('tells whether the controller still has to choose after termination', () => {
    expect(dispositionPending(terminated())).toBe(true);
    expect(dispositionPending(terminated({ dataDisposition: chosen('DELETE') }))).toBe(false);
    expect(dispositionPending(noticed())).toBe(false);
  });
});

describe('request schemas', () => {
  it('caps the notice period at 6 months (the termination workflow must finish within a year)', () => {
    const at = (noticePeriodMonths: number) =>
      createAgreementSchema.safeParse({ ...exampleCreateRequest(), noticePeriodMonths }).success;
    expect(at(6)).toBe(true);
    expect(at(7)).toBe(false);
    expect(patchAgreementSchema.safeParse({ noticePeriodMonths: 7 }).success).toBe(false);
  });

  it('accepts the notice, disposition and attestation shapes of the contract and rejects unknown fields', () => {
    expect(terminationNoticeRequestSchema.safeParse({ reason: 'Avvikles' }).success).toBe(true);
    expect(terminationNoticeRequestSchema.safeParse({ givenOn: '2027-02-30', reason: 'x' }).success).toBe(
      false,
    );
    expect(
      terminationNoticeRequestSchema.safeParse({ reason: 'x', terminatesOn: '2027-01-01' }).success,
    ).toBe(false);
    expect(terminationNoticeRequestSchema.safeParse({}).success).toBe(false);
    expect(dataDispositionRequestSchema.safeParse({ method: 'RETURN', instructions: 'CSV' }).success).toBe(
      true,
    );
    expect(dataDispositionRequestSchema.safeParse({ method: 'ARCHIVE' }).success).toBe(false);
    expect(
      attestationRequestSchema.safeParse({
        method: 'DELETE',
        completedOn: '2027-03-10',
        statement: 'Slettet',
        signatory: { name: 'Per Testesen', title: 'Personvernombud' },
        retainedUnderLaw: { legalBasis: 'Bokføringsloven § 13', reviewOn: '2032-03-01' },
      }).success,
    ).toBe(true);
    expect(
      attestationRequestSchema.safeParse({ method: 'DELETE', completedOn: '2027-03-10', statement: 'x' })
        .success,
    ).toBe(false);
  });
});

describe('the termination workflow stays within the one-year limit of Standard executions', () => {
  const asl = JSON.parse(readFileSync('workflows/termination.asl.json', 'utf8')) as {
    States: Record<string, { TimeoutSeconds?: number; Result?: { lastRound?: number } }>;
  };

  it('waits at most 6 months + 1 day, then at most lastRound x timeout per human step: under 365 days', () => {
    const longestNoticeDays = 31 + 31 + 30 + 31 + 30 + 31; // July to December, the longest 6 months
    const days = (seconds: number) => seconds / 86_400;
    const dispositionDays =
      asl.States.StartDispositionWait!.Result!.lastRound! *
      days(asl.States.AwaitDisposition!.TimeoutSeconds!);
    const attestationDays =
      asl.States.StartAttestationWait!.Result!.lastRound! *
      days(asl.States.AwaitAttestation!.TimeoutSeconds!);
    expect(dispositionDays).toBe(84);
    expect(attestationDays).toBe(84);
    // One day of slack covers the end of terminatesOn and every task's retries (each under 5 minutes).
    expect(longestNoticeDays + 1 + dispositionDays + attestationDays + 1).toBeLessThan(365);
  });

  it('gives every task a timeout, a Lambda retry with jitter and a catch', () => {
    for (const [name, state] of Object.entries(asl.States) as [string, Record<string, unknown>][]) {
      if (state.Type !== 'Task') continue;
      expect(state.TimeoutSeconds, name).toBeGreaterThan(0);
      const retry = (state.Retry as { JitterStrategy?: string; ErrorEquals: string[] }[])[0]!;
      expect(retry.JitterStrategy, name).toBe('FULL');
      expect(retry.ErrorEquals, name).toContain('Lambda.ServiceException');
      expect((state.Catch as unknown[]).length, name).toBeGreaterThan(0);
    }
  });
});
