import { lazySchema } from '../domain/lazy-schema.ts';
import { TERMINATION_WORKFLOW } from '../domain/termination.ts';
import * as z from '../domain/zod.ts';
import { taskHandler } from '../shared/task.ts';
import { completeTask, failTask } from '../shared/workflows.ts';
import { getAgreement } from '../store/agreements-store.ts';
import { storeTaskToken } from '../store/task-tokens-store.ts';
import { AgreementMissing } from './agreement-input.ts';

const input = /* @__PURE__ */ lazySchema(() =>
  z.object({ agreementId: z.uuid(), taskToken: z.string().check(z.minLength(1)) }),
);

/**
 * Starts the wait for the processor's attestation. An attestation already given (the agreement is
 * CLOSED or RETAINED_UNDER_LAW) completes the wait at once with that status; otherwise the token is
 * stored for POST /data-disposition/attestation to complete.
 */
export const handler = taskHandler(input, async ({ agreementId, taskToken }) => {
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const stored = await getAgreement(agreementId);
    if (!stored) throw new AgreementMissing(agreementId);
    const { agreement } = stored;
    if (agreement.status === 'CLOSED' || agreement.status === 'RETAINED_UNDER_LAW') {
      await completeTask(taskToken, { status: agreement.status });
      return { waiting: false };
    }
    if (agreement.status !== 'TERMINATED') {
      await failTask(taskToken, 'AttestationNotAwaited', `The agreement is ${agreement.status}`);
      return { waiting: false };
    }
    const registered = await storeTaskToken({
      agreementId,
      workflow: TERMINATION_WORKFLOW,
      step: 'attestation',
      token: taskToken,
      expectedStatus: 'TERMINATED',
      expectedVersion: agreement.version,
    });
    if (registered) return { waiting: true };
  }
  throw new Error(
    `The agreement ${agreementId} kept changing while the wait for its attestation was registered`,
  );
});
