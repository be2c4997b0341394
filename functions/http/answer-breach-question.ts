import {
  answeredQuestion,
  NO_SUCH_QUESTION,
  questionHistory,
  questionNotifications,
} from '../domain/breach-cases.ts';
import { breachAnswerRequestSchema } from '../domain/breach-schemas.ts';
import { notFound } from '../domain/errors.ts';
import { actorOf } from '../shared/caller.ts';
import { now } from '../shared/clock.ts';
import { httpHandler } from '../shared/http.ts';
import { questionKey, saveBreachQuestion, toBreachQuestion } from '../store/breaches-store.ts';
import { auditEntry } from './agreement-access.ts';
import { loadBreachCaseForParty } from './breach-case-access.ts';
import { idempotent } from './idempotency.ts';

/** A question's number as a path segment: 1-9999 without leading zeros. */
const QUESTION_NUMBER = /^[1-9]\d{0,3}$/;

/**
 * Rule 16: the party that reported a breach answers a question about it, once; the asker is told.
 * The agreement, the breach's case and the question are read in one round trip, the answer written in
 * the second.
 */
export const handler = httpHandler(
  { body: breachAnswerRequestSchema },
  idempotent(async ({ caller, body, params, route }) => {
    const numbered = QUESTION_NUMBER.test(params.question ?? '') ? Number(params.question) : undefined;
    const {
      agreement,
      role,
      breach,
      related: [questionItem],
    } = await loadBreachCaseForParty(params, caller, (agreementId, breachId) =>
      numbered ? [questionKey(agreementId, breachId, numbered)] : [],
    );
    if (!questionItem) throw notFound(NO_SUCH_QUESTION);
    const at = now();
    const question = answeredQuestion({
      breach,
      question: toBreachQuestion(questionItem),
      role,
      answer: body.answer,
      actor: actorOf(caller),
      now: at,
    });
    await saveBreachQuestion({
      agreementId: agreement.id,
      breach,
      question,
      history: [questionHistory(breach, question)],
      audit: {
        ...auditEntry(caller, 'breach.answer', route, at),
        details: { breachId: breach.id, question: question.number },
      },
      notifications: questionNotifications(agreement, breach, question, at),
    });
    return { status: 200, body: question };
  }),
);
