import { lazySchema } from '../domain/lazy-schema.ts';
import { dispositionChoiceOutput } from '../domain/termination.ts';
import * as z from '../domain/zod.ts';
import { taskHandler } from '../shared/task.ts';
import { completeTask } from '../shared/workflows.ts';
import { awaitDispositionChoice } from './disposition-wait.ts';
import { terminateIfDue } from './termination-due.ts';

const input = /* @__PURE__ */ lazySchema(() =>
  z.object({ agreementId: z.uuid(), taskToken: z.optional(z.string().check(z.minLength(1))) }),
);

/**
 * The termination workflow's wait for terminatesOn has ended. One task, completed by its callback:
 * - the end of terminatesOn has really come: TERMINATED, and the wait for the controller's choice of
 *   RETURN or DELETE begins in the same transaction (its token stored with the termination), or
 *   completes at once with a choice made during the notice period;
 * - found TERMINATED already (the daily run's safety net was first, or this is a retry): the wait for
 *   the choice begins as after an escalation round;
 * - otherwise (the wait ended early, or the agreement is further on): completed with its status, on
 *   which the workflow routes (an early wake-up waits again).
 *
 * Executions started before the termination awaited the choice itself keep their definition on AWS
 * until they end (up to a year): they call this task without a token and route on the status it
 * returns, then await the choice in AwaitDisposition.
 */
export const handler = taskHandler(input, async ({ agreementId, taskToken }) => {
  const { status, written } = await terminateIfDue(agreementId, taskToken);
  if (!taskToken) return { status };
  if (written) {
    const chosen = written.dataDisposition;
    if (!chosen) return { waiting: true };
    await completeTask(taskToken, dispositionChoiceOutput(chosen));
    return { waiting: false };
  }
  if (status === 'TERMINATED') return awaitDispositionChoice(agreementId, taskToken);
  await completeTask(taskToken, { status });
  return { waiting: false };
});
