import { listAgreementsQuerySchema } from '../domain/schemas.ts';
import { httpHandler } from '../shared/http.ts';
import { listForOrganisation } from '../store/agreements-store.ts';

/** Summaries only (no content), so listing reveals nothing beyond what the parties' index holds. */
export const handler = httpHandler({ query: listAgreementsQuerySchema }, async ({ caller, query }) => {
  const page = await listForOrganisation(caller.orgNumber, query);
  return { status: 200, body: page };
});
