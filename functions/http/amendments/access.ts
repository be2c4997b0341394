import type { Caller } from '../../shared/caller.ts';
import { amendmentKey, type StoredAmendment, toStoredAmendment } from '../../store/amendments-store.ts';
import { isIssuedId } from '../../store/items.ts';
import { appendixKey } from '../../store/sub-processors-store.ts';
import { loadForPartyWith, type PartyAccess } from '../agreement-access.ts';

export const NO_SUCH_AMENDMENT = 'No amendment with that id exists for this agreement';

/**
 * The agreement, as one of its parties, with one of its amendments in one round trip. An id we never
 * issued names no amendment, so it is not read: `amendment` is then undefined, as for a missing one.
 */
export async function loadAmendmentForParty(
  agreementId: string | undefined,
  amendmentId: string | undefined,
  caller: Caller,
): Promise<PartyAccess & { amendment: StoredAmendment | undefined }> {
  const keys =
    agreementId !== undefined && amendmentId !== undefined && isIssuedId(amendmentId)
      ? [amendmentKey(agreementId, amendmentId)]
      : [];
  const {
    related: [item],
    ...access
  } = await loadForPartyWith(agreementId, caller, keys);
  return { ...access, amendment: item ? toStoredAmendment(item) : undefined };
}

/** The agreement, as one of its parties, with Vedlegg 3 as it stands, in one round trip. */
export async function loadWithAppendix(agreementId: string | undefined, caller: Caller) {
  const {
    related: [appendixItem],
    ...access
  } = await loadForPartyWith(agreementId, caller, agreementId ? [appendixKey(agreementId)] : []);
  return { ...access, appendixItem };
}
