/**
 * The one list of functions: CDK deploys exactly these, and the local stack runs exactly these.
 * Entries are paths from the repository root; every module exports `handler`.
 */
import type { Scope } from './shared/deployment-settings.ts';

export type { Scope };

import type { WorkflowId } from './workflow-ids.ts';

export type { WorkflowId };

/**
 * `seals:sign` lets a function sign seals and manifests with the service key (rule 14) and read its
 * public key (for the `kid`); `seals:publish` lets it read the public keys, current and retired.
 * `start:<workflowId>` lets a function start that one workflow (and gives it the state machine's ARN);
 * `workflow:callback` lets it complete or fail a task by its token, whichever workflow waits on it.
 * `notifications:email` lets it send e-mail from the deployment's sender identity (rule 15).
 * `entries:probe` lets it ask, in one PartiQL statement, whether the `entriesByDay` index holds any entry
 * of given days (never a full-table scan).
 */
export type Permission =
  | 'agreements:read'
  | 'agreements:write'
  | `start:${WorkflowId}`
  | 'workflow:callback'
  | 'notifications:publish'
  | 'notifications:email'
  | 'seals:sign'
  | 'seals:publish'
  | 'entries:probe';

export interface HttpFunction {
  readonly id: string;
  readonly entry: string;
  readonly method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** API Gateway route path, `{name}` for path parameters. */
  readonly path: string;
  /** Scopes of which the token must carry at least one; none means the route is public. */
  readonly scopes: readonly Scope[];
  /** Why a public route (no scopes) may be called without a token: what guards what it serves. */
  readonly publicBecause?: string;
  readonly permissions: readonly Permission[];
  readonly summary: string;
}

export interface TaskFunction {
  readonly id: string;
  readonly entry: string;
  readonly permissions: readonly Permission[];
  readonly summary: string;
}

export interface Workflow {
  readonly id: WorkflowId;
  /** ASL file in JSONPath; `${<taskId>}` placeholders name the task functions it invokes. */
  readonly definition: string;
  readonly tasks: readonly string[];
  /** Environment variable through which functions learn the state machine's ARN. */
  readonly arnVariable: string;
}

const read: Scope[] = ['dpa:read', 'dpa:write'];
const write: Scope[] = ['dpa:write'];

