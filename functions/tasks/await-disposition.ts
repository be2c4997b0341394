import { lazySchema } from '../domain/lazy-schema.ts';
import * as z from '../domain/zod.ts';
import { taskHandler } from '../shared/task.ts';
import { awaitDispositionChoice } from './disposition-wait.ts';

const input = /* @__PURE__ */ lazySchema(() =>
  z.object({ agreementId: z.uuid(), taskToken: z.string().check(z.minLength(1)) }),
);

/**
 * Waits again for the controller's choice of RETURN or DELETE after an escalation round (the first
 * round is awaited by the termination itself, see terminate-agreement.ts).
 */
export const handler = taskHandler(input, ({ agreementId, taskToken }) =>
  awaitDispositionChoice(agreementId, taskToken),
);
