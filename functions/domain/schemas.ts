import { isCalendarDate } from './calendar.ts';
import { lazily } from './lazily.ts';
import { lazySchema } from './lazy-schema.ts';
import { isValidOrgNumber } from './org-number.ts';
import { subProcessorContentIssues } from './sub-processor-rules.ts';
import { lineText, proseText } from './text.ts';
import * as z from './zod.ts';

/**
 * Request and response shapes of the API contract (product.md). Strict: unknown fields are rejected.
 * Each top-level schema is a `@__PURE__` `lazySchema`: a handler's bundle holds only the schemas it
 * reads (zod.ts says why), and its cold start makes none of them (lazy-schema.ts says why).
 */

const list = (max: number) => z.array(lineText(200)).check(z.maxLength(max));

export const orgNumberSchema = /* @__PURE__ */ lazySchema(() =>
  z.string().check(
    z.refine(isValidOrgNumber, {
      message: 'must be a valid Norwegian organisation number (9 digits, modulus 11)',
    }),
  ),
);

export const calendarDateSchema = /* @__PURE__ */ lazySchema(() =>
  z.string().check(z.refine(isCalendarDate, { message: 'must be a calendar date YYYY-MM-DD' })),
);

export const partySchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({ orgNumber: orgNumberSchema, name: lineText(200) }),
);

export const contactSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    name: lineText(200),
    email: z.email().check(z.maxLength(254)),
    phone: z.string().check(z.regex(/^\+?[0-9 ]{5,20}$/, { message: 'must be a phone number' })),
  }),
);

export const scopeSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    purpose: proseText(2000),
    nature: proseText(2000),
    dataSubjectCategories: list(50).check(z.minLength(1)),
    personalDataTypes: list(100).check(z.minLength(1)),
    specialCategories: z._default(list(50), []),
  }),
);

export const countryCodeSchema = /* @__PURE__ */ lazySchema(() =>
  z.string().check(z.regex(/^[A-Z]{2}$/, { message: 'must be an ISO 3166-1 alpha-2 code' })),
);

export const subProcessorSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    name: lineText(200),
    orgNumber: z.optional(orgNumberSchema),
    address: lineText(500),
    processingLocation: z.strictObject({ city: lineText(200), countryCode: countryCodeSchema }),
    activities: proseText(2000),
    personalDataTypes: list(100).check(z.minLength(1)),
    transferMechanism: z.optional(z.enum(['SCC', 'ADEQUACY'])),
  }),
);

/**
 * At most six months' notice: the termination workflow waits out the notice period and then a bounded
 * number of escalation rounds, and a Standard Step Functions execution may run for one year at most.
 */
export const MAX_NOTICE_PERIOD_MONTHS = 6;

/** The bounds of the draft's list and numbers; the create request defaults them, a PATCH does not. */
const subProcessorList = /* @__PURE__ */ lazySchema(() => z.array(subProcessorSchema).check(z.maxLength(50)));
export const noticePeriodMonthsSchema = /* @__PURE__ */ lazySchema(() =>
  z.int().check(z.minimum(1), z.maximum(MAX_NOTICE_PERIOD_MONTHS)),
);
export const breachNotificationHoursSchema = /* @__PURE__ */ lazySchema(() =>
  z.int().check(z.minimum(1), z.maximum(72)),
);
export const signatureDeadlineDaysSchema = /* @__PURE__ */ lazySchema(() =>
  z.int().check(z.minimum(1), z.maximum(180)),
);

/** The fields of an agreement's content, made on first use like the schemas (see `lazily`). */
export const agreementContentShape = /* @__PURE__ */ lazily(() => ({
  title: lineText(300),
  controller: partySchema,
  processor: partySchema,
  cooperationAgreementRef: z.optional(lineText(300)),
  scope: scopeSchema,
  securityMeasures: proseText(10_000),
  contacts: z.strictObject({ controller: contactSchema, processor: contactSchema }),
  subProcessors: z._default(subProcessorList, []),
  noticePeriodMonths: z._default(noticePeriodMonthsSchema, 3),
  breachNotificationHours: z._default(breachNotificationHoursSchema, 36),
  signatureDeadlineDays: z._default(signatureDeadlineDaysSchema, 30),
}));

