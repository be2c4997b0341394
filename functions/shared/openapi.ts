import { httpFunctions } from '../catalogue.ts';
import * as amendmentSchemas from '../domain/amendments/schemas.ts';
import * as breachSchemas from '../domain/breach-schemas.ts';
import * as calendarFeedSchemas from '../domain/calendar-feed/schemas.ts';
import * as webhookDeliverySchemas from '../domain/delivery/webhook-delivery-schemas.ts';
import { documentQuerySchema } from '../domain/document/schemas.ts';
import * as schemas from '../domain/schemas.ts';
import * as subProcessorSchemas from '../domain/sub-processor-schemas.ts';
import * as terminationSchemas from '../domain/termination-schemas.ts';
import * as webhookSchemas from '../domain/webhooks/schemas.ts';
import * as z from '../domain/zod.ts';
import { type ClientSettings, clientSettings, type Scope } from './deployment-settings.ts';

/**
 * The OpenAPI 3.1 document, generated from the catalogue (routes, scopes) and the same zod schemas the
 * handlers validate with, so the document cannot drift from the behaviour.
 */
const requestBodies: Record<string, z.ZodMiniType> = {
  createAgreement: schemas.createAgreementSchema,
  patchAgreement: schemas.patchAgreementSchema,
  putContact: schemas.contactSchema,
  proposeAmendment: amendmentSchemas.amendmentProposalSchema,
  signAmendment: amendmentSchemas.amendmentSignatureRequestSchema,
  withdrawAmendment: amendmentSchemas.withdrawAmendmentRequestSchema,
  submitAgreement: schemas.emptyBodySchema,
  signAgreement: schemas.signatureRequestSchema,
  cancelAgreement: schemas.cancelRequestSchema,
  terminationNotice: terminationSchemas.terminationNoticeRequestSchema,
  chooseDataDisposition: terminationSchemas.dataDispositionRequestSchema,
  attestDataDisposition: terminationSchemas.attestationRequestSchema,
  requestSubProcessor: subProcessorSchemas.subProcessorRequestSchema,
  decideSubProcessor: subProcessorSchemas.decisionRequestSchema,
  withdrawSubProcessor: subProcessorSchemas.withdrawRequestSchema,
  reportBreach: breachSchemas.breachReportRequestSchema,
  createCalendarFeed: calendarFeedSchemas.createCalendarFeedSchema,
  createWebhook: webhookSchemas.createWebhookSchema,
  updateWebhook: webhookSchemas.updateWebhookSchema,
  rotateWebhookSecret: schemas.emptyBodySchema,
  redeliverWebhookDelivery: schemas.emptyBodySchema,
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
};

const page = (item: z.ZodMiniType) => z.object({ items: z.array(item), nextCursor: z.optional(z.string()) });
const agreementSummary = z.object({
  id: z.string(),
  title: z.string(),
  status: schemas.agreementStatusSchema,
  role: schemas.partyRoleSchema,
  controller: schemas.partySchema,
  processor: schemas.partySchema,
  createdAt: z.string(),
  updatedAt: z.string(),
});

/** A success without a body (204). */
interface EmptyResponse {
  status: '204';
  description: string;
}

/** A success that is a file, not JSON: its media type, what it is, and the headers it comes with. */
interface FileResponse {
  status: string;
  mediaType: string;
  description: string;
  headers: Record<string, { description: string; schema: { type: 'string' } }>;
}

/** A JSON success; `description` where it says more than "Success". */
interface JsonResponse {
  status: string;
  schema: z.ZodMiniType;
  description?: string;
}

