import { proposeAmendment } from '../../domain/amendments/rules.ts';
import { amendmentProposalSchema } from '../../domain/amendments/schemas.ts';
import { historyEntry, nextVersion } from '../../domain/changes.ts';
import { actorOf } from '../../shared/caller.ts';
import { now } from '../../shared/clock.ts';
import { etagOf, httpHandler } from '../../shared/http.ts';
import { startAmendmentWorkflow } from '../../shared/workflows.ts';
import { saveChange } from '../../store/agreements-store.ts';
import { amendmentDelete, amendmentWrite } from '../../store/amendments-store.ts';
import { amendmentCalendarWrites } from '../../store/calendar-feeds-store.ts';
import { notificationDeletes } from '../../store/notifications-store.ts';
import { auditEntry } from '../agreement-access.ts';
import { idempotent } from '../idempotency.ts';
import { startWorkflowOrUndo } from '../start-or-undo.ts';
import { approvedSubProcessors, loadWithAppendix } from './access.ts';

/**
 * Either party proposes an amendment of an agreement in force or under notice (rule 13): 201 with the
 * amendment AWAITING_SIGNATURES, both parties told, and its workflow started (deadline, reminders,
 * the change taking effect). Two round trips: the agreement with Vedlegg 3, then the proposal with the
 * agreement naming it as its one open amendment (a second proposal at the same moment loses there).
 */
export const handler = httpHandler(
  { body: amendmentProposalSchema },
  idempotent(async ({ caller, body, params, route }) => {
    const { agreement, role, appendixItem } = await loadWithAppendix(params.id, caller);
    const at = now();
    const proposal = proposeAmendment({
      agreement,
      role,
      actor: actorOf(caller),
      proposal: body,
      approved: body.changes.scope ? await approvedSubProcessors(agreement.id, appendixItem) : [],
      id: crypto.randomUUID(),
      now: at,
    });
    const { amendment } = proposal;
    await saveChange({
      before: agreement,
      after: proposal.agreement,
      history: proposal.history,
      audit: {
        ...auditEntry(caller, 'amendment.propose', route, at),
        details: { amendmentId: amendment.id },
      },
      reminders: { put: [{ agreementId: agreement.id, ...proposal.reminder }] },
      notifications: proposal.notifications,
      extraWrites: [
        amendmentWrite(agreement.id, amendment),
        ...amendmentCalendarWrites(agreement, amendment),
      ],
      deferEvents: true,
    });
    await startWorkflowOrUndo({
      description: 'the amendment proposal',
      start: () => startAmendmentWorkflow(agreement.id, amendment.id),
      // Without its workflow the amendment would never expire nor take effect: it must not stand.
      undo: () =>
        saveChange({
          before: proposal.agreement,
          after: nextVersion(
            proposal.agreement,
            { openAmendment: undefined, amendmentCount: agreement.amendmentCount },
            now(),
          ),
          history: [
            historyEntry(actorOf(caller), 'AMENDMENT_ROLLED_BACK', now(), {
              details: {
                amendmentId: amendment.id,
                number: amendment.number,
                reason: 'The amendment workflow could not be started; the proposal was not accepted',
              },
            }),
          ],
          reminders: { remove: [proposal.reminder.kind] },
          extraWrites: [
            amendmentDelete(agreement.id, amendment),
            ...proposal.notifications.flatMap((notification) =>
              notificationDeletes(notification, 'condition'),
            ),
          ],
          deferEvents: true,
        }),
      notifications: proposal.notifications,
    });
    return {
      status: 201,
      body: amendment,
      headers: {
        location: `/agreements/${agreement.id}/amendments/${amendment.id}`,
        etag: etagOf(proposal.agreement.version),
      },
    };
  }),
);
