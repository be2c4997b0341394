import { httpFunctions } from '../catalogue.ts';
import { documentQuerySchema } from '../domain/document/schemas.ts';
import { listInstructionsQuerySchema } from '../domain/instructions/schemas.ts';
import * as schemas from '../domain/schemas.ts';
import * as subProcessorSchemas from '../domain/sub-processor-schemas.ts';
import * as z from '../domain/zod.ts';
import { type ClientSettings, clientSettings, type Scope } from './deployment-settings.ts';
import {
  componentSchemas,
  type RequestSchemaName,
  type ResponseSchemaName,
  requestBodySchemas,
  requestSchemas,
  schemaRef,
} from './openapi-schemas.ts';
import { operationDocs } from './operation-docs.ts';

/**
 * The OpenAPI 3.1 document, generated from the catalogue (routes, scopes), the same zod schemas the
 * handlers validate with (named once in `components`, openapi-schemas.ts) and each operation's
 * description, statuses and example (operation-docs.ts), so the document cannot drift from the
 * behaviour: test/e2e/round-trips.e2e.test.ts checks every answer of every route against it.
 */

/** Each route's JSON request body, by its name in openapi-schemas.ts. */
const requestBodies: Record<string, RequestSchemaName> = {
  createAgreement: 'CreateAgreementRequest',
  patchAgreement: 'PatchAgreementRequest',
  putContact: 'Contact',
  proposeAmendment: 'AmendmentProposal',
  signAmendment: 'SignatureRequest',
  withdrawAmendment: 'WithdrawAmendmentRequest',
  submitAgreement: 'EmptyRequest',
  signAgreement: 'SignatureRequest',
  cancelAgreement: 'CancelRequest',
  terminationNotice: 'TerminationNoticeRequest',
  chooseDataDisposition: 'DataDispositionRequest',
  attestDataDisposition: 'AttestationRequest',
  requestSubProcessor: 'SubProcessor',
  decideSubProcessor: 'SubProcessorDecisionRequest',
  withdrawSubProcessor: 'SubProcessorWithdrawRequest',
  reportBreach: 'BreachReportRequest',
  decideBreach: 'BreachDecisionRequest',
  addBreachUpdate: 'BreachUpdateRequest',
  askBreachQuestion: 'BreachQuestionRequest',
  answerBreachQuestion: 'BreachAnswerRequest',
  planAudit: 'OversightPlanRequest',
  submitAuditMaterial: 'OversightMaterialRequest',
  recordAuditFinding: 'OversightFindingRequest',
  closeAuditFinding: 'OversightFindingClosureRequest',
  closeAudit: 'OversightCloseRequest',
  giveInstruction: 'GiveInstructionRequest',
  acknowledgeInstruction: 'AcknowledgeInstructionRequest',
  objectToInstruction: 'InstructionObjectionRequest',
  withdrawInstruction: 'WithdrawInstructionRequest',
  confirmInstruction: 'ConfirmInstructionRequest',
  forwardRequest: 'ForwardRequest',
  extendRequestDeadline: 'RequestExtensionRequest',
  addRequestTask: 'RequestTaskRequest',
  completeRequestTask: 'RequestTaskDoneRequest',
  recordRequestOutcome: 'RequestOutcomeRequest',
  createCalendarFeed: 'CreateCalendarFeedRequest',
  createWebhook: 'CreateWebhookRequest',
  updateWebhook: 'UpdateWebhookRequest',
  rotateWebhookSecret: 'EmptyRequest',
  redeliverWebhookDelivery: 'EmptyRequest',
};

/** The routes that change an agreement's record under its version: `If-Match` required. */
const ifMatchRoutes: ReadonlySet<string> = new Set(['patchAgreement', 'putContact']);

const queries: Record<string, z.ZodMiniObject> = {
  listAgreements: schemas.listAgreementsQuerySchema,
  getHistory: schemas.pagingQuerySchema,
  getAuditLog: schemas.pagingQuerySchema,
  listNotifications: schemas.notificationsQuerySchema,
  listSubProcessors: subProcessorSchemas.listSubProcessorsQuerySchema,
  getProcessingAuthorization: subProcessorSchemas.processingAuthorizationQuerySchema,
  getAgreementDocument: documentQuerySchema,
  getAgreement: schemas.agreementAsOfQuerySchema,
  listInstructions: listInstructionsQuerySchema,
};

