import { workflowOutcome } from '../../domain/amendments/rules.ts';
import { lazySchema } from '../../domain/lazy-schema.ts';
import * as z from '../../domain/zod.ts';
import { taskHandler } from '../../shared/task.ts';
import { getAmendment, storeAmendmentToken } from '../../store/amendments-store.ts';
import { registerCallbackWait } from '../callback-wait.ts';
import { AmendmentMissing } from './input.ts';

const input = /* @__PURE__ */ lazySchema(() =>
  z.object({ agreementId: z.uuid(), amendmentId: z.uuid(), taskToken: z.string().check(z.minLength(1)) }),
);

/**
 * Starts the wait for the second signature. If it came (or the amendment was withdrawn or expired)
 * before the wait, completes it at once; otherwise stores the token on the amendment for POST
 * .../signatures or .../withdraw to complete, only while it still awaits signatures, so an outcome
 * landing in between is read again here rather than lost.
 */
export const handler = taskHandler(input, ({ agreementId, amendmentId, taskToken }) =>
  registerCallbackWait({
    taskToken,
    what: `The amendment ${amendmentId}`,
    read: async () => {
      const stored = await getAmendment(agreementId, amendmentId);
      if (!stored) throw new AmendmentMissing(agreementId, amendmentId);
      return stored.amendment;
    },
    outcome: (amendment) =>
      amendment.status === 'AWAITING_SIGNATURES' ? undefined : workflowOutcome(amendment),
    store: () => storeAmendmentToken(agreementId, amendmentId, taskToken),
  }),
);
