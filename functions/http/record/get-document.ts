import { renderAgreementDocument } from '../../domain/document/agreement-document.ts';
import { contentVersionOf } from '../../domain/document/content-versions.ts';
import { documentQuerySchema } from '../../domain/document/schemas.ts';
import { now } from '../../shared/clock.ts';
import { etagOf, httpHandler } from '../../shared/http.ts';
import { recordAudit } from '../../store/agreements-store.ts';
import { auditEntry, loadForParty } from '../agreement-access.ts';

/** Rule 12: the agreement as a PDF for a party's archive, read and audited as `GET /agreements/{id}` is. */
export const handler = httpHandler(
  { query: documentQuerySchema },
  async ({ caller, params, query, route }) => {
    const { agreement } = await loadForParty(params.id, caller);
    const content = contentVersionOf(agreement, query.version);
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
