import { lazySchema } from '../domain/lazy-schema.ts';
import * as z from '../domain/zod.ts';

export const agreementTaskInput = /* @__PURE__ */ lazySchema(() => z.object({ agreementId: z.uuid() }));
export type AgreementTaskInput = z.infer<typeof agreementTaskInput>;

export class AgreementMissing extends Error {
  override name = 'AgreementMissing';
}
