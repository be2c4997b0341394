import { renderAgreementDocument } from '../../domain/document/agreement-document.ts';
import { contentVersionOf } from '../../domain/document/content-versions.ts';
import { documentQuerySchema } from '../../domain/document/schemas.ts';
import { now } from '../../shared/clock.ts';
import { etagOf, httpHandler } from '../../shared/http.ts';
import { recordAudit } from '../../store/agreements-store.ts';
import { auditEntry } from '../agreement-access.ts';
import { loadWithVersionsForParty } from '../amendments/access.ts';

/**
 * Rule 12: the agreement as a PDF for a party's archive, read and audited as `GET /agreements/{id}` is;
 * `?version=N` renders content version N with the signatures it was signed with (rule 13). Two round
 * trips: the agreement with its content versions in one query, then the audit entry.
 */
export const handler = httpHandler(
  { query: documentQuerySchema },
  async ({ caller, params, query, route }) => {
    const { agreement, versions } = await loadWithVersionsForParty(params.id, caller);
    const content = contentVersionOf(agreement, versions, query.version);
    const bytes = renderAgreementDocument(content.agreement, content.version);
    await recordAudit(agreement.id, {
      ...auditEntry(caller, 'agreement.document.read', route, now()),
      details: { version: content.version },
    });
    return {
      status: 200,
      file: { contentType: 'application/pdf', bytes },
      headers: {
        etag: etagOf(agreement.version),
        'content-disposition': `inline; filename="${agreement.id}.pdf"`,
      },
    };
  },
);
