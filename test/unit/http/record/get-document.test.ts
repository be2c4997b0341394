import { PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { renderAgreementDocument } from '../../../../functions/domain/document/agreement-document.ts';
import { handler } from '../../../../functions/http/record/get-document.ts';
import { flatText } from '../../../support/pdf-text.ts';
import {
  AGREEMENT_ID,
  awaitingAgreement,
  CONTROLLER_ORG,
  OUTSIDER_ORG,
  PROCESSOR_ORG,
  signature,
} from '../../domain/agreement-fixture.ts';
import { ddb, givenStored, NOW, TABLE_NAME, tableWrites, useAwsMocks } from '../aws-mocks.ts';
import { claimsFor, httpEvent, lambdaContext } from '../events.ts';

useAwsMocks();

const ROUTE = 'GET /agreements/{id}/document';

async function getDocument(
  orgNumber: string,
  options: { id?: string; query?: Record<string, string>; claims?: Record<string, unknown> } = {},
) {
  const id = options.id ?? AGREEMENT_ID;
  const result = await handler(
    httpEvent(ROUTE, `/agreements/${id}/document`, {
      orgNumber,
      pathParameters: { id },
      // The same correlation id everywhere, so two answers can be compared whole.
      headers: { 'x-correlation-id': 'document-test' },
      ...(options.query ? { query: options.query } : {}),
      ...(options.claims ? { claims: options.claims } : {}),
    }),
    lambdaContext,
  );
  const headers = (result.headers ?? {}) as Record<string, string>;
  const body = result.body ?? '';
  return {
    status: result.statusCode,
    headers,
    isBase64Encoded: result.isBase64Encoded,
    bytes: result.isBase64Encoded ? new Uint8Array(Buffer.from(body, 'base64')) : undefined,
    problem: headers['content-type'] === 'application/problem+json' ? JSON.parse(body) : undefined,
  };
}

describe('GET /agreements/{id}/document', () => {
  it('gives a party the PDF, base64 for API Gateway, with an ETag and a file name', async () => {
    const agreement = awaitingAgreement({ version: 4, signatures: [signature('processor', '2026-11-20')] });
    givenStored(agreement);

    const response = await getDocument(CONTROLLER_ORG);

    expect(response.status).toBe(200);
    expect(response.isBase64Encoded).toBe(true);
    expect(response.headers['content-type']).toBe('application/pdf');
    expect(response.headers.etag).toBe('"4"');
    expect(response.headers['content-disposition']).toBe(`inline; filename="${AGREEMENT_ID}.pdf"`);
    expect(Buffer.from(response.bytes!).subarray(0, 8).toString('latin1')).toBe('%PDF-1.7');
    expect(Buffer.from(response.bytes!).equals(Buffer.from(renderAgreementDocument(agreement)))).toBe(true);
    expect(flatText(response.bytes!)).toContain(`Innholdshash: ${agreement.contentHash}`);
  });

  it('gives the other party the same document', async () => {
    givenStored(awaitingAgreement());
    const forController = await getDocument(CONTROLLER_ORG);
    const forProcessor = await getDocument(PROCESSOR_ORG);
    expect(forProcessor.status).toBe(200);
    expect(Buffer.from(forProcessor.bytes!).equals(Buffer.from(forController.bytes!))).toBe(true);
  });

  it('gives version=1 (the content as first signed, the only version yet) the same bytes as no version', async () => {
    givenStored(awaitingAgreement());
    const current = await getDocument(PROCESSOR_ORG);
    const first = await getDocument(PROCESSOR_ORG, { query: { version: '1' } });
    expect(first.status).toBe(200);
    expect(Buffer.from(first.bytes!).equals(Buffer.from(current.bytes!))).toBe(true);
  });

  it('logs the read in the audit log: who, what, which version, when (rule 10)', async () => {
    givenStored(awaitingAgreement());
    await getDocument(CONTROLLER_ORG, {
      claims: { ...claimsFor(CONTROLLER_ORG), name: 'Kari Saksbehandler' },
    });

    const puts = ddb.commandCalls(PutItemCommand);
    expect(puts).toHaveLength(1);
    expect(puts[0]?.args[0].input.TableName).toBe(TABLE_NAME);
    const item = unmarshall(puts[0]!.args[0].input.Item!);
    expect(item).toMatchObject({
      pk: `AGREEMENT#${AGREEMENT_ID}`,
      entity: 'audit',
      at: NOW,
      action: 'agreement.document.read',
      route: ROUTE,
      actor: { orgNumber: CONTROLLER_ORG, clientId: 'test-client', person: 'Kari Saksbehandler' },
      details: { version: 1 },
    });
    expect(item.sk).toMatch(new RegExp(`^AUDIT#${NOW}#`));
  });

  it('reads the agreement with its content versions in one consistent query and writes only the audit entry', async () => {
    givenStored(awaitingAgreement());
    await getDocument(PROCESSOR_ORG);
    const queries = ddb.commandCalls(QueryCommand);
    expect(queries).toHaveLength(1);
    expect(queries[0]?.args[0].input).toMatchObject({
      ConsistentRead: true,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    });
    expect(unmarshall(queries[0]!.args[0].input.ExpressionAttributeValues!)).toEqual({
      ':pk': `AGREEMENT#${AGREEMENT_ID}`,
      ':prefix': 'AGREEMENT',
    });
    expect(tableWrites()).toHaveLength(1);
  });

  it('answers a non-party exactly as for an agreement that does not exist, and writes nothing (rule 11)', async () => {
    givenStored(awaitingAgreement());

    const forOutsider = await getDocument(OUTSIDER_ORG);
    const forMissing = await getDocument(CONTROLLER_ORG, { id: '00000000-0000-4000-8000-000000000000' });

    expect(forOutsider.status).toBe(404);
    expect(forOutsider.headers['content-type']).toBe('application/problem+json');
    expect(forOutsider.problem).toEqual(forMissing.problem);
    expect(forOutsider.headers).toEqual(forMissing.headers);
    expect(tableWrites()).toEqual([]);
  });

  it('answers a content version the agreement does not have 404 naming version, and logs no read', async () => {
    givenStored(awaitingAgreement());

    const response = await getDocument(CONTROLLER_ORG, { query: { version: '2' } });

    expect(response.status).toBe(404);
    expect(response.problem.detail).toMatch(/no content version 2 \(query parameter version\)/);
    expect(response.problem.errors).toEqual([{ field: 'version', message: 'no content version 2' }]);
    expect(tableWrites()).toEqual([]);
  });

  it('answers a non-party asking for another version the same 404 as for no agreement at all', async () => {
    givenStored(awaitingAgreement());
    const forOutsider = await getDocument(OUTSIDER_ORG, { query: { version: '2' } });
    const forMissing = await getDocument(OUTSIDER_ORG, { id: '00000000-0000-4000-8000-000000000000' });
    expect(forOutsider.status).toBe(404);
    expect(forOutsider.problem).toEqual(forMissing.problem);
  });

  it.each([
    'abc',
    '1.5',
    '0',
    '-1',
    '',
    'Infinity',
  ])('answers version=%j 400 naming version, before any read', async (version) => {
    givenStored(awaitingAgreement());

    const response = await getDocument(CONTROLLER_ORG, { query: { version } });

    expect(response.status).toBe(400);
    expect(response.problem.errors.map((error: { field: string }) => error.field)).toEqual(['version']);
    expect(ddb.calls()).toEqual([]);
  });

  it('answers an unknown query parameter 400 naming it', async () => {
    const response = await getDocument(CONTROLLER_ORG, { query: { versjon: '1' } });
    expect(response.status).toBe(400);
    expect(response.problem.errors).toEqual([{ field: 'versjon', message: 'unknown field' }]);
  });
});
