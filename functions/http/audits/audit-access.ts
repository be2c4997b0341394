import { type AuditHead, NO_SUCH_AUDIT, NO_SUCH_FINDING } from '../../domain/audits/audits.ts';
import type { AuditFinding } from '../../domain/audits/schemas.ts';
import { notFound } from '../../domain/errors.ts';
import type { Caller } from '../../shared/caller.ts';
import { auditKey, findingKey, toAuditFinding, toAuditHead } from '../../store/audits-store.ts';
import { isIssuedId } from '../../store/items.ts';
import { loadForPartyWith, type PartyAccess } from '../agreement-access.ts';

/** A finding is named by its number (1, 2, ...). */
const findingNumber = (value: string | undefined) =>
  value !== undefined && /^[1-9][0-9]{0,3}$/.test(value) ? Number(value) : undefined;

/**
 * The agreement, as one of its parties, with one of its oversight audits (and, named by `findingId`,
 * one finding of it) in one round trip. An id we never issued names no audit and is not read: 404, as
 * for an audit or finding that does not exist.
 */
export async function loadAuditForParty(
  params: { id?: string; auditId?: string; findingId?: string },
  caller: Caller,
  options: { finding?: boolean } = {},
): Promise<PartyAccess & { head: AuditHead; finding?: AuditFinding }> {
  const auditId = params.auditId ?? '';
  const number = options.finding ? findingNumber(params.findingId) : undefined;
  const known = params.id !== undefined && isIssuedId(auditId);
  const {
    related: [headItem, findingItem],
    ...access
  } = await loadForPartyWith(
    params.id,
    caller,
    known
      ? [auditKey(params.id!, auditId), ...(number ? [findingKey(params.id!, auditId, number)] : [])]
      : [],
  );
  if (!headItem) throw notFound(NO_SUCH_AUDIT);
  if (options.finding && !findingItem) throw notFound(NO_SUCH_FINDING);
  return {
    ...access,
    head: toAuditHead(headItem),
    ...(findingItem ? { finding: toAuditFinding(findingItem) } : {}),
  };
}