export const createAgreementSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject(agreementContentShape()).check(
    z.refine((a) => a.controller.orgNumber !== a.processor.orgNumber, {
      message: 'controller and processor must be different organisations',
      path: ['processor', 'orgNumber'],
    }),
    // Rule 7: the draft's sub-processors are approved by the signatures, so they obey the request's rules.
    z.superRefine((agreement, ctx) => {
      agreement.subProcessors.forEach((subProcessor, index) => {
        for (const issue of subProcessorContentIssues(subProcessor, agreement)) {
          ctx.addIssue({
            code: 'custom',
            path: ['subProcessors', index, ...issue.path],
            message: issue.message,
          });
        }
      });
    }),
  ),
);

/** PATCH: a partial draft; the parties themselves cannot change (a new party is a new agreement). */
export const patchAgreementSchema = /* @__PURE__ */ lazySchema(() =>
  z
    .partial(
      z.strictObject({
        title: agreementContentShape().title,
        cooperationAgreementRef: agreementContentShape().cooperationAgreementRef,
        scope: scopeSchema,
        securityMeasures: agreementContentShape().securityMeasures,
        contacts: agreementContentShape().contacts,
        subProcessors: subProcessorList,
        noticePeriodMonths: noticePeriodMonthsSchema,
        breachNotificationHours: breachNotificationHoursSchema,
        signatureDeadlineDays: signatureDeadlineDaysSchema,
      }),
    )
    .check(z.refine((patch) => Object.keys(patch).length > 0, { message: 'must change at least one field' })),
);

export const signatorySchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({ name: lineText(200), title: lineText(200) }),
);

/** Rule 12: `sha256:` and 64 lower-case hex digits. */
export const contentHashSchema = /* @__PURE__ */ lazySchema(() =>
  z.string().check(z.regex(/^sha256:[0-9a-f]{64}$/, 'must be sha256: followed by 64 lower-case hex digits')),
);

export const signatureRequestSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    signatory: signatorySchema,
    place: lineText(200),
    signedOn: z.optional(calendarDateSchema),
    /** The hash of the content the signatory read (the agreement's `contentHash`). */
    contentHash: contentHashSchema,
  }),
);

export const emptyBodySchema = /* @__PURE__ */ lazySchema(() => z.strictObject({}));

export const cancelRequestSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({ reason: z.optional(proseText(2000)) }),
);

export const agreementStatusSchema = /* @__PURE__ */ lazySchema(() =>
  z.enum([
    'DRAFT',
    'AWAITING_SIGNATURES',
    'IN_FORCE',
    'NOTICE_PERIOD',
    'TERMINATED',
    'RETAINED_UNDER_LAW',
    'CLOSED',
    'CANCELLED',
    'EXPIRED',
  ]),
);

export const partyRoleSchema = /* @__PURE__ */ lazySchema(() => z.enum(['controller', 'processor']));

export const signatureSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    party: partyRoleSchema,
    signatory: signatorySchema,
    place: z.string(),
    signedOn: z.string(),
    signedAt: z.string(),
    /** The content hash signed (rule 12); absent on signatures made before it was required. */
    contentHash: z.optional(z.string()),
    /** Who signed as a person, when the caller's token names one: beside the typed signatory. */
    person: z.optional(z.string()),
  }),
);

/** Rule 6: what the controller instructs the processor to do with the data when the agreement ends. */
export const dispositionMethodSchema = /* @__PURE__ */ lazySchema(() => z.enum(['RETURN', 'DELETE']));

export const actorSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    orgNumber: z.string(),
    clientId: z.string(),
    person: z.optional(z.string()),
    /**
     * Who acted for the organisation: the vendor (`supplier`) of a Maskinporten token delegated through
     * Altinn, or the vendor (`consumer`) of an Altinn system user's token, with the system user's id.
     */
    via: z.optional(z.strictObject({ orgNumber: z.string(), systemUserId: z.optional(z.string()) })),
  }),
);

