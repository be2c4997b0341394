import { describe, expect, it } from 'vitest';
import { httpFunctions } from '../../../functions/catalogue.ts';
import * as amendmentSchemas from '../../../functions/domain/amendments/schemas.ts';
import * as auditSchemas from '../../../functions/domain/audits/schemas.ts';
import * as breachSchemas from '../../../functions/domain/breach-schemas.ts';
import * as calendarFeedSchemas from '../../../functions/domain/calendar-feed/schemas.ts';
import * as requestSchemas from '../../../functions/domain/forwarded-requests/schemas.ts';
import * as instructionSchemas from '../../../functions/domain/instructions/schemas.ts';
import * as schemas from '../../../functions/domain/schemas.ts';
import * as subProcessorSchemas from '../../../functions/domain/sub-processor-schemas.ts';
import * as terminationSchemas from '../../../functions/domain/termination-schemas.ts';
import * as webhookSchemas from '../../../functions/domain/webhooks/schemas.ts';
import type * as z from '../../../functions/domain/zod.ts';
import { operationDocs } from '../../../functions/shared/operation-docs.ts';

/**
 * The request schema each route's handler validates its body with (the map `requestBodies` of
 * openapi.ts, written out here from the domain modules): a route with one takes a JSON body.
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
  decideBreach: breachSchemas.breachDecisionRequestSchema,
  addBreachUpdate: breachSchemas.breachUpdateRequestSchema,
  planAudit: auditSchemas.planAuditRequestSchema,
  submitAuditMaterial: auditSchemas.auditMaterialRequestSchema,
  recordAuditFinding: auditSchemas.auditFindingRequestSchema,
  closeAuditFinding: auditSchemas.findingClosureRequestSchema,
  closeAudit: auditSchemas.closeAuditRequestSchema,
  askBreachQuestion: breachSchemas.breachQuestionRequestSchema,
  answerBreachQuestion: breachSchemas.breachAnswerRequestSchema,
  giveInstruction: instructionSchemas.giveInstructionRequestSchema,
  acknowledgeInstruction: instructionSchemas.acknowledgeInstructionRequestSchema,
  objectToInstruction: instructionSchemas.objectInstructionRequestSchema,
  withdrawInstruction: instructionSchemas.withdrawInstructionRequestSchema,
  confirmInstruction: instructionSchemas.confirmInstructionRequestSchema,
  forwardRequest: requestSchemas.forwardRequestSchema,
  extendRequestDeadline: requestSchemas.extensionRequestSchema,
  addRequestTask: requestSchemas.taskRequestSchema,
  completeRequestTask: requestSchemas.taskDoneRequestSchema,
  recordRequestOutcome: requestSchemas.outcomeRequestSchema,
  createCalendarFeed: calendarFeedSchemas.createCalendarFeedSchema,
  createWebhook: webhookSchemas.createWebhookSchema,
  updateWebhook: webhookSchemas.updateWebhookSchema,
  rotateWebhookSecret: schemas.emptyBodySchema,
  redeliverWebhookDelivery: schemas.emptyBodySchema,
};

/** The routes that change an agreement's record under its version: `If-Match` required. */
const IF_MATCH_ROUTES = ['patchAgreement', 'putContact'];

const docOf = (id: string) => operationDocs[id]!;
const statusesOf = (id: string) => Object.keys(docOf(id).errors);
const isPublic = (fn: (typeof httpFunctions)[number]) => fn.scopes.length === 0;

describe('operation docs', () => {
  it('has an entry for every route of the catalogue, and none for a route it does not have', () => {
    const routeIds = httpFunctions.map((fn) => fn.id).sort();

    const documented = Object.keys(operationDocs).sort();

    expect(documented).toEqual(routeIds);
  });

  it('describes every operation', () => {
    for (const fn of httpFunctions) {
      expect(docOf(fn.id).description.trim(), fn.id).not.toBe('');
    }
  });

  it('gives every route with a request body an example its schema accepts', () => {
    for (const [id, schema] of Object.entries(requestBodies)) {
      const { requestExample } = docOf(id);

      const result = schema.safeParse(requestExample);

      expect(requestExample, id).toBeDefined();
      expect(result.success ? [] : result.error.issues, id).toEqual([]);
    }
  });

  it('gives no example to a route without a request body', () => {
    const withoutBody = httpFunctions.filter((fn) => !(fn.id in requestBodies));

    for (const fn of withoutBody) expect(docOf(fn.id).requestExample, fn.id).toBeUndefined();
  });

  it('lists 401 on every route that needs a token, and never on a public one', () => {
    for (const fn of httpFunctions) {
      expect(statusesOf(fn.id).includes('401'), fn.id).toBe(!isPublic(fn));
    }
  });

  it('lists 403 (a missing scope) on every route that needs a token, and never on a public one', () => {
    for (const fn of httpFunctions) {
      expect(statusesOf(fn.id).includes('403'), fn.id).toBe(!isPublic(fn));
    }
  });

  it('lists 413 and 415 exactly on the routes that parse a body', () => {
    for (const fn of httpFunctions) {
      const takesBody = fn.id in requestBodies;

      expect(statusesOf(fn.id).includes('413'), fn.id).toBe(takesBody);
      expect(statusesOf(fn.id).includes('415'), fn.id).toBe(takesBody);
    }
  });

  it('lists 422 and 409 on every POST (Idempotency-Key), and 422 on no other method', () => {
    for (const fn of httpFunctions) {
      const statuses = statusesOf(fn.id);

      expect(statuses.includes('422'), fn.id).toBe(fn.method === 'POST');
      if (fn.method === 'POST') expect(statuses, fn.id).toContain('409');
    }
  });

  it('lists 412 and 428 exactly on the routes that require If-Match', () => {
    for (const fn of httpFunctions) {
      const requiresIfMatch = IF_MATCH_ROUTES.includes(fn.id);

      expect(statusesOf(fn.id).includes('412'), fn.id).toBe(requiresIfMatch);
      expect(statusesOf(fn.id).includes('428'), fn.id).toBe(requiresIfMatch);
    }
  });

  it('gives every listed status a reason', () => {
    for (const fn of httpFunctions) {
      for (const [status, reason] of Object.entries(docOf(fn.id).errors)) {
        expect(reason?.trim(), `${fn.id} ${status}`).not.toBe('');
      }
    }
  });
});
