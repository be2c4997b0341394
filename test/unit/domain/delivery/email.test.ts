import { readdirSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  EMAIL_TEMPLATE_TYPES,
  type EmailContext,
  isEmailed,
  MACHINE_EVENT_TYPES,
  renderEmail,
} from '../../../../functions/domain/delivery/email.ts';
import { osloTime } from '../../../../functions/domain/delivery/email-message.ts';
import type { Notification, PartyRole } from '../../../../functions/domain/schemas.ts';
import { subProcessorStatusSchema } from '../../../../functions/domain/schemas.ts';
import { TERMINATION_REMINDER_RULES } from '../../../../functions/domain/termination-reminders.ts';
import { fromRepoRoot, repoRoot } from '../../../../infra/paths.ts';
import { AGREEMENT_ID, CONTROLLER_ORG, PROCESSOR_ORG } from '../agreement-fixture.ts';

const API = 'https://api.example.no';
const TITLE = 'Databehandleravtale for digital aktivitetsplan (KVP)';
const AMENDMENT_ID = '7a0d3c5e-1f2b-4c3d-8e9f-0a1b2c3d4e5f';
const SUB_ID = '9b8c7d6e-5f4a-4b3c-9d2e-1f0a9b8c7d6e';
const BREACH_ID = '2c4e6a8b-0d1f-4a3c-8e5b-7d9f1a3c5e7b';
const OVERSIGHT_ID = '7d0f5b8e-2c4a-4f1e-9b3d-6a5c4e3f2a10';
const INSTRUCTION_ID = '5b7d9f1a-3c5e-4a7b-9d1f-2c4e6a8b0d1f';
const REQUEST_ID = '5e7a9c1b-3d5f-4b7a-9c1e-3f5a7b9d1c3e';
const HASH = `sha256:${'ab12'.repeat(16)}`;
/** A made-up 11-digit national identity number (fødselsnummer), as a careless producer might pass on. */
const FNR = '24048512345';

const CONTACTS: Record<PartyRole, { name: string; email: string }> = {
  controller: { name: 'Kari Nordmann', email: 'kari@example.kommune.no' },
  processor: { name: 'Ola Nordmann', email: 'ola@example.no' },
};

function notification(type: string, role: PartyRole, details?: Record<string, unknown>): Notification {
  return {
    id: `${type}:${AGREEMENT_ID}:key`,
    at: '2027-03-01T08:00:00.000Z',
    type,
    recipientOrgNumber: role === 'controller' ? CONTROLLER_ORG : PROCESSOR_ORG,
    agreementId: AGREEMENT_ID,
    subject: `Something happened: ${TITLE}`,
    ...(details ? { details } : {}),
  };
}

function context(
  type: string,
  role: PartyRole,
  details?: Record<string, unknown>,
  overrides: Partial<EmailContext['agreement']> = {},
): EmailContext {
  return {
    notification: notification(type, role, details),
    agreement: {
      id: AGREEMENT_ID,
      title: TITLE,
      controller: { orgNumber: CONTROLLER_ORG, name: 'Radøy kommune' },
      processor: { orgNumber: PROCESSOR_ORG, name: 'Arbeids- og velferdsetaten' },
      ...overrides,
    },
    recipientRole: role,
    contact: CONTACTS[role],
    apiBaseUrl: API,
  };
}

const render = (type: string, role: PartyRole, details?: Record<string, unknown>) =>
  renderEmail(context(type, role, details));

const agreementUrl = (suffix = '') => `${API}/agreements/${AGREEMENT_ID}${suffix}`;

/**
 * The details each type carries, as its producer builds them today (the file named beside each), and
 * the parties it goes to.
 */
const INSTRUCTION = {
  instructionId: INSTRUCTION_ID,
  number: 3,
  topic: 'THIRD_COUNTRY_TRANSFER',
  title: 'Ingen overføring til tredjeland',
  effectiveFrom: '2027-01-01',
};

