import type { Caller } from '../shared/caller.ts';
import type { Item } from '../store/items.ts';
import { isIssuedId } from '../store/items.ts';
import {
  appendixKey,
  type StoredSubProcessor,
  subProcessorKey,
  toStoredSubProcessor,
} from '../store/sub-processors-store.ts';
import { loadForPartyWith, type PartyAccess } from './agreement-access.ts';

/**
 * The agreement, as one of its parties, with one of its sub-processor requests (and Vedlegg 3's head,
 * for a change that may touch it) in one round trip. An id we never issued names no request, so it is
 * not read: `request` is then undefined, as for one that does not exist.
 */
export async function loadSubProcessorForParty(
  agreementId: string | undefined,
  subProcessorId: string,
  caller: Caller,
  options: { withAppendix?: boolean } = {},
): Promise<PartyAccess & { request: StoredSubProcessor | undefined; appendixItem: Item | undefined }> {
  const keys =
    agreementId !== undefined && isIssuedId(subProcessorId)
      ? [
          subProcessorKey(agreementId, subProcessorId),
          ...(options.withAppendix ? [appendixKey(agreementId)] : []),
        ]
      : [];
  const {
    related: [requestItem, appendixItem],
    ...access
  } = await loadForPartyWith(agreementId, caller, keys);
  return { ...access, request: requestItem ? toStoredSubProcessor(requestItem) : undefined, appendixItem };
}