export const httpFunctions: readonly HttpFunction[] = [
  {
    id: 'createAgreement',
    entry: 'functions/http/create-agreement.ts',
    method: 'POST',
    path: '/agreements',
    scopes: write,
    permissions: ['agreements:write'],
    summary: 'Create a draft agreement',
  },
  {
    id: 'listAgreements',
    entry: 'functions/http/list-agreements.ts',
    method: 'GET',
    path: '/agreements',
    scopes: read,
    permissions: ['agreements:read'],
    summary: "List agreements where the caller's organisation is a party",
  },
  {
    id: 'getAgreement',
    entry: 'functions/http/get-agreement.ts',
    method: 'GET',
    path: '/agreements/{id}',
    scopes: read,
    permissions: ['agreements:read', 'agreements:write'],
    summary: 'Read one agreement',
  },
  {
    id: 'getAgreementDocument',
    entry: 'functions/http/record/get-document.ts',
    method: 'GET',
    path: '/agreements/{id}/document',
    scopes: read,
    permissions: ['agreements:read', 'agreements:write'],
    summary:
      'The agreement as a PDF (bokmål, the content hash on every page); ?version=N for a content version',
  },
  {
    id: 'patchAgreement',
    entry: 'functions/http/patch-agreement.ts',
    method: 'PATCH',
    path: '/agreements/{id}',
    scopes: write,
    permissions: ['agreements:read', 'agreements:write'],
    summary: 'Edit a draft (If-Match required)',
  },
  {
    id: 'putContact',
    entry: 'functions/http/put-contact.ts',
    method: 'PUT',
    path: '/agreements/{id}/contacts/{party}',
    scopes: write,
    permissions: ['agreements:read', 'agreements:write', 'notifications:publish'],
    summary:
      "Replace the caller's own party's contact person (If-Match required; not part of the signed content)",
  },
  {
    id: 'proposeAmendment',
    entry: 'functions/http/amendments/propose.ts',
    method: 'POST',
    path: '/agreements/{id}/amendments',
    scopes: write,
    permissions: ['agreements:read', 'agreements:write', 'start:amendment', 'notifications:publish'],
    summary: 'Propose an amendment of an agreement in force or under notice, and start its workflow',
  },
  {
    id: 'listAmendments',
    entry: 'functions/http/amendments/list.ts',
    method: 'GET',
    path: '/agreements/{id}/amendments',
    scopes: read,
    permissions: ['agreements:read', 'agreements:write'],
    summary: 'Every amendment of the agreement, with its status and signatures',
  },
  {
    id: 'getAmendment',
    entry: 'functions/http/amendments/get.ts',
    method: 'GET',
    path: '/agreements/{id}/amendments/{amendmentId}',
    scopes: read,
    permissions: ['agreements:read', 'agreements:write'],
    summary: 'One amendment, with its status and signatures',
  },
  {
    id: 'signAmendment',
    entry: 'functions/http/amendments/sign.ts',
    method: 'POST',
    path: '/agreements/{id}/amendments/{amendmentId}/signatures',
    scopes: write,
    permissions: ['agreements:read', 'agreements:write', 'workflow:callback', 'notifications:publish'],
    summary: "Sign an amendment on behalf of the caller's party, naming the amended content's hash",
  },
  {
    id: 'withdrawAmendment',
    entry: 'functions/http/amendments/withdraw.ts',
    method: 'POST',
    path: '/agreements/{id}/amendments/{amendmentId}/withdraw',
    scopes: write,
    permissions: ['agreements:read', 'agreements:write', 'workflow:callback', 'notifications:publish'],
    summary: 'The proposer withdraws an amendment that awaits signatures',
  },
  {
    id: 'listVersions',
    entry: 'functions/http/amendments/versions.ts',
    method: 'GET',
    path: '/agreements/{id}/versions',
    scopes: read,
    permissions: ['agreements:read', 'agreements:write'],
    summary: 'Every content version: number, content hash, effective date, amendment, signatures',
  },
  {
    id: 'getVersion',
    entry: 'functions/http/amendments/version.ts',
    method: 'GET',
    path: '/agreements/{id}/versions/{n}',
    scopes: read,
    permissions: ['agreements:read', 'agreements:write'],
    summary: 'One content version, with its content',
  },
  {
    id: 'submitAgreement',
    entry: 'functions/http/submit-agreement.ts',
    method: 'POST',
    path: '/agreements/{id}/submit',
    scopes: write,
    permissions: ['agreements:read', 'agreements:write', 'start:signing', 'notifications:publish'],
    summary: 'Submit a draft for signature and start the signing workflow',
  },
  {
    id: 'signAgreement',
    entry: 'functions/http/sign-agreement.ts',
    method: 'POST',
    path: '/agreements/{id}/signatures',
    scopes: write,
    permissions: ['agreements:read', 'agreements:write', 'workflow:callback', 'notifications:publish'],
    summary: "Sign on behalf of the caller's party",
  },
  {
    id: 'cancelAgreement',
    entry: 'functions/http/cancel-agreement.ts',
    method: 'POST',
    path: '/agreements/{id}/cancel',
    scopes: write,
    permissions: ['agreements:read', 'agreements:write', 'workflow:callback', 'notifications:publish'],
    summary: 'Withdraw an agreement before it enters into force (creator only)',
  },
  {
    id: 'getHistory',
    entry: 'functions/http/get-history.ts',
    method: 'GET',
    path: '/agreements/{id}/history',
    scopes: read,
    permissions: ['agreements:read', 'agreements:write'],
    summary: 'Every state change and event, oldest first',
  },
  {
    id: 'getAuditLog',
    entry: 'functions/http/get-audit-log.ts',
    method: 'GET',
    path: '/agreements/{id}/audit-log',
    scopes: read,
    permissions: ['agreements:read', 'agreements:write'],
    summary: 'Every read and change: who, what, when',
  },
  {
    id: 'reportBreach',
    entry: 'functions/http/report-breach.ts',
    method: 'POST',
    path: '/agreements/{id}/breaches',
    scopes: write,
    permissions: ['agreements:read', 'agreements:write', 'start:breachDeadline', 'notifications:publish'],
    summary: 'Either party reports a personal data breach (avvik) to the other (rules 9 and 16)',
  },
  {
    id: 'addBreachUpdate',
    entry: 'functions/http/add-breach-update.ts',
    method: 'POST',
    path: '/agreements/{id}/breaches/{breachId}/updates',
    scopes: write,
    permissions: ['agreements:read', 'agreements:write', 'notifications:publish'],
    summary: 'The reporting party supplements its breach report: new facts, measures, corrections (rule 16)',
  },
  {
    id: 'askBreachQuestion',
    entry: 'functions/http/ask-breach-question.ts',
    method: 'POST',
    path: '/agreements/{id}/breaches/{breachId}/questions',
    scopes: write,
    permissions: ['agreements:read', 'agreements:write', 'notifications:publish'],
    summary: 'The party that received a breach report asks about it (rule 16)',
  },
  {
    id: 'answerBreachQuestion',
    entry: 'functions/http/answer-breach-question.ts',
    method: 'POST',
    path: '/agreements/{id}/breaches/{breachId}/questions/{question}/answer',
    scopes: write,
    permissions: ['agreements:read', 'agreements:write', 'notifications:publish'],
    summary: 'The reporting party answers a question about its breach report, once (rule 16)',
  },
  {
    id: 'decideBreach',
    entry: 'functions/http/decide-breach.ts',
    method: 'POST',
    path: '/agreements/{id}/breaches/{breachId}/decision',
    scopes: write,
    permissions: ['agreements:read', 'agreements:write', 'notifications:publish'],
    summary: 'The controller records whether it notified Datatilsynet and told the data subjects (rule 16)',
  },
  {
    id: 'planAudit',
    entry: 'functions/http/audits/plan-audit.ts',
    method: 'POST',
    path: '/agreements/{id}/audits',
    scopes: write,
    permissions: ['agreements:read', 'agreements:write', 'notifications:publish'],
    summary: 'The controller plans an oversight audit of the processor, once or recurring (rule 16)',
  },
  {
    id: 'listAudits',
    entry: 'functions/http/audits/list-audits.ts',
    method: 'GET',
    path: '/agreements/{id}/audits',
    scopes: read,
    permissions: ['agreements:read', 'agreements:write'],
    summary: 'Every oversight audit of the agreement, with its material and findings',
  },
  {
    id: 'getAudit',
    entry: 'functions/http/audits/get-audit.ts',
    method: 'GET',
    path: '/agreements/{id}/audits/{auditId}',
    scopes: read,
    permissions: ['agreements:read', 'agreements:write'],
    summary: 'One oversight audit, with its material and findings',
  },
  {
    id: 'submitAuditMaterial',
    entry: 'functions/http/audits/submit-audit-material.ts',
    method: 'POST',
    path: '/agreements/{id}/audits/{auditId}/material',
    scopes: write,
    permissions: ['agreements:read', 'agreements:write', 'notifications:publish'],
    summary:
      'The processor submits material for an oversight audit: documents, a third-party report (rule 16)',
  },
  {
    id: 'recordAuditFinding',
    entry: 'functions/http/audits/record-audit-finding.ts',
    method: 'POST',
    path: '/agreements/{id}/audits/{auditId}/findings',
    scopes: write,
    permissions: ['agreements:read', 'agreements:write', 'notifications:publish'],
    summary:
      'The controller records a finding of an oversight audit, with a deadline and who closes it (rule 16)',
  },
  {
    id: 'closeAuditFinding',
    entry: 'functions/http/audits/close-audit-finding.ts',
    method: 'POST',
    path: '/agreements/{id}/audits/{auditId}/findings/{findingId}/closure',
    scopes: write,
    permissions: ['agreements:read', 'agreements:write', 'notifications:publish'],
    summary: 'The party responsible for a finding records how it was closed (rule 16)',
  },
  {
    id: 'closeAudit',
    entry: 'functions/http/audits/close-audit.ts',
    method: 'POST',
    path: '/agreements/{id}/audits/{auditId}/close',
    scopes: write,
    permissions: ['agreements:read', 'agreements:write', 'notifications:publish'],
    summary: 'The controller closes an oversight audit; a recurring plan gets its next audit (rule 16)',
  },
  {
    id: 'listBreaches',
    entry: 'functions/http/list-breaches.ts',
    method: 'GET',
    path: '/agreements/{id}/breaches',
    scopes: read,
    permissions: ['agreements:read', 'agreements:write'],
    summary: 'Every breach reported under the agreement',
  },
  {
    id: 'getBreach',
    entry: 'functions/http/get-breach.ts',
    method: 'GET',
    path: '/agreements/{id}/breaches/{breachId}',
    scopes: read,
    permissions: ['agreements:read', 'agreements:write'],
    summary: 'One breach report',
  },
  {
    id: 'giveInstruction',
    entry: 'functions/http/instructions/give.ts',
    method: 'POST',
    path: '/agreements/{id}/instructions',
    scopes: write,
    permissions: ['agreements:read', 'agreements:write', 'notifications:publish'],
    summary: 'The controller gives the processor a documented instruction (rule 16, 003 §4 and §9)',
  },
  {
    id: 'listInstructions',
    entry: 'functions/http/instructions/list.ts',
    method: 'GET',
    path: '/agreements/{id}/instructions',
    scopes: read,
    permissions: ['agreements:read', 'agreements:write'],
    summary: "The controller's instructions under the agreement, in the order given",
  },
  {
    id: 'getInstruction',
    entry: 'functions/http/instructions/get.ts',
    method: 'GET',
    path: '/agreements/{id}/instructions/{instructionId}',
    scopes: read,
    permissions: ['agreements:read', 'agreements:write'],
    summary: 'One instruction',
  },
  {
    id: 'acknowledgeInstruction',
    entry: 'functions/http/instructions/acknowledge.ts',
    method: 'POST',
    path: '/agreements/{id}/instructions/{instructionId}/acknowledgement',
    scopes: write,
    permissions: ['agreements:read', 'agreements:write', 'notifications:publish'],
    summary: 'The processor acknowledges an instruction (rule 16)',
  },
  {
    id: 'objectToInstruction',
    entry: 'functions/http/instructions/object.ts',
    method: 'POST',
    path: '/agreements/{id}/instructions/{instructionId}/objection',
    scopes: write,
    permissions: ['agreements:read', 'agreements:write', 'notifications:publish'],
    summary: 'The processor objects that an instruction would break the law; it is held (rule 16, 003 §4)',
  },
  {
    id: 'withdrawInstruction',
    entry: 'functions/http/instructions/withdraw.ts',
    method: 'POST',
    path: '/agreements/{id}/instructions/{instructionId}/withdrawal',
    scopes: write,
    permissions: ['agreements:read', 'agreements:write', 'notifications:publish'],
    summary: 'The controller withdraws an instruction not in effect (rule 16)',
  },
  {
    id: 'confirmInstruction',
    entry: 'functions/http/instructions/confirm.ts',
    method: 'POST',
    path: '/agreements/{id}/instructions/{instructionId}/confirmation',
    scopes: write,
    permissions: ['agreements:read', 'agreements:write', 'notifications:publish'],
    summary: 'The controller upholds an instruction objected to, with its reasons (rule 16)',
  },
  {
    id: 'forwardRequest',
    entry: 'functions/http/forwarded-requests/forward.ts',
    method: 'POST',
    path: '/agreements/{id}/requests',
    scopes: write,
    permissions: ['agreements:read', 'agreements:write', 'notifications:publish'],
    summary: "The processor forwards a data subject's or Datatilsynet's request to the controller (rule 16)",
  },
  {
    id: 'listForwardedRequests',
    entry: 'functions/http/forwarded-requests/list.ts',
    method: 'GET',
    path: '/agreements/{id}/requests',
    scopes: read,
    permissions: ['agreements:read', 'agreements:write'],
    summary: 'Every request forwarded under the agreement, with deadlines, outcomes and tasks',
  },
  {
    id: 'getForwardedRequest',
    entry: 'functions/http/forwarded-requests/get.ts',
    method: 'GET',
    path: '/agreements/{id}/requests/{requestId}',
    scopes: read,
    permissions: ['agreements:read', 'agreements:write'],
    summary: 'One forwarded request with its tasks',
  },
  {
    id: 'extendRequestDeadline',
    entry: 'functions/http/forwarded-requests/extend.ts',
    method: 'POST',
    path: '/agreements/{id}/requests/{requestId}/extension',
    scopes: write,
    permissions: ['agreements:read', 'agreements:write', 'notifications:publish'],
    summary: "The controller extends a data subject's deadline by up to two months, once (GDPR Art. 12(3))",
  },
  {
    id: 'addRequestTask',
    entry: 'functions/http/forwarded-requests/add-task.ts',
    method: 'POST',
    path: '/agreements/{id}/requests/{requestId}/tasks',
    scopes: write,
    permissions: ['agreements:read', 'agreements:write', 'notifications:publish'],
    summary: 'The controller asks the processor for assistance with a forwarded request (rule 16)',
  },
  {
    id: 'completeRequestTask',
    entry: 'functions/http/forwarded-requests/complete-task.ts',
    method: 'POST',
    path: '/agreements/{id}/requests/{requestId}/tasks/{taskId}/done',
    scopes: write,
    permissions: ['agreements:read', 'agreements:write', 'notifications:publish'],
    summary: 'The processor marks an assistance task done (rule 16)',
  },
  {
    id: 'recordRequestOutcome',
    entry: 'functions/http/forwarded-requests/record-outcome.ts',
    method: 'POST',
    path: '/agreements/{id}/requests/{requestId}/outcome',
    scopes: write,
    permissions: ['agreements:read', 'agreements:write', 'notifications:publish'],
    summary: 'The controller records how it answered a forwarded request, once (rule 16)',
  },
  {
    id: 'listNotifications',
    entry: 'functions/http/list-notifications.ts',
    method: 'GET',
    path: '/notifications',
    scopes: read,
    permissions: ['agreements:read'],
    summary: "Notifications addressed to the caller's organisation",
  },
  {
    id: 'createCalendarFeed',
    entry: 'functions/http/calendar/create-feed.ts',
    method: 'POST',
    path: '/calendar-feeds',
    scopes: write,
    permissions: ['agreements:read', 'agreements:write'],
    summary:
      "A secret calendar feed (iCalendar) of the deadlines of the caller's organisation's agreements; its address is shown once",
  },
  {
    id: 'listCalendarFeeds',
    entry: 'functions/http/calendar/list-feeds.ts',
    method: 'GET',
    path: '/calendar-feeds',
    scopes: read,
    permissions: ['agreements:read'],
    summary: "The calendar feeds of the caller's organisation (without their secret addresses)",
  },
  {
    id: 'deleteCalendarFeed',
    entry: 'functions/http/calendar/delete-feed.ts',
    method: 'DELETE',
    path: '/calendar-feeds/{id}',
    scopes: write,
    permissions: ['agreements:read', 'agreements:write'],
    summary: "Revoke a calendar feed of the caller's organisation: its address answers 404 from then on",
  },
  {
    id: 'getCalendarFeed',
    entry: 'functions/http/calendar/get-feed.ts',
    method: 'GET',
    // `{file}` is `<token>.ics`: API Gateway takes a path variable only as a whole segment.
    path: '/calendar/{file}',
    scopes: [],
    publicBecause:
      'calendar clients cannot send a bearer token: the address holds a 256-bit secret (stored only hashed, revocable), and the feed lists only the deadlines of that one organisation',
    permissions: ['agreements:read'],
    summary:
      'The deadline calendar (text/calendar) at its secret address `/calendar/<token>.ics`; the token is the credential',
  },
  {
    id: 'createWebhook',
    entry: 'functions/http/webhooks/create.ts',
    method: 'POST',
    path: '/webhooks',
    scopes: write,
    permissions: ['agreements:read', 'agreements:write'],
    summary:
      "Register a webhook endpoint (https, public address) for the caller's organisation; its signing secret is shown once",
  },
  {
    id: 'listWebhooks',
    entry: 'functions/http/webhooks/list.ts',
    method: 'GET',
    path: '/webhooks',
    scopes: read,
    permissions: ['agreements:read'],
    summary: "The webhook endpoints of the caller's organisation, newest first (without their secrets)",
  },
  {
    id: 'getWebhook',
    entry: 'functions/http/webhooks/get.ts',
    method: 'GET',
    path: '/webhooks/{id}',
    scopes: read,
    permissions: ['agreements:read'],
    summary: "One webhook endpoint of the caller's organisation (without its secrets)",
  },
  {
    id: 'updateWebhook',
    entry: 'functions/http/webhooks/update.ts',
    method: 'PATCH',
    path: '/webhooks/{id}',
    scopes: write,
    permissions: ['agreements:read', 'agreements:write'],
    summary: "Change a webhook's events, description or enabled; enabling clears why it was disabled",
  },
  {
    id: 'deleteWebhook',
    entry: 'functions/http/webhooks/delete.ts',
    method: 'DELETE',
    path: '/webhooks/{id}',
    scopes: write,
    permissions: ['agreements:read', 'agreements:write'],
    summary: "Remove a webhook endpoint of the caller's organisation: nothing is sent to it from then on",
  },
  {
    id: 'rotateWebhookSecret',
    entry: 'functions/http/webhooks/rotate-secret.ts',
    method: 'POST',
    path: '/webhooks/{id}/rotate-secret',
    scopes: write,
    permissions: ['agreements:read', 'agreements:write'],
    summary: 'A new signing secret for a webhook, shown once; the previous one keeps signing for 24 hours',
  },
  {
    id: 'listWebhookDeliveries',
    entry: 'functions/http/webhooks/list-deliveries.ts',
    method: 'GET',
    path: '/webhooks/{id}/deliveries',
    scopes: read,
    permissions: ['agreements:read'],
    summary:
      "A webhook's deliveries, newest first (paged): status, attempts and the endpoint's last HTTP status",
  },
  {
    id: 'redeliverWebhookDelivery',
    entry: 'functions/http/webhooks/redeliver.ts',
    method: 'POST',
    path: '/webhooks/{id}/deliveries/{deliveryId}/redeliver',
    scopes: write,
    permissions: ['agreements:read', 'agreements:write', 'start:notificationDelivery'],
    summary: 'Send a delivery again (same webhook-id), due at once and retried for 24 hours more',
  },
  {
    id: 'getEvidence',
    entry: 'functions/http/record/get-evidence.ts',
    method: 'GET',
    path: '/agreements/{id}/evidence',
    scopes: read,
    permissions: ['agreements:read', 'agreements:write', 'notifications:publish', 'seals:sign'],
    summary:
      'The evidence pack (application/zip, docs/evidence-format.md): every version, signature, decision, log and seal, with a signed manifest',
  },
  {
    id: 'getJwks',
    entry: 'functions/http/record/get-jwks.ts',
    method: 'GET',
    path: '/.well-known/jwks.json',
    scopes: [],
    publicBecause:
      'it serves the public keys that verify seals and manifests, which anyone holding an evidence pack must be able to fetch; it touches no agreement',
    permissions: ['seals:publish'],
    summary: 'The public keys of seals and evidence manifests (current and retired)',
  },
  {
    id: 'getOpenApi',
    entry: 'functions/http/get-openapi.ts',
    method: 'GET',
    path: '/openapi.json',
    scopes: [],
    publicBecause: 'it serves the API description, a static document; it touches no data',
    permissions: [],
    summary: 'The OpenAPI 3.1 document of this API',
  },
  {
    id: 'terminationNotice',
    entry: 'functions/http/give-termination-notice.ts',
    method: 'POST',
    path: '/agreements/{id}/termination-notice',
    scopes: write,
    permissions: ['agreements:read', 'agreements:write', 'start:termination', 'notifications:publish'],
    summary: 'Give notice on an agreement in force (either party); starts the termination workflow',
  },
  {
    id: 'chooseDataDisposition',
    entry: 'functions/http/choose-data-disposition.ts',
    method: 'POST',
    path: '/agreements/{id}/data-disposition',
    scopes: write,
    permissions: ['agreements:read', 'agreements:write', 'workflow:callback', 'notifications:publish'],
    summary: 'Choose return or deletion of the data (controller, from the notice on)',
  },
  {
    id: 'attestDataDisposition',
    entry: 'functions/http/attest-data-disposition.ts',
    method: 'POST',
    path: '/agreements/{id}/data-disposition/attestation',
    scopes: write,
    permissions: ['agreements:read', 'agreements:write', 'workflow:callback', 'notifications:publish'],
    summary: 'Attest in writing that the data were returned or deleted (processor, after termination)',
  },
  {
    id: 'requestSubProcessor',
    entry: 'functions/http/request-sub-processor.ts',
    method: 'POST',
    path: '/agreements/{id}/sub-processors',
    scopes: write,
    permissions: [
      'agreements:read',
      'agreements:write',
      'start:subProcessorApproval',
      'notifications:publish',
    ],
    summary: 'Ask the controller to approve a sub-processor (processor); starts the approval workflow',
  },
  {
    id: 'listSubProcessors',
    entry: 'functions/http/list-sub-processors.ts',
    method: 'GET',
    path: '/agreements/{id}/sub-processors',
    scopes: read,
    permissions: ['agreements:read', 'agreements:write'],
    summary:
      'All sub-processor requests; ?status=APPROVED&on=YYYY-MM-DD gives Vedlegg 3 as it stood that day',
  },
  {
    id: 'getSubProcessor',
    entry: 'functions/http/get-sub-processor.ts',
    method: 'GET',
    path: '/agreements/{id}/sub-processors/{subId}',
    scopes: read,
    permissions: ['agreements:read', 'agreements:write'],
    summary: 'One sub-processor request with its state and decision',
  },
  {
    id: 'decideSubProcessor',
    entry: 'functions/http/decide-sub-processor.ts',
    method: 'POST',
    path: '/agreements/{id}/sub-processors/{subId}/decision',
    scopes: write,
    permissions: ['agreements:read', 'agreements:write', 'workflow:callback', 'notifications:publish'],
    summary: 'Approve or reject a sub-processor in writing (controller), once, within 30 days',
  },
  {
    id: 'withdrawSubProcessor',
    entry: 'functions/http/withdraw-sub-processor.ts',
    method: 'POST',
    path: '/agreements/{id}/sub-processors/{subId}/withdraw',
    scopes: write,
    permissions: ['agreements:read', 'agreements:write', 'workflow:callback', 'notifications:publish'],
    summary: 'Withdraw a pending request, or stop using an approved sub-processor (processor)',
  },
  {
    id: 'getProcessingAuthorization',
    entry: 'functions/http/get-processing-authorization.ts',
    method: 'GET',
    path: '/agreements/{id}/processing-authorization',
    scopes: read,
    permissions: ['agreements:read', 'agreements:write'],
    summary: 'May this sub-processor process data now? {authorized, reasons}; every question is logged',
  },
];

