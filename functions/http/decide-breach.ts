import { decidedHistory, decisionNotifications, newBreachDecision } from '../domain/breach-cases.ts';
import { breachDecisionRequestSchema } from '../domain/breach-schemas.ts';
import { requireRole } from '../domain/parties.ts';
import { actorOf } from '../shared/caller.ts';
import { now } from '../shared/clock.ts';
import { httpHandler } from '../shared/http.ts';
import { saveBreachDecision } from '../store/breaches-store.ts';
import { auditEntry } from './agreement-access.ts';
import { loadBreachCaseForParty } from './breach-case-access.ts';
import { idempotent } from './idempotency.ts';

/**
 * Rule 16 (GDPR Art. 33 and 34): the controller records, once, whether it notified Datatilsynet and
 * whether it told the data subjects, with the reasons for a delay after the 72 hours. The agreement
 * and the breach's case are read in one round trip, the decision written in the second; 201 with the
 * decision, and the processor is told.
 */
export const handler = httpHandler(
  { body: breachDecisionRequestSchema },
  idempotent(async ({ caller, body, params, route }) => {
    const { agreement, role, breach } = await loadBreachCaseForParty(params, caller);
    requireRole(role, 'controller', 'decide on notifying Datatilsynet');
    const at = now();
    const decision = newBreachDecision({ breach, request: body, actor: actorOf(caller), now: at });
    await saveBreachDecision({
      agreementId: agreement.id,
      breach,
      decision,
      history: [decidedHistory(breach, decision)],
      audit: { ...auditEntry(caller, 'breach.decide', route, at), details: { breachId: breach.id } },
      notifications: decisionNotifications(agreement, breach, decision, at),
    });
    return { status: 201, body: decision };
  }),
);
