import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../functions/domain/errors.ts';
import type { AgreementStatus, SignatureRequest } from '../../../functions/domain/schemas.ts';
import {
  decideSignature,
  missingSignatures,
  secondsUntilDeadline,
  signatureDeadlineFor,
  signatureDeadlinePassed,
} from '../../../functions/domain/signing.ts';
import { awaitingAgreement, draftAgreement, signature } from './agreement-fixture.ts';

/** The fixtures' agreements share one content, so they share its hash. */
const CONTENT_HASH = awaitingAgreement().contentHash;

const request = (signedOn?: string): SignatureRequest => ({
  signatory: { name: 'Kari Ordfører', title: 'Ordfører' },
  place: 'Radøy',
  ...(signedOn ? { signedOn } : {}),
  contentHash: CONTENT_HASH,
});

const at = (iso: string) => new Date(iso);

function domainErrorOf(action: () => unknown): DomainError {
  try {
    action();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError, nothing was thrown');
}

describe('decideSignature', () => {
  it('records the first signature without completing the agreement', () => {
    const decision = decideSignature(awaitingAgreement(), 'processor', request(), at('2026-11-22T10:00:00Z'));
    expect(decision.completes).toBe(false);
    expect(decision.effectiveFrom).toBeUndefined();
    expect(decision.signature).toEqual({
      party: 'processor',
      signatory: { name: 'Kari Ordfører', title: 'Ordfører' },
      place: 'Radøy',
      signedOn: '2026-11-22',
      signedAt: '2026-11-22T10:00:00.000Z',
      contentHash: CONTENT_HASH,
    });
  });

  it('refuses a signature for other content than the agreement has (rule 12), naming the current hash', () => {
    const agreement = awaitingAgreement();
    const edited = awaitingAgreement({ title: 'Endret tittel' });
    expect(edited.contentHash).not.toBe(agreement.contentHash);
    const error = domainErrorOf(() =>
      decideSignature(edited, 'processor', request(), at('2026-11-22T10:00:00Z')),
    );
    expect(error.kind).toBe('conflict');
    expect(error.extra).toEqual({ currentStatus: 'AWAITING_SIGNATURES', contentHash: edited.contentHash });
    expect(error.message).toContain(edited.contentHash);
  });

  it('completes with the controller signing second', () => {
    const agreement = awaitingAgreement({ signatures: [signature('processor', '2026-11-18')] });
    const decision = decideSignature(
      agreement,
      'controller',
      request('2026-11-20'),
      at('2026-11-22T10:00:00Z'),
    );
    expect(decision).toMatchObject({ completes: true, effectiveFrom: '2026-11-20' });
  });

  it('completes with the processor signing second (order does not matter)', () => {
    const agreement = awaitingAgreement({ signatures: [signature('controller', '2026-11-18')] });
    const decision = decideSignature(
      agreement,
      'processor',
      request('2026-11-20'),
      at('2026-11-22T10:00:00Z'),
    );
    expect(decision).toMatchObject({ completes: true, effectiveFrom: '2026-11-20' });
  });

  it('takes the later date as effectiveFrom even when the second signature is dated earlier', () => {
    const agreement = awaitingAgreement({ signatures: [signature('controller', '2026-11-21')] });
    const decision = decideSignature(
      agreement,
      'processor',
      request('2026-11-16'),
      at('2026-11-22T10:00:00Z'),
    );
    expect(decision).toMatchObject({ completes: true, effectiveFrom: '2026-11-21' });
  });

  it('dates a signature without signedOn with today in Oslo, not in UTC', () => {
    // 23:30 UTC on 22 November is 00:30 on 23 November in Oslo.
    const decision = decideSignature(
      awaitingAgreement(),
      'controller',
      request(),
      at('2026-11-22T23:30:00Z'),
    );
    expect(decision.signature.signedOn).toBe('2026-11-23');
  });

  it('refuses a second signature by the same party with a conflict', () => {
    const agreement = awaitingAgreement({ signatures: [signature('controller', '2026-11-18')] });
    const error = domainErrorOf(() =>
      decideSignature(agreement, 'controller', request(), at('2026-11-22T10:00:00Z')),
    );
    expect(error.kind).toBe('conflict');
    expect(error.extra.currentStatus).toBe('AWAITING_SIGNATURES');
    expect(error.message).toContain('already signed');
  });

  it.each([
    'DRAFT',
    'IN_FORCE',
    'CANCELLED',
    'EXPIRED',
    'NOTICE_PERIOD',
  ] as AgreementStatus[])('refuses to sign a %s agreement with a conflict carrying the current status', (status) => {
    const agreement = awaitingAgreement({ status });
    const error = domainErrorOf(() =>
      decideSignature(agreement, 'processor', request(), at('2026-11-22T10:00:00Z')),
    );
    expect(error.kind).toBe('conflict');
    expect(error.extra.currentStatus).toBe(status);
  });

  it('still accepts a signature at 23:59 in Oslo on the deadline day (winter)', () => {
    const agreement = awaitingAgreement({ signatureDeadline: '2026-12-15' });
    // 22:59 UTC = 23:59 CET
    const decision = decideSignature(agreement, 'processor', request(), at('2026-12-15T22:59:00Z'));
    expect(decision.signature.signedOn).toBe('2026-12-15');
  });

  it('refuses a signature once the deadline day has ended in Oslo (winter), even though it is still that day in UTC', () => {
    const agreement = awaitingAgreement({ signatureDeadline: '2026-12-15' });
    const error = domainErrorOf(() =>
      decideSignature(agreement, 'processor', request(), at('2026-12-15T23:00:00Z')),
    );
    expect(error.kind).toBe('conflict');
    expect(error.extra.currentStatus).toBe('AWAITING_SIGNATURES');
    expect(error.message).toContain('2026-12-15');
  });

  it('uses the summer offset for a deadline in summer: 23:59 CEST allowed, midnight refused', () => {
    const agreement = awaitingAgreement({
      submittedAt: '2026-06-01T08:00:00.000Z',
      signatureDeadline: '2026-07-01',
    });
    expect(decideSignature(agreement, 'processor', request(), at('2026-07-01T21:59:00Z')).completes).toBe(
      false,
    );
    expect(
      domainErrorOf(() => decideSignature(agreement, 'processor', request(), at('2026-07-01T22:00:00Z')))
        .kind,
    ).toBe('conflict');
  });

  it('refuses a signature dated in the future with a validation error on signedOn', () => {
    const error = domainErrorOf(() =>
      decideSignature(awaitingAgreement(), 'processor', request('2026-11-23'), at('2026-11-22T10:00:00Z')),
    );
    expect(error.kind).toBe('validation');
    expect(error.extra.errors?.map((e) => e.field)).toEqual(['signedOn']);
  });

  it('refuses a signature dated before the submission with a validation error on signedOn', () => {
    // submitted 2026-11-15
    const error = domainErrorOf(() =>
      decideSignature(awaitingAgreement(), 'processor', request('2026-11-14'), at('2026-11-22T10:00:00Z')),
    );
    expect(error.kind).toBe('validation');
    expect(error.extra.errors).toEqual([
      { field: 'signedOn', message: expect.stringContaining('2026-11-15') },
    ]);
  });

  it('accepts a signature dated on the submission day', () => {
    const decision = decideSignature(
      awaitingAgreement(),
      'processor',
      request('2026-11-15'),
      at('2026-11-22T10:00:00Z'),
    );
    expect(decision.signature.signedOn).toBe('2026-11-15');
  });

  it('does not sign a draft even if its signatures list is empty', () => {
    const error = domainErrorOf(() =>
      decideSignature(draftAgreement(), 'controller', request(), at('2026-11-22T10:00:00Z')),
    );
    expect(error.extra.currentStatus).toBe('DRAFT');
  });
});

describe('signature deadline', () => {
  it('is the submission date in Oslo plus the days', () => {
    expect(signatureDeadlineFor(at('2026-11-22T10:00:00Z'), 30)).toBe('2026-12-22');
    // 23:30 UTC on 22 November is already 23 November in Oslo.
    expect(signatureDeadlineFor(at('2026-11-22T23:30:00Z'), 30)).toBe('2026-12-23');
  });

  it('passes when the deadline day has ended in Oslo, across the autumn clock change', () => {
    expect(signatureDeadlinePassed('2026-10-25', at('2026-10-25T22:59:59Z'))).toBe(false);
    expect(signatureDeadlinePassed('2026-10-25', at('2026-10-25T23:00:00Z'))).toBe(true);
  });

  it('counts the seconds left until the deadline day ends, at least one', () => {
    expect(secondsUntilDeadline('2026-12-15', at('2026-12-15T22:00:00Z'))).toBe(3600);
    expect(secondsUntilDeadline('2026-12-15', at('2026-12-20T00:00:00Z'))).toBe(1);
  });
});

describe('missingSignatures', () => {
  it('lists the parties that have not signed', () => {
    expect(missingSignatures({ signatures: [] })).toEqual(['controller', 'processor']);
    expect(missingSignatures({ signatures: [signature('processor', '2026-11-20')] })).toEqual(['controller']);
    expect(
      missingSignatures({
        signatures: [signature('processor', '2026-11-20'), signature('controller', '2026-11-21')],
      }),
    ).toEqual([]);
  });
});
