import { lazySchema } from '../domain/lazy-schema.ts';
import * as z from '../domain/zod.ts';
import { now } from '../shared/clock.ts';
import { countMetricBy } from '../shared/observability.ts';
import { taskHandler, workflowActor } from '../shared/task.ts';
import { recordHistory } from '../store/agreements-store.ts';

const input = /* @__PURE__ */ lazySchema(() =>
  z.object({
    agreementId: z.uuid(),
    workflow: z.string(),
    error: z.looseObject({ Error: z.optional(z.string()), Cause: z.optional(z.string()) }),
  }),
);

/** A workflow gave up: the failure becomes visible in the agreement's history; its state stays as it was. */
export const handler = taskHandler(input, async ({ agreementId, workflow, error }) => {
  await recordHistory(agreementId, {
    at: now().toISOString(),
    type: 'WORKFLOW_FAILED',
    actor: workflowActor(workflow),
    details: { workflow, error: error.Error ?? 'Unknown', cause: (error.Cause ?? '').slice(0, 2000) },
  });
  countMetricBy('workflowFailure', workflow);
  return { recorded: true };
});
