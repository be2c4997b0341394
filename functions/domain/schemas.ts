import { z } from 'zod';
import { isCalendarDate } from './calendar.ts';
import { isValidOrgNumber } from './org-number.ts';
import { subProcessorContentIssues } from './sub-processor-rules.ts';
import { lineText, proseText } from './text.ts';

/** Request and response shapes of the API contract (product.md). Strict: unknown fields are rejected. */

const list = (max: number) => z.array(lineText(200)).max(max);

export const orgNumberSchema = z.string().refine(isValidOrgNumber, {
  message: 'must be a valid Norwegian organisation number (9 digits, modulus 11)',
});

export const calendarDateSchema = z
  .string()
  .refine(isCalendarDate, { message: 'must be a calendar date YYYY-MM-DD' });

export const partySchema = z.strictObject({ orgNumber: orgNumberSchema, name: lineText(200) });

export const contactSchema = z.strictObject({
  name: lineText(200),
  email: z.email().max(254),
  phone: z.string().regex(/^\+?[0-9 ]{5,20}$/, { message: 'must be a phone number' }),
});

export const scopeSchema = z.strictObject({
  purpose: proseText(2000),
  nature: proseText(2000),
  dataSubjectCategories: list(50).min(1),
  personalDataTypes: list(100).min(1),
  specialCategories: list(50).default([]),
});

export const countryCodeSchema = z
  .string()
  .regex(/^[A-Z]{2}$/, { message: 'must be an ISO 3166-1 alpha-2 code' });

export const subProcessorSchema = z.strictObject({
  name: lineText(200),
  orgNumber: orgNumberSchema.optional(),
  address: lineText(500),
  processingLocation: z.strictObject({ city: lineText(200), countryCode: countryCodeSchema }),
  activities: proseText(2000),
  personalDataTypes: list(100).min(1),
  transferMechanism: z.enum(['SCC', 'ADEQUACY']).optional(),
});

/**
 * At most six months' notice: the termination workflow waits out the notice period and then a bounded
 * number of escalation rounds, and a Standard Step Functions execution may run for one year at most.
 */
export const MAX_NOTICE_PERIOD_MONTHS = 6;

const agreementContentShape = {
  title: lineText(300),
  controller: partySchema,
  processor: partySchema,
  cooperationAgreementRef: lineText(300).optional(),
  scope: scopeSchema,
  securityMeasures: proseText(10_000),
  contacts: z.strictObject({ controller: contactSchema, processor: contactSchema }),
  subProcessors: z.array(subProcessorSchema).max(50).default([]),
  noticePeriodMonths: z.int().min(1).max(MAX_NOTICE_PERIOD_MONTHS).default(3),
  breachNotificationHours: z.int().min(1).max(72).default(36),
  signatureDeadlineDays: z.int().min(1).max(180).default(30),
};

export const createAgreementSchema = z
  .strictObject(agreementContentShape)
  .refine((a) => a.controller.orgNumber !== a.processor.orgNumber, {
    message: 'controller and processor must be different organisations',
    path: ['processor', 'orgNumber'],
  })
  // Rule 7: the draft's sub-processors are approved by the signatures, so they obey the request's rules.
  .superRefine((agreement, ctx) => {
    agreement.subProcessors.forEach((subProcessor, index) => {
      for (const issue of subProcessorContentIssues(subProcessor, agreement)) {
        ctx.addIssue({
          code: 'custom',
          path: ['subProcessors', index, ...issue.path],
          message: issue.message,
        });
      }
    });
  });

/** PATCH: a partial draft; the parties themselves cannot change (a new party is a new agreement). */
export const patchAgreementSchema = z
  .strictObject({
    title: agreementContentShape.title,
    cooperationAgreementRef: agreementContentShape.cooperationAgreementRef,
    scope: scopeSchema,
    securityMeasures: agreementContentShape.securityMeasures,
    contacts: agreementContentShape.contacts,
    subProcessors: z.array(subProcessorSchema).max(50),
    noticePeriodMonths: z.int().min(1).max(MAX_NOTICE_PERIOD_MONTHS),
    breachNotificationHours: z.int().min(1).max(72),
    signatureDeadlineDays: z.int().min(1).max(180),
  })
  .partial()
  .refine((patch) => Object.keys(patch).length > 0, { message: 'must change at least one field' });

export const signatorySchema = z.strictObject({ name: lineText(200), title: lineText(200) });

export const signatureRequestSchema = z.strictObject({
  signatory: signatorySchema,
  place: lineText(200),
  signedOn: calendarDateSchema.optional(),
});

export const emptyBodySchema = z.strictObject({});

export const cancelRequestSchema = z.strictObject({ reason: proseText(2000).optional() });

