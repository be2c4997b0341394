import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type AuditHead,
  auditReminder,
  closeAudit,
  closedFinding,
  findingReminder,
  newAudit,
  newFinding,
  newMaterial,
  nextOccurrence,
} from '../../../../functions/domain/audits/audits.ts';
import { decideAuditReminder, decideFindingReminder } from '../../../../functions/domain/audits/reminders.ts';
import {
  auditMaterialRequestSchema,
  planAuditRequestSchema,
} from '../../../../functions/domain/audits/schemas.ts';
import {
  oversightEntry,
  oversightFindingEntry,
} from '../../../../functions/domain/calendar-feed/deadlines.ts';
import { eventText } from '../../../../functions/domain/calendar-feed/texts.ts';
import { DomainError } from '../../../../functions/domain/errors.ts';
import { decideReminder } from '../../../../functions/domain/reminders.ts';
import type { AgreementStatus } from '../../../../functions/domain/schemas.ts';
import * as z from '../../../../functions/domain/zod.ts';
import { auditDocument } from '../../../support/audit-documents.ts';
import { AGREEMENT_ID, CONTROLLER_ORG, draftAgreement, PROCESSOR_ORG } from '../agreement-fixture.ts';

const controllerActor = { orgNumber: CONTROLLER_ORG, clientId: 'radoy-system' };
const processorActor = { orgNumber: PROCESSOR_ORG, clientId: 'nav-system' };
const AUDIT_ID = '7d0f5b8e-2c4a-4f1e-9b3d-6a5c4e3f2a10';
const NEXT_ID = '8e1a6c9f-3d5b-4a2f-8c4e-7b6d5f4a3b21';
/** 11:00 in Oslo on 22 November 2026. */
const NOW = new Date('2026-11-22T10:00:00.000Z');
const inForce = (status: AgreementStatus = 'IN_FORCE') => draftAgreement({ status });

function failure(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}

const planned = (overrides: Partial<AuditHead> = {}): AuditHead => ({
  ...newAudit({
    agreement: inForce(),
    role: 'controller',
    request: {
      type: 'DOCUMENT_REVIEW',
      scope: 'Tilgangsstyring',
      dueOn: '2027-01-31',
      recurrence: { everyMonths: 6 },
    },
    actor: controllerActor,
    id: AUDIT_ID,
    now: NOW,
  }),
  ...overrides,
});

describe('planning an oversight audit', () => {
  it('is the controller’s, while the agreement binds, due today or later; a recurrence starts a plan at 1', () => {
    expect(planned()).toMatchObject({
      id: AUDIT_ID,
      status: 'PLANNED',
      dueOn: '2027-01-31',
      recurrence: { everyMonths: 6, firstDueOn: '2027-01-31', occurrence: 1 },
      plannedAt: NOW.toISOString(),
      plannedBy: controllerActor,
      openFindings: 0,
    });
    const request = { type: 'ON_SITE' as const, scope: 'Driftssenteret', dueOn: '2026-11-22' };
    const base = {
      agreement: inForce(),
      role: 'controller' as const,
      request,
      actor: controllerActor,
      id: AUDIT_ID,
      now: NOW,
    };
    expect(newAudit(base).recurrence).toBeUndefined();
    expect(newAudit({ ...base, agreement: inForce('NOTICE_PERIOD') }).status).toBe('PLANNED');
    expect(failure(() => newAudit({ ...base, role: 'processor' })).kind).toBe('forbidden');
    const terminated = failure(() => newAudit({ ...base, agreement: inForce('TERMINATED') }));
    expect(terminated.kind).toBe('conflict');
    expect(terminated.extra.currentStatus).toBe('TERMINATED');
    const past = failure(() => newAudit({ ...base, request: { ...request, dueOn: '2026-11-21' } }));
    expect(past.kind).toBe('validation');
    expect(past.extra.errors?.[0]?.field).toBe('dueOn');
  });

  it('refuses a national identity number in the scope, a recurrence above 60 months, an unknown type', () => {
    const result = z.safeParse(planAuditRequestSchema, {
      type: 'SURPRISE',
      scope: 'Gjelder 13097248022',
      dueOn: '2027-01-01',
      recurrence: { everyMonths: 61 },
    });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((issue) => issue.path.join('.')).sort()).toEqual([
      'recurrence.everyMonths',
      'scope',
      'type',
    ]);
  });
});

