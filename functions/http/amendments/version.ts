import { contentVersionsOf, versionNumbered } from '../../domain/amendments/versions.ts';
import { notFound } from '../../domain/errors.ts';
import { requireParty } from '../../domain/parties.ts';
import { now } from '../../shared/clock.ts';
import { httpHandler } from '../../shared/http.ts';
import { readAgreementWithAmendments } from '../../store/amendments-store.ts';
import { auditEntry, readAsParty } from '../agreement-access.ts';

/**
 * One content version with its content (rule 13); an audited read, two round trips. A version the
 * agreement does not have is 404 naming `n`, for its parties only (anyone else gets the 404 of an
 * agreement that is not theirs) and without an audit entry.
 */
export const handler = httpHandler({}, async ({ caller, params, route }) => {
  const number = /^[1-9][0-9]{0,5}$/.test(params.n ?? '') ? Number(params.n) : undefined;
  const version = await readAsParty(
    params.id,
    caller,
    async (agreementId) => {
      const record = await readAgreementWithAmendments(agreementId);
      const { agreement } = requireParty(record.agreement, caller.orgNumber);
      if (number === undefined) throw notFound('Content versions are numbered 1, 2, ...');
      return versionNumbered(contentVersionsOf(agreement, record.versions), number, {
        name: 'n',
        in: 'path',
      });
    },
    (found) => ({ ...auditEntry(caller, 'version.read', route, now()), details: { version: found.number } }),
  );
  return { status: 200, body: version };
});