const SAMPLES: Record<string, { recipients: PartyRole[]; details?: Record<string, unknown> }> = {
  // functions/http/submit-agreement.ts
  'agreement.awaiting-signatures': {
    recipients: ['controller', 'processor'],
    details: { signatureDeadline: '2027-03-31', contentHash: HASH },
  },
  // functions/http/sign-agreement.ts
  'agreement.signed': {
    recipients: ['controller', 'processor'],
    details: {
      party: 'processor',
      signedOn: '2027-03-01',
      status: 'AWAITING_SIGNATURES',
      signatureDeadline: '2027-03-31',
    },
  },
  // functions/tasks/activate-agreement.ts
  'agreement.in-force': { recipients: ['controller', 'processor'], details: { effectiveFrom: '2027-03-02' } },
  // functions/http/cancel-agreement.ts
  'agreement.cancelled': {
    recipients: ['controller', 'processor'],
    details: { cancelledBy: 'controller', reason: 'Feil avtalemal' },
  },
  // functions/tasks/signature-expiry.ts
  'agreement.expired': {
    recipients: ['controller', 'processor'],
    details: { signatureDeadline: '2027-03-31' },
  },
  // functions/domain/reminders.ts
  'reminder.signature-missing': {
    recipients: ['processor'],
    details: { signatureDeadline: '2027-03-31', missing: ['processor'] },
  },
  // functions/domain/contacts.ts
  'contact.changed': {
    recipients: ['controller'],
    details: {
      party: 'processor',
      contact: { name: 'Per Hansen', email: 'per@example.no', phone: '+4791234567' },
    },
  },
  // functions/http/give-termination-notice.ts
  'agreement.termination-notice': {
    recipients: ['controller', 'processor'],
    details: { givenBy: 'processor', givenOn: '2026-11-30', terminatesOn: '2027-02-28' },
  },
  // functions/tasks/termination-due.ts
  'agreement.terminated': {
    recipients: ['controller', 'processor'],
    details: { terminatesOn: '2027-02-28', dataDisposition: 'DELETE' },
  },
  // functions/http/choose-data-disposition.ts
  'agreement.data-disposition-chosen': {
    recipients: ['controller', 'processor'],
    details: { method: 'RETURN', chosenOn: '2027-01-10' },
  },
  // functions/http/attest-data-disposition.ts
  'agreement.data-disposition-attested': {
    recipients: ['controller', 'processor'],
    details: {
      method: 'DELETE',
      completedOn: '2027-03-05',
      retainedUnderLaw: { legalBasis: 'Bokføringsloven § 13', reviewOn: '2032-03-05' },
    },
  },
  'agreement.retained-under-law': {
    recipients: ['controller', 'processor'],
    details: { legalBasis: 'Bokføringsloven § 13', reviewOn: '2032-03-05' },
  },
  'agreement.closed': { recipients: ['controller', 'processor'] },
  // functions/domain/termination-reminders.ts
  'reminder.termination-ahead-30': {
    recipients: ['controller', 'processor'],
    details: { terminatesOn: '2027-07-31', daysAhead: 30 },
  },
  'reminder.termination-ahead-7': {
    recipients: ['controller', 'processor'],
    details: { terminatesOn: '2027-02-28', daysAhead: 7 },
  },
  'reminder.disposition-missing': { recipients: ['controller'], details: { terminatesOn: '2027-02-28' } },
  'reminder.attestation-missing': {
    recipients: ['processor'],
    details: { method: 'DELETE', chosenOn: '2027-03-09', terminatesOn: '2027-02-28' },
  },
  'reminder.retention-review': {
    recipients: ['processor'],
    details: { legalBasis: 'Bokføringsloven § 13', reviewOn: '2032-03-05' },
  },
  // functions/tasks/escalate-disposition.ts
  'escalation.disposition-overdue': {
    recipients: ['controller', 'processor'],
    details: { step: 'disposition', round: 1, lastRound: 3, terminatesOn: '2027-02-28', handedOver: false },
  },
  'escalation.attestation-overdue': {
    recipients: ['controller', 'processor'],
    details: {
      step: 'attestation',
      round: 3,
      lastRound: 3,
      terminatesOn: '2027-02-28',
      handedOver: true,
      method: 'DELETE',
      chosenOn: '2027-01-10',
    },
  },
  // functions/domain/amendments/rules.ts
  'amendment.proposed': {
    recipients: ['controller', 'processor'],
    details: {
      amendmentId: AMENDMENT_ID,
      number: 2,
      proposedBy: 'controller',
      changes: ['securityMeasures', 'noticePeriodMonths'],
      contentHash: HASH,
      signatureDeadline: '2027-06-30',
    },
  },
  // functions/http/amendments/sign.ts
  'amendment.signed': {
    recipients: ['controller', 'processor'],
    details: {
      amendmentId: AMENDMENT_ID,
      number: 2,
      party: 'controller',
      status: 'AWAITING_SIGNATURES',
      signedOn: '2027-06-01',
      contentHash: HASH,
      signatureDeadline: '2027-06-30',
    },
  },
  'amendment.in-force': {
    recipients: ['controller', 'processor'],
    details: {
      amendmentId: AMENDMENT_ID,
      number: 2,
      version: 3,
      contentHash: HASH,
      effectiveFrom: '2027-07-01',
    },
  },
  'amendment.withdrawn': {
    recipients: ['controller', 'processor'],
    details: { amendmentId: AMENDMENT_ID, number: 2, withdrawnBy: 'controller', reason: 'Feil vedlegg' },
  },
  'amendment.expired': {
    recipients: ['controller', 'processor'],
    details: {
      amendmentId: AMENDMENT_ID,
      number: 2,
      because: 'SIGNATURE_DEADLINE',
      signatureDeadline: '2027-06-30',
    },
  },
  // functions/domain/amendments/reminders.ts
  'reminder.amendment-signature-missing': {
    recipients: ['processor'],
    details: {
      amendmentId: AMENDMENT_ID,
      number: 2,
      contentHash: HASH,
      signatureDeadline: '2027-06-30',
      missing: ['processor'],
    },
  },
  // functions/domain/sub-processors.ts
  'sub-processor.requested': {
    recipients: ['controller'],
    details: {
      subProcessorId: SUB_ID,
      name: 'Skyleverandør AB',
      processingLocation: { city: 'Stockholm', countryCode: 'SE' },
      decisionDeadline: '2027-04-30',
    },
  },
  'sub-processor.approved': {
    recipients: ['controller', 'processor'],
    details: { subProcessorId: SUB_ID, name: 'Skyleverandør AB', status: 'APPROVED', reason: 'Innenfor EØS' },
  },
  'sub-processor.rejected': {
    recipients: ['controller', 'processor'],
    details: {
      subProcessorId: SUB_ID,
      name: 'Skyleverandør AB',
      status: 'REJECTED',
      reason: 'Mangler ISO 27001',
    },
  },
  'sub-processor.expired': {
    recipients: ['controller', 'processor'],
    details: { subProcessorId: SUB_ID, name: 'Skyleverandør AB', status: 'EXPIRED' },
  },
  'sub-processor.withdrawn': {
    recipients: ['controller', 'processor'],
    details: { subProcessorId: SUB_ID, name: 'Skyleverandør AB', status: 'WITHDRAWN', reason: 'Avsluttet' },
  },
  // functions/domain/sub-processor-reminders.ts
  'reminder.sub-processor-decision': {
    recipients: ['controller'],
    details: {
      subProcessorId: SUB_ID,
      name: 'Skyleverandør AB',
      processingLocation: { city: 'Stockholm', countryCode: 'SE' },
      decisionDeadline: '2027-04-30',
    },
  },
  // functions/domain/delivery/webhook-message.ts
  'webhook.disabled': {
    recipients: ['controller', 'processor'],
    details: {
      webhookId: '5d0c6a8e-2f7b-4c1e-9a3d-7b8e6f5a4c3b',
      url: 'https://saksbehandling.example.no/hooks',
      failingSince: '2027-02-24T08:00:00.000Z',
    },
  },
  // functions/domain/breaches.ts
  'breach.reported': {
    recipients: ['controller', 'processor'],
    details: {
      breachId: BREACH_ID,
      becameAwareAt: '2026-07-01T08:00:00.000Z',
      reportedAt: '2026-07-02T06:00:00.000Z',
      notificationDeadline: '2026-07-02T20:00:00.000Z',
      reportedLate: false,
      supervisoryAuthorityDeadline: '2026-07-04T08:00:00.000Z',
    },
  },
  // functions/domain/audits/audits.ts and audits/reminders.ts
  'oversight.planned': {
    recipients: ['processor'],
    details: { auditId: OVERSIGHT_ID, type: 'DOCUMENT_REVIEW', dueOn: '2027-03-31', everyMonths: 6 },
  },
  'oversight.material-submitted': {
    recipients: ['controller'],
    details: { auditId: OVERSIGHT_ID, number: 1, dueOn: '2027-03-31', documents: 2, thirdPartyReport: true },
  },
  'oversight.finding-recorded': {
    recipients: ['processor'],
    details: {
      auditId: OVERSIGHT_ID,
      number: 1,
      deadline: '2027-04-30',
      responsible: 'processor',
      severity: 'HIGH',
    },
  },
  'oversight.finding-closed': {
    recipients: ['controller', 'processor'],
    details: {
      auditId: OVERSIGHT_ID,
      number: 1,
      closedOn: '2027-04-20',
      deadline: '2027-04-30',
      closedLate: false,
      openFindings: 0,
    },
  },
  'oversight.closed': {
    recipients: ['processor'],
    details: { auditId: OVERSIGHT_ID, dueOn: '2027-03-31', nextAuditId: SUB_ID, nextDueOn: '2027-09-30' },
  },
  'reminder.oversight-due': {
    recipients: ['controller', 'processor'],
    details: {
      auditId: OVERSIGHT_ID,
      type: 'ON_SITE',
      dueOn: '2027-03-31',
      status: 'PLANNED',
      openFindings: 0,
    },
  },
  'reminder.oversight-overdue': {
    recipients: ['controller', 'processor'],
    details: {
      auditId: OVERSIGHT_ID,
      type: 'ON_SITE',
      dueOn: '2027-03-31',
      status: 'MATERIAL_SUBMITTED',
      openFindings: 1,
    },
  },
  'reminder.oversight-finding-due': {
    recipients: ['controller', 'processor'],
    details: { auditId: OVERSIGHT_ID, number: 2, deadline: '2027-04-30', responsible: 'controller' },
  },
  'reminder.oversight-finding-overdue': {
    recipients: ['controller', 'processor'],
    details: { auditId: OVERSIGHT_ID, number: 2, deadline: '2027-04-30', responsible: 'processor' },
  },
  'breach.updated': {
    recipients: ['controller', 'processor'],
    details: {
      breachId: BREACH_ID,
      number: 2,
      corrected: ['approximateRecords'],
      outsideScope: ['Kontonummer'],
    },
  },
  'breach.question': {
    recipients: ['controller', 'processor'],
    details: { breachId: BREACH_ID, question: 1 },
  },
  'breach.answered': {
    recipients: ['controller', 'processor'],
    details: { breachId: BREACH_ID, question: 1 },
  },
  'reminder.breach-decision': {
    recipients: ['controller'],
    details: {
      breachId: BREACH_ID,
      step: 'REMINDER_24',
      supervisoryAuthorityDeadline: '2026-07-04T08:00:00.000Z',
    },
  },
  'escalation.breach-decision': {
    recipients: ['controller', 'processor'],
    details: {
      breachId: BREACH_ID,
      step: 'ESCALATION_66',
      supervisoryAuthorityDeadline: '2026-07-04T08:00:00.000Z',
    },
  },
  'breach.deadline-passed': {
    recipients: ['controller', 'processor'],
    details: {
      breachId: BREACH_ID,
      step: 'DEADLINE_72',
      supervisoryAuthorityDeadline: '2026-07-04T08:00:00.000Z',
    },
  },
  // functions/domain/forwarded-requests/rules.ts and reminders.ts
  'request.forwarded': {
    recipients: ['controller'],
    details: {
      requestId: REQUEST_ID,
      from: 'DATA_SUBJECT',
      kind: 'ERASURE',
      receivedAt: '2027-01-31T09:15:00.000Z',
      answerDeadline: '2027-02-28',
      forwardedAfterDays: 2,
    },
  },
  'request.extended': {
    recipients: ['processor'],
    details: {
      requestId: REQUEST_ID,
      from: 'DATA_SUBJECT',
      kind: 'ACCESS',
      months: 2,
      previousDeadline: '2027-02-28',
      answerDeadline: '2027-04-30',
    },
  },
  'request.task-assigned': {
    recipients: ['processor'],
    details: { requestId: REQUEST_ID, from: 'DATATILSYNET', task: 1, dueOn: '2027-02-14' },
  },
  'request.task-done': {
    recipients: ['controller'],
    details: {
      requestId: REQUEST_ID,
      from: 'DATA_SUBJECT',
      task: 1,
      doneAt: '2027-02-10T12:00:00.000Z',
      late: false,
    },
  },
  'request.closed': {
    recipients: ['processor'],
    details: {
      requestId: REQUEST_ID,
      from: 'DATA_SUBJECT',
      outcome: 'ANSWERED',
      answeredOn: '2027-02-20',
      late: false,
    },
  },
  'reminder.request-deadline': {
    recipients: ['controller'],
    details: {
      requestId: REQUEST_ID,
      from: 'DATA_SUBJECT',
      kind: 'ACCESS',
      answerDeadline: '2027-02-28',
      overdue: false,
      daysLeft: 7,
    },
  },
  'reminder.request-task': {
    recipients: ['processor'],
    details: { requestId: REQUEST_ID, from: 'DATA_SUBJECT', task: 2, dueOn: '2027-02-14', daysOverdue: 1 },
  },
  'breach.decided': {
    recipients: ['processor'],
    details: {
      breachId: BREACH_ID,
      datatilsynetNotified: true,
      notifiedAt: '2026-07-03T10:00:00.000Z',
      dataSubjectsInformed: false,
      decidedAt: '2026-07-03T10:05:00.000Z',
      late: false,
    },
  },
  'instruction.given': { recipients: ['processor'], details: INSTRUCTION },
  'instruction.acknowledged': {
    recipients: ['controller'],
    details: { ...INSTRUCTION, inEffectFrom: '2027-01-01' },
  },
  'instruction.objected': {
    recipients: ['controller'],
    details: { ...INSTRUCTION, legalReference: 'GDPR art. 44' },
  },
  'instruction.withdrawn': { recipients: ['processor'], details: INSTRUCTION },
  'instruction.confirmed': {
    recipients: ['processor'],
    details: { ...INSTRUCTION, inEffectFrom: '2027-01-04' },
  },
  'reminder.instruction-acknowledgement': {
    recipients: ['processor'],
    details: { ...INSTRUCTION, since: '2026-12-01T09:00:00.000Z' },
  },
  'reminder.instruction-objection': {
    recipients: ['controller'],
    details: { ...INSTRUCTION, since: '2026-12-02T13:30:00.000Z' },
  },
};