describe('the processor’s material', () => {
  const content = Buffer.from('Rutine for tilgangsstyring\n');
  const sha256 = createHash('sha256').update(content).digest('hex');
  const document = { name: 'Rutine.txt', sha256, size: content.length, mediaType: 'text/plain' };
  const submit = (
    request: Parameters<typeof newMaterial>[0]['request'],
    audit = planned(),
    role: 'processor' | 'controller' = 'processor',
  ) => newMaterial({ agreement: inForce(), audit, role, request, actor: processorActor, now: NOW });

  it('keeps documents’ metadata and, checked against size and SHA-256, small files’ content, numbered after the last', () => {
    const material = submit(
      {
        documents: [document, { ...document, name: 'Rutine-kopi.txt', content: content.toString('base64') }],
        note: 'Gjelder fra januar',
      },
      planned({ materialCount: 2 }),
    );
    expect(material).toEqual({
      number: 3,
      at: NOW.toISOString(),
      by: processorActor,
      documents: [
        { ...document, contentStored: false },
        { ...document, name: 'Rutine-kopi.txt', contentStored: true, content: content.toString('base64') },
      ],
      note: 'Gjelder fra januar',
    });
  });

  it('refuses content that does not match its size or hash, or above 32 KiB in all', () => {
    const base64 = content.toString('base64');
    expect(
      failure(() => submit({ documents: [{ ...document, size: 3, content: base64 }] })).extra.errors,
    ).toEqual([{ field: 'documents.0.content', message: `holds ${content.length} bytes, not size 3` }]);
    expect(
      failure(() => submit({ documents: [{ ...document, sha256: '0'.repeat(64), content: base64 }] })).extra
        .errors?.[0]?.message,
    ).toBe('does not match sha256');
    const big = Buffer.alloc(20 * 1024, 1);
    const bigDocument = auditDocument('Stor.bin', big, 'application/octet-stream');
    expect(submit({ documents: [bigDocument] }).documents?.[0]?.contentStored).toBe(true);
    const tooMuch = failure(() => submit({ documents: [bigDocument, bigDocument] }));
    expect(tooMuch.extra.errors?.[0]?.field).toBe('documents.1.content');
  });

  it('is the processor’s, for an open audit; a THIRD_PARTY_REPORT audit needs a report with a sound period', () => {
    expect(failure(() => submit({ documents: [document] }, planned(), 'controller')).kind).toBe('forbidden');
    expect(failure(() => submit({ documents: [document] }, planned({ status: 'CLOSED' }))).kind).toBe(
      'conflict',
    );
    const thirdParty = planned({ type: 'THIRD_PARTY_REPORT' });
    expect(failure(() => submit({ documents: [document] }, thirdParty)).extra.errors?.[0]?.field).toBe(
      'thirdPartyReport',
    );
    const report = {
      auditor: 'Revisjon AS',
      standard: 'ISAE 3402 type 2',
      reportDate: '2026-10-01',
      period: { from: '2025-10-01', to: '2026-09-30' },
      summary: 'Kontrollene virket gjennom perioden',
      opinion: 'UNQUALIFIED' as const,
    };
    expect(submit({ thirdPartyReport: report }, thirdParty).thirdPartyReport).toEqual(report);
    expect(
      failure(() =>
        submit(
          { thirdPartyReport: { ...report, period: { from: '2026-10-01', to: '2026-01-01' } } },
          thirdParty,
        ),
      ).extra.errors?.[0]?.field,
    ).toBe('thirdPartyReport.period.to');
    expect(
      failure(() => submit({ thirdPartyReport: { ...report, reportDate: '2026-11-23' } }, thirdParty)).extra
        .errors?.[0]?.field,
    ).toBe('thirdPartyReport.reportDate');
  });

  it('must hold documents or a report; content must be base64', () => {
    expect(z.safeParse(auditMaterialRequestSchema, { note: 'Kun merknad' }).success).toBe(false);
    expect(
      z.safeParse(auditMaterialRequestSchema, { documents: [{ ...document, content: 'not base64!' }] }).error
        ?.issues[0]?.path,
    ).toEqual(['documents', 0, 'content']);
    expect(
      z.safeParse(auditMaterialRequestSchema, { documents: [{ ...document, sha256: 'ABC' }] }).success,
    ).toBe(false);
  });
});