/** A header a success carries besides the correlation id. */
type SuccessHeader = 'ETag' | 'Location';

interface Success {
  status: '200' | '201' | '202' | '204';
  /** Where it says more than "Success". */
  description?: string;
  /** A JSON body, by its component name. */
  schema?: ResponseSchemaName;
  /** A file rather than JSON: its media type and how it is named (`Content-Disposition`), if it is. */
  file?: { mediaType: string; disposition?: string };
  headers?: readonly SuccessHeader[];
}

const versioned: readonly SuccessHeader[] = ['ETag'];
const created: readonly SuccessHeader[] = ['Location'];

/** Each route's success: status, body and headers (the e2e check holds them to what the handlers send). */
const successes: Record<string, Success> = {
  createAgreement: { status: '201', schema: 'Agreement', headers: ['Location', 'ETag'] },
  listAgreements: { status: '200', schema: 'AgreementPage' },
  getAgreement: { status: '200', schema: 'Agreement', headers: versioned },
  patchAgreement: { status: '200', schema: 'Agreement', headers: versioned },
  putContact: { status: '200', schema: 'Agreement', headers: versioned },
  proposeAmendment: { status: '201', schema: 'Amendment', headers: ['Location', 'ETag'] },
  listAmendments: { status: '200', schema: 'AmendmentList' },
  getAmendment: { status: '200', schema: 'Amendment' },
  signAmendment: { status: '201', schema: 'Amendment' },
  withdrawAmendment: { status: '200', schema: 'Amendment' },
  listVersions: { status: '200', schema: 'ContentVersionList' },
  getVersion: { status: '200', schema: 'ContentVersion' },
  submitAgreement: { status: '200', schema: 'Agreement', headers: versioned },
  signAgreement: { status: '201', schema: 'Agreement', headers: versioned },
  cancelAgreement: { status: '200', schema: 'Agreement', headers: versioned },
  terminationNotice: { status: '200', schema: 'Agreement', headers: versioned },
  chooseDataDisposition: { status: '200', schema: 'Agreement', headers: versioned },
  attestDataDisposition: { status: '201', schema: 'Agreement', headers: versioned },
  getHistory: { status: '200', schema: 'HistoryPage' },
  getAuditLog: { status: '200', schema: 'AuditLogPage' },
  listNotifications: { status: '200', schema: 'NotificationPage' },
  getOpenApi: { status: '200', schema: 'OpenApiDocument' },
  getEvidence: {
    status: '200',
    file: { mediaType: 'application/zip', disposition: 'attachment; filename="<id>-evidence.zip"' },
    description:
      'The evidence pack (rule 14; docs/evidence-format.md): every content version as JSON and PDF, the signatures, sub-processor requests, Vedlegg 3, breaches, the termination, the whole history and audit log with their seals, and manifest.json signed as manifest.jws (ES256, keys at /.well-known/jwks.json). The export is audited, and seals every entry not sealed yet as a seal run of its own (each party organisation gets the run’s signed root as `audit.sealed`). Verify offline with `npx dpa-evidence verify pack.zip`.',
  },
  getJwks: { status: '200', schema: 'Jwks' },
  requestSubProcessor: { status: '202', schema: 'SubProcessorRequest', headers: created },
  listSubProcessors: { status: '200', schema: 'SubProcessorRequestPage' },
  getSubProcessor: { status: '200', schema: 'SubProcessorRequest' },
  decideSubProcessor: { status: '200', schema: 'SubProcessorRequest' },
  withdrawSubProcessor: { status: '200', schema: 'SubProcessorRequest' },
  getProcessingAuthorization: { status: '200', schema: 'ProcessingAuthorization' },
  reportBreach: { status: '201', schema: 'Breach', headers: created },
  decideBreach: { status: '201', schema: 'BreachDecision' },
  addBreachUpdate: { status: '201', schema: 'BreachUpdate' },
  askBreachQuestion: { status: '201', schema: 'BreachQuestion', headers: created },
  answerBreachQuestion: { status: '200', schema: 'BreachQuestion' },
  listBreaches: { status: '200', schema: 'BreachList' },
  getBreach: { status: '200', schema: 'Breach' },
  planAudit: { status: '201', schema: 'OversightAudit', headers: created },
  listAudits: { status: '200', schema: 'OversightAuditList' },
  getAudit: { status: '200', schema: 'OversightAudit' },
  submitAuditMaterial: { status: '201', schema: 'OversightMaterial' },
  recordAuditFinding: { status: '201', schema: 'OversightFinding' },
  closeAuditFinding: { status: '201', schema: 'OversightFinding' },
  closeAudit: { status: '200', schema: 'ClosedOversightAudit' },
  giveInstruction: { status: '201', schema: 'Instruction', headers: created },
  listInstructions: { status: '200', schema: 'InstructionList' },
  getInstruction: { status: '200', schema: 'Instruction' },
  acknowledgeInstruction: { status: '200', schema: 'Instruction' },
  objectToInstruction: { status: '200', schema: 'Instruction' },
  withdrawInstruction: { status: '200', schema: 'Instruction' },
  confirmInstruction: { status: '200', schema: 'Instruction' },
  forwardRequest: { status: '201', schema: 'ForwardedRequest', headers: created },
  listForwardedRequests: { status: '200', schema: 'ForwardedRequestList' },
  getForwardedRequest: { status: '200', schema: 'ForwardedRequest' },
  extendRequestDeadline: { status: '200', schema: 'ForwardedRequestState' },
  addRequestTask: { status: '201', schema: 'RequestTask', headers: created },
  completeRequestTask: { status: '200', schema: 'RequestTask' },
  recordRequestOutcome: { status: '200', schema: 'ForwardedRequestState' },
  createCalendarFeed: { status: '201', schema: 'CreatedCalendarFeed', headers: created },
  listCalendarFeeds: { status: '200', schema: 'CalendarFeedList' },
  deleteCalendarFeed: {
    status: '204',
    description:
      "Revoked: the feed is gone and its address answers 404. Another organisation's feed is 404, as one that does not exist.",
  },
  getCalendarFeed: {
    status: '200',
    file: { mediaType: 'text/calendar', disposition: 'inline; filename="frister.ics"' },
    description:
      "The organisation's upcoming deadlines as iCalendar (RFC 5545): signature deadlines, terminatesOn and the 30- and 7-day marks before it, sub-processor decision deadlines, breach notification deadlines (the processor's and the controller's 72 hours towards Datatilsynet), retention review dates, amendment signature deadlines, oversight audits' due dates and their findings' deadlines, forwarded requests' answer deadlines and their assistance tasks' due days, and instruction dates (the day an instruction awaiting the processor's answer is to apply from, or the day it binds); at most the nearest 1000. `{file}` is `<token>.ics`, the token as `POST /calendar-feeds` returned it in `url`; the token is the credential (no bearer token). Each event has a stable UID (agreement, kind, subject), so a client fetching again updates it; date deadlines are all-day events, timed ones carry TZID=Europe/Oslo; summary and description in bokmål name the agreement, what is due and the call to make. An unknown or revoked address is 404 (problem+json).",
  },
  createWebhook: {
    status: '201',
    schema: 'CreatedWebhook',
    headers: created,
    description:
      'Registered. The body is the webhook with `secret`, its signing secret (Standard Webhooks: `whsec_` and base64), shown this once; `Location` names the webhook. A retry with the same Idempotency-Key gets the 201 and the Location without the secret. A `url` that is not https, or whose host does not resolve or resolves to an address that is not public (loopback, private, link-local, carrier-grade NAT, multicast, reserved, unique-local), is 400 naming `url`.',
  },
  listWebhooks: { status: '200', schema: 'WebhookList' },
  getWebhook: { status: '200', schema: 'Webhook' },
  updateWebhook: { status: '200', schema: 'Webhook' },
  deleteWebhook: {
    status: '204',
    description:
      "Removed: nothing is sent to it from then on. Another organisation's webhook is 404, as one that does not exist.",
  },
  rotateWebhookSecret: {
    status: '200',
    schema: 'RotatedWebhookSecret',
    description:
      'The new signing secret, shown this once. The previous one keeps verifying until `previousSecretExpiresAt` (24 hours), and deliveries carry a signature with each until then. A retry with the same Idempotency-Key gets the 200 without the secret.',
  },
  listWebhookDeliveries: {
    status: '200',
    schema: 'WebhookDeliveryPage',
    description:
      "The webhook's deliveries, newest first (`limit` 1-100, default 25; `cursor` from `nextCursor`): one per notification sent to it, with its status (DELIVERED, RETRYING, FAILED, SKIPPED), attempts, the time of the next attempt while retried, the endpoint's last HTTP status (`responseStatus`) and the `webhook-id` every attempt carried (`messageId`). Another organisation's webhook is 404.",
  },
  redeliverWebhookDelivery: {
    status: '202',
    schema: 'WebhookDelivery',
    description:
      "Accepted: the delivery is due at once and retried with back-off for 24 hours more, with the same `webhook-id` (a receiver that had it de-duplicates). 409 while the webhook is disabled (enable it with PATCH first) or the delivery is still being retried; 404 for an unknown webhook or delivery, or another organisation's.",
  },
  getAgreementDocument: {
    status: '200',
    file: { mediaType: 'application/pdf', disposition: 'inline; filename="<id>.pdf"' },
    headers: versioned,
    description:
      'The agreement as a PDF in bokmål (structure of seed agreement 003, the content hash on every page). The same content renders the same bytes; CreationDate is the latest signature time, or the creation time while unsigned. A content version the agreement does not have is 404 naming `version`.',
  },
};