const responses: Record<string, JsonResponse | FileResponse | EmptyResponse> = {
  createAgreement: { status: '201', schema: schemas.agreementSchema },
  listAgreements: { status: '200', schema: page(agreementSummary) },
  getAgreement: { status: '200', schema: schemas.agreementSchema },
  patchAgreement: { status: '200', schema: schemas.agreementSchema },
  putContact: { status: '200', schema: schemas.agreementSchema },
  proposeAmendment: { status: '201', schema: amendmentSchemas.amendmentSchema },
  listAmendments: { status: '200', schema: z.object({ items: z.array(amendmentSchemas.amendmentSchema) }) },
  getAmendment: { status: '200', schema: amendmentSchemas.amendmentSchema },
  signAmendment: { status: '201', schema: amendmentSchemas.amendmentSchema },
  withdrawAmendment: { status: '200', schema: amendmentSchemas.amendmentSchema },
  listVersions: {
    status: '200',
    schema: z.object({ items: z.array(amendmentSchemas.contentVersionSummarySchema) }),
  },
  getVersion: { status: '200', schema: amendmentSchemas.contentVersionSchema },
  submitAgreement: { status: '200', schema: schemas.agreementSchema },
  signAgreement: { status: '201', schema: schemas.agreementSchema },
  cancelAgreement: { status: '200', schema: schemas.agreementSchema },
  terminationNotice: { status: '200', schema: schemas.agreementSchema },
  chooseDataDisposition: { status: '200', schema: schemas.agreementSchema },
  attestDataDisposition: { status: '201', schema: schemas.agreementSchema },
  getHistory: { status: '200', schema: page(schemas.historyEntrySchema) },
  getAuditLog: { status: '200', schema: page(schemas.auditEntrySchema) },
  listNotifications: {
    status: '200',
    schema: z.extend(page(schemas.listedNotificationSchema), { since: z.optional(z.string()) }),
  },
  getOpenApi: { status: '200', schema: z.looseObject({ openapi: z.string() }) },
  getEvidence: {
    status: '200',
    mediaType: 'application/zip',
    description:
      'The evidence pack (rule 14; docs/evidence-format.md): every content version as JSON and PDF, the signatures, sub-processor requests, Vedlegg 3, breaches, the termination, the whole history and audit log with their seals, and manifest.json signed as manifest.jws (ES256, keys at /.well-known/jwks.json). The export is audited, and seals every entry not sealed yet as a seal run of its own (each party organisation gets the run’s signed root as `audit.sealed`). Verify offline with `npx dpa-evidence verify pack.zip`.',
    headers: {
      'Content-Disposition': {
        description: 'attachment; filename="<id>-evidence.zip"',
        schema: { type: 'string' },
      },
    },
  },
  getJwks: {
    status: '200',
    schema: z.object({
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
    }),
  },
  requestSubProcessor: { status: '202', schema: subProcessorSchemas.subProcessorRecordSchema },
  listSubProcessors: { status: '200', schema: page(subProcessorSchemas.subProcessorRecordSchema) },
  getSubProcessor: { status: '200', schema: subProcessorSchemas.subProcessorRecordSchema },
  decideSubProcessor: { status: '200', schema: subProcessorSchemas.subProcessorRecordSchema },
  withdrawSubProcessor: { status: '200', schema: subProcessorSchemas.subProcessorRecordSchema },
  getProcessingAuthorization: { status: '200', schema: subProcessorSchemas.processingAuthorizationSchema },
  reportBreach: { status: '201', schema: breachSchemas.breachRecordSchema },
  listBreaches: { status: '200', schema: z.object({ items: z.array(breachSchemas.breachRecordSchema) }) },
  getBreach: { status: '200', schema: breachSchemas.breachRecordSchema },
  createCalendarFeed: { status: '201', schema: calendarFeedSchemas.createdCalendarFeedSchema },
  listCalendarFeeds: {
    status: '200',
    schema: z.object({ items: z.array(calendarFeedSchemas.calendarFeedSchema) }),
  },
  deleteCalendarFeed: {
    status: '204',
    description:
      "Revoked: the feed is gone and its address answers 404. Another organisation's feed is 404, as one that does not exist.",
  },
  getCalendarFeed: {
    status: '200',
    mediaType: 'text/calendar',
    description:
      "The organisation's upcoming deadlines as iCalendar (RFC 5545): signature deadlines, terminatesOn and the 30- and 7-day marks before it, sub-processor decision deadlines, breach notification deadlines (the processor's and the controller's 72 hours towards Datatilsynet), retention review dates and amendment signature deadlines; at most the nearest 1000. `{file}` is `<token>.ics`, the token as `POST /calendar-feeds` returned it in `url`; the token is the credential (no bearer token). Each event has a stable UID (agreement, kind, subject), so a client fetching again updates it; date deadlines are all-day events, timed ones carry TZID=Europe/Oslo; summary and description in bokmål name the agreement, what is due and the call to make. An unknown or revoked address is 404 (problem+json).",
    headers: {},
  },
  createWebhook: {
    status: '201',
    schema: webhookSchemas.createdWebhookSchema,
    description:
      'Registered. The body is the webhook with `secret`, its signing secret (Standard Webhooks: `whsec_` and base64), shown this once; `Location` names the webhook. A retry with the same Idempotency-Key gets the 201 and the Location without the secret. A `url` that is not https, or whose host does not resolve or resolves to an address that is not public (loopback, private, link-local, carrier-grade NAT, multicast, reserved, unique-local), is 400 naming `url`.',
  },
  listWebhooks: { status: '200', schema: z.object({ items: z.array(webhookSchemas.webhookSchema) }) },
  getWebhook: { status: '200', schema: webhookSchemas.webhookSchema },
  updateWebhook: { status: '200', schema: webhookSchemas.webhookSchema },
  deleteWebhook: {
    status: '204',
    description:
      "Removed: nothing is sent to it from then on. Another organisation's webhook is 404, as one that does not exist.",
  },
  rotateWebhookSecret: {
    status: '200',
    schema: webhookSchemas.rotatedSecretSchema,
    description:
      'The new signing secret, shown this once. The previous one keeps verifying until `previousSecretExpiresAt` (24 hours), and deliveries carry a signature with each until then. A retry with the same Idempotency-Key gets the 200 without the secret.',
  },
  listWebhookDeliveries: {
    status: '200',
    schema: webhookDeliverySchemas.webhookDeliveriesPageSchema,
    description:
      "The webhook's deliveries, newest first (`limit` 1-100, default 25; `cursor` from `nextCursor`): one per notification sent to it, with its status (DELIVERED, RETRYING, FAILED, SKIPPED), attempts, the time of the next attempt while retried, the endpoint's last HTTP status (`responseStatus`) and the `webhook-id` every attempt carried (`messageId`). Another organisation's webhook is 404.",
  },
  redeliverWebhookDelivery: {
    status: '202',
    schema: webhookDeliverySchemas.webhookDeliverySchema,
    description:
      "Accepted: the delivery is due at once and retried with back-off for 24 hours more, with the same `webhook-id` (a receiver that had it de-duplicates). 409 while the webhook is disabled (enable it with PATCH first) or the delivery is still being retried; 404 for an unknown webhook or delivery, or another organisation's.",
  },
  getAgreementDocument: {
    status: '200',
    mediaType: 'application/pdf',
    description:
      'The agreement as a PDF in bokmål (structure of seed agreement 003, the content hash on every page). The same content renders the same bytes; CreationDate is the latest signature time, or the creation time while unsigned. A content version the agreement does not have is 404 naming `version`.',
    headers: {
      ETag: { description: "The agreement record's version", schema: { type: 'string' } },
      'Content-Disposition': { description: 'inline; filename="<id>.pdf"', schema: { type: 'string' } },
    },
  },
};

