import { readFileSync } from 'node:fs';
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  PutItemCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { httpFunctions } from '../../../functions/catalogue.ts';
import { handler as createAgreement } from '../../../functions/http/create-agreement.ts';
import { fromRepoRoot } from '../../../infra/paths.ts';
import { CONTROLLER_ORG, exampleCreateRequest, OUTSIDER_ORG } from '../domain/agreement-fixture.ts';
import { ddb, NOW, tableWrites, useAwsMocks } from './aws-mocks.ts';
import { httpEvent, invoke } from './events.ts';

useAwsMocks();

const KEY = '5b1d7c9e-0f4a-4e3b-9d2c-8a7b6c5d4e3f';
const create = (
  body: unknown,
  headers: Record<string, string> = { 'idempotency-key': KEY },
  orgNumber = CONTROLLER_ORG,
) => invoke(createAgreement, httpEvent('POST /agreements', '/agreements', { orgNumber, body, headers }));

const claims = () => ddb.commandCalls(PutItemCommand).map((call) => call.args[0].input);
const nowSeconds = Date.parse(NOW) / 1000;

/** The record a first request left, as DynamoDB would hand it back on the next claim's failed condition. */
function heldBy(record: Record<string, unknown>): void {
  ddb.on(PutItemCommand).rejects(
    new ConditionalCheckFailedException({
      message: 'The conditional request failed',
      $metadata: {},
      Item: marshall({ pk: `IDEMPOTENCY#${CONTROLLER_ORG}`, sk: KEY, ...record }),
    }),
  );
}

/** The fingerprint the first request of this body stored, read from its claim. */
async function fingerprintOf(body: unknown): Promise<string> {
  await create(body);
  const fingerprint = unmarshall(claims()[0]!.Item!).fingerprint as string;
  ddb.resetHistory();
  return fingerprint;
}

describe('Idempotency-Key on POST (issue 7)', () => {
  it('without the header does what it always did: no idempotency record', async () => {
    const response = await create(exampleCreateRequest(), {});

    expect(response.statusCode).toBe(201);
    expect(claims()).toEqual([]);
  });

  it('claims the key for the organisation, conditionally, for 24 hours, before doing the work', async () => {
    await create(exampleCreateRequest());

    const [claim] = claims();
    expect(unmarshall(claim!.Item!)).toMatchObject({
      pk: `IDEMPOTENCY#${CONTROLLER_ORG}`,
      sk: KEY,
      status: 'IN_PROGRESS',
      fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
      expiresAt: nowSeconds + 24 * 3600,
      lockedUntil: nowSeconds + 60,
    });
    expect(claim!.ConditionExpression).toBe(
      'attribute_not_exists(pk) OR #ttl <= :now OR (#status = :inProgress AND lockedUntil <= :now)',
    );
    expect(claim!.ReturnValuesOnConditionCheckFailure).toBe('ALL_OLD');
  });

  it('stores the first response (status, body, headers) once the work is done', async () => {
    const response = await create(exampleCreateRequest());

    const [completion] = ddb.commandCalls(UpdateItemCommand).map((call) => call.args[0].input);
    expect(completion!.ConditionExpression).toBe('#status = :inProgress AND fingerprint = :fingerprint');
    const stored = unmarshall(completion!.ExpressionAttributeValues!)[':response'];
    expect(stored).toEqual({
      status: 201,
      body: JSON.stringify(response.body),
      headers: { location: `/agreements/${response.body.id}`, etag: '"1"' },
    });
  });

  it('answers a retry with the first response, marked as replayed, without doing the work again', async () => {
    const body = exampleCreateRequest();
    const fingerprint = await fingerprintOf(body);
    const first = { id: '0b8e3d1c-2a4f-4c6b-8e9d-1f2a3b4c5d6e', status: 'DRAFT' };
    heldBy({
      status: 'COMPLETED',
      fingerprint,
      response: {
        status: 201,
        body: JSON.stringify(first),
        headers: { location: `/agreements/${first.id}` },
      },
    });

    const retry = await create(body);

    expect(retry.statusCode).toBe(201);
    expect(retry.body).toEqual(first);
    expect(retry.headers).toMatchObject({
      location: `/agreements/${first.id}`,
      'idempotent-replayed': 'true',
    });
    expect(ddb.commandCalls(TransactWriteItemsCommand)).toEqual([]);
  });

  it('refuses the same key for a different body with 422, doing nothing', async () => {
    const fingerprint = await fingerprintOf(exampleCreateRequest());
    heldBy({ status: 'COMPLETED', fingerprint, response: { status: 201, body: '{}' } });

    const response = await create({ ...exampleCreateRequest(), title: 'En annen avtale' });

    expect(response.statusCode).toBe(422);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.body).toMatchObject({ status: 422, errors: [{ field: 'Idempotency-Key' }] });
    expect(ddb.commandCalls(TransactWriteItemsCommand)).toEqual([]);
  });

  it('answers 409 while the first request with the key is still being processed', async () => {
    const body = exampleCreateRequest();
    const fingerprint = await fingerprintOf(body);
    heldBy({ status: 'IN_PROGRESS', fingerprint, lockedUntil: nowSeconds + 30 });

    const response = await create(body);

    expect(response.statusCode).toBe(409);
    expect(response.body.detail).toContain('still being processed');
    expect(ddb.commandCalls(TransactWriteItemsCommand)).toEqual([]);
  });

  it('frees the key when the request is refused, so that a corrected retry is done', async () => {
    const response = await create(exampleCreateRequest(), { 'idempotency-key': KEY }, OUTSIDER_ORG);

    expect(response.statusCode).toBe(403);
    const [release] = ddb.commandCalls(DeleteItemCommand).map((call) => call.args[0].input);
    expect(unmarshall(release!.Key!)).toEqual({ pk: `IDEMPOTENCY#${OUTSIDER_ORG}`, sk: KEY });
    expect(ddb.commandCalls(UpdateItemCommand)).toEqual([]);
  });

  it.each([
    '',
    'ø-is-not-ascii',
    'a b',
    'x'.repeat(256),
  ])('refuses a malformed key %j with 400 naming the header, before any write', async (key) => {
    const response = await create(exampleCreateRequest(), { 'idempotency-key': key });

    expect(response.statusCode).toBe(400);
    expect(response.body.errors).toEqual([{ field: 'Idempotency-Key', message: expect.any(String) }]);
    expect(tableWrites()).toEqual([]);
  });

  it.each(
    httpFunctions.filter((fn) => fn.method === 'POST').map((fn) => [fn.id, fn.entry]),
  )('is accepted by the POST route %s (its handler is wrapped in idempotent)', (_id, entry) => {
    expect(readFileSync(fromRepoRoot(entry), 'utf8')).toMatch(/httpHandler\(\s*\{[^}]*\},\s*idempotent\(/);
  });
});