describe('findings and their closing', () => {
  const request = {
    description: 'Tilganger fjernes for sent',
    deadline: '2027-01-15',
    responsible: 'processor' as const,
  };
  const finding = newFinding({
    agreement: inForce(),
    audit: planned({ findingCount: 1 }),
    role: 'controller',
    request,
    actor: controllerActor,
    now: NOW,
  });

  it('the controller records a finding numbered after the last, OPEN, with a deadline today or later', () => {
    expect(finding).toEqual({
      number: 2,
      status: 'OPEN',
      ...request,
      recordedAt: NOW.toISOString(),
      recordedBy: controllerActor,
    });
    const base = {
      agreement: inForce(),
      audit: planned(),
      role: 'controller' as const,
      request,
      actor: controllerActor,
      now: NOW,
    };
    expect(failure(() => newFinding({ ...base, role: 'processor' })).kind).toBe('forbidden');
    expect(failure(() => newFinding({ ...base, audit: planned({ status: 'CLOSED' }) })).kind).toBe(
      'conflict',
    );
    expect(
      failure(() => newFinding({ ...base, request: { ...request, deadline: '2026-11-21' } })).extra
        .errors?.[0]?.field,
    ).toBe('deadline');
  });

  it('the responsible party closes it once, on a day not in the future nor before it was recorded; late is marked', () => {
    const later = new Date('2027-01-20T10:00:00.000Z');
    const base = {
      agreement: inForce(),
      finding,
      role: 'processor' as const,
      actor: processorActor,
      now: later,
    };
    expect(
      closedFinding({ ...base, request: { howClosed: 'Rutinen er endret', closedOn: '2027-01-10' } }),
    ).toMatchObject({
      status: 'CLOSED',
      howClosed: 'Rutinen er endret',
      closedOn: '2027-01-10',
      closedAt: later.toISOString(),
      closedBy: processorActor,
      closedLate: false,
    });
    expect(closedFinding({ ...base, request: { howClosed: 'Rutinen er endret' } })).toMatchObject({
      closedOn: '2027-01-20',
      closedLate: true,
    });
    expect(
      failure(() => closedFinding({ ...base, role: 'controller', request: { howClosed: 'x' } })).kind,
    ).toBe('forbidden');
    expect(
      failure(() => closedFinding({ ...base, request: { howClosed: 'x', closedOn: '2027-01-21' } })).extra
        .errors?.[0]?.field,
    ).toBe('closedOn');
    expect(
      failure(() => closedFinding({ ...base, request: { howClosed: 'x', closedOn: '2026-11-21' } })).extra
        .errors?.[0]?.message,
    ).toContain('before the finding was recorded');
    const closed = closedFinding({ ...base, request: { howClosed: 'x' } });
    expect(failure(() => closedFinding({ ...base, finding: closed, request: { howClosed: 'y' } })).kind).toBe(
      'conflict',
    );
  });
});