export const taskFunctions: readonly TaskFunction[] = [
  {
    id: 'prepareSigning',
    entry: 'functions/tasks/prepare-signing.ts',
    permissions: ['agreements:read'],
    summary: 'Seconds left until the signature deadline (recomputed when a workflow resumes)',
  },
  {
    id: 'awaitSignature',
    entry: 'functions/tasks/await-signature.ts',
    permissions: ['agreements:read', 'agreements:write', 'workflow:callback'],
    summary: "Registers the workflow's task token for one party's signature",
  },
  {
    id: 'activateAgreement',
    entry: 'functions/tasks/activate-agreement.ts',
    permissions: ['agreements:read', 'agreements:write', 'notifications:publish'],
    summary: 'Confirms IN_FORCE once both have signed and notifies both parties',
  },
  {
    id: 'expireAgreement',
    entry: 'functions/tasks/expire-agreement.ts',
    permissions: ['agreements:read', 'agreements:write', 'notifications:publish'],
    summary: 'Marks the agreement EXPIRED when the signature deadline passes',
  },
  {
    id: 'breachDeadlineStep',
    entry: 'functions/tasks/breach-deadline-step.ts',
    permissions: ['agreements:read', 'agreements:write', 'notifications:publish'],
    summary: "One mark of a breach's 72 hours: a reminder, the escalation, or DEADLINE_PASSED (rule 16)",
  },
  {
    id: 'recordWorkflowFailure',
    entry: 'functions/tasks/record-workflow-failure.ts',
    permissions: ['agreements:read', 'agreements:write'],
    summary: "Puts a workflow's failure into the agreement's history",
  },
  {
    id: 'sendReminders',
    entry: 'functions/tasks/send-reminders.ts',
    permissions: ['agreements:read', 'agreements:write', 'notifications:publish'],
    summary: 'The daily run (07:00 Europe/Oslo): sends every due reminder once',
  },
  {
    id: 'sealLogs',
    entry: 'functions/tasks/seal-logs.ts',
    permissions: [
      'agreements:read',
      'entries:probe',
      'agreements:write',
      'notifications:publish',
      'seals:sign',
    ],
    summary: 'The daily seal run (01:30 Europe/Oslo): seals every history and audit entry written since',
  },
  {
    id: 'prepareTermination',
    entry: 'functions/tasks/prepare-termination.ts',
    permissions: ['agreements:read'],
    summary: 'Status, and the instant terminatesOn ends in Oslo (recomputed when a workflow resumes)',
  },
  {
    id: 'terminateAgreement',
    entry: 'functions/tasks/terminate-agreement.ts',
    permissions: ['agreements:read', 'agreements:write', 'notifications:publish', 'workflow:callback'],
    summary:
      "NOTICE_PERIOD -> TERMINATED when terminatesOn has ended; puts the weekly reminders and registers the wait for the controller's choice",
  },
  {
    id: 'awaitDisposition',
    entry: 'functions/tasks/await-disposition.ts',
    permissions: ['agreements:read', 'agreements:write', 'workflow:callback'],
    summary:
      "Registers the workflow's task token for the controller's choice again after an escalation round",
  },
  {
    id: 'awaitAttestation',
    entry: 'functions/tasks/await-attestation.ts',
    permissions: ['agreements:read', 'agreements:write', 'workflow:callback'],
    summary: "Registers the workflow's task token for the processor's attestation",
  },
  {
    id: 'escalateDisposition',
    entry: 'functions/tasks/escalate-disposition.ts',
    permissions: ['agreements:read', 'agreements:write', 'notifications:publish'],
    summary: 'Tells both parties that the choice or the attestation is overdue (once per round)',
  },
  {
    id: 'prepareSubProcessorDecision',
    entry: 'functions/tasks/prepare-sub-processor-decision.ts',
    permissions: ['agreements:read'],
    summary: "Seconds left until a request's decision deadline (recomputed when a workflow resumes)",
  },
  {
    id: 'awaitSubProcessorDecision',
    entry: 'functions/tasks/await-sub-processor-decision.ts',
    permissions: ['agreements:read', 'agreements:write', 'workflow:callback'],
    summary: "Registers the approval workflow's task token for the controller's decision",
  },
  {
    id: 'expireSubProcessorRequest',
    entry: 'functions/tasks/expire-sub-processor-request.ts',
    permissions: ['agreements:read', 'agreements:write', 'notifications:publish'],
    summary: 'Marks a request EXPIRED when 30 days pass without a decision (silence is never approval)',
  },
  {
    id: 'notifySubProcessorOutcome',
    entry: 'functions/tasks/notify-sub-processor-outcome.ts',
    permissions: ['agreements:read', 'agreements:write', 'notifications:publish'],
    summary: 'Tells the parties the outcome of a sub-processor request, exactly once',
  },
  {
    id: 'prepareAmendment',
    entry: 'functions/tasks/amendments/prepare.ts',
    permissions: ['agreements:read'],
    summary: "An amendment's status, seconds left until its deadline, and when it takes effect",
  },
  {
    id: 'awaitAmendmentSignatures',
    entry: 'functions/tasks/amendments/await-signatures.ts',
    permissions: ['agreements:read', 'agreements:write', 'workflow:callback'],
    summary: "Registers the amendment workflow's task token for the second signature",
  },
  {
    id: 'expireAmendment',
    entry: 'functions/tasks/amendments/expire.ts',
    permissions: ['agreements:read', 'agreements:write', 'notifications:publish'],
    summary: 'Marks an amendment EXPIRED when its deadline passes without both signatures',
  },
  {
    id: 'applyAmendment',
    entry: 'functions/tasks/amendments/apply.ts',
    permissions: ['agreements:read', 'agreements:write', 'notifications:publish'],
    summary: 'A signed amendment takes effect on its date: the amended content becomes the next version',
  },
  {
    id: 'deliverNotifications',
    entry: 'functions/tasks/delivery/deliver-notifications.ts',
    permissions: ['agreements:read', 'agreements:write', 'notifications:email', 'start:notificationDelivery'],
    summary:
      "Fed by the table's stream: e-mails each new notification to the recipient party's contact person; hands failed sends to the delivery workflow",
  },
  {
    id: 'retryDelivery',
    entry: 'functions/tasks/delivery/retry-delivery.ts',
    permissions: ['agreements:read', 'agreements:write', 'notifications:email'],
    summary: 'One retry of a failed e-mail, with the next time to try or done',
  },
  {
    id: 'deliverWebhooks',
    entry: 'functions/tasks/delivery/deliver-webhooks.ts',
    permissions: [
      'agreements:read',
      'agreements:write',
      'notifications:publish',
      'start:notificationDelivery',
    ],
    summary:
      "Fed by the table's stream: sends each new notification, signed, to its organisation's webhook endpoints; hands failed ones to the delivery workflow",
  },
  {
    id: 'retryWebhookDelivery',
    entry: 'functions/tasks/delivery/retry-webhook-delivery.ts',
    permissions: ['agreements:read', 'agreements:write', 'notifications:publish'],
    summary: 'One retry of a failed webhook delivery, with the next time to try or done',
  },
];

