import * as amendmentSchemas from '../domain/amendments/schemas.ts';
import * as auditSchemas from '../domain/audits/schemas.ts';
import * as breachSchemas from '../domain/breach-schemas.ts';
import * as calendarFeedSchemas from '../domain/calendar-feed/schemas.ts';
import * as webhookDeliverySchemas from '../domain/delivery/webhook-delivery-schemas.ts';
import * as forwardedSchemas from '../domain/forwarded-requests/schemas.ts';
import * as instructionSchemas from '../domain/instructions/schemas.ts';
import * as schemas from '../domain/schemas.ts';
import * as subProcessorSchemas from '../domain/sub-processor-schemas.ts';
import * as terminationSchemas from '../domain/termination-schemas.ts';
import * as webhookSchemas from '../domain/webhooks/schemas.ts';
import * as z from '../domain/zod.ts';

/**
 * The OpenAPI document's named schemas (`components.schemas`), made from the zod schemas the handlers
 * validate with and answer by: a generated client gets one type per name (`Agreement`, `Problem`,
 * ...), and every place a named schema appears, in a body or nested in another, is a `$ref` to it.
 *
 * Requests are described as a handler accepts them (zod's input: a field with a default is optional)
 * and responses as it answers (output: the default is filled in). A schema named on both sides must
 * come out the same on both, or it would be two types under one name; `componentSchemas` refuses that.
 * A request body's own schema stays in its operation (`requestBodySchemas`), nested named schemas as
 * `$ref`s: client generators read a `default` in a named schema as "always present", which is true of
 * an answer and false of a request (openapi-typescript makes such a field required).
 */

const page = (item: z.ZodMiniType) => z.object({ items: z.array(item), nextCursor: z.optional(z.string()) });
const list = (item: z.ZodMiniType) => z.object({ items: z.array(item) });

/** What `GET /agreements` lists per agreement, with the caller's role in it. */
const agreementSummary = () =>
  z.object({
    id: z.string(),
    title: z.string(),
    status: schemas.agreementStatusSchema,
    role: schemas.partyRoleSchema,
    controller: schemas.partySchema,
    processor: schemas.partySchema,
    createdAt: z.string(),
    updatedAt: z.string(),
  });

const jwks = () =>
  z.object({
    keys: z.array(
      z.object({
        kty: z.literal('EC'),
        crv: z.literal('P-256'),
        x: z.string(),
        y: z.string(),
        kid: z.string(),
        alg: z.literal('ES256'),
        use: z.literal('sig'),
      }),
    ),
  });

/** Named wherever they appear, in requests and responses alike. */
const shared = () => ({
  Party: schemas.partySchema,
  Contact: schemas.contactSchema,
  Signatory: schemas.signatorySchema,
  SubProcessor: schemas.subProcessorSchema,
  AgreementStatus: schemas.agreementStatusSchema,
  PartyRole: schemas.partyRoleSchema,
  DispositionMethod: schemas.dispositionMethodSchema,
  SubProcessorStatus: schemas.subProcessorStatusSchema,
  InstructionTopic: instructionSchemas.instructionTopicSchema,
  InstructionStatus: instructionSchemas.instructionStatusSchema,
});

export const responseSchemas = () => {
  const agreementSummarySchema = agreementSummary();
  return {
    ...shared(),
    Agreement: schemas.agreementSchema,
    AgreementSummary: agreementSummarySchema,
    AgreementPage: page(agreementSummarySchema),
    Actor: schemas.actorSchema,
    Signature: schemas.signatureSchema,
    HistoryEntry: schemas.historyEntrySchema,
    HistoryPage: page(schemas.historyEntrySchema),
    AuditEntry: schemas.auditEntrySchema,
    AuditLogPage: page(schemas.auditEntrySchema),
    Delivery: schemas.deliverySchema,
    Notification: schemas.listedNotificationSchema,
    NotificationPage: z.extend(page(schemas.listedNotificationSchema), { since: z.optional(z.string()) }),
    Amendment: amendmentSchemas.amendmentSchema,
    AmendmentList: list(amendmentSchemas.amendmentSchema),
    ContentVersion: amendmentSchemas.contentVersionSchema,
    ContentVersionSummary: amendmentSchemas.contentVersionSummarySchema,
    ContentVersionList: list(amendmentSchemas.contentVersionSummarySchema),
    SubProcessorRequest: subProcessorSchemas.subProcessorRecordSchema,
    SubProcessorRequestPage: page(subProcessorSchemas.subProcessorRecordSchema),
    ProcessingAuthorization: subProcessorSchemas.processingAuthorizationSchema,
    Breach: breachSchemas.breachRecordSchema,
    BreachDecision: breachSchemas.breachDecisionSchema,
    BreachUpdate: breachSchemas.breachUpdateSchema,
    BreachQuestion: breachSchemas.breachQuestionSchema,
    BreachList: list(breachSchemas.breachRecordSchema),
    OversightAudit: auditSchemas.auditRecordSchema,
    OversightAuditSummary: auditSchemas.auditSummarySchema,
    OversightAuditList: list(auditSchemas.auditRecordSchema),
    ClosedOversightAudit: auditSchemas.closedAuditSchema,
    OversightMaterial: auditSchemas.auditMaterialSchema,
    OversightFinding: auditSchemas.auditFindingSchema,
    Instruction: instructionSchemas.instructionSchema,
    InstructionList: list(instructionSchemas.instructionSchema),
    ForwardedRequest: forwardedSchemas.forwardedRequestSchema,
    ForwardedRequestState: forwardedSchemas.forwardedRequestStateSchema,
    ForwardedRequestList: list(forwardedSchemas.forwardedRequestSchema),
    RequestTask: forwardedSchemas.requestTaskSchema,
    CalendarFeed: calendarFeedSchemas.calendarFeedSchema,
    CalendarFeedList: list(calendarFeedSchemas.calendarFeedSchema),
    CreatedCalendarFeed: calendarFeedSchemas.createdCalendarFeedSchema,
    Webhook: webhookSchemas.webhookSchema,
    WebhookList: list(webhookSchemas.webhookSchema),
    CreatedWebhook: webhookSchemas.createdWebhookSchema,
    RotatedWebhookSecret: webhookSchemas.rotatedSecretSchema,
    WebhookDelivery: webhookDeliverySchemas.webhookDeliverySchema,
    WebhookDeliveryPage: webhookDeliverySchemas.webhookDeliveriesPageSchema,
    Jwks: jwks(),
    OpenApiDocument: z.looseObject({ openapi: z.string() }),
    Problem: schemas.problemSchema,
  };
};

