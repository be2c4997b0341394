import { TERMINATION_WORKFLOW, type TerminationStep } from '../domain/termination.ts';
import type { Caller } from '../shared/caller.ts';
import { taskTokenCheck, taskTokenKey, tokenOf } from '../store/task-tokens-store.ts';
import { loadForPartyWith } from './agreement-access.ts';

/**
 * The agreement, as one of its parties, with the token the termination workflow stored for one of its
 * waits (`disposition`, `attestation`), in one round trip; and the check that keeps a change to it
 * from being written when the wait has stored another token since (the change is then read again).
 */
export async function loadForPartyWithTerminationWait(
  agreementId: string | undefined,
  caller: Caller,
  wait: TerminationStep,
) {
  const {
    related: [tokenItem],
    ...access
  } = await loadForPartyWith(
    agreementId,
    caller,
    agreementId ? [taskTokenKey(agreementId, TERMINATION_WORKFLOW, wait)] : [],
  );
  const token = tokenOf(tokenItem);
  return {
    ...access,
    token,
    tokenAsRead: taskTokenCheck(access.agreement.id, TERMINATION_WORKFLOW, wait, token),
  };
}