const jsonSchema = (schema: z.ZodMiniType, io: 'input' | 'output') =>
  z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any' });

const problem = {
  description: 'Problem details (RFC 9457)',
  content: { 'application/problem+json': { schema: jsonSchema(schemas.problemSchema, 'output') } },
};

const errorStatuses = ['400', '401', '403', '404', '409', '412', '413', '415', '428'] as const;

/** Every POST takes an Idempotency-Key (IETF httpapi idempotency-key draft). */
const idempotencyKeyHeader = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'Makes a retry safe: the same key from the same organisation within 24 hours gets the first response again (with the header `Idempotent-Replayed: true`) without the work being done twice. 1-255 visible ASCII characters, e.g. a UUID. The same key on a different request is 422; while the first request is still running, 409.',
  schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7E]+$' },
};

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
    description: 'Personal data breach reports (rule 9)',
    matches: (path) => path.includes('/breaches'),
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

export function openApiDocument(settings: ClientSettings = clientSettings()) {
  const scopeName = (scope: Scope) => settings.scopeNames[scope];
  const paths: Record<string, Record<string, unknown>> = {};
  for (const fn of httpFunctions) {
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
          schema: jsonSchema(schema as z.ZodMiniType, 'input'),
        }))
      : [];
    const body = requestBodies[fn.id];
    const ok = responses[fn.id]!;
    paths[fn.path] ??= {};
    paths[fn.path]![fn.method.toLowerCase()] = {
      operationId: fn.id,
      summary: fn.summary,
      tags: [tagOf(fn.path)],
      ...(fn.scopes.length ? { security: [{ maskinporten: fn.scopes.map(scopeName) }] } : { security: [] }),
      parameters: [
        ...pathParams,
        ...queryParams,
        ...(ifMatchRoutes.has(fn.id)
          ? [{ name: 'If-Match', in: 'header', required: true, schema: { type: 'string' } }]
          : []),
        ...(fn.method === 'POST' ? [idempotencyKeyHeader] : []),
      ],
      ...(body
        ? {
            requestBody: {
              // Optional when an empty body is valid (submit, cancel, withdraw).
              required: !body.safeParse({}).success,
              content: { 'application/json': { schema: jsonSchema(body, 'input') } },
            },
          }
        : {}),
      responses: {
        [ok.status]:
          'mediaType' in ok
            ? {
                description: ok.description,
                headers: ok.headers,
                content: { [ok.mediaType]: { schema: { type: 'string', contentMediaType: ok.mediaType } } },
              }
            : 'schema' in ok
              ? {
                  description: ok.description ?? 'Success',
                  content: { 'application/json': { schema: jsonSchema(ok.schema, 'output') } },
                }
              : { description: ok.description },
        ...(fn.scopes.length ? Object.fromEntries(errorStatuses.map((status) => [status, problem])) : {}),
        // A public route whose credential is in its path: an address that opens nothing.
        ...(fn.id === 'getCalendarFeed' ? { '404': problem } : {}),
        ...(fn.method === 'POST' && fn.scopes.length
          ? {
              '422': {
                ...problem,
                description: 'The Idempotency-Key was already used for a different request',
              },
            }
          : {}),
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
    },
    components: {
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
