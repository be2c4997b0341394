import type { BreachCase } from '../domain/breach-cases.ts';
import { NO_SUCH_BREACH } from '../domain/breaches.ts';
import { notFound } from '../domain/errors.ts';
import type { Caller } from '../shared/caller.ts';
import { breachCaseKey, toBreachCase } from '../store/breaches-store.ts';
import type { Item } from '../store/items.ts';
import { isIssuedId } from '../store/items.ts';
import { loadForPartyWith, type PartyAccess } from './agreement-access.ts';

/**
 * The agreement, as one of its parties, with one of its breach cases (and items of that case named by
 * `related`) in one round trip. An id we never issued names no breach and is not read; a breach with
 * no case (unknown, or reported before cases existed) is 404.
 */
export async function loadBreachCaseForParty(
  params: { id?: string; breachId?: string },
  caller: Caller,
  related: (agreementId: string, breachId: string) => readonly { pk: string; sk: string }[] = () => [],
): Promise<PartyAccess & { breach: BreachCase; related: (Item | undefined)[] }> {
  const breachId = params.breachId ?? '';
  const known = params.id !== undefined && isIssuedId(breachId);
  const {
    related: [caseItem, ...items],
    ...access
  } = await loadForPartyWith(
    params.id,
    caller,
    known ? [breachCaseKey(params.id!, breachId), ...related(params.id!, breachId)] : [],
  );
  if (!caseItem) throw notFound(NO_SUCH_BREACH);
  return { ...access, breach: toBreachCase(caseItem), related: items };
}
