import type { TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { osloDate } from '../domain/calendar.ts';
import { historyEntry } from '../domain/changes.ts';
import { decideReminder, SIGNATURE_DEADLINE_CHECK } from '../domain/reminders.ts';
import type { Agreement, Notification } from '../domain/schemas.ts';
import { TERMINATION_DUE_CHECK } from '../domain/termination-reminders.ts';
import { now } from '../shared/clock.ts';
import { eachAtMost } from '../shared/concurrency.ts';
import { countMetric, logError, observedTask } from '../shared/observability.ts';
import { workflowActor } from '../shared/task.ts';
import { getAgreement, historyItem, toStored } from '../store/agreements-store.ts';
import type { Item } from '../store/items.ts';
import {
  notificationWrites,
  publishEvents,
  sendNotifications,
  writeNotifications,
} from '../store/notifications-store.ts';
import { getItems } from '../store/query.ts';
import { loadReminderSubject } from '../store/reminder-subjects.ts';
import { dueReminders, type Reminder, reminderAdvance } from '../store/reminders-store.ts';
import { agreementKey } from '../store/table-layout.ts';
import { expireIfOverdue } from './signature-expiry.ts';
import { terminateIfDue } from './termination-due.ts';

const SAFETY_NETS: Record<string, (agreementId: string) => Promise<unknown>> = {
  [SIGNATURE_DEADLINE_CHECK]: expireIfOverdue,
  [TERMINATION_DUE_CHECK]: terminateIfDue,
};

/**
 * Agreements whose due reminders are handled at once when each has a safety net to run (it changes the
 * agreement, so its reminders go one after the other against what it left).
 */
const AGREEMENTS_AT_ONCE = 16;
/**
 * The other agreements are handled in batches: one strongly consistent `BatchGetItem` reads a batch's
 * agreements, and its reminders go out in as few transactions as DynamoDB allows (100 items each). A
 * morning with thousands due (every agreement of a municipality given notice together) then costs tens
 * of requests rather than thousands, and fits in the function's 30 s.
 */
const AGREEMENTS_PER_BATCH = 25;
const BATCHES_AT_ONCE = 4;
/** DynamoDB's limit of items in one `TransactWriteItems`. */
const MAX_TRANSACTION_ITEMS = 100;

interface Tally {
  sent: number;
  failed: number;
}

/**
 * The daily run (07:00 Europe/Oslo). Each due reminder is sent and moved on in a transaction that is
 * conditional on the reminder's due date, so a retried or doubled run sends nothing twice. A batch's
 * transaction that is cancelled (one reminder went out before, or an agreement changed meanwhile) is
 * done again one reminder at a time, as if there were no batch. One reminder that fails (e.g. a
 * transaction conflict with a handler changing the same agreement) stays due and is retried by the
 * next run; it does not stop the others.
 */
export const handler = observedTask(async (): Promise<{ due: number; sent: number; failed: number }> => {
  const at = now();
  const reminders = await dueReminders(osloDate(at));
  const byAgreement = [...Map.groupBy(reminders, (r) => r.agreementId).values()];
  const withSafetyNet = byAgreement.filter((ofOne) => ofOne.some((r) => SAFETY_NETS[r.kind]));
  const batched = byAgreement.filter((ofOne) => !ofOne.some((r) => SAFETY_NETS[r.kind]));
  const tally: Tally = { sent: 0, failed: 0 };
  await eachAtMost(AGREEMENTS_AT_ONCE, withSafetyNet, (ofOne) => sendOneByOne(ofOne, at, tally));
  await eachAtMost(BATCHES_AT_ONCE, chunks(batched, AGREEMENTS_PER_BATCH), (batch) =>
    sendBatch(batch, at, tally),
  );
  countMetric('remindersSent', tally.sent);
  countMetric('remindersFailed', tally.failed);
  if (tally.failed > 0)
    throw new Error(`${tally.failed} of ${reminders.length} due reminders failed; the run is retried`);
  return { due: reminders.length, ...tally };
});

/** What one reminder sends, and the writes that go with it (moving it on, the history entry). */
interface Prepared {
  notifications: Notification[];
  writes: TransactWriteItem[];
}

/** The reminders of several agreements (each agreement's in one array), with as few requests as fit. */
async function sendBatch(batch: Reminder[][], at: Date, tally: Tally): Promise<void> {
  let stored: (Item | undefined)[];
  try {
    stored = await getItems(batch.map((ofOne) => agreementKey(ofOne[0]!.agreementId)));
  } catch (error) {
    logError('Reading a batch of agreements with due reminders failed; each is read on its own', error);
    for (const ofOne of batch) await sendOneByOne(ofOne, at, tally);
    return;
  }
  let pack: { reminders: Reminder[][]; prepared: Prepared[]; items: number } = emptyPack();
  const flush = async () => {
    if (pack.reminders.length > 0) await sendPack(pack.reminders, pack.prepared, at, tally);
    pack = emptyPack();
  };
  for (const [index, ofOne] of batch.entries()) {
    const item = stored[index];
    const agreement = item ? toStored(item).agreement : undefined;
    let prepared: Prepared[];
    try {
      prepared = await Promise.all(
        ofOne.map((reminder, position) => prepare(reminder, agreement, at, position)),
      );
    } catch (error) {
      tally.failed += ofOne.length;
      logError('Preparing the reminders of an agreement failed; they stay due', error, {
        agreement_id: ofOne[0]!.agreementId,
      });
      continue;
    }
    const items = prepared.reduce((sum, p) => sum + transactionItems(p).length, 0);
    if (pack.items + items > MAX_TRANSACTION_ITEMS) await flush();
    if (items > MAX_TRANSACTION_ITEMS) {
      await sendOneByOne(ofOne, at, tally);
      continue;
    }
    pack.reminders.push(ofOne);
    pack.prepared.push(...prepared);
    pack.items += items;
  }
  await flush();
}

const emptyPack = () => ({ reminders: [] as Reminder[][], prepared: [] as Prepared[], items: 0 });

/** One transaction for the reminders of several agreements; if it is cancelled, one by one. */
async function sendPack(
  reminders: Reminder[][],
  prepared: Prepared[],
  at: Date,
  tally: Tally,
): Promise<void> {
  const notifications = prepared.flatMap((p) => p.notifications);
  try {
    await writeNotifications(
      notifications,
      prepared.flatMap((p) => p.writes),
      'condition',
    );
  } catch {
    for (const ofOne of reminders) await sendOneByOne(ofOne, at, tally);
    return;
  }
  await publishEvents(notifications);
  tally.sent += notifications.length;
}

const transactionItems = (prepared: Prepared): TransactWriteItem[] => [
  ...prepared.notifications.flatMap((n) => notificationWrites(n, 'condition')),
  ...prepared.writes,
];

/** The reminders of one agreement, one after the other, each read and written on its own. */
async function sendOneByOne(ofOne: Reminder[], at: Date, tally: Tally): Promise<void> {
  for (const reminder of ofOne) {
    try {
      tally.sent += await sendReminder(reminder, at);
    } catch (error) {
      tally.failed += 1;
      logError('A reminder failed; it stays due', error, {
        reminder_kind: reminder.kind,
        agreement_id: reminder.agreementId,
      });
    }
  }
}

async function sendReminder(reminder: Reminder, at: Date): Promise<number> {
  // Safety nets: what a failed workflow should have done at midnight is done the morning after.
  const safetyNet = SAFETY_NETS[reminder.kind];
  if (safetyNet) {
    await safetyNet(reminder.agreementId);
    await sendNotifications([], [reminderAdvance(reminder, undefined)]);
    return 0;
  }
  const agreement = (await getAgreement(reminder.agreementId))?.agreement;
  const { notifications, writes } = await prepare(reminder, agreement, at);
  return (await sendNotifications(notifications, writes, 'condition')).length;
}

/** `position` orders the history entries of an agreement's reminders sent in one transaction. */
async function prepare(
  reminder: Reminder,
  agreement: Agreement | undefined,
  at: Date,
  position = 0,
): Promise<Prepared> {
  const subject = await loadReminderSubject(reminder); // what a `<rule>#<subject>` kind is about
  const decision = decideReminder(reminder, agreement, at, subject);
  const sentEvent = historyEntry(workflowActor('reminders'), 'REMINDER_SENT', at, {
    details: {
      kind: reminder.kind,
      dueOn: reminder.dueOn,
      recipients: decision.notifications.map((n) => n.recipientOrgNumber),
    },
  });
  return {
    notifications: decision.notifications,
    writes: [
      reminderAdvance(reminder, decision.nextDueOn),
      ...(decision.notifications.length > 0 ? [historyItem(reminder.agreementId, sentEvent, position)] : []),
    ],
  };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}
