import { CONCURRENT_CHANGE, DomainError } from '../domain/errors.ts';
import { requireParty } from '../domain/parties.ts';
import type { Agreement, AuditEntry, PartyRole } from '../domain/schemas.ts';
import { actorOf, type Caller } from '../shared/caller.ts';
import { getAgreement, type StoredAgreement } from '../store/agreements-store.ts';

export interface PartyAccess {
  stored: StoredAgreement;
  agreement: Agreement;
  role: PartyRole;
}

/** Loads an agreement for one of its parties; anyone else gets the same 404 as for a missing one. */
export async function loadForParty(id: string | undefined, caller: Caller): Promise<PartyAccess> {
  const stored = id ? await getAgreement(id) : undefined;
  const { agreement, role } = requireParty(stored?.agreement, caller.orgNumber);
  return { stored: stored!, agreement, role };
}

export function auditEntry(caller: Caller, action: string, route: string, at: Date): AuditEntry {
  return { at: at.toISOString(), action, actor: actorOf(caller), route };
}

/**
 * Runs a read-decide-write once more when its conditional write lost to a concurrent change: the
 * second attempt decides on what is stored now (and may then refuse, e.g. with 409).
 */
export async function retryOnConcurrentChange<T>(attempt: () => Promise<T>): Promise<T> {
  try {
    return await attempt();
  } catch (error) {
    if (
      !(
        error instanceof DomainError &&
        error.kind === 'conflict' &&
        error.message.startsWith(CONCURRENT_CHANGE)
      )
    ) {
      throw error;
    }
    return attempt();
  }
}