describe('closing an audit and the next one of a plan', () => {
  const close = (audit: AuditHead, now: Date, request = { conclusion: 'I orden' }, agreement = inForce()) =>
    closeAudit({
      agreement,
      audit,
      role: 'controller',
      request,
      actor: controllerActor,
      nextId: NEXT_ID,
      now,
    });

  it('is refused while a finding is open, and to the processor', () => {
    const open = failure(() => close(planned({ openFindings: 1 }), NOW));
    expect(open.kind).toBe('conflict');
    expect(open.message).toContain('1 open finding');
    expect(
      failure(() =>
        closeAudit({
          agreement: inForce(),
          audit: planned(),
          role: 'processor',
          request: { conclusion: 'x' },
          actor: processorActor,
          nextId: NEXT_ID,
          now: NOW,
        }),
      ).kind,
    ).toBe('forbidden');
    expect(failure(() => close(planned({ status: 'CLOSED', closedAt: NOW.toISOString() }), NOW)).kind).toBe(
      'conflict',
    );
  });

  it('plans the next of a recurring plan, same type and scope, one period after; a single audit plans none', () => {
    const { closed, next } = close(planned({ status: 'MATERIAL_SUBMITTED' }), NOW);
    expect(closed).toMatchObject({
      status: 'CLOSED',
      conclusion: 'I orden',
      closedLate: false,
      nextAuditId: NEXT_ID,
    });
    expect(next).toMatchObject({
      id: NEXT_ID,
      type: 'DOCUMENT_REVIEW',
      scope: 'Tilgangsstyring',
      dueOn: '2027-07-31',
      status: 'PLANNED',
      recurrence: { everyMonths: 6, firstDueOn: '2027-01-31', occurrence: 2 },
      previousAuditId: AUDIT_ID,
      openFindings: 0,
    });
    const single = close(planned({ recurrence: undefined }), NOW);
    expect(single.next).toBeUndefined();
    expect(single.closed.nextAuditId).toBeUndefined();
  });

  it('ends the plan when the controller says so, or when the agreement terminates before the next date', () => {
    expect(close(planned(), NOW, { conclusion: 'x', endRecurrence: true } as never)).toEqual({
      closed: expect.objectContaining({ recurrenceEnded: 'by the controller' }),
    });
    const noticed = close(
      planned(),
      NOW,
      { conclusion: 'x' },
      draftAgreement({ status: 'NOTICE_PERIOD', terminatesOn: '2027-05-31' }),
    );
    expect(noticed.next).toBeUndefined();
    expect(noticed.closed.recurrenceEnded).toContain('2027-05-31');
  });

  it('runs a two-year plan every 6 months without drift, skipping dates passed when closed late', () => {
    let audit = planned();
    const dues = [audit.dueOn];
    for (let round = 0; round < 3; round += 1) {
      const closedOn = new Date(`${audit.dueOn}T10:00:00Z`);
      const { closed, next } = close(audit, closedOn);
      expect(closed.closedLate).toBe(false);
      audit = next!;
      dues.push(audit.dueOn);
    }
    expect(dues).toEqual(['2027-01-31', '2027-07-31', '2028-01-31', '2028-07-31']);
    expect(audit.recurrence?.occurrence).toBe(4);
    // Monthly from 31 January: the end-of-month rule per occurrence, not chained (31 March, not 28 March).
    const monthly = { everyMonths: 1, firstDueOn: '2027-01-31', occurrence: 1 };
    expect(nextOccurrence(monthly, '2027-01-31')).toEqual({ dueOn: '2027-02-28', occurrence: 2 });
    expect(nextOccurrence({ ...monthly, occurrence: 2 }, '2027-02-28')).toEqual({
      dueOn: '2027-03-31',
      occurrence: 3,
    });
    // Closed eight months late: the dates already passed are skipped.
    expect(nextOccurrence({ everyMonths: 6, firstDueOn: '2027-01-31', occurrence: 1 }, '2027-09-30')).toEqual(
      {
        dueOn: '2028-01-31',
        occurrence: 3,
      },
    );
    expect(close(planned(), new Date('2027-02-01T10:00:00Z')).closed.closedLate).toBe(true);
  });
});

