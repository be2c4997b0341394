import { dispositionChoiceOutput, TERMINATION_WORKFLOW } from '../domain/termination.ts';
import { completeTask, failTask } from '../shared/workflows.ts';
import { getAgreement } from '../store/agreements-store.ts';
import { storeTaskToken } from '../store/task-tokens-store.ts';
import { AgreementMissing } from './agreement-input.ts';

/**
 * Starts (or resumes) the termination workflow's wait for the controller's choice of RETURN or DELETE.
 * A choice already made (during the notice period, or while the workflow was escalating) completes
 * the wait at once; otherwise the token is stored for POST /data-disposition to complete, only on the
 * version read, so a choice landing in between is read again and never lost.
 */
export async function awaitDispositionChoice(
  agreementId: string,
  taskToken: string,
): Promise<{ waiting: boolean }> {
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const stored = await getAgreement(agreementId);
    if (!stored) throw new AgreementMissing(agreementId);
    const { agreement } = stored;
    const chosen = agreement.dataDisposition;
    if (chosen) {
      await completeTask(taskToken, dispositionChoiceOutput(chosen));
      return { waiting: false };
    }
    if (agreement.status !== 'TERMINATED') {
      await failTask(taskToken, 'DispositionNotAwaited', `The agreement is ${agreement.status}`);
      return { waiting: false };
    }
    const registered = await storeTaskToken({
      agreementId,
      workflow: TERMINATION_WORKFLOW,
      step: 'disposition',
      token: taskToken,
      expectedStatus: 'TERMINATED',
      expectedVersion: agreement.version,
    });
    if (registered) return { waiting: true };
  }
  throw new Error(
    `The agreement ${agreementId} kept changing while the wait for its disposition was registered`,
  );
}