// --- Which types the code emits -------------------------------------------------------------------------

const sources = readdirSync(fromRepoRoot('functions'), { recursive: true, withFileTypes: true })
  .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
  .map((entry) => {
    const path = relative(repoRoot, `${entry.parentPath}/${entry.name}`);
    return { path, text: readFileSync(fromRepoRoot(path), 'utf8') };
  })
  .filter(({ path }) => !path.startsWith('functions/domain/delivery/'));

/**
 * The types built from a template literal, with what each expands to. A new pattern fails the test below
 * until its expansions are added here (and each has a template).
 */
const subProcessorOutcomes = (subProcessorStatusSchema as unknown as { options: string[] }).options
  .filter((status) => status !== 'REQUESTED')
  .map((status) => `sub-processor.${status.toLowerCase()}`);
const DYNAMIC_TYPES: Record<string, string[]> = {
  'sub-processor.${record.status.toLowerCase()}': subProcessorOutcomes,
  'reminder.${reminder.kind}': Object.keys(TERMINATION_REMINDER_RULES).map((kind) => `reminder.${kind}`),
  // functions/tasks/escalate-disposition.ts: `step` is 'disposition' | 'attestation' (its input schema).
  'escalation.${step}-overdue': ['escalation.disposition-overdue', 'escalation.attestation-overdue'],
};

const TYPE_LITERAL = /^[a-z][a-z-]*\.[a-z][a-z-]*$/;

/**
 * In every file that builds notifications (calls `notificationsFor`): each `type:` (a literal, a template
 * literal or a constant), and each other literal shaped like a type (`amendment.expired` passed along
 * positionally), except audit actions (`auditEntry(caller, 'agreement.sign', ...)`, `action: '...'`).
 */