const headerRef = (name: string) => ({ $ref: `#/components/headers/${name}` });
const parameterRef = (name: string) => ({ $ref: `#/components/parameters/${name}` });

/** Headers of every answer, success or problem. */
const everyResponseHeaders = { 'X-Correlation-Id': headerRef('CorrelationId') };

const headers = {
  WwwAuthenticate401: {
    description:
      'The Bearer challenge (RFC 6750): `Bearer` without a token, `Bearer error="invalid_token", error_description="..."` for a token that was refused, saying why.',
    schema: { type: 'string' },
  },
  WwwAuthenticate403: {
    description:
      'Sent when the token lacks the route\'s scope: `Bearer error="insufficient_scope", scope="..."`. A party acting outside its role gets the 403 without it.',
    required: false,
    schema: { type: 'string' },
  },
  RetryAfter: {
    description: 'Seconds to wait before trying again.',
    schema: { type: 'integer', minimum: 1 },
  },
  CorrelationId: {
    description:
      "The request's correlation id: the caller's own `X-Correlation-Id` when it sent a sane one (1-128 characters of letters, digits and `._:-`, not only digits), else a new UUID. It is in every log line of the request, and in a problem's body as `correlationId`.",
    schema: { type: 'string' },
  },
  ETag: {
    description:
      'The agreement record\'s version (a strong ETag, e.g. `"3"`): send it back as `If-Match` to edit.',
    schema: { type: 'string' },
  },
  Location: { description: 'The address of what was created.', schema: { type: 'string' } },
  IdempotentReplayed: {
    description: '`true` when this is the stored answer to an earlier request with the same Idempotency-Key.',
    schema: { type: 'string', enum: ['true'] },
  },
};