export const agreementStatusSchema = z.enum([
  'DRAFT',
  'AWAITING_SIGNATURES',
  'IN_FORCE',
  'NOTICE_PERIOD',
  'TERMINATED',
  'RETAINED_UNDER_LAW',
  'CLOSED',
  'CANCELLED',
  'EXPIRED',
]);

export const partyRoleSchema = z.enum(['controller', 'processor']);

export const signatureSchema = z.strictObject({
  party: partyRoleSchema,
  signatory: signatorySchema,
  place: z.string(),
  signedOn: z.string(),
  signedAt: z.string(),
});

/** Rule 6: what the controller instructs the processor to do with the data when the agreement ends. */
export const dispositionMethodSchema = z.enum(['RETURN', 'DELETE']);

export const actorSchema = z.strictObject({
  orgNumber: z.string(),
  clientId: z.string(),
  person: z.string().optional(),
});

export const agreementSchema = z.strictObject({
  id: z.string(),
  status: agreementStatusSchema,
  version: z.int(),
  title: z.string(),
  controller: partySchema,
  processor: partySchema,
  cooperationAgreementRef: z.string().optional(),
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
  submittedAt: z.string().optional(),
  signatureDeadline: z.string().optional(),
  signatures: z.array(signatureSchema),
  effectiveFrom: z.string().optional(),
  cancelledAt: z.string().optional(),
  expiredAt: z.string().optional(),
  termination: z
    .strictObject({ givenBy: partyRoleSchema, givenOn: z.string(), reason: z.string() })
    .optional(),
  terminatesOn: z.string().optional(),
  terminatedAt: z.string().optional(),
  dataDisposition: z
    .strictObject({
      method: dispositionMethodSchema,
      instructions: z.string().optional(),
      chosenOn: z.string(),
      chosenAt: z.string(),
      chosenBy: actorSchema,
    })
    .optional(),
  /** The latest attestation; earlier ones (e.g. before a final deletion) are in the history. */
  attestation: z
    .strictObject({
      method: dispositionMethodSchema,
      completedOn: z.string(),
      statement: z.string(),
      signatory: signatorySchema,
      retainedUnderLaw: z.strictObject({ legalBasis: z.string(), reviewOn: z.string() }).optional(),
      attestedAt: z.string(),
      attestedBy: actorSchema,
    })
    .optional(),
  closedAt: z.string().optional(),
});

export const listAgreementsQuerySchema = z.strictObject({
  status: agreementStatusSchema.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(1000).optional(),
});

export const pagingQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(1000).optional(),
});

export const historyEntrySchema = z.strictObject({
  at: z.string(),
  type: z.string(),
  actor: actorSchema.optional(),
  fromStatus: agreementStatusSchema.optional(),
  toStatus: agreementStatusSchema.optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});

export const auditEntrySchema = z.strictObject({
  at: z.string(),
  action: z.string(),
  actor: actorSchema,
  route: z.string(),
  /** What was asked or read, where the route alone does not say (e.g. which sub-processor). */
  details: z.record(z.string(), z.unknown()).optional(),
});

export const notificationSchema = z.strictObject({
  id: z.string(),
  at: z.string(),
  type: z.string(),
  recipientOrgNumber: z.string(),
  agreementId: z.string(),
  subject: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});

/** Rule 7: a sub-processor request's states (the zod schemas of the requests are in sub-processor-schemas.ts). */
export const subProcessorStatusSchema = z.enum(['REQUESTED', 'APPROVED', 'REJECTED', 'EXPIRED', 'WITHDRAWN']);

export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.int(),
  detail: z.string(),
  errors: z.array(z.strictObject({ field: z.string(), message: z.string() })).optional(),
  /** The agreement's status, or a sub-processor request's where the conflict is with that request. */
  currentStatus: z.union([agreementStatusSchema, subProcessorStatusSchema]).optional(),
});

export type CreateAgreementRequest = z.infer<typeof createAgreementSchema>;
export type PatchAgreementRequest = z.infer<typeof patchAgreementSchema>;
export type SignatureRequest = z.infer<typeof signatureRequestSchema>;
export type Agreement = z.infer<typeof agreementSchema>;
export type AgreementStatus = z.infer<typeof agreementStatusSchema>;
export type PartyRole = z.infer<typeof partyRoleSchema>;
export type Signature = z.infer<typeof signatureSchema>;
export type Actor = z.infer<typeof actorSchema>;
export type HistoryEntry = z.infer<typeof historyEntrySchema>;
export type AuditEntry = z.infer<typeof auditEntrySchema>;
export type Notification = z.infer<typeof notificationSchema>;
export type SubProcessorRequest = z.infer<typeof subProcessorSchema>;
export type SubProcessorStatus = z.infer<typeof subProcessorStatusSchema>;