function emittedTypes(): { literal: Set<string>; dynamic: Set<string> } {
  const constants = new Map<string, string>();
  for (const { text } of sources) {
    for (const [, name, value] of text.matchAll(/\bconst\s+([A-Z][A-Z0-9_]*)\s*=\s*'([^']+)'/g)) {
      constants.set(name!, value!);
    }
  }
  const literal = new Set<string>();
  const dynamic = new Set<string>();
  for (const { text } of sources.filter(({ text }) => text.includes('notificationsFor('))) {
    for (const [, value] of text.matchAll(/type:\s*`([^`]*)`/g)) {
      if (value!.includes('${')) dynamic.add(value!);
      else literal.add(value!);
    }
    for (const [, name] of text.matchAll(/type:\s*([A-Z][A-Z0-9_]*)\b/g)) {
      if (constants.has(name!)) literal.add(constants.get(name!)!);
      else dynamic.add(name!);
    }
    for (const match of text.matchAll(/'([^'\n]+)'/g)) {
      const value = match[1]!;
      if (!TYPE_LITERAL.test(value)) continue;
      const before = text.slice(Math.max(0, match.index - 40), match.index);
      if (/auditEntry\([^,]*,\s*$/.test(before) || /action:\s*$/.test(before)) continue;
      literal.add(value);
    }
  }
  return { literal, dynamic };
}

describe('which notification types have a template', () => {
  const { literal, dynamic } = emittedTypes();

  it('finds the types the code emits', () => {
    // A sanity check of the scan itself: a few types of each kind, and no audit action.
    expect([...literal]).toEqual(
      expect.arrayContaining(['agreement.signed', 'amendment.expired', 'contact.changed', 'breach.reported']),
    );
    expect(literal.has('agreement.sign')).toBe(false);
    expect(literal.has('agreement.expire')).toBe(false);
    expect(subProcessorOutcomes).toEqual([
      'sub-processor.approved',
      'sub-processor.rejected',
      'sub-processor.expired',
      'sub-processor.withdrawn',
    ]);
  });

  it('knows the expansions of every type built from a template literal or a variable', () => {
    expect([...dynamic].filter((pattern) => !(pattern in DYNAMIC_TYPES))).toEqual([]);
  });

  it('has a template for every emitted type, except the machine events that are never e-mailed', () => {
    const emitted = [...literal, ...[...dynamic].flatMap((pattern) => DYNAMIC_TYPES[pattern] ?? [])];
    const missing = emitted.filter(
      (type) => !EMAIL_TEMPLATE_TYPES.includes(type) && !MACHINE_EVENT_TYPES.includes(type),
    );
    expect(missing).toEqual([]);
  });

  it('has a sample in this test for every template', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual([...EMAIL_TEMPLATE_TYPES].sort());
  });

  it('never e-mails audit.sealed, and e-mails every other type, known or not', () => {
    expect(isEmailed('audit.sealed')).toBe(false);
    expect(isEmailed('agreement.signed')).toBe(true);
    expect(isEmailed('webhook.disabled')).toBe(true);
  });
});

// --- What every e-mail says ----------------------------------------------------------------------------

describe.each(Object.entries(SAMPLES))('the %s e-mail', (type, sample) => {
  it.each(sample.recipients)('to the %s: greeting, title and id, in bokmål, text and HTML', (role) => {
    const email = render(type, role, sample.details);
    expect(email.subject).toContain(TITLE);
    expect(email.subject.length).toBeLessThanOrEqual(150);
    expect(email.subject).not.toMatch(/[\r\n]/);
    expect(email.text).toMatch(new RegExp(`^Hei ${CONTACTS[role].name},`));
    expect(email.text).toContain(`Avtale: ${TITLE}`);
    expect(email.text).toContain(`Avtale-id: ${AGREEMENT_ID}`);
    expect(email.text).toContain('Vennlig hilsen');
    expect(email.text).not.toMatch(/undefined|NaN|\[object Object\]/);
    expect(email.html).toContain('<html lang="nb">');
    expect(email.html).toContain(AGREEMENT_ID);
    expect(email.html).not.toMatch(/undefined|NaN|\[object Object\]|<script|https?:\/\/(?!api\.example\.no)/);
    // The generic e-mail's words do not appear: the type has its own.
    expect(email.subject).not.toContain('Nytt varsel om avtalen');
  });
});

// --- Per type: what matters ----------------------------------------------------------------------------

describe('the webhook e-mail', () => {
  it('says which endpoint was disabled since when, and the calls that enable it and send again', () => {
    const { subject, text } = render('webhook.disabled', 'controller', SAMPLES['webhook.disabled']!.details);
    expect(subject).toContain('Webhook slått av');
    expect(text).toContain('5d0c6a8e-2f7b-4c1e-9a3d-7b8e6f5a4c3b');
    expect(text).toContain('24. februar 2027 kl. 09:00 (norsk tid)');
    expect(text).toContain(`PATCH ${API}/webhooks/5d0c6a8e-2f7b-4c1e-9a3d-7b8e6f5a4c3b`);
    expect(text).toContain(`GET ${API}/webhooks/5d0c6a8e-2f7b-4c1e-9a3d-7b8e6f5a4c3b/deliveries`);
    // The endpoint's address is not repeated in the e-mail: only what the recipient needs to act.
    expect(text).not.toContain('saksbehandling.example.no');
  });
});

describe('signing e-mails', () => {
  it('awaiting signatures: both parties are told to read and sign, with the real path', () => {
    for (const role of ['controller', 'processor'] as const) {
      const { subject, text } = render('agreement.awaiting-signatures', role);
      expect(subject).toBe(`Avtalen venter på signatur: ${TITLE}`);
      expect(text).toContain(`GET ${agreementUrl('/document')}`);
      expect(text).toContain(`POST ${agreementUrl('/signatures')}`);
      expect(text).toContain('"contentHash"');
    }
  });

  it('awaiting signatures: shows the deadline when the notification carries it (winter time)', () => {
    const { text } = render('agreement.awaiting-signatures', 'controller', {
      signatureDeadline: '2027-03-31',
    });
    expect(text).toContain('Signaturfrist: 31. mars 2027 kl. 23:59 (norsk tid)');
  });

  it('signed: the party that signed gets a receipt, the other is asked to sign', () => {
    const receipt = render('agreement.signed', 'processor', { party: 'processor', signedOn: '2027-03-01' });
    expect(receipt.subject).toContain('Dere har signert avtalen');
    expect(receipt.text).toContain('Signert: 1. mars 2027');
    expect(receipt.text).not.toContain('POST ');
    const other = render('agreement.signed', 'controller', { party: 'processor', signedOn: '2027-03-01' });
    expect(other.subject).toContain('Arbeids- og velferdsetaten har signert avtalen');
    expect(other.text).toContain(`POST ${agreementUrl('/signatures')}`);
  });

  it('signed, awaiting the other: the other party is told its deadline in Oslo time', () => {
    const details = SAMPLES['agreement.signed']!.details;
    const other = render('agreement.signed', 'controller', details);
    expect(other.text).toContain('Avtalen venter nå bare på deres signatur.');
    expect(other.text).toContain('Signaturfrist: 31. mars 2027 kl. 23:59 (norsk tid)');
    const receipt = render('agreement.signed', 'processor', details);
    expect(receipt.text).toContain('har signert, innen 31. mars 2027 kl. 23:59 (norsk tid)');
  });

  it('signed by the second party: both are told it is in force and from when, nothing to sign', () => {
    const details = {
      party: 'controller',
      signedOn: '2027-03-02',
      status: 'IN_FORCE',
      effectiveFrom: '2027-03-02',
    };
    for (const role of ['controller', 'processor'] as const) {
      const { subject, text } = render('agreement.signed', role, {
        ...details,
        signatureDeadline: '2027-03-31',
      });
      expect(subject).toContain('som nå er i kraft');
      expect(text).toContain('Gjelder fra: 2. mars 2027');
      expect(text).not.toContain('Signaturfrist');
      expect(text).not.toContain('/signatures');
    }
  });

  it('in force: the date it applies from and the PDF to archive', () => {
    const { text } = render('agreement.in-force', 'controller', { effectiveFrom: '2027-03-02' });
    expect(text).toContain('gjelder fra 2. mars 2027');
    expect(text).toContain(`GET ${agreementUrl('/document')}`);
  });

  it('expired: no longer signable; a new agreement is created with POST /agreements', () => {
    const { subject, text } = render('agreement.expired', 'processor', { signatureDeadline: '2027-03-31' });
    expect(subject).toContain('ble ikke signert innen fristen');
    expect(text).toContain('31. mars 2027 kl. 23:59 (norsk tid)');
    expect(text).toContain(`POST ${API}/agreements\n`);
  });

  it('cancelled: nothing to sign any more', () => {
    const { subject, text } = render('agreement.cancelled', 'processor');
    expect(subject).toContain('trukket tilbake');
    expect(text).not.toContain('/signatures');
  });

  it('cancelled: who withdrew it, and the reason it gave', () => {
    const details = SAMPLES['agreement.cancelled']!.details;
    const processor = render('agreement.cancelled', 'processor', details).text;
    expect(processor).toContain(
      'Radøy kommune (behandlingsansvarlig) trakk avtalen tilbake før den trådte i kraft',
    );
    expect(processor).toContain('Begrunnelse: Feil avtalemal');
    expect(render('agreement.cancelled', 'controller', details).text).toContain('Dere trakk avtalen tilbake');
  });

  it('signature reminder: the deadline in Oslo time (summer) and the call to sign', () => {
    const { subject, text } = render('reminder.signature-missing', 'processor', {
      signatureDeadline: '2027-06-30',
      missing: ['processor'],
    });
    expect(subject).toContain('Påminnelse');
    expect(text).toContain('Signaturfrist: 30. juni 2027 kl. 23:59 (norsk tid)');
    expect(text).toContain(`POST ${agreementUrl('/signatures')}`);
  });

  it('contact changed: the new contact person of the other party', () => {
    const { subject, text } = render('contact.changed', 'controller', SAMPLES['contact.changed']!.details);
    expect(subject).toContain('Arbeids- og velferdsetaten har ny kontaktperson');
    expect(text).toContain('Ny kontaktperson: Per Hansen');
    expect(text).toContain('E-post: per@example.no');
    expect(text).toContain('Dere trenger ikke gjøre noe nå.');
  });
});

describe('termination e-mails', () => {
  it('notice: the end of terminatesOn in Oslo; only the controller is asked to choose', () => {
    const details = SAMPLES['agreement.termination-notice']!.details;
    const controller = render('agreement.termination-notice', 'controller', details);
    expect(controller.text).toContain(
      'Arbeids- og velferdsetaten (databehandler) sa opp avtalen 30. november 2026',
    );
    expect(controller.text).toContain('Avtalen opphører: 28. februar 2027 kl. 23:59 (norsk tid)');
    expect(controller.text).toContain(`POST ${agreementUrl('/data-disposition')}`);
    const processor = render('agreement.termination-notice', 'processor', details);
    expect(processor.text).toContain('Dere sa opp avtalen 30. november 2026');
    expect(processor.text).not.toContain('/data-disposition');
  });

  it('terminated with a choice made: the processor attests, the controller waits', () => {
    const details = { terminatesOn: '2027-02-28', dataDisposition: 'DELETE' };
    const processor = render('agreement.terminated', 'processor', details);
    expect(processor.subject).toContain('personopplysningene skal slettes');
    expect(processor.text).toContain(`POST ${agreementUrl('/data-disposition/attestation')}`);
    expect(processor.text).toContain('"method": "DELETE"');
    const controller = render('agreement.terminated', 'controller', details);
    expect(controller.text).not.toContain('POST ');
  });

  it('terminated without a choice: the controller chooses, the processor waits', () => {
    const controller = render('agreement.terminated', 'controller', { terminatesOn: '2027-02-28' });
    expect(controller.subject).toContain('velg tilbakelevering eller sletting');
    expect(controller.text).toContain(`POST ${agreementUrl('/data-disposition')}`);
    const processor = render('agreement.terminated', 'processor', { terminatesOn: '2027-02-28' });
    expect(processor.text).not.toContain('POST ');
  });

  it('disposition chosen: the processor is told what to do and how to attest', () => {
    const { text } = render('agreement.data-disposition-chosen', 'processor', {
      method: 'RETURN',
      chosenOn: '2027-01-10',
    });
    expect(text).toContain('valgte 10. januar 2027 tilbakelevering');
    expect(text).toContain('"method": "RETURN"');
    expect(text).toContain(`POST ${agreementUrl('/data-disposition/attestation')}`);
  });

  it('attested with data kept under law: legal basis and review date', () => {
    const { text } = render(
      'agreement.data-disposition-attested',
      'controller',
      SAMPLES['agreement.data-disposition-attested']!.details,
    );
    expect(text).toContain('slettet (gjennomført 5. mars 2027)');
    expect(text).toContain('Rettslig grunnlag: Bokføringsloven § 13');
    expect(text).toContain('Ny vurdering: 5. mars 2032');
  });

  it('retained under law: the processor attests the final deletion', () => {
    const details = SAMPLES['agreement.retained-under-law']!.details;
    expect(render('agreement.retained-under-law', 'processor', details).text).toContain(
      `POST ${agreementUrl('/data-disposition/attestation')}`,
    );
    expect(render('agreement.retained-under-law', 'controller', details).text).not.toContain('POST ');
  });

  it('closed: the evidence pack to archive', () => {
    expect(render('agreement.closed', 'processor').text).toContain(`GET ${agreementUrl('/evidence')}`);
  });

  it('30 days ahead, in summer time: the days left and the end date', () => {
    const { subject, text } = render('reminder.termination-ahead-30', 'controller', {
      terminatesOn: '2027-07-31',
      daysAhead: 30,
    });
    expect(subject).toContain('avtalen opphører om 30 dager');
    expect(text).toContain('Avtalen opphører: 31. juli 2027 kl. 23:59 (norsk tid)');
  });

  it('disposition missing and attestation missing: the party that must act, the call to make', () => {
    expect(
      render('reminder.disposition-missing', 'controller', { terminatesOn: '2027-02-28' }).text,
    ).toContain(`POST ${agreementUrl('/data-disposition')}`);
    const attestation = render('reminder.attestation-missing', 'processor', {
      method: 'DELETE',
      chosenOn: '2027-03-09',
      terminatesOn: '2027-02-28',
    });
    expect(attestation.subject).toContain('bekreft sletting');
    expect(attestation.text).toContain(`POST ${agreementUrl('/data-disposition/attestation')}`);
  });

  it('retention review: the review date and the final deletion', () => {
    const { text } = render(
      'reminder.retention-review',
      'processor',
      SAMPLES['reminder.retention-review']!.details,
    );
    expect(text).toContain('vurderes på nytt 5. mars 2032');
    expect(text).toContain('"method": "DELETE"');
  });

  it('escalations: the party that must act gets the call, the other is informed', () => {
    const details = SAMPLES['escalation.disposition-overdue']!.details;
    const controller = render('escalation.disposition-overdue', 'controller', details);
    expect(controller.text).toContain('Varsel: 1 av 3');
    expect(controller.text).toContain(`POST ${agreementUrl('/data-disposition')}`);
    expect(render('escalation.disposition-overdue', 'processor', details).text).not.toContain('POST ');
    const attestation = render('escalation.attestation-overdue', 'processor', {
      ...SAMPLES['escalation.attestation-overdue']!.details,
    });
    expect(attestation.text).toContain(`POST ${agreementUrl('/data-disposition/attestation')}`);
    expect(attestation.text).toContain('ukentlige påminnelser');
  });

  it('attestation overdue: names the method chosen and fills it into the call', () => {
    const details = SAMPLES['escalation.attestation-overdue']!.details;
    const processor = render('escalation.attestation-overdue', 'processor', details).text;
    expect(processor).toContain('bekreftet skriftlig at personopplysningene er slettet');
    expect(processor).toContain('valgte 10. januar 2027 sletting');
    expect(processor).toContain('Valgt: sletting');
    expect(processor).toContain('"method": "DELETE"');
    expect(render('escalation.attestation-overdue', 'controller', details).text).toContain('Valgt: sletting');
  });
});

describe('amendment e-mails', () => {
  const amendmentUrl = (suffix = '') => agreementUrl(`/amendments/${AMENDMENT_ID}${suffix}`);

  it('proposed: what changes, the deadline, the call to sign with the hash; the proposer may withdraw', () => {
    const details = SAMPLES['amendment.proposed']!.details;
    const processor = render('amendment.proposed', 'processor', details);
    expect(processor.subject).toContain('Endring 2 av avtalen er foreslått');
    expect(processor.text).toContain('sikkerhetstiltak (Vedlegg 2), oppsigelsestid');
    expect(processor.text).toContain('Signaturfrist: 30. juni 2027 kl. 23:59 (norsk tid)');
    expect(processor.text).toContain(`POST ${amendmentUrl('/signatures')}`);
    expect(processor.text).toContain(`"contentHash": "${HASH}"`);
    expect(processor.text).not.toContain('/withdraw');
    expect(render('amendment.proposed', 'controller', details).text).toContain(
      `POST ${amendmentUrl('/withdraw')}`,
    );
  });

  it('signed by one party: the other is asked to sign, the signer waits', () => {
    const details = SAMPLES['amendment.signed']!.details;
    expect(render('amendment.signed', 'processor', details).text).toContain(
      `POST ${amendmentUrl('/signatures')}`,
    );
    expect(render('amendment.signed', 'controller', details).text).not.toContain('POST ');
  });

  it('signed by one party: the other gets the deadline and the hash to sign with', () => {
    const { text } = render('amendment.signed', 'processor', SAMPLES['amendment.signed']!.details);
    expect(text).toContain('Signaturfrist: 30. juni 2027 kl. 23:59 (norsk tid)');
    expect(text).toContain('har signert endring 2 av avtalen 1. juni 2027');
    expect(text).toContain(`"contentHash": "${HASH}"`);
  });

  it('signed by both, in force later: the date it applies from', () => {
    const { text } = render('amendment.signed', 'controller', {
      ...SAMPLES['amendment.signed']!.details,
      status: 'SIGNED',
      effectiveFrom: '2027-07-01',
    });
    expect(text).toContain('Endring 2 gjelder fra 1. juli 2027; dere får eget varsel da.');
    expect(text).toContain('Gjelder fra: 1. juli 2027');
    expect(text).not.toContain('Signaturfrist');
  });

  it('withdrawn: by whom and why; expired: the deadline that passed', () => {
    const withdrawn = render(
      'amendment.withdrawn',
      'processor',
      SAMPLES['amendment.withdrawn']!.details,
    ).text;
    expect(withdrawn).toContain('trukket tilbake av Radøy kommune (behandlingsansvarlig)');
    expect(withdrawn).toContain('Begrunnelse: Feil vedlegg');
    expect(render('amendment.expired', 'processor', SAMPLES['amendment.expired']!.details).text).toContain(
      'innen fristen 30. juni 2027 kl. 23:59 (norsk tid)',
    );
  });

  it('in force: the version and its document', () => {
    const { subject, text } = render(
      'amendment.in-force',
      'controller',
      SAMPLES['amendment.in-force']!.details,
    );
    expect(subject).toContain('Endring 2 gjelder fra 1. juli 2027');
    expect(text).toContain('Innholdsversjon: 3');
    expect(text).toContain(`GET ${agreementUrl('/document?version=3')}`);
  });

  it('expired and withdrawn: the agreement stands unchanged', () => {
    expect(render('amendment.expired', 'controller', SAMPLES['amendment.expired']!.details).text).toContain(
      'ikke signert av begge parter innen fristen',
    );
    expect(
      render('amendment.expired', 'controller', {
        amendmentId: AMENDMENT_ID,
        number: 2,
        because: 'AGREEMENT_TERMINATED',
      }).text,
    ).not.toContain('POST ');
    expect(
      render('amendment.withdrawn', 'processor', SAMPLES['amendment.withdrawn']!.details).text,
    ).toContain('Avtalen gjelder uendret');
  });

  it('signature reminder: deadline and the hash to sign', () => {
    const { text } = render(
      'reminder.amendment-signature-missing',
      'processor',
      SAMPLES['reminder.amendment-signature-missing']!.details,
    );
    expect(text).toContain('Signaturfrist: 30. juni 2027 kl. 23:59 (norsk tid)');
    expect(text).toContain(`"contentHash": "${HASH}"`);
  });
});

describe('sub-processor e-mails', () => {
  const subUrl = (suffix = '') => agreementUrl(`/sub-processors/${SUB_ID}${suffix}`);

  it('requested: the controller decides, by the deadline; silence is never approval', () => {
    const { subject, text } = render(
      'sub-processor.requested',
      'controller',
      SAMPLES['sub-processor.requested']!.details,
    );
    expect(subject).toContain('Skyleverandør AB');
    expect(text).toContain('Behandlingssted: Stockholm, Sverige');
    expect(text).toContain('Frist for beslutning: 30. april 2027 kl. 23:59 (norsk tid)');
    expect(text).toContain(`POST ${subUrl('/decision')}`);
    expect(text).toContain('taushet er aldri godkjenning');
  });

  it('only the controller is asked to decide', () => {
    for (const type of ['sub-processor.requested', 'reminder.sub-processor-decision']) {
      const processor = render(type, 'processor', SAMPLES[type]!.details);
      expect(processor.text).not.toContain('/decision');
    }
    expect(
      render(
        'reminder.sub-processor-decision',
        'controller',
        SAMPLES['reminder.sub-processor-decision']!.details,
      ).text,
    ).toContain(`POST ${subUrl('/decision')}`);
  });

  it('decision reminder: where the sub-processor would process the data', () => {
    const { text } = render(
      'reminder.sub-processor-decision',
      'controller',
      SAMPLES['reminder.sub-processor-decision']!.details,
    );
    expect(text).toContain('Behandlingssted: Stockholm, Sverige');
    expect(text).toContain('med behandling i Stockholm, Sverige');
  });

  it('approved: the processor checks the processing gate before it starts', () => {
    const details = SAMPLES['sub-processor.approved']!.details;
    const processor = render('sub-processor.approved', 'processor', details);
    expect(processor.text).toContain(
      `GET ${agreementUrl(`/processing-authorization?subProcessorId=${SUB_ID}`)}`,
    );
    expect(processor.text).toContain('Begrunnelse: Innenfor EØS');
    expect(render('sub-processor.approved', 'controller', details).text).toContain(
      `GET ${agreementUrl('/sub-processors?status=APPROVED')}`,
    );
  });

  it('rejected, expired and withdrawn: the sub-processor may not process data', () => {
    for (const type of ['sub-processor.rejected', 'sub-processor.expired', 'sub-processor.withdrawn']) {
      expect(render(type, 'processor', SAMPLES[type]!.details).text).toContain(
        'kan ikke behandle personopplysninger',
      );
    }
    expect(
      render('sub-processor.expired', 'processor', SAMPLES['sub-processor.expired']!.details).text,
    ).toContain(`POST ${agreementUrl('/sub-processors')}`);
  });
});

describe('oversight audit e-mails', () => {
  it('tell the processor of a planned audit, its deadline in Oslo time and the call to submit material', () => {
    const { subject, text } = render('oversight.planned', 'processor', SAMPLES['oversight.planned']!.details);
    expect(subject).toContain('Tilsyn er planlagt');
    expect(text).toContain('Frist for tilsynet: 31. mars 2027 kl. 23:59 (norsk tid)');
    expect(text).toContain(`POST ${API}/agreements/${AGREEMENT_ID}/audits/${OVERSIGHT_ID}/material`);
    expect(text).toContain('gjentas hver 6. måned');
  });

  it('give the responsible party of a finding the call to record its closing, and not the other', () => {
    const details = SAMPLES['reminder.oversight-finding-overdue']!.details;
    const toProcessor = render('reminder.oversight-finding-overdue', 'processor', details);
    expect(toProcessor.subject).toContain('funn nr. 2 fra tilsynet er over fristen');
    expect(toProcessor.text).toContain('Frist for å lukke funnet: 30. april 2027 kl. 23:59 (norsk tid)');
    expect(toProcessor.text).toContain('Dere skal lukke funnet.');
    expect(toProcessor.text).toContain(`/audits/${OVERSIGHT_ID}/findings/2/closure`);
    const toController = render('reminder.oversight-finding-overdue', 'controller', details);
    expect(toController.text).not.toContain('/closure');
    expect(toController.text).toContain('(databehandler) skal lukke funnet.');
  });

  it('say what an audit awaits: the processor’s material, or the controller’s conclusion', () => {
    const due = render('reminder.oversight-due', 'processor', SAMPLES['reminder.oversight-due']!.details);
    expect(due.subject).toContain('tilsyn nærmer seg fristen');
    expect(due.text).toContain('Materialet fra databehandler mangler.');
    const overdue = render(
      'reminder.oversight-overdue',
      'controller',
      SAMPLES['reminder.oversight-overdue']!.details,
    );
    expect(overdue.subject).toContain('tilsyn over fristen');
    expect(overdue.text).toContain('venter på konklusjonen fra behandlingsansvarlig');
    const closed = render('oversight.closed', 'processor', SAMPLES['oversight.closed']!.details);
    expect(closed.text).toContain('Neste tilsyn har frist 30. september 2027 kl. 23:59 (norsk tid)');
  });
});

describe('breach e-mails', () => {
  it('to the controller: the 72-hour deadline towards Datatilsynet in summer time (CEST)', () => {
    const { text } = render('breach.reported', 'controller', SAMPLES['breach.reported']!.details);
    expect(text).toContain('Frist for melding til Datatilsynet: 4. juli 2026 kl. 10:00 (norsk tid)');
    expect(text).toContain('Databehandleren ble kjent med avviket: 1. juli 2026 kl. 10:00 (norsk tid)');
    expect(text).toContain('Bare dere som behandlingsansvarlig melder avviket til Datatilsynet');
    expect(text).toContain(`GET ${agreementUrl(`/breaches/${BREACH_ID}`)}`);
  });

  it('in winter time (CET), reported late: the processor gets its receipt saying so', () => {
    const { text } = render('breach.reported', 'processor', {
      breachId: BREACH_ID,
      becameAwareAt: '2026-01-12T09:15:00.000Z',
      reportedAt: '2026-01-14T09:00:00.000Z',
      notificationDeadline: '2026-01-13T21:15:00.000Z',
      reportedLate: true,
      supervisoryAuthorityDeadline: '2026-01-15T09:15:00.000Z',
    });
    expect(text).toContain('etter den avtalte fristen (13. januar 2026 kl. 22:15 (norsk tid))');
    expect(text).toContain('Frist for melding til Datatilsynet: 15. januar 2026 kl. 10:15 (norsk tid)');
    expect(text).not.toContain('/breaches/');
  });

  it('of the controller’s own report: the processor is asked to help contain it, the controller gets its deadline', () => {
    const details = {
      breachId: BREACH_ID,
      reporter: 'controller',
      becameAwareAt: '2026-07-01T08:00:00.000Z',
      reportedAt: '2026-07-01T12:00:00.000Z',
      supervisoryAuthorityDeadline: '2026-07-04T08:00:00.000Z',
    };
    const toProcessor = render('breach.reported', 'processor', details).text;
    const toController = render('breach.reported', 'controller', details).text;

    expect(render('breach.reported', 'processor', details).subject).toContain(
      'Avvik meldt av den behandlingsansvarlige',
    );
    expect(toProcessor).toContain('hjelpe til med å begrense');
    expect(toProcessor).toContain('Den behandlingsansvarlige ble kjent med avviket: 1. juli 2026 kl. 10:00');
    expect(toProcessor).toContain(`GET ${agreementUrl(`/breaches/${BREACH_ID}`)}`);
    expect(render('breach.reported', 'controller', details).subject).toContain(
      'Avviksmeldingen deres er registrert',
    );
    expect(toController).toContain('innen 4. juli 2026 kl. 10:00 (norsk tid)');
  });

  it('of the controller’s decision: the processor learns what was decided and when, in Oslo time', () => {
    const { subject, text } = render('breach.decided', 'processor', SAMPLES['breach.decided']!.details);

    expect(subject).toContain('Den behandlingsansvarlige har besluttet om avviket skal meldes');
    expect(text).toContain('Datatilsynet: varslet 3. juli 2026 kl. 12:00 (norsk tid)');
    expect(text).toContain('De registrerte: ikke informert');
    expect(text).not.toContain('etter 72-timersfristen');
    expect(text).toContain(`GET ${agreementUrl(`/breaches/${BREACH_ID}`)}`);
    const late = render('breach.decided', 'processor', { ...SAMPLES['breach.decided']!.details, late: true });
    expect(late.text).toContain('etter 72-timersfristen og med begrunnelse for forsinkelsen');
  });

  it('of a supplement: the other party is told its number and what lies outside the scope', () => {
    const { subject, text } = render('breach.updated', 'controller', SAMPLES['breach.updated']!.details);

    expect(subject).toContain('Tillegg til avviksmeldingen');
    expect(text).toContain('(databehandler) har lagt til nye opplysninger');
    expect(text).toContain('Tillegg nr.: 2');
    expect(text).toContain('Opplysninger utenfor avtalens omfang: Kontonummer');
  });

  it('of questions and answers: the reporter is asked to answer, the asker told it was answered', () => {
    const asked = render('breach.question', 'processor', SAMPLES['breach.question']!.details);
    const answered = render('breach.answered', 'controller', SAMPLES['breach.answered']!.details);

    expect(asked.subject).toContain('Spørsmål om avviksmeldingen deres');
    expect(asked.text).toContain('(behandlingsansvarlig) har et spørsmål');
    expect(asked.text).toContain('Spørsmål nr.: 1');
    expect(answered.subject).toContain('Spørsmålet om avviket er besvart');
    expect(answered.text).toContain('(databehandler) har svart');
  });

  it('of the 72 hours: the controller reminded with the deadline and the call to make; both told when it has passed', () => {
    const reminder = render(
      'reminder.breach-decision',
      'controller',
      SAMPLES['reminder.breach-decision']!.details,
    );
    expect(reminder.text).toContain('innen 4. juli 2026 kl. 10:00 (norsk tid)');
    expect(reminder.text).toContain(`POST ${agreementUrl(`/breaches/${BREACH_ID}/decision`)}`);
    const passed = render('breach.deadline-passed', 'processor', SAMPLES['breach.deadline-passed']!.details);
    expect(passed.subject).toContain('Fristen for å melde avviket til Datatilsynet er passert');
    expect(passed.text).toContain('Den behandlingsansvarliges frist');
    expect(passed.text).not.toContain('/decision');
  });

  it('name the personal data outside the agreement’s scope to the controller', () => {
    const { text } = render('breach.reported', 'controller', {
      ...SAMPLES['breach.reported']!.details,
      outsideScope: ['Fødselsnummer', 'Kontonummer'],
    });

    expect(text).toContain('Opplysninger utenfor avtalens omfang: Fødselsnummer, Kontonummer');
  });
});

describe('times in Oslo', () => {
  it('shows winter time (UTC+1) and summer time (UTC+2), across the change in March', () => {
    expect(osloTime('2026-01-15T10:30:00.000Z')).toBe('15. januar 2026 kl. 11:30 (norsk tid)');
    expect(osloTime('2026-07-01T10:30:00.000Z')).toBe('1. juli 2026 kl. 12:30 (norsk tid)');
    expect(osloTime('2026-03-29T00:30:00.000Z')).toBe('29. mars 2026 kl. 01:30 (norsk tid)');
    expect(osloTime('2026-03-29T01:30:00.000Z')).toBe('29. mars 2026 kl. 03:30 (norsk tid)');
    expect(osloTime('2026-12-31T23:30:00.000Z')).toBe('1. januar 2027 kl. 00:30 (norsk tid)');
  });
});

// --- Safety ---------------------------------------------------------------------------------------------

describe('what an e-mail never shows', () => {
  const withIdentityNumbers = (details: Record<string, unknown> | undefined) => ({
    ...details,
    nationalIdentityNumber: FNR,
    pid: FNR,
    person: { name: 'Ola Nordmann', pid: FNR },
    signatory: { name: 'Kari Nordmann', title: 'Rådmann', pid: FNR },
    contact: { ...(details?.contact as object), pid: FNR },
    processingLocation: { ...(details?.processingLocation as object), pid: FNR },
    retainedUnderLaw: { ...(details?.retainedUnderLaw as object), pid: FNR },
    changes: [...((details?.changes as string[]) ?? []), FNR],
  });

  it.each([
    ...Object.keys(SAMPLES),
    'audit.sealed',
    'some.future-type',
  ])('%s: a national identity number in fields the template does not know', (type) => {
    for (const role of ['controller', 'processor'] as const) {
      const email = render(type, role, withIdentityNumbers(SAMPLES[type]?.details));
      for (const part of [email.subject, email.text, email.html]) expect(part).not.toContain(FNR);
    }
  });

  it('a national identity number typed into a title is blanked out', () => {
    const email = renderEmail(
      context(
        'agreement.in-force',
        'controller',
        { effectiveFrom: '2027-03-02' },
        {
          title: `Avtale om Ola (${FNR.slice(0, 6)} ${FNR.slice(6)}) og ${FNR}`,
        },
      ),
    );
    for (const part of [email.subject, email.text, email.html]) {
      expect(part).not.toContain(FNR);
      expect(part).not.toContain(FNR.slice(6));
      expect(part).toContain('[fødselsnummer fjernet]');
    }
    // A phone number is not mistaken for one.
    const contact = render('contact.changed', 'controller', SAMPLES['contact.changed']!.details);
    expect(contact.text).toContain('Telefon: +4791234567');
  });
});

describe('HTML', () => {
  const hostile = '<script>alert("x")</script> & <b>fet</b>';

  it('escapes the title, names and free text from users', () => {
    const email = renderEmail({
      ...context(
        'sub-processor.rejected',
        'processor',
        { subProcessorId: SUB_ID, name: `Sky ${hostile}`, status: 'REJECTED', reason: `Nei ${hostile}` },
        { title: `Avtale ${hostile}` },
      ),
      contact: { name: `Ola ${hostile}`, email: 'ola@example.no' },
    });
    expect(email.html).not.toContain('<script>');
    expect(email.html).not.toContain('<b>fet</b>');
    expect(email.html).toContain(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;fet&lt;/b&gt;',
    );
    expect(email.html).toContain('Hei Ola &lt;script&gt;');
    // Plain text shows the text as it was written.
    expect(email.text).toContain(`Avtale: Avtale ${hostile}`);
  });

  it('is a simple document in bokmål with no external resources', () => {
    const { html } = render('agreement.in-force', 'controller', { effectiveFrom: '2027-03-02' });
    expect(html).toMatch(/^<!DOCTYPE html>\n<html lang="nb">/);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).not.toMatch(/<(img|link|script|iframe|style)\b|src=|@import|url\(/);
    expect(html).toContain(
      `<code style="font-family: Consolas, Menlo, monospace; background: #f2f2f2; padding: 1px 4px; word-break: break-all;">GET ${agreementUrl('/document')}</code>`,
    );
  });
});

describe('a type without its own template', () => {
  it('gets a correct generic e-mail and never throws', () => {
    const email = render('something.new', 'controller', { endpoint: 'https://x' });
    expect(email.subject).toBe(`Nytt varsel om avtalen: ${TITLE}`);
    expect(email.text).toContain('Varseltype: something.new');
    expect(email.text).toContain(`Sammendrag (engelsk): Something happened: ${TITLE}`);
    expect(email.text).toContain(`GET ${API}/notifications`);
    expect(email.text).toContain(`Avtale-id: ${AGREEMENT_ID}`);
    // When it was made, in Oslo time (08:00 UTC in March is 09:00 CET).
    expect(email.text).toContain('Varselet ble laget 1. mars 2027 kl. 09:00 (norsk tid).');
  });

  it('a known type with missing or malformed details still renders, without the missing facts', () => {
    for (const type of EMAIL_TEMPLATE_TYPES) {
      for (const role of ['controller', 'processor'] as const) {
        for (const details of [
          undefined,
          { signatureDeadline: 'tomorrow', number: 'two', party: 'nobody' },
        ]) {
          const email = render(type, role, details);
          expect(email.text).toContain(`Avtale-id: ${AGREEMENT_ID}`);
          expect(email.text).not.toMatch(/undefined|NaN|Invalid Date/);
        }
      }
    }
  });
});

describe('the subject line', () => {
  it('stays within 150 characters, the long title shortened', () => {
    const email = renderEmail(
      context('sub-processor.requested', 'controller', SAMPLES['sub-processor.requested']!.details, {
        title: 'Databehandleravtale '.repeat(15).trim(),
      }),
    );
    expect(email.subject.length).toBeLessThanOrEqual(150);
    expect(email.subject).toMatch(
      /^Godkjenning av underdatabehandler Skyleverandør AB er bedt om: Databehandleravtale/,
    );
    expect(email.subject.endsWith('…')).toBe(true);
  });

  it('takes the base URL with or without a trailing slash', () => {
    const email = renderEmail({
      ...context('agreement.closed', 'controller'),
      apiBaseUrl: 'http://127.0.0.1:3000/',
    });
    expect(email.text).toContain(`GET http://127.0.0.1:3000/agreements/${AGREEMENT_ID}/evidence`);
  });
});

