import { QueryCommand, type TransactWriteItem, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import type { AuditHead } from '../../../functions/domain/audits/audits.ts';
import type { AuditFinding } from '../../../functions/domain/audits/schemas.ts';
import { handler as closeAudit } from '../../../functions/http/audits/close-audit.ts';
import { handler as closeFinding } from '../../../functions/http/audits/close-audit-finding.ts';
import { handler as getAudit } from '../../../functions/http/audits/get-audit.ts';
import { handler as listAudits } from '../../../functions/http/audits/list-audits.ts';
import { handler as planAudit } from '../../../functions/http/audits/plan-audit.ts';
import { handler as recordFinding } from '../../../functions/http/audits/record-audit-finding.ts';
import { handler as submitMaterial } from '../../../functions/http/audits/submit-audit-material.ts';
import { auditDocument } from '../../support/audit-documents.ts';
import { AGREEMENT_ID, CONTROLLER_ORG, OUTSIDER_ORG, PROCESSOR_ORG } from '../domain/agreement-fixture.ts';
import {
  batchGetKeys,
  ddb,
  givenItem,
  givenPartyCheckFails,
  givenStored,
  NOW,
  PARTY_CONDITION,
  partyRead,
  tableWrites,
  transaction,
  useAwsMocks,
} from './aws-mocks.ts';
import { httpEvent, invoke } from './events.ts';
import { cancelledAt } from './sub-processor-mocks.ts';
import { inForceAgreement, terminatedAgreement } from './termination-fixture.ts';

useAwsMocks();

const AUDIT_ID = '7d0f5b8e-2c4a-4f1e-9b3d-6a5c4e3f2a10';
const PK = `AGREEMENT#${AGREEMENT_ID}`;
const controllerActor = { orgNumber: CONTROLLER_ORG, clientId: 'test-client' };

const head = (overrides: Partial<AuditHead> = {}): AuditHead => ({
  id: AUDIT_ID,
  type: 'DOCUMENT_REVIEW',
  scope: 'Tilgangsstyring',
  dueOn: '2027-01-31',
  status: 'PLANNED',
  recurrence: { everyMonths: 6, firstDueOn: '2027-01-31', occurrence: 1 },
  plannedAt: '2026-11-01T10:00:00.000Z',
  plannedBy: controllerActor,
  openFindings: 0,
  ...overrides,
});
const headItem = (audit: AuditHead) =>
  marshall(
    { pk: PK, sk: `OVERSIGHT#${audit.id}`, entity: 'oversight', ...audit },
    { removeUndefinedValues: true },
  );
const finding = (overrides: Partial<AuditFinding> = {}): AuditFinding => ({
  number: 1,
  status: 'OPEN',
  description: 'Tilganger fjernes for sent',
  deadline: '2026-12-15',
  responsible: 'processor',
  recordedAt: '2026-11-10T10:00:00.000Z',
  recordedBy: controllerActor,
  ...overrides,
});
const findingItem = (of: AuditFinding) =>
  marshall({
    pk: PK,
    sk: `OVERSIGHT#${AUDIT_ID}#FINDING#${String(of.number).padStart(4, '0')}`,
    entity: 'oversight-finding',
    auditId: AUDIT_ID,
    ...of,
  });

const call =
  (handler: typeof planAudit, route: string, pathParameters: Record<string, string> = {}) =>
  (orgNumber: string, body?: unknown, params: Record<string, string> = {}) => {
    const all: Record<string, string> = { id: AGREEMENT_ID, ...pathParameters, ...params };
    const path = route.replace(/\{(\w+)\}/g, (_, name: string) => all[name] ?? '');
    return invoke(
      handler,
      httpEvent(`${body === undefined ? 'GET' : 'POST'} ${route}`, path, {
        orgNumber,
        pathParameters: all,
        ...(body === undefined ? {} : { body }),
      }),
    );
  };
const plan = call(planAudit, '/agreements/{id}/audits');
const submit = call(submitMaterial, '/agreements/{id}/audits/{auditId}/material', { auditId: AUDIT_ID });
const record = call(recordFinding, '/agreements/{id}/audits/{auditId}/findings', { auditId: AUDIT_ID });
const closeOne = call(closeFinding, '/agreements/{id}/audits/{auditId}/findings/{findingId}/closure', {
  auditId: AUDIT_ID,
  findingId: '1',
});
const close = call(closeAudit, '/agreements/{id}/audits/{auditId}/close', { auditId: AUDIT_ID });
const list = call(listAudits, '/agreements/{id}/audits');
const get = call(getAudit, '/agreements/{id}/audits/{auditId}', { auditId: AUDIT_ID });

const puts = (items: TransactWriteItem[]) =>
  items.flatMap((item) => (item.Put ? [unmarshall(item.Put.Item!)] : []));
const sortKeys = (items: TransactWriteItem[]) =>
  items.map((item) => {
    const key = item.Put?.Item ?? item.Update?.Key ?? item.Delete?.Key ?? item.ConditionCheck?.Key;
    return `${item.Put ? 'Put' : item.Update ? 'Update' : item.Delete ? 'Delete' : 'Check'} ${String(unmarshall(key!).sk)}`;
  });

describe('POST /agreements/{id}/audits', () => {
  const body = {
    type: 'DOCUMENT_REVIEW',
    scope: 'Tilgangsstyring',
    dueOn: '2027-01-31',
    recurrence: { everyMonths: 6 },
  };

  it('plans the audit: 201 with Location, its reminder, both calendar entries, history, audit log, the processor told', async () => {
    givenStored(inForceAgreement());
    const response = await plan(CONTROLLER_ORG, body);

    expect(response.statusCode).toBe(201);
    const id = response.body.id as string;
    expect(response.headers?.location).toBe(`/agreements/${AGREEMENT_ID}/audits/${id}`);
    expect(response.body).toEqual({
      id,
      type: 'DOCUMENT_REVIEW',
      scope: 'Tilgangsstyring',
      dueOn: '2027-01-31',
      status: 'PLANNED',
      recurrence: { everyMonths: 6, firstDueOn: '2027-01-31', occurrence: 1 },
      plannedAt: NOW,
      plannedBy: controllerActor,
      openFindings: 0,
      material: [],
      findings: [],
    });
    const items = transaction();
    expect(items[0]!.ConditionCheck?.ConditionExpression).toBe('#status IN (:allowed0, :allowed1)');
    expect(items[1]!.Put?.ConditionExpression).toBe('attribute_not_exists(pk)');
    const written = puts(items);
    expect(written.find((item) => item.sk === `OVERSIGHT#${id}`)).toMatchObject({
      status: 'PLANNED',
      openFindings: 0,
    });
    expect(written.find((item) => String(item.sk).startsWith('HISTORY#'))).toMatchObject({
      type: 'OVERSIGHT_PLANNED',
      details: { auditId: id, dueOn: '2027-01-31', everyMonths: 6, occurrence: 1 },
    });
    expect(written.find((item) => String(item.sk).startsWith('AUDIT#'))).toMatchObject({
      action: 'oversight.plan',
      details: { auditId: id },
    });
    expect(
      written
        .filter((item) => String(item.pk).startsWith('NOTIFICATIONS#'))
        .map((n) => [n.type, n.recipientOrgNumber]),
    ).toEqual([['oversight.planned', PROCESSOR_ORG]]);
    expect(written.find((item) => item.sk === `REMINDER#oversight-due#${id}`)).toMatchObject({
      dueOn: '2027-01-17',
    });
    expect(written.filter((item) => String(item.sk).startsWith('CALENDAR#')).map((item) => item.sk)).toEqual([
      `CALENDAR#${CONTROLLER_ORG}#oversight-${id}`,
      `CALENDAR#${PROCESSOR_ORG}#oversight-${id}`,
    ]);
  });

  it('refuses the processor (403), a terminated agreement (409), an outsider (404), a past due date (400); writes nothing', async () => {
    givenStored(inForceAgreement());
    expect((await plan(PROCESSOR_ORG, body)).statusCode).toBe(403);
    expect((await plan(OUTSIDER_ORG, body)).statusCode).toBe(404);
    const past = await plan(CONTROLLER_ORG, { ...body, dueOn: '2026-11-21' });
    expect(past.statusCode).toBe(400);
    expect(past.body.errors[0].field).toBe('dueOn');
    givenStored(terminatedAgreement());
    const ended = await plan(CONTROLLER_ORG, body);
    expect(ended.statusCode).toBe(409);
    expect(ended.body.currentStatus).toBe('TERMINATED');
    expect(tableWrites()).toEqual([]);
  });
});

describe('POST /agreements/{id}/audits/{auditId}/material', () => {
  const content = Buffer.from('Rutine\n');
  const document = auditDocument('Rutine.txt', content, 'text/plain');

  it('numbers the material after the last, moves the audit to MATERIAL_SUBMITTED, tells the controller', async () => {
    givenStored(inForceAgreement());
    givenItem(headItem(head({ materialCount: 1, status: 'MATERIAL_SUBMITTED' })));
    const response = await submit(PROCESSOR_ORG, { documents: [document] });

    expect(response.statusCode).toBe(201);
    expect(response.body).toMatchObject({ number: 2, documents: [{ ...document, contentStored: true }] });
    expect(batchGetKeys()).toEqual([
      { pk: PK, sk: 'AGREEMENT' },
      { pk: PK, sk: `OVERSIGHT#${AUDIT_ID}` },
    ]);
    const items = transaction();
    expect(items[1]!.Update).toMatchObject({
      UpdateExpression: 'SET materialCount = :number, #status = :submitted',
      ConditionExpression: 'attribute_exists(pk) AND #status <> :closed AND materialCount = :previous',
    });
    expect(unmarshall(items[1]!.Update!.ExpressionAttributeValues!)).toEqual({
      ':number': 2,
      ':previous': 1,
      ':closed': 'CLOSED',
      ':submitted': 'MATERIAL_SUBMITTED',
    });
    expect(unmarshall(items[2]!.Put!.Item!)).toMatchObject({
      sk: `OVERSIGHT#${AUDIT_ID}#MATERIAL#0002`,
      auditId: AUDIT_ID,
    });
    const written = puts(items);
    expect(written.find((item) => String(item.sk).startsWith('HISTORY#'))).toMatchObject({
      type: 'OVERSIGHT_MATERIAL_SUBMITTED',
      details: { auditId: AUDIT_ID, number: 2, documents: [{ name: 'Rutine.txt', sha256: document.sha256 }] },
    });
    expect(
      written
        .filter((item) => String(item.pk).startsWith('NOTIFICATIONS#'))
        .map((n) => [n.type, n.recipientOrgNumber]),
    ).toEqual([['oversight.material-submitted', CONTROLLER_ORG]]);
  });

  it('answers 403 to the controller, 404 for an unknown audit, 409 for a closed one or a race lost', async () => {
    givenStored(inForceAgreement());
    expect((await submit(PROCESSOR_ORG, { documents: [document] })).statusCode).toBe(404);
    expect((await submit(PROCESSOR_ORG, { documents: [document] }, { auditId: 'nope' })).statusCode).toBe(
      404,
    );
    givenItem(headItem(head()));
    expect((await submit(CONTROLLER_ORG, { documents: [document] })).statusCode).toBe(403);
    expect(tableWrites()).toEqual([]);
    ddb.on(TransactWriteItemsCommand).rejects(cancelledAt(1, 8));
    const lost = await submit(PROCESSOR_ORG, { documents: [document] });
    expect(lost.statusCode).toBe(409);
    expect(lost.body.detail).toContain('meanwhile');
    ddb.on(TransactWriteItemsCommand).rejects(cancelledAt(0, 8, terminatedAgreement()));
    const ended = await submit(PROCESSOR_ORG, { documents: [document] });
    expect(ended.statusCode).toBe(409);
    expect(ended.body.currentStatus).toBe('TERMINATED');
    givenItem(headItem(head({ status: 'CLOSED', closedAt: NOW })));
    expect((await submit(PROCESSOR_ORG, { documents: [document] })).statusCode).toBe(409);
  });
});

describe('findings', () => {
  it('the controller records one: counted open, reminded and in both calendars', async () => {
    givenStored(inForceAgreement());
    givenItem(headItem(head({ findingCount: 1, openFindings: 1 })));
    const response = await record(CONTROLLER_ORG, {
      description: 'Logger slettes for tidlig',
      deadline: '2026-12-20',
      responsible: 'processor',
      severity: 'HIGH',
    });

    expect(response.statusCode).toBe(201);
    expect(response.body).toMatchObject({
      number: 2,
      status: 'OPEN',
      deadline: '2026-12-20',
      responsible: 'processor',
    });
    const items = transaction();
    expect(items[1]!.Update?.UpdateExpression).toBe(
      'SET findingCount = :number, openFindings = openFindings + :one',
    );
    expect(sortKeys(items)).toEqual(
      expect.arrayContaining([
        `Put OVERSIGHT#${AUDIT_ID}#FINDING#0002`,
        `Put REMINDER#oversight-finding#${AUDIT_ID}.2`,
        `Put CALENDAR#${CONTROLLER_ORG}#oversight-finding-${AUDIT_ID}.2`,
        `Put CALENDAR#${PROCESSOR_ORG}#oversight-finding-${AUDIT_ID}.2`,
      ]),
    );
    expect(puts(items).find((item) => String(item.sk).startsWith('REMINDER#'))).toMatchObject({
      dueOn: '2026-12-13',
    });
  });

  it('the responsible party closes one: one open finding less, its reminder and calendar entries gone', async () => {
    givenStored(inForceAgreement());
    givenItem(headItem(head({ findingCount: 1, openFindings: 1 })));
    givenItem(findingItem(finding()));
    expect((await closeOne(CONTROLLER_ORG, { howClosed: 'Rettet' })).statusCode).toBe(403);
    const response = await closeOne(PROCESSOR_ORG, {
      howClosed: 'Rutinen er rettet',
      closedOn: '2026-11-20',
    });

    expect(response.statusCode).toBe(201);
    expect(response.body).toMatchObject({
      number: 1,
      status: 'CLOSED',
      closedOn: '2026-11-20',
      closedLate: false,
    });
    expect(batchGetKeys(1)).toEqual([
      { pk: PK, sk: 'AGREEMENT' },
      { pk: PK, sk: `OVERSIGHT#${AUDIT_ID}` },
      { pk: PK, sk: `OVERSIGHT#${AUDIT_ID}#FINDING#0001` },
    ]);
    const items = transaction();
    expect(items[1]!.Update?.ConditionExpression).toBe('attribute_exists(pk) AND #status = :open');
    expect(items[2]!.Update?.UpdateExpression).toBe('SET openFindings = openFindings - :one');
    expect(sortKeys(items)).toEqual(
      expect.arrayContaining([
        `Delete REMINDER#oversight-finding#${AUDIT_ID}.1`,
        `Delete CALENDAR#${CONTROLLER_ORG}#oversight-finding-${AUDIT_ID}.1`,
        `Delete CALENDAR#${PROCESSOR_ORG}#oversight-finding-${AUDIT_ID}.1`,
      ]),
    );
    expect(
      puts(items)
        .filter((item) => String(item.pk).startsWith('NOTIFICATIONS#'))
        .map((n) => [n.type, n.recipientOrgNumber]),
    ).toEqual([['oversight.finding-closed', CONTROLLER_ORG]]);
  });

  it('answers 404 for a finding number the audit does not have, 409 for one closed already', async () => {
    givenStored(inForceAgreement());
    givenItem(headItem(head()));
    expect((await closeOne(PROCESSOR_ORG, { howClosed: 'x' })).statusCode).toBe(404);
    expect((await closeOne(PROCESSOR_ORG, { howClosed: 'x' }, { findingId: '0' })).statusCode).toBe(404);
    givenItem(findingItem(finding({ status: 'CLOSED', closedAt: NOW })));
    expect((await closeOne(PROCESSOR_ORG, { howClosed: 'x' })).statusCode).toBe(409);
    expect(tableWrites()).toEqual([]);
  });
});

describe('POST /agreements/{id}/audits/{auditId}/close', () => {
  it('refuses while a finding is open', async () => {
    givenStored(inForceAgreement());
    givenItem(headItem(head({ openFindings: 2 })));
    const response = await close(CONTROLLER_ORG, { conclusion: 'I orden' });
    expect(response.statusCode).toBe(409);
    expect(response.body.detail).toContain('2 open finding');
    expect(tableWrites()).toEqual([]);
  });

  it('closes the audit and plans the next of the plan in the same transaction', async () => {
    givenStored(inForceAgreement());
    givenItem(headItem(head({ status: 'MATERIAL_SUBMITTED', materialCount: 1 })));
    const response = await close(CONTROLLER_ORG, { conclusion: 'I orden' });

    expect(response.statusCode).toBe(200);
    const next = response.body.next;
    expect(response.body.audit).toMatchObject({
      id: AUDIT_ID,
      status: 'CLOSED',
      conclusion: 'I orden',
      nextAuditId: next.id,
    });
    expect(response.body.audit).not.toHaveProperty('materialCount');
    expect(next).toMatchObject({
      dueOn: '2027-07-31',
      status: 'PLANNED',
      previousAuditId: AUDIT_ID,
      recurrence: { occurrence: 2 },
    });
    const items = transaction();
    expect(items[1]!.Update?.ConditionExpression).toBe(
      'attribute_exists(pk) AND #status <> :closed AND openFindings = :zero',
    );
    expect(sortKeys(items)).toEqual(
      expect.arrayContaining([
        `Put OVERSIGHT#${next.id}`,
        `Delete REMINDER#oversight-due#${AUDIT_ID}`,
        `Put REMINDER#oversight-due#${next.id}`,
        `Delete CALENDAR#${PROCESSOR_ORG}#oversight-${AUDIT_ID}`,
        `Put CALENDAR#${PROCESSOR_ORG}#oversight-${next.id}`,
      ]),
    );
    expect(
      puts(items)
        .filter((item) => String(item.sk).startsWith('HISTORY#'))
        .map((item) => item.type),
    ).toEqual(['OVERSIGHT_CLOSED', 'OVERSIGHT_PLANNED']);
  });
});

describe('reading audits', () => {
  const material = marshall({
    pk: PK,
    sk: `OVERSIGHT#${AUDIT_ID}#MATERIAL#0001`,
    entity: 'oversight-material',
    auditId: AUDIT_ID,
    number: 1,
    at: NOW,
    by: { orgNumber: PROCESSOR_ORG, clientId: 'x' },
    documents: [
      {
        name: 'a.txt',
        sha256: 'a'.repeat(64),
        size: 4,
        mediaType: 'text/plain',
        contentStored: true,
        content: 'YXNkZg==',
      },
    ],
  });

  it('lists every audit with its material (without content) and findings, in one Query, and logs the read', async () => {
    ddb.on(QueryCommand).resolves({
      Items: [
        headItem(head({ materialCount: 1, findingCount: 1, openFindings: 1 })),
        findingItem(finding()),
        material,
      ],
    });
    const response = await list(CONTROLLER_ORG);

    expect(response.statusCode).toBe(200);
    const [audit] = response.body.items;
    expect(audit.material[0].documents[0]).toEqual({
      name: 'a.txt',
      sha256: 'a'.repeat(64),
      size: 4,
      mediaType: 'text/plain',
      contentStored: true,
    });
    expect(audit.findings).toEqual([finding()]);
    expect(audit).not.toHaveProperty('findingCount');
    const query = ddb.commandCalls(QueryCommand)[0]!.args[0].input;
    expect(unmarshall(query.ExpressionAttributeValues!)).toEqual({ ':pk': PK, ':prefix': 'OVERSIGHT#' });
    expect(partyRead().condition).toBe(PARTY_CONDITION);
    expect(partyRead().audit).toMatchObject({ action: 'oversights.read' });
  });

  it('gives one audit with the content of small documents; 404 to an outsider', async () => {
    givenStored(inForceAgreement());
    ddb.on(QueryCommand).resolves({ Items: [headItem(head()), material] });
    const response = await get(PROCESSOR_ORG);
    expect(response.statusCode).toBe(200);
    expect(response.body.material[0].documents[0].content).toBe('YXNkZg==');
    expect(partyRead().audit).toMatchObject({ action: 'oversight.read', details: { auditId: AUDIT_ID } });
    givenPartyCheckFails();
    expect((await get(OUTSIDER_ORG)).statusCode).toBe(404);
  });
});
