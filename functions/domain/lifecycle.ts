import { endOfOsloDay } from './calendar.ts';
import type { Agreement, AgreementStatus } from './schemas.ts';

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

/**
 * Rule 8 and rule 5: may anything be processed under this agreement at `now`? Only while it binds the
 * parties (in force, including the notice period), and never after `terminatesOn` has ended in Oslo,
 * even in the moment before the termination workflow has recorded TERMINATED.
 */
export function agreementAllowsProcessing(
  agreement: Pick<Agreement, 'status' | 'terminatesOn'>,
  now: Date,
): boolean {
  if (!BINDING_STATES.includes(agreement.status)) return false;
  return !(agreement.terminatesOn && now.getTime() >= endOfOsloDay(agreement.terminatesOn).getTime());
}
