import { contentVersionsOf } from '../../domain/amendments/versions.ts';
import { now } from '../../shared/clock.ts';
import { httpHandler } from '../../shared/http.ts';
import { readAgreementWithAmendments } from '../../store/amendments-store.ts';
import { auditEntry, readAsParty } from '../agreement-access.ts';

/**
 * Every content version (rule 13): number, content hash, effective date, the amendment that made it
 * and its signatures, without the content (`/versions/{n}` has it). Two round trips: the agreement
 * with its versions in one query, then the audit entry that checks the caller is a party.
 */
export const handler = httpHandler({}, async ({ caller, params, route }) => {
  const record = await readAsParty(params.id, caller, readAgreementWithAmendments, () =>
    auditEntry(caller, 'versions.read', route, now()),
  );
  const versions = record.agreement ? contentVersionsOf(record.agreement, record.versions) : [];
  return { status: 200, body: { items: versions.map(({ content: _content, ...version }) => version) } };
});
