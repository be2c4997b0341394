import { expireAmendment, workflowOutcome } from '../domain/amendments/rules.ts';
import { historyEntry, nextVersion } from '../domain/changes.ts';
import { BOTH_PARTIES, notificationsFor } from '../domain/notifications.ts';
import type { Agreement } from '../domain/schemas.ts';
import { TERMINATION_WORKFLOW, terminationDue } from '../domain/termination.ts';
import { afterTerminationReminders, TERMINATION_DUE_CHECK } from '../domain/termination-reminders.ts';
import { countMetric } from '../shared/observability.ts';
import { workflowActor } from '../shared/task.ts';
import { completeTask, notifyWorkflow } from '../shared/workflows.ts';
import { saveChange } from '../store/agreements-store.ts';
import { closedAmendmentWrite, getAmendment } from '../store/amendments-store.ts';
import { taskTokenPut } from '../store/task-tokens-store.ts';
import { applyWhenDue, type TimedOutcome } from './timed-transition.ts';

/**
 * The end of `terminatesOn` has come: NOTICE_PERIOD -> TERMINATED, if it really has by the clock (a
 * wait that fired early leaves the agreement as it is). Idempotent: run again, it finds the agreement
 * TERMINATED (or further) and reports that. Used by the termination workflow and, as a safety net, by
 * the daily run the morning after.
 *
 * `choiceToken`, the workflow's token for the controller's choice of RETURN or DELETE, is stored with
 * the termination when no choice has been made yet: the condition on the agreement's version that
 * makes the termination happen once also makes sure no choice arrived in between.
 */
export function terminateIfDue(agreementId: string, choiceToken?: string): Promise<TimedOutcome> {
  return applyWhenDue({
    agreementId,
    from: 'NOTICE_PERIOD',
    to: 'TERMINATED',
    isDue: (agreement, at) => Boolean(agreement.terminatesOn && terminationDue(agreement.terminatesOn, at)),
    apply: (agreement, at) => terminate(agreement, at, choiceToken),
  });
}

async function terminate(
  agreement: Agreement,
  at: Date,
  choiceToken: string | undefined,
): Promise<Agreement> {
  const terminated = nextVersion(
    agreement,
    { status: 'TERMINATED', terminatedAt: at.toISOString(), openAmendment: undefined },
    at,
  );
  const actor = workflowActor('termination');
  // Rule 13: an amendment still open (awaiting signatures, or signed for a later date) ends with it.
  const open = agreement.openAmendment
    ? await getAmendment(agreement.id, agreement.openAmendment.id)
    : undefined;
  const ended = open && expireAmendment(agreement, open.amendment, 'AGREEMENT_TERMINATED', actor, at);
  await saveChange({
    before: agreement,
    after: terminated,
    history: [
      historyEntry(actor, 'TERMINATED', at, {
        from: agreement.status,
        to: 'TERMINATED',
        details: { terminatesOn: agreement.terminatesOn, termination: agreement.termination },
      }),
      ...(ended?.history ?? []),
    ],
    audit: { at: at.toISOString(), action: 'agreement.terminate', actor, route: 'workflow:termination' },
    reminders: {
      // The reminders 30 and 7 days ahead fell due before terminatesOn and went out with those days'
      // runs; one that a missed run left behind is dropped by the next run, sending nothing once TERMINATED.
      remove: [TERMINATION_DUE_CHECK],
      put: afterTerminationReminders(agreement),
    },
    notifications: [
      ...notificationsFor(
        terminated,
        BOTH_PARTIES,
        {
          type: 'agreement.terminated',
          key: 'terminated',
          subject: agreement.dataDisposition
            ? `Terminated: the processor now ${agreement.dataDisposition.method === 'RETURN' ? 'returns' : 'deletes'} the data and attests it`
            : 'Terminated: the controller chooses return or deletion of the data',
          details: {
            terminatesOn: agreement.terminatesOn,
            ...(agreement.dataDisposition ? { dataDisposition: agreement.dataDisposition.method } : {}),
          },
        },
        at,
      ),
      ...(ended?.notifications ?? []),
    ],
    extraWrites: [
      ...(ended && open ? [closedAmendmentWrite(agreement.id, open.amendment, ended.amendment)] : []),
      ...(choiceToken && !agreement.dataDisposition
        ? [
            taskTokenPut(
              {
                agreementId: agreement.id,
                workflow: TERMINATION_WORKFLOW,
                step: 'disposition',
                token: choiceToken,
              },
              at,
            ),
          ]
        : []),
    ],
  });
  countMetric('agreementTerminated');
  const token = open?.taskToken;
  if (ended && token) {
    await notifyWorkflow('end the amendment workflow', () =>
      completeTask(token, workflowOutcome(ended.amendment)),
    );
  }
  return terminated;
}
