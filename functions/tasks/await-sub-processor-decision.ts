import { lazySchema } from '../domain/lazy-schema.ts';
import * as z from '../domain/zod.ts';
import { taskHandler } from '../shared/task.ts';
import { getSubProcessor, storeDecisionToken } from '../store/sub-processors-store.ts';
import { registerCallbackWait } from './callback-wait.ts';
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
export const handler = taskHandler(input, ({ agreementId, subProcessorId, taskToken }) =>
  registerCallbackWait({
    taskToken,
    what: `The sub-processor request ${subProcessorId}`,
    read: async () => {
      const stored = await getSubProcessor(agreementId, subProcessorId);
      if (!stored) throw new SubProcessorMissing(agreementId, subProcessorId);
      return stored.record.status;
    },
    outcome: (status) => (status === 'REQUESTED' ? undefined : { status }),
    store: () => storeDecisionToken(agreementId, subProcessorId, taskToken),
  }),
);