export const workflows: readonly Workflow[] = [
  {
    id: 'notificationDelivery',
    definition: 'workflows/notification-delivery.asl.json',
    tasks: ['retryDelivery', 'retryWebhookDelivery'],
    arnVariable: 'NOTIFICATION_DELIVERY_STATE_MACHINE_ARN',
  },
  {
    id: 'signing',
    definition: 'workflows/signing.asl.json',
    tasks: [
      'prepareSigning',
      'awaitSignature',
      'activateAgreement',
      'expireAgreement',
      'recordWorkflowFailure',
    ],
    arnVariable: 'SIGNING_STATE_MACHINE_ARN',
  },
  {
    id: 'termination',
    definition: 'workflows/termination.asl.json',
    tasks: [
      'prepareTermination',
      'terminateAgreement',
      'awaitDisposition',
      'awaitAttestation',
      'escalateDisposition',
      'recordWorkflowFailure',
    ],
    arnVariable: 'TERMINATION_STATE_MACHINE_ARN',
  },
  {
    id: 'subProcessorApproval',
    definition: 'workflows/sub-processor-approval.asl.json',
    tasks: [
      'prepareSubProcessorDecision',
      'awaitSubProcessorDecision',
      'expireSubProcessorRequest',
      'notifySubProcessorOutcome',
      'recordWorkflowFailure',
    ],
    arnVariable: 'SUB_PROCESSOR_APPROVAL_STATE_MACHINE_ARN',
  },
  {
    id: 'breachDeadline',
    definition: 'workflows/breach-deadline.asl.json',
    tasks: ['breachDeadlineStep', 'recordWorkflowFailure'],
    arnVariable: 'BREACH_DEADLINE_STATE_MACHINE_ARN',
  },
  {
    id: 'amendment',
    definition: 'workflows/amendment.asl.json',
    tasks: [
      'prepareAmendment',
      'awaitAmendmentSignatures',
      'expireAmendment',
      'applyAmendment',
      'recordWorkflowFailure',
    ],
    arnVariable: 'AMENDMENT_STATE_MACHINE_ARN',
  },
];

