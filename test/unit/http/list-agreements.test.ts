import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { handler } from '../../../functions/http/list-agreements.ts';
import { AGREEMENT_ID, CONTROLLER_ORG, draftAgreement, PROCESSOR_ORG } from '../domain/agreement-fixture.ts';
import { ddb, TABLE_NAME, tableWrites, useAwsMocks } from './aws-mocks.ts';
import { httpEvent, invoke } from './events.ts';

useAwsMocks();

const list = (orgNumber: string, query?: Record<string, string>) =>
  invoke(handler, httpEvent('GET /agreements', '/agreements', { orgNumber, ...(query ? { query } : {}) }));

function membershipRow(orgNumber: string, role: 'controller' | 'processor') {
  const agreement = draftAgreement();
  return marshall({
    pk: `AGREEMENT#${AGREEMENT_ID}`,
    sk: `PARTY#${orgNumber}`,
    entity: 'party',
    gsi1pk: `ORG#${orgNumber}`,
    gsi1sk: `${agreement.createdAt}#${AGREEMENT_ID}`,
    role,
    id: AGREEMENT_ID,
    title: agreement.title,
    status: agreement.status,
    controller: agreement.controller,
    processor: agreement.processor,
    createdAt: agreement.createdAt,
    updatedAt: agreement.updatedAt,
  });
}

describe('GET /agreements', () => {
  it("queries the organisation index for the caller's organisation, newest first", async () => {
    await list(PROCESSOR_ORG);
    const queries = ddb.commandCalls(QueryCommand);
    expect(queries).toHaveLength(1);
    const input = queries[0]!.args[0].input;
    expect(input.TableName).toBe(TABLE_NAME);
    expect(input.IndexName).toBe('byOrganisation');
    expect(input.KeyConditionExpression).toBe('#pk = :pk');
    expect(input.ExpressionAttributeNames).toEqual({ '#pk': 'gsi1pk' });
    expect(unmarshall(input.ExpressionAttributeValues!)).toEqual({ ':pk': `ORG#${PROCESSOR_ORG}` });
    expect(input.ScanIndexForward).toBe(false);
    expect(input.Limit).toBe(25);
    expect(input.FilterExpression).toBeUndefined();
  });

  it("returns summaries with the caller's role and no content, and writes nothing", async () => {
    ddb.on(QueryCommand).resolves({ Items: [membershipRow(PROCESSOR_ORG, 'processor')] });
    const response = await list(PROCESSOR_ORG);
    expect(response.statusCode).toBe(200);
    expect(response.body).toEqual({
      items: [
        {
          id: AGREEMENT_ID,
          title: draftAgreement().title,
          status: 'DRAFT',
          role: 'processor',
          controller: draftAgreement().controller,
          processor: draftAgreement().processor,
          createdAt: draftAgreement().createdAt,
          updatedAt: draftAgreement().updatedAt,
        },
      ],
    });
    expect(tableWrites()).toEqual([]);
  });

  it('filters by status and honours the limit', async () => {
    await list(CONTROLLER_ORG, { status: 'IN_FORCE', limit: '5' });
    const input = ddb.commandCalls(QueryCommand)[0]!.args[0].input;
    expect(input.FilterExpression).toBe('#status = :status');
    expect(input.ExpressionAttributeNames).toEqual({ '#pk': 'gsi1pk', '#status': 'status' });
    expect(unmarshall(input.ExpressionAttributeValues!)).toEqual({
      ':pk': `ORG#${CONTROLLER_ORG}`,
      ':status': 'IN_FORCE',
    });
    // Limit applies before the filter: one round trip reads many rows and keeps the first five matches.
    expect(input.Limit).toBe(250);
  });

  it('stops at the limit inside a filtered page, and continues right after the last agreement given', async () => {
    const rows = [1, 2, 3].map((n) => {
      const row = unmarshall(membershipRow(CONTROLLER_ORG, 'controller'));
      const id = `00000000-0000-4000-8000-00000000000${n}`;
      return marshall({
        ...row,
        pk: `AGREEMENT#${id}`,
        gsi1sk: `${row.createdAt}#${id}`,
        id,
        status: 'IN_FORCE',
      });
    });
    ddb.on(QueryCommand).resolves({ Items: rows });

    const response = await list(CONTROLLER_ORG, { status: 'IN_FORCE', limit: '2' });

    expect(response.body.items.map((item: { id: string }) => item.id)).toEqual([
      '00000000-0000-4000-8000-000000000001',
      '00000000-0000-4000-8000-000000000002',
    ]);
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(1);
    const cursor = JSON.parse(Buffer.from(response.body.nextCursor, 'base64url').toString('utf8'));
    const second = unmarshall(rows[1]!);
    expect(cursor).toEqual({ pk: second.pk, sk: second.sk, gsi1pk: second.gsi1pk, gsi1sk: second.gsi1sk });
  });

  it('gives a cursor for the next page and continues from it', async () => {
    const lastKey = marshall({
      pk: `AGREEMENT#${AGREEMENT_ID}`,
      sk: `PARTY#${CONTROLLER_ORG}`,
      gsi1pk: `ORG#${CONTROLLER_ORG}`,
      gsi1sk: `2026-11-01T09:00:00.000Z#${AGREEMENT_ID}`,
    });
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [membershipRow(CONTROLLER_ORG, 'controller')], LastEvaluatedKey: lastKey })
      .resolves({ Items: [] });
    const first = await list(CONTROLLER_ORG, { limit: '1' });
    expect(first.body.nextCursor).toEqual(expect.any(String));

    const second = await list(CONTROLLER_ORG, { limit: '1', cursor: first.body.nextCursor });
    expect(second.statusCode).toBe(200);
    expect(second.body).toEqual({ items: [] });
    expect(ddb.commandCalls(QueryCommand)[1]!.args[0].input.ExclusiveStartKey).toEqual(lastKey);
  });

  it("refuses (400) a cursor from another organisation's listing", async () => {
    const foreign = Buffer.from(
      JSON.stringify({ pk: 'AGREEMENT#x', sk: 'PARTY#974652358', gsi1pk: 'ORG#974652358', gsi1sk: 'z' }),
    ).toString('base64url');
    const response = await list(CONTROLLER_ORG, { cursor: foreign });
    expect(response.statusCode).toBe(400);
    expect(response.body.errors).toEqual([{ field: 'cursor', message: 'is not a cursor from this listing' }]);
    expect(ddb.commandCalls(QueryCommand)).toEqual([]);
  });

  it.each([
    [{ limit: '0' }, 'limit'],
    [{ limit: '101' }, 'limit'],
    [{ status: 'SIGNED' }, 'status'],
    [{ owner: '974652358' }, 'owner'],
  ])('refuses (400) the query %j, naming %s', async (query, field) => {
    const response = await list(CONTROLLER_ORG, query);
    expect(response.statusCode).toBe(400);
    expect(response.body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
    expect(ddb.commandCalls(QueryCommand)).toEqual([]);
  });
});