export const agreementSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    id: z.string(),
    status: agreementStatusSchema,
    version: z.int(),
    /** Rule 12: `sha256:<hex>` of the canonical content (functions/domain/content-hash.ts). */
    contentHash: z.string(),
    title: z.string(),
    controller: partySchema,
    processor: partySchema,
    cooperationAgreementRef: z.optional(z.string()),
    scope: scopeSchema,
    securityMeasures: z.string(),
    contacts: z.strictObject({ controller: contactSchema, processor: contactSchema }),
    subProcessors: z.array(subProcessorSchema),
    noticePeriodMonths: z.int(),
    breachNotificationHours: z.int(),
    signatureDeadlineDays: z.int(),
    createdBy: actorSchema,
    createdAt: z.string(),
    updatedAt: z.string(),
    submittedAt: z.optional(z.string()),
    signatureDeadline: z.optional(z.string()),
    signatures: z.array(signatureSchema),
    effectiveFrom: z.optional(z.string()),
    cancelledAt: z.optional(z.string()),
    expiredAt: z.optional(z.string()),
    termination: z.optional(
      z.strictObject({ givenBy: partyRoleSchema, givenOn: z.string(), reason: z.string() }),
    ),
    terminatesOn: z.optional(z.string()),
    terminatedAt: z.optional(z.string()),
    dataDisposition: z.optional(
      z.strictObject({
        method: dispositionMethodSchema,
        instructions: z.optional(z.string()),
        chosenOn: z.string(),
        chosenAt: z.string(),
        chosenBy: actorSchema,
      }),
    ),
    /** The latest attestation; earlier ones (e.g. before a final deletion) are in the history. */
    attestation: z.optional(
      z.strictObject({
        method: dispositionMethodSchema,
        completedOn: z.string(),
        statement: z.string(),
        signatory: signatorySchema,
        retainedUnderLaw: z.optional(z.strictObject({ legalBasis: z.string(), reviewOn: z.string() })),
        attestedAt: z.string(),
        attestedBy: actorSchema,
      }),
    ),
    closedAt: z.optional(z.string()),
    /** Rule 13: the content version in force (absent: 1, the content as first signed). */
    contentVersion: z.optional(z.int()),
    /** The amendment awaiting signatures or its effective date, if any (one at a time). */
    openAmendment: z.optional(z.strictObject({ id: z.string(), number: z.int() })),
    /** Amendments proposed so far, whatever became of them: the next one's number is this plus one. */
    amendmentCount: z.optional(z.int()),
  }),
);

/** A page size in a query string: a whole number of 1 to 100. */
export const pageLimit = /* @__PURE__ */ lazySchema(() =>
  z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100)),
);
export const pageCursor = /* @__PURE__ */ lazySchema(() => z.optional(z.string().check(z.maxLength(1000))));

export const listAgreementsQuerySchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    status: z.optional(agreementStatusSchema),
    limit: z._default(pageLimit, 25),
    cursor: pageCursor,
  }),
);

/** `GET /agreements/{id}?on=YYYY-MM-DD`: the agreement with the content in force that day (rule 13). */
export const agreementAsOfQuerySchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({ on: z.optional(calendarDateSchema) }),
);

export const pagingQuerySchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    limit: z._default(pageLimit, 50),
    cursor: pageCursor,
  }),
);

export const historyEntrySchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    at: z.string(),
    type: z.string(),
    actor: z.optional(actorSchema),
    fromStatus: z.optional(agreementStatusSchema),
    toStatus: z.optional(agreementStatusSchema),
    details: z.optional(z.record(z.string(), z.unknown())),
  }),
);

export const auditEntrySchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    at: z.string(),
    action: z.string(),
    actor: actorSchema,
    route: z.string(),
    /** What was asked or read, where the route alone does not say (e.g. which sub-processor). */
    details: z.optional(z.record(z.string(), z.unknown())),
  }),
);

