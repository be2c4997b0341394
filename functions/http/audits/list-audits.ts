import { now } from '../../shared/clock.ts';
import { httpHandler } from '../../shared/http.ts';
import { listAudits } from '../../store/audits-store.ts';
import { auditEntry, readAsParty } from '../agreement-access.ts';

/**
 * Every oversight audit of the agreement (rule 16), by due date, each with its material (documents
 * without their content) and findings in order. Reading it is logged (rule 10).
 */
export const handler = httpHandler({}, async ({ caller, params, route }) => {
  const items = await readAsParty(params.id, caller, listAudits, () =>
    auditEntry(caller, 'oversights.read', route, now()),
  );
  return { status: 200, body: { items } };
});
