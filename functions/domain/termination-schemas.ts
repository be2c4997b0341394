import { lazySchema } from './lazy-schema.ts';
import { type Agreement, calendarDateSchema, dispositionMethodSchema, signatorySchema } from './schemas.ts';
import { proseText } from './text.ts';
import * as z from './zod.ts';

/**
 * Request shapes of notice, data disposition and attestation (product.md rules 5 and 6, the API
 * contract). Strict like every edge schema: unknown fields are rejected.
 */

/** POST /agreements/{id}/termination-notice: `givenOn` defaults to today in Oslo on the stack's clock. */
export const terminationNoticeRequestSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    givenOn: z.optional(calendarDateSchema),
    reason: proseText(2000),
  }),
);

/** POST /agreements/{id}/data-disposition: the controller's instruction. */
export const dataDispositionRequestSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    method: dispositionMethodSchema,
    instructions: z.optional(proseText(4000)),
  }),
);

/** When EEA law requires the processor to keep data: on what basis, and when that is reviewed. */
export const retainedUnderLawSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    legalBasis: proseText(2000),
    reviewOn: calendarDateSchema,
  }),
);

/** POST /agreements/{id}/data-disposition/attestation: the processor's written confirmation. */
export const attestationRequestSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    method: dispositionMethodSchema,
    completedOn: calendarDateSchema,
    statement: proseText(4000),
    signatory: signatorySchema,
    retainedUnderLaw: z.optional(retainedUnderLawSchema),
  }),
);

export type DispositionMethod = z.infer<typeof dispositionMethodSchema>;
export type TerminationNoticeRequest = z.infer<typeof terminationNoticeRequestSchema>;
export type DataDispositionRequest = z.infer<typeof dataDispositionRequestSchema>;
export type AttestationRequest = z.infer<typeof attestationRequestSchema>;
export type DataDisposition = NonNullable<Agreement['dataDisposition']>;
export type Attestation = NonNullable<Agreement['attestation']>;
export type Termination = NonNullable<Agreement['termination']>;
