import {
  AMENDABLE_STATUSES,
  type AmendmentEffect,
  applyAmendment,
  effectiveInstant,
  expireAmendment,
  workflowOutcome,
} from '../../domain/amendments/rules.ts';
import { DomainError } from '../../domain/errors.ts';
import { now } from '../../shared/clock.ts';
import { taskHandler, workflowActor } from '../../shared/task.ts';
import { saveChange } from '../../store/agreements-store.ts';
import { amendmentWrite, versionWrites } from '../../store/amendments-store.ts';
import { StaleRead } from '../../store/items.ts';
import { amendmentTaskInput, readAmendment, retryingRace } from './input.ts';

const actor = workflowActor('amendment');

/**
 * A signed amendment's effective date has come (the start of that day in Oslo): the amended content
 * becomes the next content version. If the agreement left IN_FORCE and NOTICE_PERIOD meanwhile, the
 * amendment ends EXPIRED instead. Before its time (a wait that ended early) it reports SIGNED.
 */
export const handler = taskHandler(amendmentTaskInput, (input) =>
  retryingRace(async () => {
    const { agreement, stored } = await readAmendment(input);
    const { amendment } = stored;
    const at = now();
    if (amendment.status !== 'SIGNED') return workflowOutcome(amendment);
    const change = AMENDABLE_STATUSES.includes(agreement.status)
      ? at.getTime() >= effectiveInstant(amendment).getTime()
        ? applyAmendment(agreement, amendment, actor, at)
        : undefined
      : expireAmendment(agreement, amendment, 'AGREEMENT_TERMINATED', actor, at);
    if (!change) return workflowOutcome(amendment);
    try {
      await saveChange({
        before: agreement,
        after: change.agreement,
        history: change.history,
        notifications: change.notifications,
        readChecks: [amendmentWrite(agreement.id, change.amendment, stored)],
        ...('versions' in change
          ? { extraWrites: versionWrites(agreement.id, (change as AmendmentEffect).versions) }
          : {}),
      });
      return workflowOutcome(change.amendment);
    } catch (error) {
      if (error instanceof StaleRead || (error instanceof DomainError && error.kind === 'conflict'))
        return undefined;
      throw error;
    }
  }, 'it was taking effect'),
);
