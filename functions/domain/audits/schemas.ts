import { containsIdentityNumber } from '../identity-numbers.ts';
import { lazySchema } from '../lazy-schema.ts';
import { actorSchema, calendarDateSchema, partyRoleSchema } from '../schemas.ts';
import { lineText, proseText } from '../text.ts';
import * as z from '../zod.ts';

/**
 * Request and response shapes of oversight audits (product.md rule 16, 003 §11, 004): the controller's
 * plan, the processor's material, the controller's findings and how each was closed. Strict like every
 * edge schema. Not to be confused with the audit log (who read what, rule 10).
 */

/** A document's content is taken inline only up to this many bytes (decoded), all documents of one submission together. */
export const MAX_INLINE_CONTENT_BYTES = 32 * 1024;
export const MAX_DOCUMENTS = 20;
export const MAX_RECURRENCE_MONTHS = 60;

const noIdentityNumber = () =>
  z.refine<string>((value) => !containsIdentityNumber(value), {
    message: 'must not contain a national identity number (fødselsnummer or D-number)',
  });
const auditLine = (max: number) => lineText(max).check(noIdentityNumber());
const auditProse = (max: number) => proseText(max).check(noIdentityNumber());

export const auditTypeSchema = /* @__PURE__ */ lazySchema(() =>
  z.enum(['DOCUMENT_REVIEW', 'ON_SITE', 'THIRD_PARTY_REPORT']),
);
export const auditStatusSchema = /* @__PURE__ */ lazySchema(() =>
  z.enum(['PLANNED', 'MATERIAL_SUBMITTED', 'CLOSED']),
);
export const findingSeveritySchema = /* @__PURE__ */ lazySchema(() => z.enum(['LOW', 'MEDIUM', 'HIGH']));
export const auditOpinionSchema = /* @__PURE__ */ lazySchema(() =>
  z.enum(['UNQUALIFIED', 'QUALIFIED', 'ADVERSE', 'DISCLAIMER']),
);

/** POST /agreements/{id}/audits: the controller plans one audit, or the first of a recurring plan. */
export const planAuditRequestSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    type: auditTypeSchema,
    /** What the audit covers (systems, measures, locations). */
    scope: auditProse(4000),
    /** The day the audit is due: the processor's material before it, the controller's conclusion on it. */
    dueOn: calendarDateSchema,
    /** A plan: when this audit is closed, the next is planned `everyMonths` after this one's due date. */
    recurrence: z.optional(
      z.strictObject({ everyMonths: z.int().check(z.minimum(1), z.maximum(MAX_RECURRENCE_MONTHS)) }),
    ),
  }),
);

const sha256Schema = () =>
  z.string().check(z.regex(/^[0-9a-f]{64}$/, { message: 'must be a SHA-256 in 64 lower-case hex digits' }));

/** A document submitted as material: always its metadata and SHA-256; its content only when small. */
export const auditDocumentRequestSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    name: auditLine(200),
    sha256: sha256Schema(),
    /** Bytes. */
    size: z.int().check(z.minimum(0), z.maximum(10 * 1024 * 1024 * 1024)),
    mediaType: z.string().check(
      z.maxLength(100),
      z.regex(/^[a-z0-9][a-z0-9.+-]*\/[a-z0-9][a-z0-9.+-]*$/, {
        message: 'must be a media type, e.g. application/pdf',
      }),
    ),
    /** Base64 of the whole file, for files up to 32 KiB; it must match `size` and `sha256`. */
    content: z.optional(
      z.string().check(
        z.maxLength(Math.ceil(MAX_INLINE_CONTENT_BYTES / 3) * 4),
        z.regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, {
          message: 'must be base64',
        }),
      ),
    ),
  }),
);

/** The summary of a third-party audit report (e.g. ISAE 3402 or SOC 2) the processor relies on. */
export const thirdPartyReportSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    auditor: auditLine(200),
    /** E.g. "ISAE 3402 type 2". */
    standard: z.optional(auditLine(100)),
    reportDate: calendarDateSchema,
    period: z.strictObject({ from: calendarDateSchema, to: calendarDateSchema }),
    summary: auditProse(8000),
    opinion: auditOpinionSchema,
  }),
);

/** POST .../audits/{auditId}/material: documents, a third-party report summary, or both. */
export const auditMaterialRequestSchema = /* @__PURE__ */ lazySchema(() =>
  z
    .strictObject({
      documents: z.optional(
        z.array(auditDocumentRequestSchema).check(z.minLength(1), z.maxLength(MAX_DOCUMENTS)),
      ),
      thirdPartyReport: z.optional(thirdPartyReportSchema),
      note: z.optional(auditProse(4000)),
    })
    .check(
      z.refine((material) => material.documents !== undefined || material.thirdPartyReport !== undefined, {
        message: 'must hold documents or a thirdPartyReport',
      }),
    ),
);

