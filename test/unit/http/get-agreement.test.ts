import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { handler } from '../../../functions/http/get-agreement.ts';
import {
  AGREEMENT_ID,
  awaitingAgreement,
  CONTROLLER_ORG,
  OUTSIDER_ORG,
  PROCESSOR_ORG,
  signature,
} from '../domain/agreement-fixture.ts';
import { ddb, givenStored, NOW, TABLE_NAME, tableWrites, useAwsMocks } from './aws-mocks.ts';
import { claimsFor, httpEvent, invoke } from './events.ts';

useAwsMocks();

const get = (
  orgNumber: string,
  id = AGREEMENT_ID,
  claims?: Record<string, unknown>,
  headers: Record<string, string> = {},
) =>
  invoke(
    handler,
    httpEvent('GET /agreements/{id}', `/agreements/${id}`, {
      orgNumber,
      pathParameters: { id },
      headers,
      ...(claims ? { claims } : {}),
    }),
  );

describe('GET /agreements/{id}', () => {
  it('gives a party the agreement with its signatures and an ETag of its version', async () => {
    const agreement = awaitingAgreement({ version: 3, signatures: [signature('processor', '2026-11-20')] });
    givenStored(agreement, { controller: 'token-controller' });

    const response = await get(PROCESSOR_ORG);

    expect(response.statusCode).toBe(200);
    expect(response.headers.etag).toBe('"3"');
    expect(response.body).toEqual(agreement);
  });

  it('never shows the stored keys or the workflow task tokens', async () => {
    givenStored(awaitingAgreement(), { controller: 'token-controller' });
    const response = await get(CONTROLLER_ORG);
    for (const internal of ['pk', 'sk', 'entity', 'signingTokens']) {
      expect(response.body).not.toHaveProperty(internal);
    }
  });

  it('reads the agreement item consistently', async () => {
    givenStored(awaitingAgreement());
    await get(CONTROLLER_ORG);
    expect(ddb.commandCalls(GetItemCommand)[0]?.args[0].input).toEqual({
      TableName: TABLE_NAME,
      Key: marshall({ pk: `AGREEMENT#${AGREEMENT_ID}`, sk: 'AGREEMENT' }),
      ConsistentRead: true,
    });
  });

  it('logs the read in the audit log: who, what, when (rule 10)', async () => {
    givenStored(awaitingAgreement());
    await get(CONTROLLER_ORG, AGREEMENT_ID, { ...claimsFor(CONTROLLER_ORG), name: 'Kari Saksbehandler' });

    const puts = ddb.commandCalls(PutItemCommand);
    expect(puts).toHaveLength(1);
    expect(puts[0]?.args[0].input.TableName).toBe(TABLE_NAME);
    const item = unmarshall(puts[0]!.args[0].input.Item!);
    expect(item).toMatchObject({
      pk: `AGREEMENT#${AGREEMENT_ID}`,
      entity: 'audit',
      at: NOW,
      action: 'agreement.read',
      route: 'GET /agreements/{id}',
      actor: { orgNumber: CONTROLLER_ORG, clientId: 'test-client', person: 'Kari Saksbehandler' },
    });
    expect(item.sk).toMatch(new RegExp(`^AUDIT#${NOW}#`));
  });

  it('answers a non-party 404 and writes nothing at all, not even an audit entry', async () => {
    givenStored(awaitingAgreement());
    const response = await get(OUTSIDER_ORG);
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(tableWrites()).toEqual([]);
  });

  it('answers a non-party exactly as for an agreement that does not exist (rule 11)', async () => {
    givenStored(awaitingAgreement());
    // The same correlation id for both: otherwise each answer carries its own generated one.
    const sameCorrelation = { 'x-correlation-id': 'rule-11' };
    const forOutsider = await get(OUTSIDER_ORG, AGREEMENT_ID, undefined, sameCorrelation);
    const forMissing = await get(
      CONTROLLER_ORG,
      '00000000-0000-4000-8000-000000000000',
      undefined,
      sameCorrelation,
    );
    expect(forMissing.statusCode).toBe(404);
    expect(forOutsider.body).toEqual(forMissing.body);
    expect(forOutsider.headers).toEqual(forMissing.headers);
    expect(tableWrites()).toEqual([]);
  });

  it('answers 401 to a request without claims, before reading anything', async () => {
    const response = await invoke(
      handler,
      httpEvent('GET /agreements/{id}', `/agreements/${AGREEMENT_ID}`, {
        claims: null,
        pathParameters: { id: AGREEMENT_ID },
      }),
    );
    expect(response.statusCode).toBe(401);
    expect(ddb.calls()).toEqual([]);
  });
});
