import { agreementAsOf, contentVersionsOf, versionInForceOn } from '../domain/amendments/versions.ts';
import { osloDate } from '../domain/calendar.ts';
import { agreementAsOfQuerySchema } from '../domain/schemas.ts';
import { now } from '../shared/clock.ts';
import { etagOf, httpHandler } from '../shared/http.ts';
import { recordAudit } from '../store/agreements-store.ts';
import { auditEntry, loadForParty } from './agreement-access.ts';
import { loadWithVersionsForParty } from './amendments/access.ts';

/**
 * The agreement; with `?on=YYYY-MM-DD`, with the content (and its hash, version number and
 * signatures) that was in force at the end of that day in Oslo (rule 13). Two round trips either way.
 */
export const handler = httpHandler(
  { query: agreementAsOfQuerySchema },
  async ({ caller, params, query, route }) => {
    if (query.on === undefined) {
      const { agreement } = await loadForParty(params.id, caller);
      await recordAudit(agreement.id, auditEntry(caller, 'agreement.read', route, now()));
      return { status: 200, body: agreement, headers: { etag: etagOf(agreement.version) } };
    }
    const { agreement, versions } = await loadWithVersionsForParty(params.id, caller);
    const at = now();
    const version = versionInForceOn(contentVersionsOf(agreement, versions), query.on, osloDate(at));
    await recordAudit(agreement.id, {
      ...auditEntry(caller, 'agreement.read', route, at),
      details: { on: query.on, version: version.number },
    });
    return {
      status: 200,
      body: agreementAsOf(agreement, version),
      headers: { etag: etagOf(agreement.version) },
    };
  },
);
