import { PutItemCommand, QueryCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { handler as getAuthorization } from '../../../functions/http/get-processing-authorization.ts';
import { handler as getOne } from '../../../functions/http/get-sub-processor.ts';
import { handler as list } from '../../../functions/http/list-sub-processors.ts';
import { AGREEMENT_ID, CONTROLLER_ORG, OUTSIDER_ORG, PROCESSOR_ORG } from '../domain/agreement-fixture.ts';
import {
  approvedRecord,
  inForceAgreement,
  OTHER_SUB_ID,
  pendingRecord,
  SUB_ID,
} from '../domain/sub-processor-fixture.ts';
import {
  ddb,
  givenPartyCheckFails,
  givenStored,
  NOW,
  PARTY_CONDITION,
  partyRead,
  tableWrites,
  useAwsMocks,
} from './aws-mocks.ts';
import { httpEvent, invoke } from './events.ts';
import { givenSubProcessor, givenSubProcessors } from './sub-processor-mocks.ts';

useAwsMocks();

/** Audit entries written: alone (after reading the agreement) or under a party check (without it). */
const audits = () => [
  ...ddb.commandCalls(PutItemCommand).map((call) => unmarshall(call.args[0].input.Item!)),
  ...ddb
    .commandCalls(TransactWriteItemsCommand)
    .flatMap((call) => call.args[0].input.TransactItems ?? [])
    .filter((item) => item.Put)
    .map((item) => unmarshall(item.Put!.Item!)),
];

const listAs = (orgNumber: string, query?: Record<string, string>) =>
  invoke(
    list,
    httpEvent('GET /agreements/{id}/sub-processors', `/agreements/${AGREEMENT_ID}/sub-processors`, {
      orgNumber,
      pathParameters: { id: AGREEMENT_ID },
      ...(query ? { query } : {}),
    }),
  );

const gate = (orgNumber: string, query?: Record<string, string>) =>
  invoke(
    getAuthorization,
    httpEvent(
      'GET /agreements/{id}/processing-authorization',
      `/agreements/${AGREEMENT_ID}/processing-authorization`,
      { orgNumber, pathParameters: { id: AGREEMENT_ID }, ...(query ? { query } : {}) },
    ),
  );

// Approved the day before NOW, rejected, and one requested so long ago that its deadline has passed.
const approved = approvedRecord({
  id: OTHER_SUB_ID,
  name: 'Alfa Drift AS',
  requestedAt: '2026-11-19T09:00:00.000Z',
});
const rejected = pendingRecord({ id: 'b2', status: 'REJECTED', requestedAt: '2026-11-21T09:00:00.000Z' });
const lapsed = pendingRecord({
  id: 'c3',
  requestedAt: '2026-10-01T09:00:00.000Z',
  decisionDeadline: '2026-10-31',
});

describe('GET /agreements/{id}/sub-processors', () => {
  it('lists every request, oldest first, a lapsed one as EXPIRED', async () => {
    givenStored(inForceAgreement());
    givenSubProcessors([rejected, approved, lapsed]);
    const response = await listAs(CONTROLLER_ORG);

    expect(response.statusCode).toBe(200);
    expect(response.body.items.map((item: { id: string; status: string }) => [item.id, item.status])).toEqual(
      [
        ['c3', 'EXPIRED'],
        [OTHER_SUB_ID, 'APPROVED'],
        ['b2', 'REJECTED'],
      ],
    );
    const query = ddb.commandCalls(QueryCommand)[0]!.args[0].input;
    expect(query.KeyConditionExpression).toBe('pk = :pk AND begins_with(sk, :prefix)');
    expect(unmarshall(query.ExpressionAttributeValues!)).toEqual({
      ':pk': `AGREEMENT#${AGREEMENT_ID}`,
      ':prefix': 'SUBPROCESSOR#',
    });
  });

  it('never shows the workflow task token', async () => {
    givenStored(inForceAgreement());
    givenSubProcessor(pendingRecord(), 'token-secret');
    const response = await invoke(
      getOne,
      httpEvent(
        'GET /agreements/{id}/sub-processors/{subId}',
        `/agreements/${AGREEMENT_ID}/sub-processors/${SUB_ID}`,
        {
          orgNumber: PROCESSOR_ORG,
          pathParameters: { id: AGREEMENT_ID, subId: SUB_ID },
        },
      ),
    );
    expect(response.statusCode).toBe(200);
    expect(JSON.stringify(response.body)).not.toContain('token-secret');
    expect(Object.keys(response.body)).not.toContain('pk');
  });

  it('filters by status', async () => {
    givenStored(inForceAgreement());
    givenSubProcessors([rejected, approved, lapsed]);
    const response = await listAs(PROCESSOR_ORG, { status: 'EXPIRED' });
    expect(response.body.items.map((item: { id: string }) => item.id)).toEqual(['c3']);
  });

  it('gives Vedlegg 3 as it stood at the end of a day', async () => {
    givenStored(inForceAgreement());
    givenSubProcessors([rejected, approved, lapsed]);
    const before = await listAs(PROCESSOR_ORG, { status: 'APPROVED', on: '2026-11-20' });
    const after = await listAs(PROCESSOR_ORG, { status: 'APPROVED', on: '2026-11-21' });
    expect(before.body).toEqual({ items: [] });
    expect(after.body.items.map((item: { id: string }) => item.id)).toEqual([OTHER_SUB_ID]);
  });

  it('logs the read, with the query, before answering', async () => {
    givenStored(inForceAgreement());
    givenSubProcessors([]);
    await listAs(CONTROLLER_ORG, { status: 'APPROVED', on: '2026-11-21' });
    expect(audits()).toEqual([
      expect.objectContaining({
        pk: `AGREEMENT#${AGREEMENT_ID}`,
        action: 'sub-processors.read',
        route: 'GET /agreements/{id}/sub-processors',
        details: { status: 'APPROVED', on: '2026-11-21' },
      }),
    ]);
    expect(partyRead().condition).toBe(PARTY_CONDITION);
    expect(partyRead().checkedOrg).toBe(CONTROLLER_ORG);
  });

  it.each([
    [{ on: '2026-11-21' }, 'on'],
    [{ status: 'REJECTED', on: '2026-11-21' }, 'on'],
    [{ status: 'APPROVED', on: '21.11.2026' }, 'on'],
    [{ status: 'PENDING' }, 'status'],
    [{ limit: '10' }, 'limit'],
  ])('answers 400 for %o, naming %s, and logs nothing', async (query, field) => {
    givenStored(inForceAgreement());
    const response = await listAs(CONTROLLER_ORG, query);
    expect(response.statusCode).toBe(400);
    expect(response.body.errors.map((error: { field: string }) => error.field)).toEqual([field]);
    expect(tableWrites()).toEqual([]);
  });

  it('answers 400 for a day after today, and logs nothing', async () => {
    givenStored(inForceAgreement());
    givenSubProcessors([approved]);
    const response = await listAs(CONTROLLER_ORG, { status: 'APPROVED', on: '2026-11-23' });
    expect(response.statusCode).toBe(400);
    expect(response.body.errors).toEqual([{ field: 'on', message: 'may not be after today (2026-11-22)' }]);
    expect(tableWrites()).toEqual([]);
  });

  it('answers 404 to a non-party, and logs nothing', async () => {
    givenSubProcessors([approvedRecord()]);
    givenPartyCheckFails();
    const response = await listAs(OUTSIDER_ORG);
    expect(response.statusCode).toBe(404);
    expect(response.body).not.toHaveProperty('items');
    // The only write was the audit entry under the party check, which DynamoDB refused.
    expect(tableWrites()).toHaveLength(1);
    expect(partyRead().checkedOrg).toBe(OUTSIDER_ORG);
  });
});

describe('GET /agreements/{id}/processing-authorization', () => {
  it('authorises an approved sub-processor of an agreement in force, for either party', async () => {
    givenStored(inForceAgreement());
    givenSubProcessor(approvedRecord());
    for (const party of [PROCESSOR_ORG, CONTROLLER_ORG]) {
      const response = await gate(party, { subProcessorId: SUB_ID });
      expect(response.statusCode).toBe(200);
      expect(response.body).toEqual({
        authorized: true,
        reasons: ['The agreement is in force', expect.stringContaining('is approved')],
        subProcessorId: SUB_ID,
        checkedAt: NOW,
      });
    }
  });

  it('puts every question, and the answer given, in the audit log', async () => {
    givenStored(inForceAgreement());
    givenSubProcessor(pendingRecord());
    await gate(PROCESSOR_ORG, { subProcessorId: SUB_ID });
    expect(audits()).toEqual([
      expect.objectContaining({
        pk: `AGREEMENT#${AGREEMENT_ID}`,
        action: 'processing-authorization.read',
        actor: { orgNumber: PROCESSOR_ORG, clientId: 'test-client' },
        route: 'GET /agreements/{id}/processing-authorization',
        details: {
          subProcessorId: SUB_ID,
          authorized: false,
          reasons: [expect.stringMatching(/^The sub-processor is not approved \(status REQUESTED\)/)],
        },
      }),
    ]);
  });

  it('answers an unknown id with 200, not authorised, and why', async () => {
    givenStored(inForceAgreement());
    const response = await gate(PROCESSOR_ORG, { subProcessorId: 'not-a-sub-processor' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatchObject({
      authorized: false,
      reasons: ['No such sub-processor on this agreement'],
    });
  });

  it('refuses an approved sub-processor of a terminated agreement', async () => {
    givenStored(inForceAgreement({ status: 'TERMINATED', terminatesOn: '2026-11-20' }));
    givenSubProcessor(approvedRecord());
    const response = await gate(PROCESSOR_ORG, { subProcessorId: SUB_ID });
    expect(response.body).toMatchObject({
      authorized: false,
      reasons: ['The agreement is not in force (status TERMINATED)'],
    });
  });

  it('answers 400 naming subProcessorId when it is missing, and logs nothing', async () => {
    givenStored(inForceAgreement());
    const response = await gate(PROCESSOR_ORG);
    expect(response.statusCode).toBe(400);
    expect(response.body.errors).toEqual([
      { field: 'subProcessorId', message: 'is required: the id of the sub-processor to ask about' },
    ]);
    expect(tableWrites()).toEqual([]);
  });

  it('answers 404 to a non-party, and logs nothing', async () => {
    givenStored(inForceAgreement());
    givenSubProcessor(approvedRecord());
    expect((await gate(OUTSIDER_ORG, { subProcessorId: SUB_ID })).statusCode).toBe(404);
    expect(tableWrites()).toEqual([]);
  });
});
