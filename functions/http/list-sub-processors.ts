import { listSubProcessorsQuerySchema } from '../domain/sub-processor-schemas.ts';
import { byRequestTime, presented, refuseFutureDay, vedlegg3On } from '../domain/sub-processors.ts';
import { now } from '../shared/clock.ts';
import { httpHandler } from '../shared/http.ts';
import { listSubProcessors } from '../store/sub-processors-store.ts';
import { auditEntry, readAsParty } from './agreement-access.ts';

/**
 * Every sub-processor request of the agreement, oldest first, optionally by status; with
 * `?status=APPROVED&on=YYYY-MM-DD`, Vedlegg 3 as it stood at the end of that day (Europe/Oslo).
 * Reading it is a read of the agreement, so it is logged (rule 10), in a transaction that checks the
 * caller is a party: the requests are answered only once that entry is written. A refused query
 * (Vedlegg 3 of a future day) writes nothing.
 */
export const handler = httpHandler(
  { query: listSubProcessorsQuerySchema },
  async ({ caller, params, query, route }) => {
    const at = now();
    if (query.on) refuseFutureDay(query.on, at);
    const records = await readAsParty(params.id, caller, listSubProcessors, () => ({
      ...auditEntry(caller, 'sub-processors.read', route, at),
      ...(query.status || query.on ? { details: { ...query } } : {}),
    }));
    const items = query.on
      ? vedlegg3On(records, query.on, at)
      : byRequestTime(records)
          .map((record) => presented(record, at))
          .filter((record) => !query.status || record.status === query.status);
    return { status: 200, body: { items } };
  },
);
