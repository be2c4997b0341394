import type { AgreementStatus } from './schemas.ts';

/** The agreement's state machine (product.md "Agreement states"). */
export const TRANSITIONS: Readonly<Record<AgreementStatus, readonly AgreementStatus[]>> = {
  DRAFT: ['AWAITING_SIGNATURES', 'CANCELLED'],
  AWAITING_SIGNATURES: ['IN_FORCE', 'CANCELLED', 'EXPIRED'],
  IN_FORCE: ['NOTICE_PERIOD'],
  NOTICE_PERIOD: ['TERMINATED'],
  TERMINATED: ['CLOSED', 'RETAINED_UNDER_LAW'],
  RETAINED_UNDER_LAW: ['CLOSED'],
  CLOSED: [],
  CANCELLED: [],
  EXPIRED: [],
};

export function canTransition(from: AgreementStatus, to: AgreementStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** States in which the agreement binds the parties (rule 8: processing may happen). */
export const BINDING_STATES: readonly AgreementStatus[] = ['IN_FORCE', 'NOTICE_PERIOD'];