export const requestSchemas = () => ({
  ...shared(),
  CreateAgreementRequest: schemas.createAgreementSchema,
  PatchAgreementRequest: schemas.patchAgreementSchema,
  SignatureRequest: schemas.signatureRequestSchema,
  CancelRequest: schemas.cancelRequestSchema,
  EmptyRequest: schemas.emptyBodySchema,
  AmendmentProposal: amendmentSchemas.amendmentProposalSchema,
  WithdrawAmendmentRequest: amendmentSchemas.withdrawAmendmentRequestSchema,
  TerminationNoticeRequest: terminationSchemas.terminationNoticeRequestSchema,
  DataDispositionRequest: terminationSchemas.dataDispositionRequestSchema,
  AttestationRequest: terminationSchemas.attestationRequestSchema,
  SubProcessorDecisionRequest: subProcessorSchemas.decisionRequestSchema,
  SubProcessorWithdrawRequest: subProcessorSchemas.withdrawRequestSchema,
  BreachReportRequest: breachSchemas.breachReportRequestSchema,
  BreachDecisionRequest: breachSchemas.breachDecisionRequestSchema,
  BreachUpdateRequest: breachSchemas.breachUpdateRequestSchema,
  BreachQuestionRequest: breachSchemas.breachQuestionRequestSchema,
  BreachAnswerRequest: breachSchemas.breachAnswerRequestSchema,
  OversightPlanRequest: auditSchemas.planAuditRequestSchema,
  OversightMaterialRequest: auditSchemas.auditMaterialRequestSchema,
  OversightFindingRequest: auditSchemas.auditFindingRequestSchema,
  OversightFindingClosureRequest: auditSchemas.findingClosureRequestSchema,
  OversightCloseRequest: auditSchemas.closeAuditRequestSchema,
  GiveInstructionRequest: instructionSchemas.giveInstructionRequestSchema,
  AcknowledgeInstructionRequest: instructionSchemas.acknowledgeInstructionRequestSchema,
  InstructionObjectionRequest: instructionSchemas.objectInstructionRequestSchema,
  WithdrawInstructionRequest: instructionSchemas.withdrawInstructionRequestSchema,
  ConfirmInstructionRequest: instructionSchemas.confirmInstructionRequestSchema,
  ForwardRequest: forwardedSchemas.forwardRequestSchema,
  RequestExtensionRequest: forwardedSchemas.extensionRequestSchema,
  RequestTaskRequest: forwardedSchemas.taskRequestSchema,
  RequestTaskDoneRequest: forwardedSchemas.taskDoneRequestSchema,
  RequestOutcomeRequest: forwardedSchemas.outcomeRequestSchema,
  CreateCalendarFeedRequest: calendarFeedSchemas.createCalendarFeedSchema,
  CreateWebhookRequest: webhookSchemas.createWebhookSchema,
  UpdateWebhookRequest: webhookSchemas.updateWebhookSchema,
});

export type ResponseSchemaName = keyof ReturnType<typeof responseSchemas>;
export type RequestSchemaName = keyof ReturnType<typeof requestSchemas>;

export const schemaRef = (name: ResponseSchemaName) => ({
  $ref: `#/components/schemas/${name}`,
});

type JsonSchema = Record<string, unknown>;

/** One side's schemas, each nested named schema a `$ref` to its component. */
function convert(named: Record<string, z.ZodMiniType>, io: 'input' | 'output'): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(named)) registry.add(schema, { id });
  const { schemas: converted } = z.toJSONSchema(registry, {
    io,
    target: 'draft-2020-12',
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, JsonSchema> };
  if ('__shared' in converted)
    throw new Error('An unnamed schema was extracted: name it in openapi-schemas.ts');
  // `$id` and `$schema` belong to a standalone JSON Schema document, not to a component of this one.
  return Object.fromEntries(
    Object.entries(converted).map(([id, { $id: _id, $schema: _schema, ...schema }]) => [id, schema]),
  );
}

/** `components.schemas`: the responses' named schemas and those nested in requests and responses alike. */
export function componentSchemas(): Record<string, JsonSchema> {
  const answered = convert(responseSchemas(), 'output');
  const accepted = convert(requestSchemas(), 'input');
  for (const name of Object.keys(shared())) {
    if (JSON.stringify(answered[name]) !== JSON.stringify(accepted[name])) {
      throw new Error(`${name} is not the same in requests and responses: name the two apart`);
    }
  }
  return answered;
}

/** Each request body's schema, for its operation: what a handler accepts. */
export function requestBodySchemas(): Record<RequestSchemaName, JsonSchema> {
  return convert(requestSchemas(), 'input') as Record<RequestSchemaName, JsonSchema>;
}
