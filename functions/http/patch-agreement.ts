import { historyEntry, nextVersion } from '../domain/changes.ts';
import { conflict } from '../domain/errors.ts';
import { createAgreementSchema, patchAgreementSchema } from '../domain/schemas.ts';
import { actorOf } from '../shared/caller.ts';
import { now } from '../shared/clock.ts';
import { etagOf, httpHandler, parseWith } from '../shared/http.ts';
import { saveChange } from '../store/agreements-store.ts';
import {
  auditEntry,
  failingPreconditionOnConflict,
  loadForParty,
  requireIfMatch,
} from './agreement-access.ts';

/** Edits a draft. Content is frozen from submission (rule 3), and every edit needs a fresh ETag. */
export const handler = httpHandler(
  { body: patchAgreementSchema },
  async ({ caller, body, params, headers, route }) => {
    const { agreement } = await loadForParty(params.id, caller);
    requireIfMatch(headers['if-match'], agreement, 'edited');
    if (agreement.status !== 'DRAFT') {
      throw conflict(`Only a DRAFT can be edited; this agreement is ${agreement.status}`, agreement.status);
    }
    const at = now();
    const edited = nextVersion(agreement, body, at);
    // The merged draft must still satisfy every rule of a new agreement.
    parseWith(createAgreementSchema, contentOf(edited), 'The edited agreement is invalid');
    await failingPreconditionOnConflict(() =>
      saveChange({
        before: agreement,
        after: edited,
        history: [
          historyEntry(actorOf(caller), 'DRAFT_UPDATED', at, { details: { fields: Object.keys(body) } }),
        ],
        audit: auditEntry(caller, 'agreement.update', route, at),
      }),
    );
    return { status: 200, body: edited, headers: { etag: etagOf(edited.version) } };
  },
);

function contentOf(agreement: Record<string, unknown>) {
  const keys = Object.keys(createAgreementSchema.shape);
  return Object.fromEntries(Object.entries(agreement).filter(([key]) => keys.includes(key)));
}