const parameters = {
  /** Every POST takes an Idempotency-Key (IETF httpapi idempotency-key draft). */
  IdempotencyKey: {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description:
      'Makes a retry safe: the same key from the same organisation within 24 hours gets the first response again (with the header `Idempotent-Replayed: true`) without the work being done twice. 1-255 visible ASCII characters, e.g. a UUID. The same key on a different request is 422; while the first request is still running, 409.',
    schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7E]+$' },
  },
  IfMatch: {
    name: 'If-Match',
    in: 'header',
    required: true,
    description:
      "The agreement's ETag as last read: the change is made only if nobody changed the agreement since (412 otherwise, with the current ETag; 428 without the header).",
    schema: { type: 'string' },
  },
  CorrelationId: {
    name: 'X-Correlation-Id',
    in: 'header',
    required: false,
    description:
      'Your own id for this request, to find it in our logs; echoed in the answer (see the header).',
    schema: { type: 'string', maxLength: 128 },
  },
};

const GATEWAY_TOO_LARGE = 'The request is over the 10 MB the gateway takes';
/** Any protected route: its function verifies the token against the issuer's key set, fetched and cached. */
const KEY_SET_UNAVAILABLE =
  "The token cannot be verified now: the issuer's key set (Maskinporten's JWKS) is out of reach. Retry after Retry-After seconds.";