/** A task run once a day at a wall-clock time (EventBridge Scheduler on AWS, the virtual clock locally). */
export interface DailyRun {
  readonly id: string;
  readonly taskId: string;
  readonly hour: number;
  readonly minute: number;
  readonly timeZone: 'Europe/Oslo';
  readonly description: string;
}

/** The daily reminder run, 07:00 in Oslo. */
export const reminderSchedule = {
  id: 'ReminderSchedule',
  taskId: 'sendReminders',
  hour: 7,
  minute: 0,
  timeZone: 'Europe/Oslo',
  description: 'Daily reminder run: sends every due reminder once',
} as const satisfies DailyRun;

/** The daily seal run, 01:30 in Oslo: before the working day, so a day's entries are sealed by the next. */
export const sealSchedule = {
  id: 'SealSchedule',
  taskId: 'sealLogs',
  hour: 1,
  minute: 30,
  timeZone: 'Europe/Oslo',
  description: 'Daily seal run: seals the history and audit entries written since the last run',
} as const satisfies DailyRun;

export const dailyRuns: readonly DailyRun[] = [reminderSchedule, sealSchedule];

/**
 * A function fed by the table's stream: on AWS an event source mapping with this filter (and a
 * dead-letter queue); on the local stack a poller of DynamoDB Local's stream applying the same filter.
 */
export interface StreamConsumer {
  readonly id: string;
  readonly taskId: string;
  /** An event filter pattern (Lambda's filter criteria), matched against each stream record. */
  readonly filter: Readonly<Record<string, unknown>>;
  readonly batchSize: number;
}

/** Every notification written: what both delivery functions are fed. */
const NEW_NOTIFICATIONS = {
  eventName: ['INSERT'],
  dynamodb: { NewImage: { entity: { S: ['notification'] } } },
} as const;

/** Rule 15: every notification written goes to the e-mail delivery function... */
export const emailDelivery = {
  id: 'EmailDelivery',
  taskId: 'deliverNotifications',
  filter: NEW_NOTIFICATIONS,
  batchSize: 50,
} as const satisfies StreamConsumer;

/**
 * ...and to the webhook delivery function, on a stream position of its own: an endpoint that answers
 * slowly never holds up the e-mail, and neither function carries the other's SDK and code.
 */
export const webhookDelivery = {
  id: 'WebhookDelivery',
  taskId: 'deliverWebhooks',
  filter: NEW_NOTIFICATIONS,
  batchSize: 20,
} as const satisfies StreamConsumer;

export const streamConsumers: readonly StreamConsumer[] = [emailDelivery, webhookDelivery];
