import {
  GetItemCommand,
  QueryCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { handler as getAgreement } from '../../../functions/http/get-agreement.ts';
import { handler as getAuditLog } from '../../../functions/http/get-audit-log.ts';
import { handler as getHistory } from '../../../functions/http/get-history.ts';
import { handler as listAgreements } from '../../../functions/http/list-agreements.ts';
import { handler as signAgreement } from '../../../functions/http/sign-agreement.ts';
import { handler as submitAgreement } from '../../../functions/http/submit-agreement.ts';
import {
  AGREEMENT_ID,
  awaitingAgreement,
  CONTROLLER_ORG,
  draftAgreement,
  OUTSIDER_ORG,
  signature,
} from '../domain/agreement-fixture.ts';
import { agreementItem, agreementKey, conditionFailed, ddb, tableWrites, useAwsMocks } from './aws-mocks.ts';
import { httpEvent, invoke } from './events.ts';

useAwsMocks();

const cursorOf = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');

describe('identifiers and cursors from the caller', () => {
  it('answers an id this system never issued (e.g. 3000 characters) with 404, without asking DynamoDB', async () => {
    const id = 'x'.repeat(3000);
    const response = await invoke(
      getAgreement,
      httpEvent('GET /agreements/{id}', `/agreements/${id}`, {
        orgNumber: CONTROLLER_ORG,
        pathParameters: { id },
      }),
    );
    expect(response.statusCode).toBe(404);
    expect(ddb.commandCalls(GetItemCommand)).toHaveLength(0);
  });

  it('refuses a cursor naming other key attributes than the listing uses, with 400 and no query', async () => {
    const cursor = cursorOf({ pk: `ORG#${CONTROLLER_ORG}`, gsi1pk: `ORG#${CONTROLLER_ORG}`, sk: 'X' });
    const response = await invoke(
      listAgreements,
      httpEvent('GET /agreements', '/agreements', {
        orgNumber: CONTROLLER_ORG,
        query: { cursor },
      }),
    );
    expect(response.statusCode).toBe(400);
    expect(JSON.stringify(response.body)).toContain('cursor');
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
  });

  it('refuses a history cursor from another agreement with 400 and leaves no audit entry', async () => {
    ddb
      .on(GetItemCommand, { Key: marshall(agreementKey(AGREEMENT_ID)) })
      .resolves({ Item: agreementItem(awaitingAgreement()) });
    const cursor = cursorOf({ pk: 'AGREEMENT#someone-else', sk: 'HISTORY#2026' });
    const response = await invoke(
      getHistory,
      httpEvent('GET /agreements/{id}/history', `/agreements/${AGREEMENT_ID}/history`, {
        orgNumber: CONTROLLER_ORG,
        pathParameters: { id: AGREEMENT_ID },
        query: { cursor },
      }),
    );
    expect(response.statusCode).toBe(400);
    expect(tableWrites()).toEqual([]);
  });

  it('answers a non-party 404, not 400, for a cursor it could not have had, and writes nothing', async () => {
    ddb
      .on(GetItemCommand, { Key: marshall(agreementKey(AGREEMENT_ID)) })
      .resolves({ Item: agreementItem(awaitingAgreement()) });
    const cursor = cursorOf({ pk: 'AGREEMENT#someone-else', sk: 'HISTORY#2026' });
    const response = await invoke(
      getHistory,
      httpEvent('GET /agreements/{id}/history', `/agreements/${AGREEMENT_ID}/history`, {
        orgNumber: OUTSIDER_ORG,
        pathParameters: { id: AGREEMENT_ID },
        query: { cursor },
      }),
    );
    expect(response.statusCode).toBe(404);
    expect(tableWrites()).toEqual([]);
  });
});

describe('cursors that are well formed but point outside the listing (issue 7, defect 2)', () => {
  const readLog = (route: 'history' | 'audit-log', cursor: string) => {
    ddb
      .on(GetItemCommand, { Key: marshall(agreementKey(AGREEMENT_ID)) })
      .resolves({ Item: agreementItem(awaitingAgreement()) });
    return invoke(
      route === 'history' ? getHistory : getAuditLog,
      httpEvent(`GET /agreements/{id}/${route}`, `/agreements/${AGREEMENT_ID}/${route}`, {
        orgNumber: CONTROLLER_ORG,
        pathParameters: { id: AGREEMENT_ID },
        query: { cursor },
      }),
    );
  };
  const own = `AGREEMENT#${AGREEMENT_ID}`;

  it.each([
    ['history', { pk: own, sk: 'AGREEMENT' }, "the agreement item's own key"],
    ['history', { pk: own, sk: 'AUDIT#2026-11-20T10:00:00.000Z#1' }, 'an audit-log key'],
    ['audit-log', { pk: own, sk: 'HISTORY#2026-11-20T10:00:00.000Z#1' }, 'a history key'],
    ['audit-log', { pk: own, sk: 'META' }, 'a key of no listing'],
    ['history', { pk: own, sk: `HISTORY#${'9'.repeat(2000)}` }, 'a sort key longer than DynamoDB allows'],
    ['history', { pk: own, sk: '' }, 'an empty sort key'],
    ['history', { pk: own, sk: 7 }, 'a number for a sort key'],
  ] as const)('refuses on %s a cursor holding %o (%s) with 400 and no query', async (route, key, _what) => {
    const response = await readLog(route, cursorOf(key));

    expect(response.statusCode).toBe(400);
    expect(response.body).toMatchObject({ status: 400, errors: [{ field: 'cursor' }] });
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
    expect(tableWrites()).toEqual([]);
  });

  it.each([
    'not base64url!',
    cursorOf(['pk', 'sk']),
    cursorOf('AGREEMENT'),
    'A'.repeat(5000),
  ])('refuses a cursor that is no key at all (%s) with 400', async (cursor) => {
    const response = await readLog('history', cursor);

    expect(response.statusCode).toBe(400);
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
  });

  it('follows a cursor that names an entry of its own listing', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });

    const response = await readLog(
      'audit-log',
      cursorOf({ pk: own, sk: 'AUDIT#2026-11-20T10:00:00.000Z#1' }),
    );

    expect(response.statusCode).toBe(200);
    expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input.ExclusiveStartKey).toEqual(
      marshall({ pk: own, sk: 'AUDIT#2026-11-20T10:00:00.000Z#1' }),
    );
  });
});

