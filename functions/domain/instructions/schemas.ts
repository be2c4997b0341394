import { containsIdentityNumber } from '../identity-numbers.ts';
import { lazySchema } from '../lazy-schema.ts';
import { actorSchema, calendarDateSchema } from '../schemas.ts';
import { lineText, proseText } from '../text.ts';
import * as z from '../zod.ts';

/**
 * Request and response shapes of the controller's documented instructions (product.md rule 16, 003 §4
 * and §9): what the controller instructs, from when, and how the processor answered. Strict like every
 * edge schema; free text never holds a national identity number.
 */

const noIdentityNumber = () =>
  z.refine<string>((value) => !containsIdentityNumber(value), {
    message: 'must not contain a national identity number (fødselsnummer or D-number)',
  });
const prose = (max: number) => proseText(max).check(noIdentityNumber());
const line = (max: number) => lineText(max).check(noIdentityNumber());

/** What an instruction is about; THIRD_COUNTRY_TRANSFER is the one 003 §9 requires in writing. */
export const instructionTopicSchema = /* @__PURE__ */ lazySchema(() =>
  z.enum(['THIRD_COUNTRY_TRANSFER', 'SECURITY', 'DELETION', 'PROCESSING', 'OTHER']),
);

/**
 * AWAITING_ACKNOWLEDGEMENT -> ACKNOWLEDGED (in effect from effectiveFrom) | OBJECTED (held);
 * AWAITING_ACKNOWLEDGEMENT | OBJECTED -> WITHDRAWN; OBJECTED -> CONFIRMED (in effect, with the
 * controller's reasons).
 */
export const instructionStatusSchema = /* @__PURE__ */ lazySchema(() =>
  z.enum(['AWAITING_ACKNOWLEDGEMENT', 'ACKNOWLEDGED', 'OBJECTED', 'WITHDRAWN', 'CONFIRMED']),
);

/** POST /agreements/{id}/instructions: the controller's documented instruction. */
export const giveInstructionRequestSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    topic: instructionTopicSchema,
    /** A short name the parties know it by. */
    title: line(200),
    text: prose(8000),
    /** The first day it applies (Oslo); today when omitted, never before today. */
    effectiveFrom: z.optional(calendarDateSchema),
  }),
);

/** POST .../acknowledgement: the processor acknowledges; a comment is optional. */
export const acknowledgeInstructionRequestSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({ comment: z.optional(prose(2000)) }),
);

/** POST .../objection: the processor objects that following the instruction would break the law (003 §4). */
export const objectInstructionRequestSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    /** Why following it would break data protection law. */
    reason: prose(4000),
    /** The provision it would break, e.g. "GDPR art. 44". */
    legalReference: z.optional(line(200)),
  }),
);

/** POST .../withdrawal: the controller withdraws an instruction not yet in effect; a reason is optional. */
export const withdrawInstructionRequestSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({ reason: z.optional(prose(4000)) }),
);

/** POST .../confirmation: the controller upholds an instruction objected to, with its reasons. */
export const confirmInstructionRequestSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({ reasons: prose(4000) }),
);

/**
 * GET /agreements/{id}/instructions?status=...&inEffectOn=YYYY-MM-DD: by status, or those that bind the
 * processor on that day (acknowledged or confirmed, in effect from that day or earlier).
 */
export const listInstructionsQuerySchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    status: z.optional(instructionStatusSchema),
    inEffectOn: z.optional(calendarDateSchema),
  }),
);

/** An instruction as stored and returned. */
export const instructionSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    id: z.string(),
    /** 1, 2, ...: the order in which the controller gave its instructions. */
    number: z.int(),
    topic: instructionTopicSchema,
    title: z.string(),
    text: z.string(),
    effectiveFrom: z.string(),
    status: instructionStatusSchema,
    givenAt: z.string(),
    givenBy: actorSchema,
    /** The day the instruction binds the processor: set once acknowledged or confirmed. */
    inEffectFrom: z.optional(z.string()),
    acknowledgement: z.optional(
      z.strictObject({ at: z.string(), by: actorSchema, comment: z.optional(z.string()) }),
    ),
    objection: z.optional(
      z.strictObject({
        at: z.string(),
        by: actorSchema,
        reason: z.string(),
        legalReference: z.optional(z.string()),
      }),
    ),
    withdrawal: z.optional(
      z.strictObject({ at: z.string(), by: actorSchema, reason: z.optional(z.string()) }),
    ),
    confirmation: z.optional(z.strictObject({ at: z.string(), by: actorSchema, reasons: z.string() })),
  }),
);

export type InstructionTopic = z.infer<typeof instructionTopicSchema>;
export type InstructionStatus = z.infer<typeof instructionStatusSchema>;
export type GiveInstructionRequest = z.infer<typeof giveInstructionRequestSchema>;
export type ObjectInstructionRequest = z.infer<typeof objectInstructionRequestSchema>;
export type Instruction = z.infer<typeof instructionSchema>;