export const notificationSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    id: z.string(),
    at: z.string(),
    type: z.string(),
    recipientOrgNumber: z.string(),
    /** Absent only for what concerns no one agreement (`audit.sealed`: a seal run over all of them). */
    agreementId: z.optional(z.string()),
    subject: z.string(),
    details: z.optional(z.record(z.string(), z.unknown())),
  }),
);

/** How a notification reached its recipient, per channel (rule 15; domain/delivery/deliveries.ts). */
export const deliverySchema = /* @__PURE__ */ lazySchema(() =>
  z.object({
    channel: z.string(),
    status: z.enum(['DELIVERED', 'RETRYING', 'FAILED', 'SKIPPED']),
    at: z.string(),
    attempts: z.int(),
    firstAttemptAt: z.optional(z.string()),
    nextAttemptAt: z.optional(z.string()),
    reason: z.optional(z.string()),
  }),
);

/** A notification as `GET /notifications` lists it: with its deliveries so far. */
export const listedNotificationSchema = /* @__PURE__ */ lazySchema(() =>
  z.extend(notificationSchema, { deliveries: z.array(deliverySchema) }),
);

/**
 * `GET /notifications`: `since` is an ISO 8601 time (notifications written at or after it) or the
 * `since` of an earlier answer (those written after its last item); `type` keeps one or more types
 * (comma-separated).
 */
export const notificationsQuerySchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    limit: z._default(pageLimit, 50),
    cursor: pageCursor,
    since: z.optional(z.string().check(z.minLength(1), z.maxLength(1000))),
    type: z.optional(
      z.string().check(
        z.maxLength(400),
        z.regex(/^[a-z0-9.-]+(,[a-z0-9.-]+){0,9}$/, {
          message: 'must be one to ten notification types, comma-separated',
        }),
      ),
    ),
  }),
);

/** Rule 7: a sub-processor request's states (the zod schemas of the requests are in sub-processor-schemas.ts). */
export const subProcessorStatusSchema = /* @__PURE__ */ lazySchema(() =>
  z.enum(['REQUESTED', 'APPROVED', 'REJECTED', 'EXPIRED', 'WITHDRAWN']),
);

/**
 * A problem (RFC 9457), open for extension members: a client must ignore members it does not know,
 * so the document promises none are absent (`additionalProperties` is not false).
 */
export const problemSchema = /* @__PURE__ */ lazySchema(() =>
  z.looseObject({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    errors: z.optional(z.array(z.strictObject({ field: z.string(), message: z.string() }))),
    /**
     * The agreement's status, or a sub-processor request's, an amendment's (which adds SIGNED) or an
     * instruction's where the conflict is with that request, amendment or instruction.
     */
    currentStatus: z.optional(
      z.union([
        agreementStatusSchema,
        subProcessorStatusSchema,
        z.enum(['SIGNED', 'AWAITING_ACKNOWLEDGEMENT', 'ACKNOWLEDGED', 'OBJECTED', 'CONFIRMED']),
      ]),
    ),
    /** A signature for other content (rule 12): the agreement's content hash now. */
    contentHash: z.optional(z.string()),
  }),
);

export type CreateAgreementRequest = z.infer<typeof createAgreementSchema>;
export type PatchAgreementRequest = z.infer<typeof patchAgreementSchema>;
export type SignatureRequest = z.infer<typeof signatureRequestSchema>;
export type Agreement = z.infer<typeof agreementSchema>;
export type AgreementStatus = z.infer<typeof agreementStatusSchema>;
export type PartyRole = z.infer<typeof partyRoleSchema>;
export type Signature = z.infer<typeof signatureSchema>;
export type Actor = z.infer<typeof actorSchema>;
export type Contact = z.infer<typeof contactSchema>;
export type HistoryEntry = z.infer<typeof historyEntrySchema>;
export type AuditEntry = z.infer<typeof auditEntrySchema>;
export type Notification = z.infer<typeof notificationSchema>;
export type SubProcessorRequest = z.infer<typeof subProcessorSchema>;
export type SubProcessorStatus = z.infer<typeof subProcessorStatusSchema>;
