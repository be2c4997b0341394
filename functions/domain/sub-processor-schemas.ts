import { lazySchema } from './lazy-schema.ts';
import {
  actorSchema,
  calendarDateSchema,
  signatorySchema,
  subProcessorSchema,
  subProcessorStatusSchema,
} from './schemas.ts';
import { proseText } from './text.ts';
import * as z from './zod.ts';

/**
 * Request and response shapes of the sub-processor routes (rule 7 and 8, product.md's API contract).
 * Strict like every edge schema. Rules that need the agreement (data types, the parties, the transfer
 * mechanism with a reason worth a `detail`) are checked in `sub-processors.ts`.
 */

export type { SubProcessorStatus } from './schemas.ts';
export { subProcessorStatusSchema };

/** POST /agreements/{id}/sub-processors: the contract's sub-processor request. */
export const subProcessorRequestSchema = subProcessorSchema;

/** POST .../{subId}/decision: the controller's written decision, signed (and dated today). */
export const decisionRequestSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    decision: z.enum(['APPROVED', 'REJECTED']),
    reason: proseText(2000),
    signatory: signatorySchema,
  }),
);

/** POST .../{subId}/withdraw: the processor withdraws a pending request, or stops using an approved one. */
export const withdrawRequestSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({ reason: z.optional(proseText(2000)) }),
);

export const listSubProcessorsQuerySchema = /* @__PURE__ */ lazySchema(() =>
  z
    .strictObject({
      status: z.optional(subProcessorStatusSchema),
      /** With status=APPROVED: Vedlegg 3 as it stood at the end of that day (Europe/Oslo). */
      on: z.optional(calendarDateSchema),
    })
    .check(
      z.refine((query) => query.on === undefined || query.status === 'APPROVED', {
        message: 'needs status=APPROVED: ?status=APPROVED&on=YYYY-MM-DD gives Vedlegg 3 as it stood that day',
        path: ['on'],
      }),
    ),
);

export const processingAuthorizationQuerySchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    subProcessorId: z
      .string({
        error: (issue) =>
          issue.input === undefined ? 'is required: the id of the sub-processor to ask about' : undefined,
      })
      .check(
        z.trim(),
        z.minLength(1),
        z.maxLength(100),
        // The id asked about is written to the audit log both parties read: no hidden characters there.
        z.regex(/^[\p{L}\p{N}\p{P}\p{S} ]*$/u, {
          message: 'must not contain control or formatting characters',
        }),
      ),
  }),
);

export const subProcessorDecisionSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    decision: z.enum(['APPROVED', 'REJECTED']),
    reason: z.string(),
    signatory: signatorySchema,
    decidedOn: z.string(),
    decidedAt: z.string(),
    /** Who recorded the decision; absent for the draft's sub-processors, approved by both signatures. */
    decidedBy: z.optional(actorSchema),
  }),
);

/** A sub-processor request as stored and returned: the request, its state and how it got there. */
export const subProcessorRecordSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    id: z.string(),
    ...subProcessorSchema.shape,
    status: subProcessorStatusSchema,
    requestedAt: z.string(),
    requestedBy: actorSchema,
    /** The last day (Europe/Oslo) for the controller's decision; absent for the draft's sub-processors. */
    decisionDeadline: z.optional(z.string()),
    decision: z.optional(subProcessorDecisionSchema),
    /** In Vedlegg 3 from this instant... */
    approvedFrom: z.optional(z.string()),
    /** ...until this one (withdrawn by the processor). */
    approvedUntil: z.optional(z.string()),
    expiredAt: z.optional(z.string()),
    withdrawal: z.optional(
      z.strictObject({ withdrawnAt: z.string(), withdrawnBy: actorSchema, reason: z.optional(z.string()) }),
    ),
  }),
);

/** GET /agreements/{id}/processing-authorization (rule 8). */
export const processingAuthorizationSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    authorized: z.boolean(),
    reasons: z.array(z.string()),
    subProcessorId: z.string(),
    checkedAt: z.string(),
  }),
);

/** One sub-processor in a version of Vedlegg 3 (the history's APPENDIX_3_VERSION entries). */
/**
 * A sub-processor in a version of Vedlegg 3, with the data types it was approved for (rule 13 keeps
 * them within the scope in force; versions written before this was recorded have none).
 */
export const appendixEntrySchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({ id: z.string(), name: z.string(), personalDataTypes: z.optional(z.array(z.string())) }),
);

export type SubProcessorRequestBody = z.infer<typeof subProcessorRequestSchema>;
export type DecisionRequest = z.infer<typeof decisionRequestSchema>;
export type WithdrawRequest = z.infer<typeof withdrawRequestSchema>;
export type SubProcessorDecision = z.infer<typeof subProcessorDecisionSchema>;
export type SubProcessorRecord = z.infer<typeof subProcessorRecordSchema>;
export type ProcessingAuthorization = z.infer<typeof processingAuthorizationSchema>;
export type AppendixEntry = z.infer<typeof appendixEntrySchema>;
