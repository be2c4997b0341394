import { describe, expect, it } from 'vitest';
import { BINDING_STATES, canTransition, TRANSITIONS } from '../../../functions/domain/lifecycle.ts';
import { type AgreementStatus, agreementStatusSchema } from '../../../functions/domain/schemas.ts';

const ALL_STATES = agreementStatusSchema.options;

/** product.md "Agreement states", written out independently of the implementation. */
const ALLOWED: [AgreementStatus, AgreementStatus][] = [
  ['DRAFT', 'AWAITING_SIGNATURES'],
  ['AWAITING_SIGNATURES', 'IN_FORCE'],
  ['IN_FORCE', 'NOTICE_PERIOD'],
  ['NOTICE_PERIOD', 'TERMINATED'],
  ['TERMINATED', 'CLOSED'],
  ['DRAFT', 'CANCELLED'],
  ['AWAITING_SIGNATURES', 'CANCELLED'],
  ['AWAITING_SIGNATURES', 'EXPIRED'],
  ['TERMINATED', 'RETAINED_UNDER_LAW'],
  ['RETAINED_UNDER_LAW', 'CLOSED'],
];

describe('agreement lifecycle', () => {
  it.each(ALLOWED)('allows %s -> %s', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
  });

  it.each([
    ['DRAFT', 'IN_FORCE'],
    ['DRAFT', 'EXPIRED'],
    ['AWAITING_SIGNATURES', 'DRAFT'],
    ['IN_FORCE', 'CANCELLED'],
    ['IN_FORCE', 'TERMINATED'],
    ['NOTICE_PERIOD', 'IN_FORCE'],
    ['EXPIRED', 'AWAITING_SIGNATURES'],
    ['CANCELLED', 'DRAFT'],
    ['CLOSED', 'IN_FORCE'],
    ['TERMINATED', 'IN_FORCE'],
  ] as [AgreementStatus, AgreementStatus][])('forbids %s -> %s', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
  });

  it('allows exactly the transitions of product.md and no other pair of states', () => {
    const allowed = new Set(ALLOWED.map(([from, to]) => `${from}->${to}`));
    for (const from of ALL_STATES) {
      for (const to of ALL_STATES) {
        expect(canTransition(from, to), `${from} -> ${to}`).toBe(allowed.has(`${from}->${to}`));
      }
    }
  });

  it.each(['CLOSED', 'CANCELLED', 'EXPIRED'] as AgreementStatus[])('%s is terminal: no way out', (state) => {
    expect(TRANSITIONS[state]).toEqual([]);
    expect(ALL_STATES.filter((to) => canTransition(state, to))).toEqual([]);
  });

  it('no state may transition to itself', () => {
    expect(ALL_STATES.filter((state) => canTransition(state, state))).toEqual([]);
  });

  it('binds the parties only while in force, including the notice period', () => {
    expect([...BINDING_STATES].sort()).toEqual(['IN_FORCE', 'NOTICE_PERIOD']);
  });
});
