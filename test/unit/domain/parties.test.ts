import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../functions/domain/errors.ts';
import { otherParty, requireParty, requireRole, roleOf } from '../../../functions/domain/parties.ts';
import { CONTROLLER_ORG, draftAgreement, OUTSIDER_ORG, PROCESSOR_ORG } from './agreement-fixture.ts';

function thrown(action: () => unknown): DomainError {
  try {
    action();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError, nothing was thrown');
}

describe('roleOf', () => {
  it('names the controller and the processor by organisation number', () => {
    expect(roleOf(draftAgreement(), CONTROLLER_ORG)).toBe('controller');
    expect(roleOf(draftAgreement(), PROCESSOR_ORG)).toBe('processor');
  });

  it('gives no role to any other organisation', () => {
    expect(roleOf(draftAgreement(), OUTSIDER_ORG)).toBeUndefined();
  });
});

describe('requireParty', () => {
  it('returns the agreement and the role for a party', () => {
    const agreement = draftAgreement();
    expect(requireParty(agreement, PROCESSOR_ORG)).toEqual({ agreement, role: 'processor' });
  });

  it('answers a non-party exactly as for a missing agreement (rule 11)', () => {
    const forOutsider = thrown(() => requireParty(draftAgreement(), OUTSIDER_ORG));
    const forMissing = thrown(() => requireParty(undefined, CONTROLLER_ORG));
    expect(forOutsider.kind).toBe('not-found');
    expect({ kind: forOutsider.kind, message: forOutsider.message, extra: forOutsider.extra }).toEqual({
      kind: forMissing.kind,
      message: forMissing.message,
      extra: forMissing.extra,
    });
  });
});

describe('requireRole', () => {
  it('lets the required role through', () => {
    expect(() => requireRole('controller', 'controller', 'decide')).not.toThrow();
  });

  it('forbids the other party, naming the required role', () => {
    const error = thrown(() => requireRole('processor', 'controller', 'decide on a sub-processor'));
    expect(error.kind).toBe('forbidden');
    expect(error.message).toBe('Only the controller may decide on a sub-processor');
  });
});

describe('otherParty', () => {
  it('swaps controller and processor', () => {
    expect(otherParty('controller')).toBe('processor');
    expect(otherParty('processor')).toBe('controller');
  });
});
