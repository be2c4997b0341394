import { deadlinePassedHistory, deadlineStepDue, deadlineStepNotifications } from '../domain/breach-cases.ts';
import { lazySchema } from '../domain/lazy-schema.ts';
import * as z from '../domain/zod.ts';
import { now } from '../shared/clock.ts';
import { taskHandler } from '../shared/task.ts';
import { toStored } from '../store/agreements-store.ts';
import { breachCaseKey, saveDeadlineStep, toBreachCase } from '../store/breaches-store.ts';
import { getItems } from '../store/query.ts';
import { agreementKey } from '../store/table-layout.ts';

const input = /* @__PURE__ */ lazySchema(() =>
  z.object({
    agreementId: z.uuid(),
    breachId: z.uuid(),
    step: z.enum(['REMINDER_24', 'REMINDER_48', 'ESCALATION_66', 'DEADLINE_72']),
    /** The next mark: a reminder or the escalation is not sent once it has passed too. */
    nextAt: z.optional(z.string()),
  }),
);

/**
 * One mark of a breach's 72 hours (workflows/breach-deadline.asl.json): the agreement and the case
 * read in one round trip, then the mark's notifications (and, at 72 hours, DEADLINE_PASSED) in one
 * transaction. `closed` ends the workflow: the controller decided, the deadline was recorded, or
 * there is no case (a report whose write failed after its workflow started).
 */
export const handler = taskHandler(input, async ({ agreementId, breachId, step, nextAt }) => {
  const [agreementItem, caseItem] = await getItems([
    agreementKey(agreementId),
    breachCaseKey(agreementId, breachId),
  ]);
  if (!agreementItem || !caseItem) return { closed: true };
  const breach = toBreachCase(caseItem);
  if (breach.decision) return { closed: true };
  const at = now();
  if (!deadlineStepDue(breach, step, nextAt, at)) return { closed: Boolean(breach.deadlinePassedAt) };
  const { agreement } = toStored(agreementItem);
  const deadline = step === 'DEADLINE_72';
  await saveDeadlineStep({
    agreementId,
    breach,
    ...(deadline ? { deadlinePassedAt: at.toISOString() } : {}),
    history: deadline ? [deadlinePassedHistory(breach, at)] : [],
    notifications: deadlineStepNotifications(agreement, breach, step, at),
  });
  return { closed: deadline };
});
