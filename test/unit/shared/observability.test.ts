import { TransactionCanceledException, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler as createAgreement } from '../../../functions/http/create-agreement.ts';
import { handler as getAgreement } from '../../../functions/http/get-agreement.ts';
import { handler as getOpenApi } from '../../../functions/http/get-openapi.ts';
import { handler as expireAgreement } from '../../../functions/tasks/expire-agreement.ts';
import {
  AGREEMENT_ID,
  awaitingAgreement,
  CONTROLLER_ORG,
  draftAgreement,
  exampleCreateRequest,
} from '../domain/agreement-fixture.ts';
import { agreementItem, ddb, givenStored, useAwsMocks } from '../http/aws-mocks.ts';
import { httpEvent } from '../http/events.ts';
import { lambdaContext, useCapturedOutput } from './captured-output.ts';

useAwsMocks();
const output = useCapturedOutput();

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const REQUEST_ID = '7e57a11d-0000-4000-8000-00000000abcd';

type HttpHandler = (
  event: APIGatewayProxyEventV2,
  context: ReturnType<typeof lambdaContext>,
) => Promise<APIGatewayProxyStructuredResultV2>;

async function call(handler: HttpHandler, event: APIGatewayProxyEventV2, name = 'fn') {
  const result = await handler(event, lambdaContext(name, REQUEST_ID));
  return {
    status: result.statusCode,
    headers: (result.headers ?? {}) as Record<string, string>,
    body: result.body ? (JSON.parse(result.body) as Record<string, unknown>) : undefined,
  };
}

const create = (body: unknown, headers: Record<string, string> = {}) =>
  call(
    createAgreement as HttpHandler,
    httpEvent('POST /agreements', '/agreements', { orgNumber: CONTROLLER_ORG, body, headers }),
    'createAgreement',
  );

const read = (id: string, headers: Record<string, string> = {}) =>
  call(
    getAgreement as HttpHandler,
    httpEvent('GET /agreements/{id}', `/agreements/${id}`, {
      orgNumber: CONTROLLER_ORG,
      pathParameters: { id },
      headers,
    }),
    'getAgreement',
  );

describe('the correlation id', () => {
  it('comes back in the x-correlation-id header as the client sent it', async () => {
    const response = await create(exampleCreateRequest(), { 'x-correlation-id': 'kommune-sak-2026.4711' });

    expect(response.status).toBe(201);
    expect(response.headers['x-correlation-id']).toBe('kommune-sak-2026.4711');
  });

  it('comes back in the header and as correlationId in a problem+json body', async () => {
    const response = await read(AGREEMENT_ID, { 'x-correlation-id': 'a1b2c3d4-trace' });

    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.headers['x-correlation-id']).toBe('a1b2c3d4-trace');
    expect(response.body).toMatchObject({ status: 404, correlationId: 'a1b2c3d4-trace' });
  });

  it('is read whatever the case of the header name', async () => {
    const response = await read(AGREEMENT_ID, { 'X-Correlation-ID': 'MixedCase-1' });
    expect(response.headers['x-correlation-id']).toBe('MixedCase-1');
  });

  it('is generated when the client sends none, the same in header and body', async () => {
    const response = await create({ title: 'no parties' });

    expect(response.status).toBe(400);
    expect(response.headers['x-correlation-id']).toMatch(UUID);
    expect(response.body?.correlationId).toBe(response.headers['x-correlation-id']);
  });

  it.each([
    ['too long', 'a'.repeat(129)],
    ['an e-mail address', 'kari@example.kommune.no'],
    ['only digits (it could be a national identity number)', '01017012345'],
    ['a space', 'two words'],
    ['a control character', 'line\nbreak'],
    ['two headers joined', 'first,second'],
    ['non-ASCII', 'søknad-1'],
    ['empty', ''],
  ])('is generated instead of one that is %s', async (_what, insane) => {
    const response = await read(AGREEMENT_ID, { 'x-correlation-id': insane });

    expect(response.headers['x-correlation-id']).toMatch(UUID);
    expect(response.body?.correlationId).toBe(response.headers['x-correlation-id']);
    expect(output.text()).not.toContain(insane || 'never-matches');
  });

  it('is a new one for each request without a header', async () => {
    const first = await read(AGREEMENT_ID);
    const second = await read(AGREEMENT_ID);
    expect(first.headers['x-correlation-id']).not.toBe(second.headers['x-correlation-id']);
  });

  it('is on the responses of the public routes too', async () => {
    const response = await call(
      getOpenApi as HttpHandler,
      httpEvent('GET /openapi.json', '/openapi.json', {
        claims: null,
        headers: { 'x-correlation-id': 'docs-1' },
      }),
    );
    expect(response.status).toBe(200);
    expect(response.headers['x-correlation-id']).toBe('docs-1');
  });

  it('is in the problem of an unexpected failure (500)', async () => {
    ddb.on(TransactWriteItemsCommand).rejects(new Error('connect ECONNREFUSED'));

    const response = await create(exampleCreateRequest(), { 'x-correlation-id': 'retry-me-1' });

    expect(response.status).toBe(500);
    expect(response.headers['x-correlation-id']).toBe('retry-me-1');
    expect(response.body).toMatchObject({ status: 500, correlationId: 'retry-me-1' });
  });
});