describe('instruction e-mails', () => {
  const path = agreementUrl(`/instructions/${INSTRUCTION_ID}`);

  it('ask the processor to acknowledge a new instruction or object to it, naming it, its topic and date', () => {
    const { subject, text } = render('instruction.given', 'processor', SAMPLES['instruction.given']!.details);

    expect(subject).toContain('Ny instruks: instruks nr. 3 «Ingen overføring til tredjeland»');
    expect(text).toContain(
      'Radøy kommune (behandlingsansvarlig) har gitt dere en instruks (avtalen punkt 4)',
    );
    expect(text).toContain('Gjelder: Overføring til tredjeland');
    expect(text).toContain('Gjelder fra: 1. januar 2027');
    expect(text).toContain(`POST ${path}/acknowledgement`);
    expect(text).toContain(`POST ${path}/objection`);
  });

  it('tell the controller of an objection: the instruction is held until it withdraws or confirms it', () => {
    const { subject, text } = render(
      'instruction.objected',
      'controller',
      SAMPLES['instruction.objected']!.details,
    );

    expect(subject).toContain(
      'Instruks nr. 3 «Ingen overføring til tredjeland»: databehandleren mener den strider mot loven',
    );
    expect(text).toContain('Den holdes tilbake til dere trekker den tilbake eller opprettholder den');
    expect(text).toContain('Hjemmel: GDPR art. 44');
    expect(text).toContain(`POST ${path}/withdrawal`);
    expect(text).toContain(`POST ${path}/confirmation`);
  });

  it('tell the processor from when a confirmed instruction binds it, and that a withdrawn one does not', () => {
    const confirmed = render('instruction.confirmed', 'processor', SAMPLES['instruction.confirmed']!.details);
    const withdrawn = render('instruction.withdrawn', 'processor', SAMPLES['instruction.withdrawn']!.details);

    expect(confirmed.subject).toContain('Instruks nr. 3 «Ingen overføring til tredjeland» er opprettholdt');
    expect(confirmed.text).toContain('I kraft fra: 4. januar 2027');
    expect(confirmed.text).not.toContain(`POST ${path}/objection`);
    expect(withdrawn.text).toContain('Den gjelder ikke.');
  });

  it('remind each side in Oslo time of what it has left unanswered since when', () => {
    const processor = render(
      'reminder.instruction-acknowledgement',
      'processor',
      SAMPLES['reminder.instruction-acknowledgement']!.details,
    );
    const controller = render(
      'reminder.instruction-objection',
      'controller',
      SAMPLES['reminder.instruction-objection']!.details,
    );

    expect(processor.subject).toContain('Påminnelse – svar på instruks nr. 3');
    expect(processor.text).toContain('instruksen gitt 1. desember 2026 kl. 10:00 (norsk tid)');
    expect(processor.text).toContain(`POST ${path}/acknowledgement`);
    expect(controller.subject).toContain('Påminnelse – innsigelse mot instruks nr. 3');
    expect(controller.text).toContain('sa fra 2. desember 2026 kl. 14:30 (norsk tid)');
    expect(controller.text).toContain(`POST ${path}/confirmation`);
  });
});

