import { historyEntry, nextVersion } from '../domain/changes.ts';
import { BOTH_PARTIES, notificationsFor } from '../domain/notifications.ts';
import { requireRole } from '../domain/parties.ts';
import { decideDisposition, dispositionChoiceOutput } from '../domain/termination.ts';
import { DISPOSITION_MISSING } from '../domain/termination-reminders.ts';
import { dataDispositionRequestSchema } from '../domain/termination-schemas.ts';
import { actorOf } from '../shared/caller.ts';
import { now } from '../shared/clock.ts';
import { etagOf, httpHandler } from '../shared/http.ts';
import { completeTask, notifyWorkflow } from '../shared/workflows.ts';
import { saveChange } from '../store/agreements-store.ts';
import { retryOnStaleRead } from '../store/items.ts';
import { auditEntry } from './agreement-access.ts';
import { idempotent } from './idempotency.ts';
import { loadForPartyWithTerminationWait } from './termination-access.ts';

/**
 * Rule 6: the controller chooses RETURN or DELETE, once, any time from the notice on. A termination
 * workflow already waiting for the choice continues with the stored task token; one that has not
 * reached its wait yet (the agreement is still in its notice period) finds the choice there when it does.
 *
 * Two round trips: the agreement and the wait's token item are read together, and the choice written
 * only if the token is still the one read (a wait registering in between makes it fail, and all is
 * read again); a wait registering after it finds the agreement at a new version and the choice there.
 */
export const handler = httpHandler(
  { body: dataDispositionRequestSchema },
  idempotent(async ({ caller, body, params, route }) => {
    const result = await retryOnStaleRead(async () => {
      const { agreement, role, token, tokenAsRead } = await loadForPartyWithTerminationWait(
        params.id,
        caller,
        'disposition',
      );
      requireRole(role, 'controller', 'choose return or deletion of the data');
      const at = now();
      const dataDisposition = decideDisposition(agreement, body, actorOf(caller), at);
      const chosen = nextVersion(agreement, { dataDisposition }, at);
      await saveChange({
        before: agreement,
        after: chosen,
        history: [
          historyEntry(actorOf(caller), 'DATA_DISPOSITION_CHOSEN', at, {
            details: {
              method: dataDisposition.method,
              ...(dataDisposition.instructions ? { instructions: dataDisposition.instructions } : {}),
            },
          }),
        ],
        audit: auditEntry(caller, 'agreement.data-disposition', route, at),
        reminders: { remove: [DISPOSITION_MISSING] },
        notifications: notificationsFor(
          chosen,
          BOTH_PARTIES,
          {
            type: 'agreement.data-disposition-chosen',
            key: 'chosen',
            subject: `The controller chose ${dataDisposition.method === 'RETURN' ? 'return' : 'deletion'} of the data`,
            details: { method: dataDisposition.method, chosenOn: dataDisposition.chosenOn },
          },
          at,
        ),
        readChecks: [tokenAsRead],
      });
      return { chosen, dataDisposition, token };
    });
    const { chosen, dataDisposition, token } = result;
    if (token) {
      await notifyWorkflow('complete the wait for the data disposition', () =>
        completeTask(token, dispositionChoiceOutput(dataDisposition)),
      );
    }
    return { status: 200, body: chosen, headers: { etag: etagOf(chosen.version) } };
  }),
);