const problem = (description: string) => ({
  description,
  headers: everyResponseHeaders,
  content: { 'application/problem+json': { schema: schemaRef('Problem') } },
});

/** A refused credential says why in `WWW-Authenticate` (RFC 6750 §3): on every 401, and on a 403 for a missing scope. */
function withChallenge(status: string, response: ReturnType<typeof problem>) {
  if (status !== '401' && status !== '403') return response;
  return {
    ...response,
    headers: { ...response.headers, 'WWW-Authenticate': headerRef(`WwwAuthenticate${status}`) },
  };
}

/** Each route's group, for generated clients and documentation viewers: by its path. */
const TAGS: readonly { name: string; description: string; matches: (path: string) => boolean }[] = [
  {
    name: 'Sub-processors',
    description: 'Vedlegg 3: requests, decisions and the processing gate (rule 5)',
    matches: (path) => path.includes('/sub-processors') || path.endsWith('/processing-authorization'),
  },
  {
    name: 'Amendments',
    description: 'Changes to an agreement in force (rule 13)',
    matches: (path) => path.includes('/amendments') || path.includes('/versions'),
  },
  {
    name: 'Breaches',
    description:
      'Personal data breaches as cases: reports both ways, supplements, questions and answers, the controller’s decision (rules 9 and 16)',
    matches: (path) => path.includes('/breaches'),
  },
  {
    name: 'Forwarded requests',
    description:
      'Requests from data subjects and Datatilsynet that the processor forwards to the controller: the deadline to answer, its extension, assistance tasks and the outcome (rule 16)',
    matches: (path) => path.includes('/requests'),
  },
  {
    name: 'Termination',
    description: 'Notice, data return or deletion, and its attestation',
    matches: (path) => path.endsWith('/termination-notice') || path.includes('/data-disposition'),
  },
  {
    name: 'Records',
    description: 'History, audit log, the document and the evidence pack (rules 12 and 14)',
    matches: (path) =>
      /\/(history|audit-log|document|evidence)$/.test(path) || path === '/.well-known/jwks.json',
  },
  {
    name: 'Notifications',
    description: 'What each organisation is told',
    matches: (path) => path === '/notifications',
  },
  {
    name: 'Webhooks',
    description: 'Notifications pushed to the organisation (rule 15)',
    matches: (path) => path.startsWith('/webhooks'),
  },
  {
    name: 'Calendar',
    description: 'Deadlines as an iCalendar feed',
    matches: (path) => path.startsWith('/calendar'),
  },
  { name: 'Service', description: 'This document', matches: (path) => path === '/openapi.json' },
  {
    name: 'Agreements',
    description: 'Create, read, edit, submit, sign and cancel (rules 1-4)',
    matches: () => true,
  },
];

const tagOf = (path: string) => TAGS.find(({ matches }) => matches(path))!.name;

function successResponse(fn: (typeof httpFunctions)[number], success: Success) {
  const { description, schema, file, headers: named = [] } = success;
  const responseHeaders: Record<string, unknown> = {
    ...everyResponseHeaders,
    ...Object.fromEntries(named.map((name) => [name, headerRef(name)])),
    ...(file?.disposition
      ? { 'Content-Disposition': { description: file.disposition, schema: { type: 'string' } } }
      : {}),
    ...(fn.method === 'POST' && fn.scopes.length
      ? { 'Idempotent-Replayed': headerRef('IdempotentReplayed') }
      : {}),
  };
  return {
    description: description ?? 'Success',
    headers: responseHeaders,
    ...(schema ? { content: { 'application/json': { schema: schemaRef(schema) } } } : {}),
    ...(file
      ? { content: { [file.mediaType]: { schema: { type: 'string', contentMediaType: file.mediaType } } } }
      : {}),
  };
}