describe('two parties signing at the same moment', () => {
  it('lets the signature whose write lost the race sign the version it then finds', async () => {
    const before = awaitingAgreement();
    const afterProcessorSigned = awaitingAgreement({
      version: 3,
      signatures: [signature('processor', '2026-11-22')],
    });
    ddb
      .on(GetItemCommand, { Key: marshall(agreementKey(AGREEMENT_ID)) })
      .resolvesOnce({ Item: agreementItem(before) })
      .resolves({ Item: agreementItem(afterProcessorSigned) });
    ddb.on(TransactWriteItemsCommand).rejectsOnce(conditionFailed(afterProcessorSigned)).resolves({});

    const response = await invoke(
      signAgreement,
      httpEvent('POST /agreements/{id}/signatures', `/agreements/${AGREEMENT_ID}/signatures`, {
        orgNumber: CONTROLLER_ORG,
        pathParameters: { id: AGREEMENT_ID },
        body: {
          signatory: { name: 'Kari Testesen', title: 'Rådmann' },
          place: 'Radøy',
          contentHash: before.contentHash,
        },
      }),
    );

    expect(response.statusCode).toBe(201);
    expect(response.body).toMatchObject({ status: 'IN_FORCE', version: 4 });
    expect(ddb.commandCalls(TransactWriteItemsCommand)).toHaveLength(2);
  });
});

describe("DynamoDB's TransactionConflict (another transaction on the agreement in flight)", () => {
  it('is a 409 concurrent change, not a 500', async () => {
    ddb
      .on(GetItemCommand, { Key: marshall(agreementKey(AGREEMENT_ID)) })
      .resolves({ Item: agreementItem(draftAgreement()) });
    ddb.on(TransactWriteItemsCommand).rejects(
      new TransactionCanceledException({
        message: 'Transaction cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: 'TransactionConflict' }, { Code: 'None' }],
      }),
    );

    const response = await invoke(
      submitAgreement,
      httpEvent('POST /agreements/{id}/submit', `/agreements/${AGREEMENT_ID}/submit`, {
        orgNumber: CONTROLLER_ORG,
        pathParameters: { id: AGREEMENT_ID },
      }),
    );

    expect(response.statusCode).toBe(409);
    expect(response.body.detail).toContain('changed by another request');
  });
});
