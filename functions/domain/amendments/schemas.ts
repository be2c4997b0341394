import { lazySchema } from '../lazy-schema.ts';
import {
  actorSchema,
  agreementContentShape,
  breachNotificationHoursSchema,
  calendarDateSchema,
  contentHashSchema,
  noticePeriodMonthsSchema,
  partyRoleSchema,
  scopeSchema,
  signatureDeadlineDaysSchema,
  signatureRequestSchema,
  signatureSchema,
} from '../schemas.ts';
import { proseText } from '../text.ts';
import * as z from '../zod.ts';

/**
 * Request and response shapes of amendments (rule 13, 003 §13): a numbered change to the content of an
 * agreement in force, signed by both parties. Strict like every edge schema; the rules that need the
 * agreement (a change that changes nothing, Vedlegg 3 within the new scope, dates) are in rules.ts.
 */

const changeableFields = () => ({
  title: agreementContentShape().title,
  scope: scopeSchema,
  securityMeasures: agreementContentShape().securityMeasures,
  breachNotificationHours: breachNotificationHoursSchema,
  noticePeriodMonths: noticePeriodMonthsSchema,
  cooperationAgreementRef: agreementContentShape().cooperationAgreementRef,
});
const CHANGES_SOMETHING = { message: 'must change at least one field' };

/** What an amendment may change: the content fields of rule 2 except the parties and Vedlegg 3. */
export const amendmentChangesSchema = /* @__PURE__ */ lazySchema(() =>
  z
    .partial(z.strictObject(changeableFields()))
    .check(z.refine((changes) => Object.keys(changes).length > 0, CHANGES_SOMETHING)),
);

/**
 * POST /agreements/{id}/amendments. The agreed `effectiveFrom` sits beside `changes` (product.md's
 * contract); the issue that asked for amendments put it among the changes, so it is taken there too,
 * as the same date (two different dates are 400). It is never part of the amended content.
 */
export const amendmentProposalSchema = /* @__PURE__ */ lazySchema(() =>
  z
    .strictObject({
      changes: z
        .partial(z.strictObject({ ...changeableFields(), effectiveFrom: calendarDateSchema }))
        .check(
          z.refine(
            (changes) => Object.keys(changes).some((field) => field !== 'effectiveFrom'),
            CHANGES_SOMETHING,
          ),
        ),
      reason: proseText(2000),
      effectiveFrom: z.optional(calendarDateSchema),
      signatureDeadlineDays: z.optional(signatureDeadlineDaysSchema),
    })
    .check(
      z.refine(
        (proposal) =>
          proposal.effectiveFrom === undefined ||
          proposal.changes.effectiveFrom === undefined ||
          proposal.effectiveFrom === proposal.changes.effectiveFrom,
        {
          message: 'differs from effectiveFrom: give the agreed date once',
          path: ['changes', 'effectiveFrom'],
        },
      ),
    ),
);

/** POST .../amendments/{amendmentId}/signatures: as an agreement's signature, with the amended hash. */
export const amendmentSignatureRequestSchema = signatureRequestSchema;

export const amendmentStatusSchema = /* @__PURE__ */ lazySchema(() =>
  z.enum(['AWAITING_SIGNATURES', 'SIGNED', 'IN_FORCE', 'WITHDRAWN', 'EXPIRED']),
);

export const amendmentSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    id: z.string(),
    agreementId: z.string(),
    /** 1, 2, ... per agreement, in the order proposed. */
    number: z.int(),
    status: amendmentStatusSchema,
    proposedBy: partyRoleSchema,
    proposedByActor: actorSchema,
    proposedAt: z.string(),
    reason: z.string(),
    changes: amendmentChangesSchema,
    /** The content version it amends, and that version's hash. */
    baseVersion: z.int(),
    baseContentHash: contentHashSchema,
    /** The hash of the amended content: what each party signs. */
    contentHash: contentHashSchema,
    /** The later effective date the parties agreed, if any. */
    agreedEffectiveFrom: z.optional(z.string()),
    signatureDeadline: z.string(),
    signatures: z.array(signatureSchema),
    /** Set when both have signed: the date (Oslo) from which the amended content is in force. */
    effectiveFrom: z.optional(z.string()),
    /** The content version it made, once in force. */
    resultingVersion: z.optional(z.int()),
    signedAt: z.optional(z.string()),
    inForceAt: z.optional(z.string()),
    withdrawnAt: z.optional(z.string()),
    withdrawReason: z.optional(z.string()),
    expiredAt: z.optional(z.string()),
    /** Why it expired: its signature deadline passed, or the agreement was terminated. */
    expiredBecause: z.optional(z.enum(['SIGNATURE_DEADLINE', 'AGREEMENT_TERMINATED'])),
  }),
);

/** A content version as `/versions` lists it (without its content) and `/versions/{n}` shows it. */
export const contentVersionSummarySchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    number: z.int(),
    contentHash: contentHashSchema,
    /** The date (Oslo) from which it is in force. */
    effectiveFrom: z.optional(z.string()),
    signatures: z.array(signatureSchema),
    /** The amendment that made it; none for version 1. */
    amendment: z.optional(z.strictObject({ id: z.string(), number: z.int() })),
  }),
);

export const contentVersionSchema = /* @__PURE__ */ lazySchema(() =>
  z.extend(contentVersionSummarySchema, {
    /** The signed content fields of rule 2 (content-hash.ts): what the hash is the hash of. */
    content: z.record(z.string(), z.unknown()),
  }),
);

export const withdrawAmendmentRequestSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({ reason: z.optional(proseText(2000)) }),
);

export type AmendmentChanges = z.infer<typeof amendmentChangesSchema>;
export type AmendmentProposal = z.infer<typeof amendmentProposalSchema>;
export type AmendmentStatus = z.infer<typeof amendmentStatusSchema>;
export type Amendment = z.infer<typeof amendmentSchema>;
