import { z } from 'zod';

export const agreementTaskInput = z.object({ agreementId: z.uuid() });
export type AgreementTaskInput = z.infer<typeof agreementTaskInput>;

export class AgreementMissing extends Error {
  override name = 'AgreementMissing';
}
