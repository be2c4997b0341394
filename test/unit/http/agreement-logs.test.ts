import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { handler as getAuditLog } from '../../../functions/http/get-audit-log.ts';
import { handler as getHistory } from '../../../functions/http/get-history.ts';
import { handler as listNotifications } from '../../../functions/http/list-notifications.ts';
import {
  AGREEMENT_ID,
  awaitingAgreement,
  CONTROLLER_ORG,
  OUTSIDER_ORG,
  PROCESSOR_ORG,
} from '../domain/agreement-fixture.ts';
import {
  ddb,
  givenPartyCheckFails,
  givenStored,
  PARTY_CONDITION,
  partyRead,
  tableWrites,
  useAwsMocks,
} from './aws-mocks.ts';
import { httpEvent, invoke } from './events.ts';

useAwsMocks();

const historyOf = (orgNumber: string) =>
  invoke(
    getHistory,
    httpEvent('GET /agreements/{id}/history', `/agreements/${AGREEMENT_ID}/history`, {
      orgNumber,
      pathParameters: { id: AGREEMENT_ID },
    }),
  );

const auditLogOf = (orgNumber: string) =>
  invoke(
    getAuditLog,
    httpEvent('GET /agreements/{id}/audit-log', `/agreements/${AGREEMENT_ID}/audit-log`, {
      orgNumber,
      pathParameters: { id: AGREEMENT_ID },
    }),
  );

describe('GET /agreements/{id}/history', () => {
  it("reads the agreement's history entries oldest first, without their keys", async () => {
    givenStored(awaitingAgreement());
    ddb.on(QueryCommand).resolves({
      Items: [
        marshall({
          pk: `AGREEMENT#${AGREEMENT_ID}`,
          sk: 'HISTORY#2026-11-01T09:00:00.000Z#abcd1234',
          entity: 'history',
          at: '2026-11-01T09:00:00.000Z',
          type: 'AGREEMENT_CREATED',
          toStatus: 'DRAFT',
        }),
      ],
    });
    const response = await historyOf(PROCESSOR_ORG);
    expect(response.statusCode).toBe(200);
    expect(response.body).toEqual({
      items: [{ at: '2026-11-01T09:00:00.000Z', type: 'AGREEMENT_CREATED', toStatus: 'DRAFT' }],
    });
    const input = ddb.commandCalls(QueryCommand)[0]!.args[0].input;
    expect(input.KeyConditionExpression).toBe('pk = :pk AND begins_with(sk, :prefix)');
    expect(unmarshall(input.ExpressionAttributeValues!)).toEqual({
      ':pk': `AGREEMENT#${AGREEMENT_ID}`,
      ':prefix': 'HISTORY#',
    });
    expect(input.ScanIndexForward).not.toBe(false);
  });

  it('logs the read as history.read, under the check that the caller is a party: two round trips', async () => {
    await historyOf(CONTROLLER_ORG);
    const read = partyRead();
    expect(read.condition).toBe(PARTY_CONDITION);
    expect(read.checkedOrg).toBe(CONTROLLER_ORG);
    expect(read.audit).toEqual(expect.objectContaining({ action: 'history.read', entity: 'audit' }));
    const order = ddb.calls().map((call) => call.args[0].constructor.name);
    expect(order).toEqual(['QueryCommand', 'TransactWriteItemsCommand']);
  });

  it('answers a non-party 404, and the audit entry its party check refused is not written', async () => {
    givenPartyCheckFails();
    const response = await historyOf(OUTSIDER_ORG);
    expect(response.statusCode).toBe(404);
    expect(response.body).not.toHaveProperty('items');
    expect(tableWrites()).toHaveLength(1);
    expect(partyRead().condition).toBe(PARTY_CONDITION);
  });
});

describe('GET /agreements/{id}/audit-log', () => {
  it('logs its own read once the page is read, and queries only audit entries', async () => {
    const response = await auditLogOf(PROCESSOR_ORG);
    expect(response.statusCode).toBe(200);
    const query = ddb.commandCalls(QueryCommand)[0]!;
    const read = partyRead();
    expect(read.condition).toBe(PARTY_CONDITION);
    expect(read.checkedOrg).toBe(PROCESSOR_ORG);
    expect(read.audit).toMatchObject({
      action: 'audit-log.read',
      actor: { orgNumber: PROCESSOR_ORG, clientId: 'test-client' },
    });
    const order = ddb.calls().map((call) => call.args[0].constructor.name);
    expect(order).toEqual(['QueryCommand', 'TransactWriteItemsCommand']);
    expect(unmarshall(query.args[0].input.ExpressionAttributeValues!)[':prefix']).toBe('AUDIT#');
  });

  it('answers a non-party 404 and writes nothing', async () => {
    givenPartyCheckFails();
    const response = await auditLogOf(OUTSIDER_ORG);
    expect(response.statusCode).toBe(404);
    expect(response.body).not.toHaveProperty('items');
    expect(tableWrites()).toHaveLength(1);
  });
});

describe('GET /notifications', () => {
  it("reads only the caller's own outbox", async () => {
    const response = await invoke(
      listNotifications,
      httpEvent('GET /notifications', '/notifications', { orgNumber: OUTSIDER_ORG }),
    );
    expect(response.statusCode).toBe(200);
    expect(response.body).toEqual({ items: [] });
    const input = ddb.commandCalls(QueryCommand)[0]!.args[0].input;
    expect(input.KeyConditionExpression).toBe('pk = :pk');
    expect(unmarshall(input.ExpressionAttributeValues!)).toEqual({ ':pk': `NOTIFICATIONS#${OUTSIDER_ORG}` });
    expect(input.IndexName).toBeUndefined();
  });
});