/** POST .../audits/{auditId}/findings: the controller records a finding. */
export const auditFindingRequestSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    description: auditProse(4000),
    /** The last day to close it. */
    deadline: calendarDateSchema,
    /** Whose task it is to close it. */
    responsible: partyRoleSchema,
    severity: z.optional(findingSeveritySchema),
  }),
);

/** POST .../findings/{findingId}/closure: the responsible party records how the finding was closed. */
export const findingClosureRequestSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    howClosed: auditProse(4000),
    /** The day it was closed; today when absent. */
    closedOn: z.optional(calendarDateSchema),
  }),
);

/** POST .../audits/{auditId}/close: the controller's conclusion. */
export const closeAuditRequestSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    conclusion: auditProse(4000),
    /** Ends a recurring plan with this audit: no next one is planned. */
    endRecurrence: z.optional(z.boolean()),
  }),
);

export const auditDocumentSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    name: z.string(),
    sha256: z.string(),
    size: z.int(),
    mediaType: z.string(),
    /** Whether the content is kept (GET of the audit returns it). */
    contentStored: z.boolean(),
    content: z.optional(z.string()),
  }),
);

/** A submission of material, numbered in the order made. */
export const auditMaterialSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    number: z.int(),
    at: z.string(),
    by: actorSchema,
    documents: z.optional(z.array(auditDocumentSchema)),
    thirdPartyReport: z.optional(
      z.strictObject({
        auditor: z.string(),
        standard: z.optional(z.string()),
        reportDate: z.string(),
        period: z.strictObject({ from: z.string(), to: z.string() }),
        summary: z.string(),
        opinion: auditOpinionSchema,
      }),
    ),
    note: z.optional(z.string()),
  }),
);

export const auditFindingSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    number: z.int(),
    status: z.enum(['OPEN', 'CLOSED']),
    description: z.string(),
    deadline: z.string(),
    responsible: partyRoleSchema,
    severity: z.optional(findingSeveritySchema),
    recordedAt: z.string(),
    recordedBy: actorSchema,
    howClosed: z.optional(z.string()),
    closedOn: z.optional(z.string()),
    closedAt: z.optional(z.string()),
    closedBy: z.optional(actorSchema),
    /** Closed after its deadline. */
    closedLate: z.optional(z.boolean()),
  }),
);

/** An audit without its material and findings (the answer to closing it names only this). */
export const auditSummarySchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    id: z.string(),
    type: auditTypeSchema,
    scope: z.string(),
    dueOn: z.string(),
    status: auditStatusSchema,
    recurrence: z.optional(
      z.strictObject({
        everyMonths: z.int(),
        /** The due date of the plan's first audit: the n-th is due n-1 periods after it. */
        firstDueOn: z.string(),
        /** This audit's place in the plan: 1, 2, ... */
        occurrence: z.int(),
      }),
    ),
    /** The audit of the plan closed before this one. */
    previousAuditId: z.optional(z.string()),
    plannedAt: z.string(),
    plannedBy: actorSchema,
    /** Findings not yet closed: the audit closes when there are none. */
    openFindings: z.int(),
    closedAt: z.optional(z.string()),
    closedBy: z.optional(actorSchema),
    conclusion: z.optional(z.string()),
    /** Closed after its due date. */
    closedLate: z.optional(z.boolean()),
    /** The next audit of the plan, planned when this one closed. */
    nextAuditId: z.optional(z.string()),
    /** A recurring plan ended here (by the controller, or because the agreement ends first). */
    recurrenceEnded: z.optional(z.string()),
  }),
);

/** An audit with its material and findings, each in the order made. */
export const auditRecordSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    ...auditSummarySchema.shape,
    material: z.array(auditMaterialSchema),
    findings: z.array(auditFindingSchema),
  }),
);

/** The answer to closing an audit: the closed audit and the next one of its plan, if any. */
export const closedAuditSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({ audit: auditSummarySchema, next: z.optional(auditSummarySchema) }),
);

export type AuditType = z.infer<typeof auditTypeSchema>;
export type AuditStatus = z.infer<typeof auditStatusSchema>;
export type PlanAuditRequest = z.infer<typeof planAuditRequestSchema>;
export type AuditMaterialRequest = z.infer<typeof auditMaterialRequestSchema>;
export type AuditFindingRequest = z.infer<typeof auditFindingRequestSchema>;
export type FindingClosureRequest = z.infer<typeof findingClosureRequestSchema>;
export type CloseAuditRequest = z.infer<typeof closeAuditRequestSchema>;
export type AuditDocument = z.infer<typeof auditDocumentSchema>;
export type AuditMaterial = z.infer<typeof auditMaterialSchema>;
export type AuditFinding = z.infer<typeof auditFindingSchema>;
export type AuditRecord = z.infer<typeof auditRecordSchema>;
export type AuditSummary = z.infer<typeof auditSummarySchema>;
export type ClosedAudit = z.infer<typeof closedAuditSchema>;
