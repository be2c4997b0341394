import type { ApprovedSubProcessor } from '../../domain/amendments/rules.ts';
import { notFound } from '../../domain/errors.ts';
import { requireParty } from '../../domain/parties.ts';
import type { Caller } from '../../shared/caller.ts';
import {
  amendmentKey,
  readAgreementWithAmendments,
  type StoredAmendment,
  toStoredAmendment,
} from '../../store/amendments-store.ts';
import { type Item, isIssuedId } from '../../store/items.ts';
import { appendixKey, listSubProcessors, toAppendixHead } from '../../store/sub-processors-store.ts';
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
  options: { withAppendix?: boolean } = {},
): Promise<PartyAccess & { amendment: StoredAmendment | undefined; appendixItem: Item | undefined }> {
  const keys =
    agreementId !== undefined && amendmentId !== undefined && isIssuedId(amendmentId)
      ? [amendmentKey(agreementId, amendmentId), ...(options.withAppendix ? [appendixKey(agreementId)] : [])]
      : [];
  const {
    related: [item, appendixItem],
    ...access
  } = await loadForPartyWith(agreementId, caller, keys);
  return { ...access, amendment: item ? toStoredAmendment(item) : undefined, appendixItem };
}

/** The agreement, as one of its parties, with Vedlegg 3 as it stands, in one round trip. */
export async function loadWithAppendix(agreementId: string | undefined, caller: Caller) {
  const {
    related: [appendixItem],
    ...access
  } = await loadForPartyWith(agreementId, caller, agreementId ? [appendixKey(agreementId)] : []);
  return { ...access, appendixItem };
}

/**
 * What each sub-processor of Vedlegg 3 is approved to process. Versions of Vedlegg 3 written before
 * they recorded data types are completed from the requests (one more read, for those agreements only).
 */
export async function approvedSubProcessors(
  agreementId: string,
  appendixItem: Item | undefined,
): Promise<ApprovedSubProcessor[]> {
  const { approved } = toAppendixHead(appendixItem);
  if (approved.every((entry) => entry.personalDataTypes)) {
    return approved.map((entry) => ({ ...entry, personalDataTypes: entry.personalDataTypes ?? [] }));
  }
  return (await listSubProcessors(agreementId))
    .filter((record) => record.status === 'APPROVED')
    .map(({ id, name, personalDataTypes }) => ({ id, name, personalDataTypes }));
}

/**
 * The agreement, as one of its parties, with its stored content versions: one query (anyone else gets
 * the 404 of an agreement that does not exist).
 */
export async function loadWithVersionsForParty(agreementId: string | undefined, caller: Caller) {
  if (!agreementId || !isIssuedId(agreementId)) throw notFound();
  const record = await readAgreementWithAmendments(agreementId);
  const { agreement } = requireParty(record.agreement, caller.orgNumber);
  return { agreement, versions: record.versions };
}
