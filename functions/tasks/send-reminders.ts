import { osloDate } from '../domain/calendar.ts';
import { historyEntry } from '../domain/changes.ts';
import { decideReminder, SIGNATURE_DEADLINE_CHECK } from '../domain/reminders.ts';
import { TERMINATION_DUE_CHECK } from '../domain/termination-reminders.ts';
import { now } from '../shared/clock.ts';
import { eachAtMost } from '../shared/concurrency.ts';
import { countMetric, logError, observedTask } from '../shared/observability.ts';
import { workflowActor } from '../shared/task.ts';
import { getAgreement, historyItem } from '../store/agreements-store.ts';
import { sendNotifications } from '../store/notifications-store.ts';
import { dueReminders, type Reminder, reminderAdvance } from '../store/reminders-store.ts';
import { loadReminderSubject } from '../store/sub-processors-store.ts';
import { expireIfOverdue } from './signature-expiry.ts';
import { terminateIfDue } from './termination-due.ts';

const SAFETY_NETS: Record<string, (agreementId: string) => Promise<unknown>> = {
  [SIGNATURE_DEADLINE_CHECK]: expireIfOverdue,
  [TERMINATION_DUE_CHECK]: terminateIfDue,
};

/**
 * Agreements whose due reminders are handled at once. A reminder is a few small DynamoDB requests,
 * mostly waiting; one at a time, a morning with thousands due (every agreement of a municipality given
 * notice together) would not fit in the function's 30 s. The reminders of one agreement go one after
 * the other, as before, so they never conflict with each other.
 */
const AGREEMENTS_AT_ONCE = 16;

/**
 * The daily run (07:00 Europe/Oslo). Each due reminder is sent and moved on in one transaction that is
 * conditional on the reminder's due date, so a retried or doubled run sends nothing twice. One reminder
 * that fails (e.g. a transaction conflict with a handler changing the same agreement) stays due and is
 * retried by the next run; it does not stop the others.
 */
export const handler = observedTask(async (): Promise<{ due: number; sent: number; failed: number }> => {
  const at = now();
  const reminders = await dueReminders(osloDate(at));
  let sent = 0;
  let failed = 0;
  await eachAtMost(
    AGREEMENTS_AT_ONCE,
    [...Map.groupBy(reminders, (r) => r.agreementId).values()],
    async (ofOne) => {
      for (const reminder of ofOne) {
        try {
          sent += await sendReminder(reminder, at);
        } catch (error) {
          failed += 1;
          logError('A reminder failed; it stays due', error, {
            reminder_kind: reminder.kind,
            agreement_id: reminder.agreementId,
          });
        }
      }
    },
  );
  countMetric('remindersSent', sent);
  countMetric('remindersFailed', failed);
  if (failed > 0)
    throw new Error(`${failed} of ${reminders.length} due reminders failed; the run is retried`);
  return { due: reminders.length, sent, failed };
});

async function sendReminder(reminder: Reminder, at: Date): Promise<number> {
  // Safety nets: what a failed workflow should have done at midnight is done the morning after.
  const safetyNet = SAFETY_NETS[reminder.kind];
  if (safetyNet) {
    await safetyNet(reminder.agreementId);
    await sendNotifications([], [reminderAdvance(reminder, undefined)]);
    return 0;
  }
  {
    const agreement = (await getAgreement(reminder.agreementId))?.agreement;
    const subject = await loadReminderSubject(reminder); // what a `<rule>#<subject>` kind is about
    const decision = decideReminder(reminder, agreement, at, subject);
    const sentEvent = historyEntry(workflowActor('reminders'), 'REMINDER_SENT', at, {
      details: {
        kind: reminder.kind,
        dueOn: reminder.dueOn,
        recipients: decision.notifications.map((n) => n.recipientOrgNumber),
      },
    });
    const delivered = await sendNotifications(decision.notifications, [
      reminderAdvance(reminder, decision.nextDueOn),
      ...(decision.notifications.length > 0 ? [historyItem(reminder.agreementId, sentEvent)] : []),
    ]);
    return delivered.length;
  }
}