describe('the logs of an HTTP function', () => {
  it('are one JSON line per request with the request id, correlation id, agreement id, caller, route and status', async () => {
    givenStored(draftAgreement());

    await read(AGREEMENT_ID, { 'x-correlation-id': 'trace-42' });

    expect(output.logs()).toEqual([
      expect.objectContaining({
        level: 'INFO',
        message: 'Request completed',
        service: 'databehandleravtaler',
        function_request_id: REQUEST_ID,
        function_name: 'getAgreement',
        correlation_id: 'trace-42',
        agreement_id: AGREEMENT_ID,
        caller_org: CONTROLLER_ORG,
        route: 'GET /agreements/{id}',
        status: 200,
        duration_ms: expect.any(Number),
      }),
    ]);
  });

  it('leave out an agreement id that is not one we issue (a path segment holds what the client typed)', async () => {
    await read('kari@example.kommune.no');

    const [line] = output.logs();
    expect(line).not.toHaveProperty('agreement_id');
    expect(output.text()).not.toContain('kari@example.kommune.no');
  });

  it('hold no names, e-mail addresses, phone numbers, bodies or tokens', async () => {
    const request = exampleCreateRequest();

    const event = httpEvent('POST /agreements', '/agreements', { orgNumber: CONTROLLER_ORG, body: request });
    const token = event.headers.authorization!.slice('Bearer '.length);

    const response = await call(createAgreement as HttpHandler, event, 'createAgreement');

    expect(response.status).toBe(201);
    const written = output.text();
    expect(output.logs()).toHaveLength(1);
    for (const personal of [
      'Kari Nordmann',
      'kari@example.kommune.no',
      '+4799999999',
      'Ola Nordmann',
      'ola@example.no',
      '+4798888888',
      token,
      token.split('.')[2]!,
      request.title as string,
      'Fødselsnummer',
    ]) {
      expect(written).not.toContain(personal);
    }
  });

  it('log an unexpected error once, with its stack, and without the data the error carries', async () => {
    // A cancelled transaction carries the items DynamoDB read, here the agreement with its contacts.
    ddb.on(TransactWriteItemsCommand).rejects(
      new TransactionCanceledException({
        message: 'Transaction cancelled [TransactionConflict, None]',
        $metadata: {},
        CancellationReasons: [
          { Code: 'TransactionConflict', Item: agreementItem(awaitingAgreement()) },
          { Code: 'None' },
        ],
      }),
    );

    const response = await create(exampleCreateRequest(), { 'x-correlation-id': 'conflict-1' });

    expect(response.status).toBe(500);
    const errors = output.logs().filter((line) => line.level === 'ERROR');
    expect(errors).toEqual([
      expect.objectContaining({
        message: 'Unhandled error',
        correlation_id: 'conflict-1',
        function_request_id: REQUEST_ID,
        error: expect.objectContaining({
          name: 'TransactionCanceledException',
          stack: expect.stringContaining('TransactionCanceledException'),
        }),
      }),
    ]);
    expect(output.text()).not.toContain('kari@example.kommune.no');
    expect(output.text()).not.toContain('Kari Nordmann');
    expect(output.logs().find((line) => line.message === 'Request completed')).toMatchObject({ status: 500 });
  });
});

describe('the logs of a task function', () => {
  const expire = (input: unknown) => expireAgreement(input, lambdaContext('expireAgreement', REQUEST_ID));

  it('are one line per invocation with the request id and the agreement id of its input', async () => {
    givenStored(awaitingAgreement({ signatureDeadline: '2026-12-31' }));

    await expire({ agreementId: AGREEMENT_ID });

    expect(output.logs()).toEqual([
      expect.objectContaining({
        level: 'INFO',
        message: 'Task completed',
        function_request_id: REQUEST_ID,
        function_name: 'expireAgreement',
        agreement_id: AGREEMENT_ID,
        correlation_id: expect.stringMatching(UUID),
      }),
    ]);
  });

  it('log a failure once, with its stack, and still fail the invocation for the workflow', async () => {
    await expect(expire({ agreementId: AGREEMENT_ID })).rejects.toMatchObject({ name: 'AgreementMissing' });

    expect(output.logs()).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        message: 'Task failed',
        agreement_id: AGREEMENT_ID,
        function_request_id: REQUEST_ID,
        error: expect.objectContaining({ name: 'AgreementMissing', stack: expect.any(String) }),
      }),
    ]);
  });

  it('carry no key of the previous invocation', async () => {
    await expect(expire({ agreementId: AGREEMENT_ID })).rejects.toThrow();
    await expect(expire({ agreementId: 'not-a-uuid' })).rejects.toMatchObject({ name: 'InvalidTaskInput' });

    const [first, second] = output.logs();
    expect(first?.agreement_id).toBe(AGREEMENT_ID);
    expect(second).not.toHaveProperty('agreement_id');
    expect(second?.correlation_id).not.toBe(first?.correlation_id);
  });
});