describe('reminders of audits and findings', () => {
  const agreement = inForce();
  const audit = planned();
  const finding = {
    number: 1,
    status: 'OPEN' as const,
    description: 'x',
    deadline: '2027-02-15',
    responsible: 'processor' as const,
    recordedAt: NOW.toISOString(),
    recordedBy: controllerActor,
  };

  it('start 14 days before an audit’s due date (7 for a finding), never before tomorrow', () => {
    expect(auditReminder(AGREEMENT_ID, audit, '2026-11-22')).toEqual({
      agreementId: AGREEMENT_ID,
      kind: `oversight-due#${AUDIT_ID}`,
      dueOn: '2027-01-17',
    });
    expect(auditReminder(AGREEMENT_ID, { ...audit, dueOn: '2026-11-25' }, '2026-11-22').dueOn).toBe(
      '2026-11-23',
    );
    expect(findingReminder(AGREEMENT_ID, AUDIT_ID, finding, '2026-11-22')).toEqual({
      agreementId: AGREEMENT_ID,
      kind: `oversight-finding#${AUDIT_ID}.1`,
      dueOn: '2027-02-08',
    });
  });

  it('remind both parties before the due date, then weekly after it while the audit is open; dropped once closed', () => {
    const before = decideReminder(
      { kind: `oversight-due#${AUDIT_ID}`, dueOn: '2027-01-17' },
      agreement,
      NOW,
      audit,
    );
    expect(before.notifications.map((n) => [n.type, n.recipientOrgNumber])).toEqual([
      ['reminder.oversight-due', CONTROLLER_ORG],
      ['reminder.oversight-due', PROCESSOR_ORG],
    ]);
    expect(before.notifications[0]!.subject).toContain('awaits material from the processor');
    expect(before.nextDueOn).toBe('2027-02-01');
    const after = decideAuditReminder(
      { kind: `oversight-due#${AUDIT_ID}`, dueOn: '2027-02-01' },
      agreement,
      NOW,
      { ...audit, status: 'MATERIAL_SUBMITTED' },
    );
    expect(after.notifications.map((n) => n.type)).toEqual([
      'reminder.oversight-overdue',
      'reminder.oversight-overdue',
    ]);
    expect(after.notifications[0]!.subject).toContain("awaits the controller's conclusion");
    expect(after.nextDueOn).toBe('2027-02-08');
    const reminder = { kind: `oversight-due#${AUDIT_ID}`, dueOn: '2027-02-01' };
    expect(decideAuditReminder(reminder, agreement, NOW, { ...audit, status: 'CLOSED' })).toEqual({
      notifications: [],
    });
    expect(decideAuditReminder(reminder, inForce('TERMINATED'), NOW, audit)).toEqual({ notifications: [] });
    expect(decideAuditReminder(reminder, agreement, NOW, undefined)).toEqual({ notifications: [] });
  });

  it('remind the responsible party before a finding’s deadline, both weekly after it, none once it is closed', () => {
    const before = decideFindingReminder(
      { kind: `oversight-finding#${AUDIT_ID}.1`, dueOn: '2027-02-08' },
      agreement,
      NOW,
      { auditId: AUDIT_ID, finding },
    );
    expect(before.notifications.map((n) => [n.type, n.recipientOrgNumber])).toEqual([
      ['reminder.oversight-finding-due', PROCESSOR_ORG],
    ]);
    expect(before.nextDueOn).toBe('2027-02-16');
    const after = decideReminder(
      { kind: `oversight-finding#${AUDIT_ID}.1`, dueOn: '2027-02-16' },
      agreement,
      NOW,
      {
        auditId: AUDIT_ID,
        finding,
      },
    );
    expect(after.notifications.map((n) => [n.type, n.recipientOrgNumber])).toEqual([
      ['reminder.oversight-finding-overdue', CONTROLLER_ORG],
      ['reminder.oversight-finding-overdue', PROCESSOR_ORG],
    ]);
    expect(after.notifications[0]!.id).toBe(
      `reminder.oversight-finding-overdue:${AGREEMENT_ID}:${AUDIT_ID}:1:2027-02-16`,
    );
    expect(after.nextDueOn).toBe('2027-02-23');
    expect(
      decideFindingReminder({ kind: 'x', dueOn: '2027-02-16' }, agreement, NOW, {
        auditId: AUDIT_ID,
        finding: { ...finding, status: 'CLOSED' },
      }),
    ).toEqual({ notifications: [] });
  });
});

describe('calendar entries', () => {
  const agreement = { id: AGREEMENT_ID, title: 'Avtale om NAV-tjenester' };

  it('hold an open audit’s due date and an open finding’s deadline, in bokmål; none once closed', () => {
    const entry = oversightEntry(agreement, planned())!;
    expect(entry.deadlines).toEqual([{ kind: 'oversight-due', on: '2027-01-31' }]);
    expect(eventText(entry, entry.deadlines[0]!).description).toContain(
      `GET /agreements/${AGREEMENT_ID}/audits/${AUDIT_ID}`,
    );
    expect(oversightEntry(agreement, planned({ status: 'CLOSED' }))).toBeUndefined();
    const finding = { number: 2, deadline: '2027-02-15', status: 'OPEN', responsible: 'processor' as const };
    const findingEntry = oversightFindingEntry(agreement, AUDIT_ID, finding)!;
    expect(findingEntry.subject).toMatchObject({ type: 'oversight-finding', id: `${AUDIT_ID}.2` });
    const text = eventText(findingEntry, findingEntry.deadlines[0]!);
    expect(text.summary).toContain('Frist for å lukke funn 2');
    expect(text.description).toContain(
      `POST /agreements/${AGREEMENT_ID}/audits/${AUDIT_ID}/findings/2/closure`,
    );
    expect(text.description).toContain('Databehandler skal lukke');
    expect(oversightFindingEntry(agreement, AUDIT_ID, { ...finding, status: 'CLOSED' })).toBeUndefined();
  });
});
