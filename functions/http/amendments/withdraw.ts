import { withdrawAmendment, workflowOutcome } from '../../domain/amendments/rules.ts';
import { withdrawAmendmentRequestSchema } from '../../domain/amendments/schemas.ts';
import { notFound } from '../../domain/errors.ts';
import { actorOf } from '../../shared/caller.ts';
import { now } from '../../shared/clock.ts';
import { httpHandler } from '../../shared/http.ts';
import { completeTask, notifyWorkflow } from '../../shared/workflows.ts';
import { saveChange } from '../../store/agreements-store.ts';
import { amendmentWrite } from '../../store/amendments-store.ts';
import { retryOnStaleRead } from '../../store/items.ts';
import { auditEntry, retryOnConcurrentChange } from '../agreement-access.ts';
import { idempotent } from '../idempotency.ts';
import { loadAmendmentForParty, NO_SUCH_AMENDMENT } from './access.ts';

/** The proposer withdraws an amendment that still awaits signatures (rule 13); both parties are told. */
export const handler = httpHandler(
  { body: withdrawAmendmentRequestSchema },
  idempotent(async ({ caller, body, params, route }) => {
    const { amendment, token } = await retryOnStaleRead(() =>
      retryOnConcurrentChange(async () => {
        const {
          agreement,
          role,
          amendment: stored,
        } = await loadAmendmentForParty(params.id, params.amendmentId, caller);
        if (!stored) throw notFound(NO_SUCH_AMENDMENT);
        const at = now();
        const closing = withdrawAmendment(
          agreement,
          stored.amendment,
          role,
          actorOf(caller),
          body.reason,
          at,
        );
        await saveChange({
          before: agreement,
          after: closing.agreement,
          history: closing.history,
          audit: {
            ...auditEntry(caller, 'amendment.withdraw', route, at),
            details: { amendmentId: stored.amendment.id },
          },
          notifications: closing.notifications,
          reminders: { remove: [`amendment-signature-missing#${stored.amendment.id}`] },
          readChecks: [amendmentWrite(agreement.id, closing.amendment, stored)],
        });
        return { amendment: closing.amendment, token: stored.taskToken };
      }),
    );
    if (token) {
      await notifyWorkflow('complete the amendment signature wait', () =>
        completeTask(token, workflowOutcome(amendment)),
      );
    }
    return { status: 200, body: amendment };
  }),
);
