import { newBreachUpdate, updatedHistory, updateNotifications } from '../domain/breach-cases.ts';
import { breachUpdateRequestSchema } from '../domain/breach-schemas.ts';
import { actorOf } from '../shared/caller.ts';
import { now } from '../shared/clock.ts';
import { httpHandler } from '../shared/http.ts';
import { saveBreachUpdate } from '../store/breaches-store.ts';
import { auditEntry } from './agreement-access.ts';
import { loadBreachCaseForParty } from './breach-case-access.ts';
import { idempotent } from './idempotency.ts';

/**
 * Rule 16: the party that reported a breach supplements its report (new facts, measures taken,
 * corrected figures or categories), in order. The agreement and the breach's case are read in one
 * round trip, the supplement written in the second; 201 with the supplement, and the other party is
 * told.
 */
export const handler = httpHandler(
  { body: breachUpdateRequestSchema },
  idempotent(async ({ caller, body, params, route }) => {
    const { agreement, role, breach } = await loadBreachCaseForParty(params, caller);
    const at = now();
    const update = newBreachUpdate({
      breach,
      role,
      scope: agreement.scope,
      request: body,
      actor: actorOf(caller),
      now: at,
    });
    await saveBreachUpdate({
      agreementId: agreement.id,
      breach,
      update,
      history: [updatedHistory(breach, update)],
      audit: {
        ...auditEntry(caller, 'breach.update', route, at),
        details: { breachId: breach.id, number: update.number },
      },
      notifications: updateNotifications(agreement, breach, update, at),
    });
    return { status: 201, body: update };
  }),
);