describe('forwarded request e-mails', () => {
  it('forwarded: the controller learns the right invoked and its deadline to the end of the day in Oslo, with the calls', () => {
    const { subject, text } = render(
      'request.forwarded',
      'controller',
      SAMPLES['request.forwarded']!.details,
    );
    expect(subject).toContain('Henvendelse videresendt til dere');
    expect(text).toContain('En registrert ber om sletting');
    expect(text).toContain('Svarfrist: 28. februar 2027 kl. 23:59 (norsk tid)');
    expect(text).toContain('Mottatt: 31. januar 2027 kl. 10:15 (norsk tid)');
    expect(text).toContain(`GET ${agreementUrl(`/requests/${REQUEST_ID}`)}`);
    expect(text).toContain(`POST ${agreementUrl(`/requests/${REQUEST_ID}/outcome`)}`);
    expect(text).toContain('art. 12 nr. 3');
  });

  it('forwarded from Datatilsynet: its own deadline, no month of Art. 12(3)', () => {
    const { text } = render('request.forwarded', 'controller', {
      requestId: REQUEST_ID,
      from: 'DATATILSYNET',
      answerDeadline: '2027-03-15',
    });
    expect(text).toContain('Datatilsynet har sendt en henvendelse');
    expect(text).toContain('Datatilsynet har satt svarfristen.');
    expect(text).not.toContain('art. 12 nr. 3');
  });

  it('deadline reminder: before, and overdue after, with the call that records the answer', () => {
    const before = render(
      'reminder.request-deadline',
      'controller',
      SAMPLES['reminder.request-deadline']!.details,
    );
    expect(before.subject).toContain('Påminnelse om svarfrist');
    expect(before.text).toContain('Svarfrist: 28. februar 2027 kl. 23:59 (norsk tid)');
    const after = render('reminder.request-deadline', 'controller', {
      requestId: REQUEST_ID,
      from: 'DATA_SUBJECT',
      kind: 'ACCESS',
      answerDeadline: '2027-02-28',
      overdue: true,
      daysOverdue: 1,
    });
    expect(after.subject).toContain('Svarfristen er passert');
    expect(after.text).toContain(
      'En registrert ber om innsyn, og svaret er ikke registrert, og fristen er passert.',
    );
    expect(after.text).toContain(`POST ${agreementUrl(`/requests/${REQUEST_ID}/outcome`)}`);
  });

  it('task assigned and task reminder: the processor gets the due day and the call that marks it done', () => {
    for (const type of ['request.task-assigned', 'reminder.request-task']) {
      const { details } = SAMPLES[type]!;
      const { text } = render(type, 'processor', details);
      expect(text).toContain('Frist for oppgaven: 14. februar 2027 kl. 23:59 (norsk tid)');
      expect(text).toContain(`POST ${agreementUrl(`/requests/${REQUEST_ID}/tasks/${details!.task}/done`)}`);
    }
  });

  it('closed: the processor learns the outcome and whether it came late', () => {
    const { text } = render('request.closed', 'processor', {
      ...SAMPLES['request.closed']!.details,
      late: true,
    });
    expect(text).toContain('Utfall: besvart');
    expect(text).toContain('Besvart: 20. februar 2027');
    expect(text).toContain('etter svarfristen');
  });
});
