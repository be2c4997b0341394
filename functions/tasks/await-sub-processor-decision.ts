import { lazySchema } from '../domain/lazy-schema.ts';
import * as z from '../domain/zod.ts';
import { taskHandler } from '../shared/task.ts';
import { completeTask } from '../shared/workflows.ts';
import { getSubProcessor, storeDecisionToken } from '../store/sub-processors-store.ts';
import { SubProcessorMissing } from './sub-processor-input.ts';

const input = /* @__PURE__ */ lazySchema(() =>
  z.object({
    agreementId: z.uuid(),
    subProcessorId: z.uuid(),
    taskToken: z.string().check(z.minLength(1)),
  }),
);

/**
 * Starts the wait for the controller's decision. A decision (or a withdrawal) that came before the wait
 * completes it at once; otherwise the token is stored on the request for POST .../decision (or
 * .../withdraw) to complete. Storing is conditional on the request still being REQUESTED, so an outcome
 * landing in between is read again here rather than lost.
 */
export const handler = taskHandler(input, async ({ agreementId, subProcessorId, taskToken }) => {
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const stored = await getSubProcessor(agreementId, subProcessorId);
    if (!stored) throw new SubProcessorMissing(agreementId, subProcessorId);
    const { status } = stored.record;
    if (status !== 'REQUESTED') {
      await completeTask(taskToken, { status });
      return { waiting: false };
    }
    if (await storeDecisionToken(agreementId, subProcessorId, taskToken)) return { waiting: true };
  }
  throw new Error(`The sub-processor request ${subProcessorId} kept changing while its wait was registered`);
});
