import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  DeleteItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { httpFunctions } from '../../../functions/catalogue.ts';
import { handler as createAgreement } from '../../../functions/http/create-agreement.ts';
import { handler as signAgreement } from '../../../functions/http/sign-agreement.ts';
import { handler as submitAgreement } from '../../../functions/http/submit-agreement.ts';
import { fromRepoRoot } from '../../../infra/paths.ts';
import {
  AGREEMENT_ID,
  awaitingAgreement,
  CONTROLLER_ORG,
  draftAgreement,
  exampleCreateRequest,
  OUTSIDER_ORG,
  signature,
} from '../domain/agreement-fixture.ts';
import {
  batchGetKeys,
  ddb,
  givenItem,
  givenStored,
  NOW,
  sfn,
  tableWrites,
  transaction,
  useAwsMocks,
} from './aws-mocks.ts';
import { httpEvent, invoke } from './events.ts';

useAwsMocks();

const KEY = '5b1d7c9e-0f4a-4e3b-9d2c-8a7b6c5d4e3f';
const create = (
  body: unknown,
  headers: Record<string, string> = { 'idempotency-key': KEY },
  orgNumber = CONTROLLER_ORG,
) => invoke(createAgreement, httpEvent('POST /agreements', '/agreements', { orgNumber, body, headers }));

/** The claims of the key: the last item of each transaction that carried one. */
const claims = () =>
  ddb
    .commandCalls(TransactWriteItemsCommand)
    .map((call) => call.args[0].input.TransactItems!.at(-1)!.Put!)
    .filter((put) => put && String(unmarshall(put.Item!).pk).startsWith('IDEMPOTENCY#'));
const nowSeconds = Date.parse(NOW) / 1000;