export function openApiDocument(settings: ClientSettings = clientSettings()) {
  const scopeName = (scope: Scope) => settings.scopeNames[scope];
  const accepted = requestSchemas();
  const bodySchemas = requestBodySchemas();
  const paths: Record<string, Record<string, unknown>> = {};
  for (const fn of httpFunctions) {
    const docs = operationDocs[fn.id]!;
    const pathParams = [...fn.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    const query = queries[fn.id];
    const queryParams = query
      ? Object.entries(query.shape).map(([name, schema]) => ({
          name,
          in: 'query',
          // Required when the schema refuses its absence (e.g. the gate's subProcessorId).
          required: !(schema as z.ZodMiniType).safeParse(undefined).success,
          schema: z.toJSONSchema(schema as z.ZodMiniType, {
            io: 'input',
            target: 'draft-2020-12',
            unrepresentable: 'any',
          }),
        }))
      : [];
    const body = requestBodies[fn.id];
    paths[fn.path] ??= {};
    paths[fn.path]![fn.method.toLowerCase()] = {
      operationId: fn.id,
      summary: fn.summary,
      description: docs.description,
      tags: [tagOf(fn.path)],
      security: fn.scopes.length ? [{ maskinporten: fn.scopes.map(scopeName) }] : [],
      parameters: [
        ...pathParams,
        ...queryParams,
        ...(ifMatchRoutes.has(fn.id) ? [parameterRef('IfMatch')] : []),
        ...(fn.method === 'POST' && fn.scopes.length ? [parameterRef('IdempotencyKey')] : []),
        parameterRef('CorrelationId'),
      ],
      ...(body
        ? {
            requestBody: {
              // Optional when an empty body is valid (submit, cancel, withdraw).
              required: !accepted[body].safeParse({}).success,
              content: {
                'application/json': {
                  schema: bodySchemas[body],
                  ...(docs.requestExample === undefined ? {} : { example: docs.requestExample }),
                },
              },
            },
          }
        : {}),
      responses: {
        [successes[fn.id]!.status]: successResponse(fn, successes[fn.id]!),
        // Any route, before its handler: the gateway's own limit (a route's body limit is lower).
        '413': problem(GATEWAY_TOO_LARGE),
        ...(fn.scopes.length > 0
          ? {
              '503': {
                ...problem(KEY_SET_UNAVAILABLE),
                headers: { ...everyResponseHeaders, 'Retry-After': headerRef('RetryAfter') },
              },
            }
          : {}),
        ...Object.fromEntries(
          Object.entries(docs.errors).map(([status, reason]) => [
            status,
            withChallenge(status, problem(reason!)),
          ]),
        ),
      },
    };
  }
  return {
    openapi: '3.1.0',
    // The API's own address where it knows it (the local stack), else relative to this document's.
    servers: [{ url: settings.apiBaseUrl ?? '/' }],
    tags: TAGS.map(({ name, description }) => ({ name, description })),
    info: {
      title: 'Databehandleravtaler API',
      version: '1.0.0',
      description:
        'Data processing agreements (databehandleravtaler) between Norwegian municipalities (controllers) and their processors: draft, dual signature, in force, notice and termination with data return or deletion, sub-processor approval (Vedlegg 3) and the processing gate, breach reports, history and audit log, and the agreement as a PDF document.',
      contact: settings.contact,
      license: { name: 'MIT', identifier: 'MIT' },
    },
    components: {
      schemas: componentSchemas(),
      headers,
      parameters,
      securitySchemes: {
        maskinporten: {
          type: 'oauth2',
          description: `Maskinporten JWT: consumer.ID "0192:<orgnr>", scope ${scopeName('dpa:read')} / ${scopeName('dpa:write')}${settings.audience ? `; request it with resource=${settings.audience} in the JWT grant (RFC 8707): the API refuses a token without that audience` : ''}. A vendor acts for an organisation with a token delegated through Altinn (consumer: the organisation, supplier: the vendor) or as an Altinn system user (authorization_details type urn:altinn:systemuser, systemuser_org.ID: the organisation, consumer: the vendor); the vendor is recorded as actor.via.`,
          flows: {
            clientCredentials: {
              tokenUrl: settings.tokenUrl,
              scopes: {
                [scopeName('dpa:read')]: 'Read agreements',
                [scopeName('dpa:write')]: 'Create and change agreements',
              },
            },
          },
        },
      },
    },
    paths,
  };
}
