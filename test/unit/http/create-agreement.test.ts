import { TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { type AgreementContent, contentHashOf } from '../../../functions/domain/content-hash.ts';
import { handler } from '../../../functions/http/create-agreement.ts';
import {
  CONTROLLER_ORG,
  exampleCreateRequest,
  OUTSIDER_ORG,
  PROCESSOR_ORG,
} from '../domain/agreement-fixture.ts';
import {
  ddb,
  NOW,
  putsWithPartitionKey,
  putsWithSortKey,
  TABLE_NAME,
  tableWrites,
  transaction,
  useAwsMocks,
} from './aws-mocks.ts';
import { httpEvent, invoke } from './events.ts';

useAwsMocks();

const create = (body: unknown, orgNumber = CONTROLLER_ORG, headers: Record<string, string> = {}) =>
  invoke(handler, httpEvent('POST /agreements', '/agreements', { orgNumber, body, headers }));

describe('POST /agreements', () => {
  it('creates a DRAFT: 201 with Location and ETag, defaults filled, created by the caller', async () => {
    const {
      noticePeriodMonths: _n,
      signatureDeadlineDays: _s,
      breachNotificationHours: _b,
      ...request
    } = exampleCreateRequest();

    const response = await create(request);

    expect(response.statusCode).toBe(201);
    const id = response.body.id as string;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.location).toBe(`/agreements/${id}`);
    expect(response.headers.etag).toBe('"1"');
    expect(response.body).toMatchObject({
      status: 'DRAFT',
      version: 1,
      title: request.title,
      noticePeriodMonths: 3,
      breachNotificationHours: 36,
      signatureDeadlineDays: 30,
      signatures: [],
      createdBy: { orgNumber: CONTROLLER_ORG, clientId: 'test-client' },
      createdAt: NOW,
      updatedAt: NOW,
    });
  });

  it('carries the hash of its content (rule 12), with the defaults filled, stored as returned', async () => {
    const response = await create(exampleCreateRequest());
    const body = response.body as Record<string, unknown>;
    expect(body.contentHash).toBe(contentHashOf(body as unknown as AgreementContent));
    expect(body.contentHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    const stored = putsWithSortKey(transaction(), 'AGREEMENT').find((item) => item.entity === 'agreement');
    expect(stored?.contentHash).toBe(body.contentHash);
  });

  it('writes the agreement only if it does not exist, together with both memberships, history and audit', async () => {
    const response = await create(exampleCreateRequest());
    const id = response.body.id as string;

    const items = transaction();
    expect(ddb.commandCalls(TransactWriteItemsCommand)).toHaveLength(1);
    const agreementPut = items[0]?.Put;
    expect(agreementPut?.TableName).toBe(TABLE_NAME);
    expect(agreementPut?.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(unmarshall(agreementPut!.Item!)).toMatchObject({
      pk: `AGREEMENT#${id}`,
      sk: 'AGREEMENT',
      entity: 'agreement',
      id,
      status: 'DRAFT',
      version: 1,
      signingTokens: {},
    });
    const memberships = putsWithSortKey(items, 'PARTY#');
    expect(memberships.map((m) => [m.gsi1pk, m.role])).toEqual([
      [`ORG#${CONTROLLER_ORG}`, 'controller'],
      [`ORG#${PROCESSOR_ORG}`, 'processor'],
    ]);
    expect(memberships[0]?.gsi1sk).toBe(`${NOW}#${id}`);
    expect(putsWithSortKey(items, 'HISTORY#')).toEqual([
      expect.objectContaining({
        pk: `AGREEMENT#${id}`,
        type: 'AGREEMENT_CREATED',
        toStatus: 'DRAFT',
        at: NOW,
      }),
    ]);
    expect(putsWithSortKey(items, 'AUDIT#')).toEqual([
      expect.objectContaining({
        pk: `AGREEMENT#${id}`,
        action: 'agreement.create',
        route: 'POST /agreements',
        actor: { orgNumber: CONTROLLER_ORG, clientId: 'test-client' },
      }),
    ]);
    expect(putsWithPartitionKey(items, 'NOTIFICATION')).toEqual([]);
  });

  it('lets the processor create the agreement too', async () => {
    const response = await create(exampleCreateRequest(), PROCESSOR_ORG);
    expect(response.statusCode).toBe(201);
    expect(response.body.createdBy.orgNumber).toBe(PROCESSOR_ORG);
  });

  it('forbids (403) an organisation that is neither controller nor processor, and writes nothing', async () => {
    const response = await create(exampleCreateRequest(), OUTSIDER_ORG);
    expect(response.statusCode).toBe(403);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(tableWrites()).toEqual([]);
  });

  it('rejects (400) the same organisation as both parties, naming processor.orgNumber', async () => {
    const request = exampleCreateRequest();
    request.processor = { orgNumber: CONTROLLER_ORG, name: 'Radøy kommune' };
    const response = await create(request);
    expect(response.statusCode).toBe(400);
    expect(response.body.errors).toEqual([
      { field: 'processor.orgNumber', message: 'controller and processor must be different organisations' },
    ]);
    expect(tableWrites()).toEqual([]);
  });

  it('rejects (400) a bad organisation number, naming the field', async () => {
    const request = exampleCreateRequest();
    request.controller = { orgNumber: '954748635', name: 'Radøy kommune' };
    const response = await create(request);
    expect(response.statusCode).toBe(400);
    expect(response.body.errors.map((e: { field: string }) => e.field)).toContain('controller.orgNumber');
    expect(tableWrites()).toEqual([]);
  });

  it('rejects (400) an unknown field as problem+json naming it, and writes nothing', async () => {
    const response = await create({ ...exampleCreateRequest(), colour: 'blue' });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.body).toMatchObject({ status: 400, type: 'urn:dpa:problem:validation' });
    expect(response.body.errors).toEqual([{ field: 'colour', message: 'unknown field' }]);
    expect(response.body.detail).toContain('colour');
    expect(tableWrites()).toEqual([]);
  });

  it('names a nested unknown field by its path', async () => {
    const request = exampleCreateRequest();
    (request.scope as Record<string, unknown>).retention = '10 år';
    const response = await create(request);
    expect(response.statusCode).toBe(400);
    expect(response.body.errors).toEqual([{ field: 'scope.retention', message: 'unknown field' }]);
  });

  it('rejects (400) malformed JSON, and writes nothing', async () => {
    const response = await create('{"title": "Avtale",');
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.body.errors).toEqual([{ field: '(body)', message: 'malformed JSON' }]);
    expect(tableWrites()).toEqual([]);
  });

  it('rejects (400) a request without a body', async () => {
    const response = await invoke(handler, httpEvent('POST /agreements', '/agreements', {}));
    expect(response.statusCode).toBe(400);
    expect(tableWrites()).toEqual([]);
  });

  it('refuses (413) a body over 64 KiB before reading it', async () => {
    const response = await create({ ...exampleCreateRequest(), securityMeasures: 'x'.repeat(65 * 1024) });
    expect(response.statusCode).toBe(413);
    expect(response.body.type).toBe('urn:dpa:problem:too-large');
    expect(tableWrites()).toEqual([]);
  });

  it('counts the 64 KiB limit in bytes: exactly 64 KiB is read, one byte more is refused', async () => {
    const padded = (bytes: number) => {
      const skeleton = JSON.stringify({ padding: '' });
      return JSON.stringify({ padding: 'x'.repeat(bytes - skeleton.length) });
    };
    const atLimit = await create(padded(64 * 1024));
    expect(atLimit.statusCode).toBe(400);
    expect(atLimit.body.errors).toContainEqual({ field: 'padding', message: 'unknown field' });
    const overLimit = await create(padded(64 * 1024 + 1));
    expect(overLimit.statusCode).toBe(413);
  });

  it('refuses (413) a body under 64 Ki characters that is over 64 KiB in UTF-8', async () => {
    const response = await create({ ...exampleCreateRequest(), securityMeasures: 'ø'.repeat(40_000) });
    expect(response.statusCode).toBe(413);
    expect(tableWrites()).toEqual([]);
  });

  it('refuses (415) a body that is not JSON by its content type', async () => {
    const response = await create(JSON.stringify(exampleCreateRequest()), CONTROLLER_ORG, {
      'content-type': 'text/plain',
    });
    expect(response.statusCode).toBe(415);
    expect(tableWrites()).toEqual([]);
  });

  it('accepts application/json with a charset, whatever the header name case', async () => {
    const event = httpEvent('POST /agreements', '/agreements', { body: exampleCreateRequest() });
    event.headers = {
      Authorization: event.headers.authorization!,
      'Content-Type': 'application/json; charset=utf-8',
    };
    const response = await invoke(handler, event);
    expect(response.statusCode).toBe(201);
  });

  it('reads a base64-encoded body', async () => {
    const event = httpEvent('POST /agreements', '/agreements', {
      body: Buffer.from(JSON.stringify(exampleCreateRequest())).toString('base64'),
    });
    event.isBase64Encoded = true;
    const response = await invoke(handler, event);
    expect(response.statusCode).toBe(201);
  });

  it('answers 401 without claims, and writes nothing', async () => {
    const response = await invoke(
      handler,
      httpEvent('POST /agreements', '/agreements', { claims: null, body: exampleCreateRequest() }),
    );
    expect(response.statusCode).toBe(401);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(tableWrites()).toEqual([]);
  });

  it('answers 401 when consumer.ID holds an invalid organisation number', async () => {
    const response = await invoke(
      handler,
      httpEvent('POST /agreements', '/agreements', {
        claims: { consumer: 'map[ID:0192:954748635 authority:iso6523-actorid-upis]', client_id: 'c' },
        body: exampleCreateRequest(),
      }),
    );
    expect(response.statusCode).toBe(401);
    expect(tableWrites()).toEqual([]);
  });

  it('does not reveal internal errors: a DynamoDB failure is a 500 without details', async () => {
    ddb.on(TransactWriteItemsCommand).rejects(new Error('connect ECONNREFUSED 127.0.0.1:8000'));
    const response = await create(exampleCreateRequest());
    expect(response.statusCode).toBe(500);
    expect(JSON.stringify(response.body)).not.toContain('ECONNREFUSED');
  });
});
