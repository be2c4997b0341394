import { changeContact, contactParty } from '../domain/contacts.ts';
import { contactSchema } from '../domain/schemas.ts';
import { actorOf } from '../shared/caller.ts';
import { now } from '../shared/clock.ts';
import { etagOf, httpHandler } from '../shared/http.ts';
import { saveChange } from '../store/agreements-store.ts';
import {
  auditEntry,
  failingPreconditionOnConflict,
  loadForParty,
  requireIfMatch,
} from './agreement-access.ts';

/**
 * Rule 13: a party replaces its own contact person (003 §16) with the ETag it read; the other party is
 * told. The same contact again changes nothing and writes nothing.
 */
export const handler = httpHandler(
  { body: contactSchema },
  async ({ caller, body, params, headers, route }) => {
    const { agreement, role } = await loadForParty(params.id, caller);
    const party = contactParty(params.party);
    const at = now();
    const change = changeContact(agreement, role, party, body, actorOf(caller), at);
    requireIfMatch(headers['if-match'], agreement, 'read');
    if (!change) return { status: 200, body: agreement, headers: { etag: etagOf(agreement.version) } };
    await failingPreconditionOnConflict(() =>
      saveChange({
        before: agreement,
        after: change.after,
        history: change.history,
        audit: auditEntry(caller, 'agreement.contact.update', route, at),
        notifications: change.notifications,
      }),
    );
    return { status: 200, body: change.after, headers: { etag: etagOf(change.after.version) } };
  },
);
