import { osloDate } from '../domain/calendar.ts';
import { historyEntry, nextVersion } from '../domain/changes.ts';
import { BOTH_PARTIES, notificationsFor } from '../domain/notifications.ts';
import { decideNotice } from '../domain/termination.ts';
import {
  NOTICE_PERIOD_REMINDERS,
  terminationAheadReminders,
  terminationDueCheck,
} from '../domain/termination-reminders.ts';
import { terminationNoticeRequestSchema } from '../domain/termination-schemas.ts';
import { actorOf } from '../shared/caller.ts';
import { now } from '../shared/clock.ts';
import { etagOf, httpHandler } from '../shared/http.ts';
import { startTerminationWorkflow } from '../shared/workflows.ts';
import { saveChange } from '../store/agreements-store.ts';
import { notificationDeletes } from '../store/notifications-store.ts';
import { auditEntry, loadForParty } from './agreement-access.ts';
import { idempotent } from './idempotency.ts';
import { startWorkflowOrUndo } from './start-or-undo.ts';

/**
 * Rule 5: either party gives notice on an agreement in force. IN_FORCE -> NOTICE_PERIOD with
 * `terminatesOn` (notice date + the notice period, end-of-month rule), the reminders 30 and 7 days
 * ahead, and the termination workflow, which ends the agreement when that day has ended in Oslo.
 */
export const handler = httpHandler(
  { body: terminationNoticeRequestSchema },
  idempotent(async ({ caller, body, params, route }) => {
    const { agreement, role } = await loadForParty(params.id, caller);
    const at = now();
    const { termination, terminatesOn } = decideNotice(agreement, role, body, at);
    const noticed = nextVersion(agreement, { status: 'NOTICE_PERIOD', termination, terminatesOn }, at);
    const notifications = notificationsFor(
      noticed,
      BOTH_PARTIES,
      {
        type: 'agreement.termination-notice',
        // Per version: a notice rolled back (no workflow) and given again is announced again.
        key: String(noticed.version),
        subject: `Notice given by the ${role}; terminates at the end of ${terminatesOn}`,
        details: { givenBy: role, givenOn: termination.givenOn, terminatesOn },
      },
      at,
    );
    await saveChange({
      before: agreement,
      after: noticed,
      history: [
        historyEntry(actorOf(caller), 'TERMINATION_NOTICE_GIVEN', at, {
          from: agreement.status,
          to: noticed.status,
          details: { ...termination, terminatesOn, noticePeriodMonths: agreement.noticePeriodMonths },
        }),
      ],
      audit: auditEntry(caller, 'agreement.termination-notice', route, at),
      reminders: {
        put: [
          ...terminationAheadReminders(agreement.id, terminatesOn, osloDate(at)),
          terminationDueCheck(agreement.id, terminatesOn),
        ],
      },
      // Two round trips: the read, and this; the notifications' events wait for the workflow.
      notifications,
      deferEvents: true,
    });
    await startWorkflowOrUndo({
      description: 'the notice',
      start: () => startTerminationWorkflow(agreement.id, noticed.version),
      // Without its workflow nothing would end the agreement: the notice must not stand.
      undo: () =>
        saveChange({
          before: noticed,
          after: { ...agreement, version: noticed.version + 1, updatedAt: now().toISOString() },
          history: [
            historyEntry(actorOf(caller), 'TERMINATION_NOTICE_ROLLED_BACK', now(), {
              from: noticed.status,
              to: agreement.status,
            }),
          ],
          reminders: { remove: NOTICE_PERIOD_REMINDERS },
          extraWrites: notifications.flatMap((n) => notificationDeletes(n, 'condition')),
        }),
      notifications,
    });
    return { status: 200, body: noticed, headers: { etag: etagOf(noticed.version) } };
  }),
);
