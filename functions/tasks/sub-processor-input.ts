import { lazySchema } from '../domain/lazy-schema.ts';
import * as z from '../domain/zod.ts';

/** The approval workflow's input (functions/shared/workflows.ts starts it), handed to each of its tasks. */
export const subProcessorTaskInput = /* @__PURE__ */ lazySchema(() =>
  z.object({ agreementId: z.uuid(), subProcessorId: z.uuid() }),
);
export type SubProcessorTaskInput = z.infer<typeof subProcessorTaskInput>;

export class SubProcessorMissing extends Error {
  override name = 'SubProcessorMissing';
  constructor(agreementId: string, subProcessorId: string) {
    super(`No sub-processor ${subProcessorId} on agreement ${agreementId}`);
  }
}