/** The record a first request left, as DynamoDB hands it back when the claim in a transaction fails. */
function heldBy(record: Record<string, unknown>): void {
  ddb.on(TransactWriteItemsCommand).callsFake((input: { TransactItems: unknown[] }) => {
    throw new TransactionCanceledException({
      message: 'Transaction cancelled, please refer cancellation reasons for specific reasons',
      $metadata: {},
      CancellationReasons: input.TransactItems.map((_, index) =>
        index === input.TransactItems.length - 1
          ? {
              Code: 'ConditionalCheckFailed',
              Item: marshall({ pk: `IDEMPOTENCY#${CONTROLLER_ORG}`, sk: KEY, ...record }),
            }
          : { Code: 'None' },
      ),
    });
  });
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

  it('claims the key for the organisation, conditionally, for 24 hours, in the transaction of the work', async () => {
    await create(exampleCreateRequest());

    expect(ddb.calls().map((call) => call.args[0].constructor.name)).toEqual([
      'TransactWriteItemsCommand',
      'UpdateItemCommand',
    ]);
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
    // The work's transaction carried the claim, which failed: nothing of it was written.
    expect(ddb.commandCalls(UpdateItemCommand)).toEqual([]);
  });

  it("reads the key's record with the agreement, and answers a retry from it before deciding anything", async () => {
    const signed = awaitingAgreement({ signatures: [signature('controller', '2026-11-22')] });
    givenStored(awaitingAgreement());
    const sign = () =>
      invoke(
        signAgreement,
        httpEvent('POST /agreements/{id}/signatures', `/agreements/${AGREEMENT_ID}/signatures`, {
          orgNumber: CONTROLLER_ORG,
          pathParameters: { id: AGREEMENT_ID },
          body: {
            signatory: { name: 'Kari Nordmann', title: 'Rådmann' },
            place: 'Radøy',
            contentHash: awaitingAgreement().contentHash,
          },
          headers: { 'idempotency-key': KEY },
        }),
      );
    const first = await sign();
    expect(first.statusCode).toBe(201);
    expect(ddb.calls().map((call) => call.args[0].constructor.name)).toEqual([
      'BatchGetItemCommand',
      'TransactWriteItemsCommand',
      'UpdateItemCommand',
    ]);
    expect(batchGetKeys().at(-1)).toEqual({ pk: `IDEMPOTENCY#${CONTROLLER_ORG}`, sk: KEY });
    const fingerprint = unmarshall(transaction().at(-1)!.Put!.Item!).fingerprint;
    ddb.resetHistory();
    // The signature stands, and the key's record holds the first answer.
    givenStored(signed);
    givenItem(
      marshall({
        pk: `IDEMPOTENCY#${CONTROLLER_ORG}`,
        sk: KEY,
        status: 'COMPLETED',
        fingerprint,
        response: { status: 201, body: JSON.stringify(first.body), headers: { etag: '"2"' } },
        expiresAt: nowSeconds + 3600,
      }),
    );

    const retry = await sign();

    expect(retry.statusCode).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers).toMatchObject({ 'idempotent-replayed': 'true' });
    expect(ddb.calls().map((call) => call.args[0].constructor.name)).toEqual(['BatchGetItemCommand']);
  });

  it('refuses the same key for a different body with 422, doing nothing', async () => {
    const fingerprint = await fingerprintOf(exampleCreateRequest());
    heldBy({ status: 'COMPLETED', fingerprint, response: { status: 201, body: '{}' } });

    const response = await create({ ...exampleCreateRequest(), title: 'En annen avtale' });

    expect(response.statusCode).toBe(422);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.body).toMatchObject({ status: 422, errors: [{ field: 'Idempotency-Key' }] });
    expect(ddb.commandCalls(UpdateItemCommand)).toEqual([]);
  });

  it('answers 409 while the first request with the key is still being processed', async () => {
    const body = exampleCreateRequest();
    const fingerprint = await fingerprintOf(body);
    heldBy({ status: 'IN_PROGRESS', fingerprint, lockedUntil: nowSeconds + 30 });

    const response = await create(body);

    expect(response.statusCode).toBe(409);
    expect(response.body.detail).toContain('still being processed');
    expect(ddb.commandCalls(UpdateItemCommand)).toEqual([]);
  });

  it('leaves the key free when the request is refused before its change, so that a corrected retry is done', async () => {
    const response = await create(exampleCreateRequest(), { 'idempotency-key': KEY }, OUTSIDER_ORG);

    expect(response.statusCode).toBe(403);
    expect(tableWrites()).toEqual([]);
  });

  it('frees the key when the work fails after its change (and claim) were written and undone', async () => {
    givenStored(draftAgreement());
    sfn.on(StartExecutionCommand).rejects(new Error('ServiceUnavailable'));

    const response = await invoke(
      submitAgreement,
      httpEvent('POST /agreements/{id}/submit', `/agreements/${AGREEMENT_ID}/submit`, {
        orgNumber: CONTROLLER_ORG,
        pathParameters: { id: AGREEMENT_ID },
        headers: { 'idempotency-key': KEY },
      }),
    );

    expect(response.statusCode).toBe(500);
    // The claim rode with the submission only; the undo carries none.
    expect(claims()).toHaveLength(1);
    const [release] = ddb.commandCalls(DeleteItemCommand).map((call) => call.args[0].input);
    expect(unmarshall(release!.Key!)).toEqual({ pk: `IDEMPOTENCY#${CONTROLLER_ORG}`, sk: KEY });
    expect(release!.ConditionExpression).toBe('#status = :inProgress AND fingerprint = :fingerprint');
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
    expect(handlerSource(entry)).toMatch(WRAPPED);
  });
});

const WRAPPED = /httpHandler\(\s*\{[^}]*\},\s*idempotent\(/;

/**
 * The source that builds an entry's handler: the entry itself, or, when its handler is made by a
 * factory it imports (`export const handler = makeHandler(...)`), the module of that factory.
 */
function handlerSource(entry: string): string {
  const source = readFileSync(fromRepoRoot(entry), 'utf8');
  if (WRAPPED.test(source)) return source;
  const factory = /export const handler = (\w+)\(/.exec(source)?.[1];
  const from =
    factory && new RegExp(`import \\{[^}]*\\b${factory}\\b[^}]*\\} from '(\\.[^']+)'`).exec(source)?.[1];
  return from ? readFileSync(join(dirname(fromRepoRoot(entry)), from), 'utf8') : source;
}
