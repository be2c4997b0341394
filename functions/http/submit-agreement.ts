import { osloDate } from '../domain/calendar.ts';
import { historyEntry, nextVersion } from '../domain/changes.ts';
import { conflict } from '../domain/errors.ts';
import { BOTH_PARTIES, notificationsFor } from '../domain/notifications.ts';
import { firstSignatureReminder, SIGNING_REMINDERS, signatureDeadlineCheck } from '../domain/reminders.ts';
import { emptyBodySchema } from '../domain/schemas.ts';
import { signatureDeadlineFor } from '../domain/signing.ts';
import { actorOf } from '../shared/caller.ts';
import { now } from '../shared/clock.ts';
import { etagOf, httpHandler } from '../shared/http.ts';
import { startSigningWorkflow } from '../shared/workflows.ts';
import { saveChange } from '../store/agreements-store.ts';
import { notificationDeletes } from '../store/notifications-store.ts';
import { auditEntry, loadForParty } from './agreement-access.ts';
import { idempotent } from './idempotency.ts';
import { startWorkflowOrUndo } from './start-or-undo.ts';

/** DRAFT -> AWAITING_SIGNATURES: freezes the content, sets the deadline and starts the signing workflow. */
export const handler = httpHandler(
  { body: emptyBodySchema },
  idempotent(async ({ caller, params, route }) => {
    const { agreement } = await loadForParty(params.id, caller);
    if (agreement.status !== 'DRAFT') {
      throw conflict(
        `Only a DRAFT can be submitted; this agreement is ${agreement.status}`,
        agreement.status,
      );
    }
    const at = now();
    const signatureDeadline = signatureDeadlineFor(at, agreement.signatureDeadlineDays);
    const submitted = nextVersion(
      agreement,
      { status: 'AWAITING_SIGNATURES', submittedAt: at.toISOString(), signatureDeadline },
      at,
    );
    const change = {
      history: [
        historyEntry(actorOf(caller), 'SUBMITTED_FOR_SIGNATURE', at, {
          from: agreement.status,
          to: submitted.status,
          details: { signatureDeadline },
        }),
      ],
      audit: auditEntry(caller, 'agreement.submit', route, at),
      reminders: {
        put: [
          firstSignatureReminder(agreement.id, osloDate(at)),
          signatureDeadlineCheck(agreement.id, signatureDeadline),
        ],
      },
    };
    const notifications = notificationsFor(
      submitted,
      BOTH_PARTIES,
      {
        type: 'agreement.awaiting-signatures',
        key: String(submitted.version),
        subject: `Awaiting your signature by ${signatureDeadline}`,
        details: { signatureDeadline, contentHash: submitted.contentHash },
      },
      at,
    );
    // Two round trips: the read, and the change with its notifications (their events wait for the workflow).
    await saveChange({ before: agreement, after: submitted, ...change, notifications, deferEvents: true });
    await startWorkflowOrUndo({
      description: 'the submission',
      start: () => startSigningWorkflow(agreement.id, submitted.version),
      // Without its workflow the submission must not stand: put the draft back as it was.
      undo: () =>
        saveChange({
          before: submitted,
          after: { ...agreement, version: submitted.version + 1, updatedAt: now().toISOString() },
          history: [
            historyEntry(actorOf(caller), 'SUBMISSION_ROLLED_BACK', now(), {
              from: submitted.status,
              to: 'DRAFT',
            }),
          ],
          reminders: { remove: SIGNING_REMINDERS },
          extraWrites: notifications.flatMap((n) => notificationDeletes(n, 'condition')),
        }),
      notifications,
    });
    return { status: 200, body: submitted, headers: { etag: etagOf(submitted.version) } };
  }),
);
