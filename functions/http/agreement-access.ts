import { CONCURRENT_CHANGE, DomainError, notFound } from '../domain/errors.ts';
import { requireParty } from '../domain/parties.ts';
import type { Agreement, AuditEntry, PartyRole } from '../domain/schemas.ts';
import { actorOf, type Caller } from '../shared/caller.ts';
import { etagOf } from '../shared/http.ts';
import { getAgreement, recordPartyRead, type StoredAgreement, toStored } from '../store/agreements-store.ts';
import { checkIdempotencyRecord, idempotencyRecordKey } from '../store/idempotency-store.ts';
import { type Item, isIssuedId } from '../store/items.ts';
import { getItems } from '../store/query.ts';
import { agreementKey } from '../store/table-layout.ts';

export interface PartyAccess {
  stored: StoredAgreement;
  agreement: Agreement;
  role: PartyRole;
}

/** Loads an agreement for one of its parties; anyone else gets the same 404 as for a missing one. */
export async function loadForParty(id: string | undefined, caller: Caller): Promise<PartyAccess> {
  // With an Idempotency-Key the key's record is read in the same round trip (loadForPartyWith).
  if (idempotencyRecordKey()) return loadForPartyWith(id, caller, []);
  const stored = id ? await getAgreement(id) : undefined;
  const { agreement, role } = requireParty(stored?.agreement, caller.orgNumber);
  return { stored: stored!, agreement, role };
}

/**
 * As `loadForParty`, together with items next to the agreement (a task token, a sub-processor
 * request, Vedlegg 3) in the same round trip; one undefined per key that names no item.
 */
export async function loadForPartyWith(
  id: string | undefined,
  caller: Caller,
  related: readonly { pk: string; sk: string }[],
): Promise<PartyAccess & { related: (Item | undefined)[] }> {
  // A request with an Idempotency-Key reads the key's record too: one held by an earlier request is
  // answered from (idempotency.ts) before anything is decided.
  const recordKey = idempotencyRecordKey();
  const keys = [
    ...(id && isIssuedId(id) ? [agreementKey(id), ...related] : []),
    ...(recordKey ? [recordKey] : []),
  ];
  const read = keys.length > 0 ? await getItems(keys) : [];
  checkIdempotencyRecord(recordKey ? read.pop() : undefined);
  const [agreementItem, ...items] = read.length > 0 ? read : [undefined];
  const stored = agreementItem ? toStored(agreementItem) : undefined;
  const { agreement, role } = requireParty(stored?.agreement, caller.orgNumber);
  return { stored: stored!, agreement, role, related: items };
}

/**
 * A read that does not need the agreement item (a page of its history, its breach reports): `read`
 * first, then its audit entry, written only if the caller is a party (else the 404 of rule 11): two
 * round trips. A read refused for its input (e.g. a cursor from elsewhere) leaves no trace, and is
 * answered as before only to a party: anyone else gets the same 404.
 */
export async function readAsParty<T>(
  id: string | undefined,
  caller: Caller,
  read: (agreementId: string) => Promise<T>,
  audit: (result: T) => AuditEntry,
): Promise<T> {
  if (!id || !isIssuedId(id)) throw notFound();
  let result: T;
  try {
    result = await read(id);
  } catch (error) {
    if (error instanceof DomainError && error.kind === 'validation') await loadForParty(id, caller);
    throw error;
  }
  await recordPartyRead(id, caller.orgNumber, audit(result));
  return result;
}

/**
 * A change that needs the ETag of the version the caller read: 428 without `If-Match`, 412 when it is
 * stale. Strong comparison (RFC 9110 13.1.1): a weak tag never matches; `*` matches the existing one.
 */
export function requireIfMatch(ifMatch: string | undefined, agreement: Agreement, what: string): void {
  if (!ifMatch) {
    throw new DomainError('precondition-required', `Send If-Match with the ETag of the version you ${what}`);
  }
  const tags = ifMatch.split(',').map((tag) => tag.trim());
  if (!tags.includes('*') && !tags.includes(etagOf(agreement.version))) {
    throw new DomainError(
      'precondition-failed',
      `The agreement has changed; its current ETag is ${etagOf(agreement.version)}`,
    );
  }
}

/** A conditional write that lost to a concurrent change, told as a stale If-Match (412). */
export async function failingPreconditionOnConflict<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof DomainError && error.kind === 'conflict') {
      throw new DomainError(
        'precondition-failed',
        'The agreement was changed by another request; read it again',
      );
    }
    throw error;
  }
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
