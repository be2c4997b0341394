import { osloDate } from '../domain/calendar.ts';
import { historyEntry } from '../domain/changes.ts';
import { BINDING_STATES } from '../domain/lifecycle.ts';
import { requireRole } from '../domain/parties.ts';
import { decisionReminderKind, firstDecisionReminder } from '../domain/sub-processor-reminders.ts';
import { subProcessorRequestSchema } from '../domain/sub-processor-schemas.ts';
import {
  newSubProcessorRequest,
  requestedNotifications,
  transitionHistory,
} from '../domain/sub-processors.ts';
import { actorOf } from '../shared/caller.ts';
import { now } from '../shared/clock.ts';
import { httpHandler } from '../shared/http.ts';
import { startSubProcessorApprovalWorkflow } from '../shared/workflows.ts';
import { rollBackRequest, saveSubProcessorChange } from '../store/sub-processors-store.ts';
import { auditEntry, loadForParty } from './agreement-access.ts';
import { idempotent } from './idempotency.ts';
import { startWorkflowOrUndo } from './start-or-undo.ts';

/**
 * The processor asks the controller to approve a sub-processor (rule 7): 202 with the request
 * REQUESTED, the controller notified, and the approval workflow started, which waits for the decision
 * for 30 days and expires the request when none comes.
 *
 * Two round trips: the agreement is read, and the request written with its notifications (their
 * events wait for the workflow). An identical request still pending is refused by the pending marker
 * written in the same transaction (sub-processors-store.ts), with the same 409 as the domain's check,
 * so the agreement's other requests need not be read.
 */
export const handler = httpHandler(
  { body: subProcessorRequestSchema },
  idempotent(async ({ caller, body, params, route }) => {
    const { agreement, role } = await loadForParty(params.id, caller);
    requireRole(role, 'processor', 'request approval of a sub-processor');
    const at = now();
    const record = newSubProcessorRequest({
      agreement,
      role,
      request: body,
      actor: actorOf(caller),
      existing: [],
      id: crypto.randomUUID(),
      now: at,
    });
    const notifications = requestedNotifications(agreement, record, at);
    await saveSubProcessorChange({
      agreementId: agreement.id,
      after: record,
      agreementIn: BINDING_STATES,
      history: [transitionHistory(undefined, record, actorOf(caller), at)],
      audit: {
        ...auditEntry(caller, 'sub-processor.request', route, at),
        details: { subProcessorId: record.id },
      },
      reminders: { put: [firstDecisionReminder(agreement.id, record.id, osloDate(at))] },
      notifications,
      deferEvents: true,
      agreement,
    });
    await startWorkflowOrUndo({
      description: 'the sub-processor request',
      start: () => startSubProcessorApprovalWorkflow(agreement.id, record.id),
      // Without its workflow the request would never expire on time: it must not stand.
      undo: () =>
        rollBackRequest(
          agreement.id,
          record,
          decisionReminderKind(record.id),
          historyEntry(actorOf(caller), 'SUB_PROCESSOR_REQUEST_ROLLED_BACK', now(), {
            details: {
              subProcessorId: record.id,
              name: record.name,
              reason: 'The approval workflow could not be started; the request was not accepted',
            },
          }),
          notifications,
          agreement,
        ),
      notifications,
    });
    return {
      status: 202,
      body: record,
      headers: { location: `/agreements/${agreement.id}/sub-processors/${record.id}` },
    };
  }),
);
