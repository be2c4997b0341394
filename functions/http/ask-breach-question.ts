import { newBreachQuestion, questionHistory, questionNotifications } from '../domain/breach-cases.ts';
import { breachQuestionRequestSchema } from '../domain/breach-schemas.ts';
import { actorOf } from '../shared/caller.ts';
import { now } from '../shared/clock.ts';
import { httpHandler } from '../shared/http.ts';
import { saveBreachQuestion } from '../store/breaches-store.ts';
import { auditEntry } from './agreement-access.ts';
import { loadBreachCaseForParty } from './breach-case-access.ts';
import { idempotent } from './idempotency.ts';

/**
 * Rule 16: the party that received a breach report asks about it; the question is numbered in the
 * order asked and the reporting party is told to answer. Two round trips: the agreement with the
 * breach's case, then the question with its history, audit entry and notification.
 */
export const handler = httpHandler(
  { body: breachQuestionRequestSchema },
  idempotent(async ({ caller, body, params, route }) => {
    const { agreement, role, breach } = await loadBreachCaseForParty(params, caller);
    const at = now();
    const question = newBreachQuestion({
      breach,
      role,
      question: body.question,
      actor: actorOf(caller),
      now: at,
    });
    await saveBreachQuestion({
      agreementId: agreement.id,
      breach,
      question,
      history: [questionHistory(breach, question)],
      audit: {
        ...auditEntry(caller, 'breach.ask', route, at),
        details: { breachId: breach.id, question: question.number },
      },
      notifications: questionNotifications(agreement, breach, question, at),
    });
    return {
      status: 201,
      body: question,
      headers: { location: `/agreements/${agreement.id}/breaches/${breach.id}` },
    };
  }),
);
