import { expireAmendment, workflowOutcome } from '../../domain/amendments/rules.ts';
import { DomainError } from '../../domain/errors.ts';
import { now } from '../../shared/clock.ts';
import { taskHandler, workflowActor } from '../../shared/task.ts';
import { saveChange } from '../../store/agreements-store.ts';
import { amendmentWrite } from '../../store/amendments-store.ts';
import { StaleRead } from '../../store/items.ts';
import { amendmentTaskInput, readAmendment, retryingRace } from './input.ts';

const actor = workflowActor('amendment');

/**
 * The signature wait timed out. Expires the amendment only if it still awaits signatures and its
 * deadline has really passed by the clock; otherwise reports where it stands: a signature or a
 * withdrawal won the race, or the timeout fired early and the workflow waits again.
 */
export const handler = taskHandler(amendmentTaskInput, (input) =>
  retryingRace(async () => {
    const { agreement, stored } = await readAmendment(input);
    const at = now();
    const expired = expireAmendment(agreement, stored.amendment, 'SIGNATURE_DEADLINE', actor, at);
    if (!expired) return workflowOutcome(stored.amendment);
    try {
      await saveChange({
        before: agreement,
        after: expired.agreement,
        history: expired.history,
        notifications: expired.notifications,
        reminders: { remove: [`amendment-signature-missing#${stored.amendment.id}`] },
        readChecks: [amendmentWrite(agreement.id, expired.amendment, stored)],
      });
      return workflowOutcome(expired.amendment);
    } catch (error) {
      if (error instanceof StaleRead || (error instanceof DomainError && error.kind === 'conflict'))
        return undefined;
      throw error;
    }
  }, 'it was being expired'),
);
