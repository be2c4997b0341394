import { promises as dns } from 'node:dns';
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  QueryCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { handler as createWebhook } from '../../../functions/http/webhooks/create.ts';
import { handler as deleteWebhook } from '../../../functions/http/webhooks/delete.ts';
import { handler as getWebhook } from '../../../functions/http/webhooks/get.ts';
import { handler as listWebhooks } from '../../../functions/http/webhooks/list.ts';
import { handler as rotateSecret } from '../../../functions/http/webhooks/rotate-secret.ts';
import { handler as updateWebhook } from '../../../functions/http/webhooks/update.ts';
import { ddb, NOW, tableWrites, useAwsMocks } from './aws-mocks.ts';
import { httpEvent, lambdaContext } from './events.ts';

useAwsMocks();

const ORG = '954748634';
const OTHER_ORG = '889640782';
const WEBHOOK_ID = '3c2b1a09-8f7e-4d6c-9b5a-4f3e2d1c0b9a';
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const CREATED_AT = '2026-11-01T08:00:00.000Z';
const SECRET_PATTERN = /^whsec_[A-Za-z0-9+/]{32}$/;
const key = (orgNumber = ORG, id = WEBHOOK_ID) => ({ pk: `WEBHOOKS#${orgNumber}`, sk: `WEBHOOK#${id}` });

/** The webhook item as the store keeps it. */
const storedWebhook = (overrides: Record<string, unknown> = {}) => ({
  ...key(),
  entity: 'webhook',
  id: WEBHOOK_ID,
  orgNumber: ORG,
  url: 'https://hooks.example.no/dpa',
  events: ['agreement.in-force', 'breach.reported'],
  description: 'Sak/arkiv',
  enabled: true,
  createdAt: CREATED_AT,
  createdBy: { orgNumber: ORG, clientId: 'test-client' },
  secrets: [{ secret: SECRET, createdAt: CREATED_AT }],
  ...overrides,
});

const givenWebhook = (item: Record<string, unknown> = storedWebhook()) =>
  ddb
    .on(GetItemCommand, { Key: marshall({ pk: item.pk, sk: item.sk }) })
    .resolves({ Item: marshall(item, { removeUndefinedValues: true }) });

/** DNS answers these addresses for every name (no network in unit tests). */
const givenDns = (...addresses: string[]) =>
  vi
    .spyOn(dns, 'lookup')
    .mockResolvedValue(
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })) as never,
    );

beforeEach(() => {
  delete process.env.WEBHOOK_ALLOW_LOOPBACK;
  givenDns('93.184.216.34');
});

afterEach(() => {
  vi.restoreAllMocks();
  delete process.env.WEBHOOK_ALLOW_LOOPBACK;
});

/** Invokes a handler; a body sent as bytes (base64) is decoded, JSON parsed when it is JSON. */
async function call(
  handler: (event: APIGatewayProxyEventV2, context: typeof lambdaContext) => Promise<unknown>,
  event: APIGatewayProxyEventV2,
) {
  const result = (await handler(event, lambdaContext)) as {
    statusCode: number;
    headers?: Record<string, string>;
    body?: string;
    isBase64Encoded?: boolean;
  };
  const text = result.body
    ? result.isBase64Encoded
      ? Buffer.from(result.body, 'base64').toString('utf8')
      : result.body
    : '';
  const headers = result.headers ?? {};
  const json = /json/.test(headers['content-type'] ?? '') && text ? JSON.parse(text) : undefined;
  return { status: result.statusCode, headers, text, json };
}

const fieldsOf = (response: { json: { errors: { field: string }[] } }) =>
  response.json.errors.map((error) => error.field);

describe('POST /webhooks', () => {
  const create = (options: Parameters<typeof httpEvent>[2] = {}) =>
    call(
      createWebhook,
      httpEvent('POST /webhooks', '/webhooks', {
        orgNumber: ORG,
        body: {
          url: 'https://hooks.example.no/dpa',
          events: ['agreement.in-force'],
          description: 'Sak/arkiv',
        },
        ...options,
      }),
    );

  it('answers 201 with the webhook and its secret, shown this once, and stores the item as laid out', async () => {
    const response = await create();

    expect(response.status).toBe(201);
    const { secret, ...webhook } = response.json;
    expect(secret).toMatch(SECRET_PATTERN);
    expect(webhook).toEqual({
      id: expect.any(String),
      url: 'https://hooks.example.no/dpa',
      events: ['agreement.in-force'],
      description: 'Sak/arkiv',
      enabled: true,
      createdAt: NOW,
      createdBy: { orgNumber: ORG, clientId: 'test-client' },
    });
    expect(response.headers.location).toBe(`/webhooks/${webhook.id}`);
    const items = ddb.commandCalls(TransactWriteItemsCommand)[0]!.args[0].input.TransactItems ?? [];
    expect(items).toHaveLength(1);
    expect(items[0]!.Put!.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(unmarshall(items[0]!.Put!.Item!)).toEqual({
      pk: `WEBHOOKS#${ORG}`,
      sk: `WEBHOOK#${webhook.id}`,
      entity: 'webhook',
      id: webhook.id,
      orgNumber: ORG,
      url: 'https://hooks.example.no/dpa',
      events: ['agreement.in-force'],
      description: 'Sak/arkiv',
      enabled: true,
      createdAt: NOW,
      createdBy: { orgNumber: ORG, clientId: 'test-client' },
      secrets: [{ secret, createdAt: NOW }],
    });
  });

  it('checks every address the host resolves to before writing', async () => {
    const lookup = givenDns('93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946');

    const response = await create();

    expect(response.status).toBe(201);
    expect(lookup).toHaveBeenCalledWith('hooks.example.no', { all: true, verbatim: true });
  });

  it('takes ["*"], every event type', async () => {
    const response = await create({ body: { url: 'https://hooks.example.no/dpa', events: ['*'] } });

    expect(response.status).toBe(201);
    expect(response.json.events).toEqual(['*']);
    expect(response.json).not.toHaveProperty('description');
  });

  it('with an Idempotency-Key, keeps the response for a retry without the secret', async () => {
    const response = await create({ headers: { 'idempotency-key': 'webhook-1' } });

    expect(response.status).toBe(201);
    const items = ddb.commandCalls(TransactWriteItemsCommand)[0]!.args[0].input.TransactItems ?? [];
    expect(items.map((item) => unmarshall(item.Put!.Item!).pk)).toEqual([
      `WEBHOOKS#${ORG}`,
      `IDEMPOTENCY#${ORG}`,
    ]);
    const completions = ddb.commandCalls(UpdateItemCommand).map((c) => JSON.stringify(c.args[0].input));
    expect(completions).toHaveLength(1);
    expect(completions[0]).toContain(`/webhooks/${response.json.id}`);
    expect(completions[0]).not.toContain(response.json.secret);
    expect(completions[0]).not.toContain('whsec_');
  });

  const url = 'https://hooks.example.no/dpa';
  it.each([
    ['an unknown event type', { url, events: ['agreement.exploded'] }, 'events', /"agreement\.exploded"/],
    [
      'no event type at all',
      { url, events: ['agreement\u202Ein-force'] },
      'events.0',
      /must be "\*" or an event type/,
    ],
    ['no event type', { url, events: [] }, 'events', /Too small/],
    ['"*" beside a type', { url, events: ['*', 'breach.reported'] }, 'events', /must stand alone/],
    ['a type twice', { url, events: ['breach.reported', 'breach.reported'] }, 'events', /more than once/],
    ['no events', { url }, 'events', /expected array/],
    ['no url', { events: ['*'] }, 'url', /expected string/],
    ['a url over 2048 characters', { url: `${url}/${'a'.repeat(2048)}`, events: ['*'] }, 'url', /Too big/],
    ['a long description', { url, events: ['*'], description: 'x'.repeat(201) }, 'description', /Too big/],
    ['a secret of its own', { url, events: ['*'], secret: 'whsec_mine' }, 'secret', /unknown field/],
  ])('refuses %s with 400 naming the field, and writes nothing', async (_, body, field, message) => {
    const response = await create({ body });

    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(fieldsOf(response)).toEqual([field]);
    expect(response.json.errors[0].message).toMatch(message);
    expect(ddb.calls()).toHaveLength(0);
  });

  describe('refuses an address the service must not send to (SSRF) with 400 naming url', () => {
    it.each([
      ['https://169.254.169.254/latest/meta-data/', /^url must point to a public internet address/],
      ['https://10.0.0.1/hook', /^url must point to a public internet address/],
      ['https://[::ffff:127.0.0.1]/hook', /^url must point to a public internet address/],
      ['https://localhost/hook', /^url must point to a public internet address/],
      ['http://hooks.example.no/dpa', /^url must be an https URL$/],
      ['http://127.0.0.1:9/hook', /^url must be an https URL$/],
      ['https://user:pass@hooks.example.no/dpa', /^url must not contain credentials/],
      ['https://hooks.example.no/dpa#fragment', /^url must not have a fragment/],
    ])('%s, writing nothing', async (url, message) => {
      const response = await create({ body: { url, events: ['*'] } });

      expect(response.status).toBe(400);
      expect(fieldsOf(response)).toEqual(['url']);
      expect(response.json.errors[0].message).toMatch(message);
      expect(response.json.detail).toMatch(/^The webhook URL is refused: /);
      expect(ddb.calls()).toHaveLength(0);
    });

    it('a name resolving to a private address, writing nothing', async () => {
      givenDns('93.184.216.34', '10.20.30.40');

      const response = await create({ body: { url: 'https://rebind.example.com/hook', events: ['*'] } });

      expect(response.status).toBe(400);
      expect(fieldsOf(response)).toEqual(['url']);
      expect(response.json.errors[0].message).toBe(
        'rebind.example.com resolves to 10.20.30.40, which is not a public internet address (loopback, private, link-local, carrier-grade NAT, multicast, reserved or unique-local addresses are refused)',
      );
      expect(ddb.calls()).toHaveLength(0);
    });

    it('a name that does not resolve, writing nothing', async () => {
      vi.spyOn(dns, 'lookup').mockRejectedValue(
        Object.assign(new Error('getaddrinfo ENOTFOUND hooks.invalid'), { code: 'ENOTFOUND' }),
      );

      const response = await create({ body: { url: 'https://hooks.invalid/hook', events: ['*'] } });

      expect(response.status).toBe(400);
      expect(fieldsOf(response)).toEqual(['url']);
      expect(response.json.errors[0].message).toBe('hooks.invalid does not resolve (ENOTFOUND)');
      expect(ddb.calls()).toHaveLength(0);
    });
  });

  it('takes http to 127.0.0.1 where the deployment allows loopback (the local stack)', async () => {
    process.env.WEBHOOK_ALLOW_LOOPBACK = 'true';

    const response = await create({ body: { url: 'http://127.0.0.1:9/hook', events: ['*'] } });

    expect(response.status).toBe(201);
    expect(response.json.url).toBe('http://127.0.0.1:9/hook');
  });

  it('still refuses http to any other host where loopback is allowed', async () => {
    process.env.WEBHOOK_ALLOW_LOOPBACK = 'true';

    const response = await create({ body: { url: 'http://example.com/hook', events: ['*'] } });

    expect(response.status).toBe(400);
    expect(fieldsOf(response)).toEqual(['url']);
    expect(ddb.calls()).toHaveLength(0);
  });
});

describe('GET /webhooks', () => {
  it("lists the organisation's webhooks newest first, in one Query, never with a secret", async () => {
    const older = storedWebhook({
      id: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
      sk: 'WEBHOOK#0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
      createdAt: '2026-10-01T08:00:00.000Z',
      secrets: [{ secret: 'whsec_older', createdAt: '2026-10-01T08:00:00.000Z' }],
    });
    ddb.on(QueryCommand).resolves({ Items: [marshall(older), marshall(storedWebhook())] });

    const response = await call(listWebhooks, httpEvent('GET /webhooks', '/webhooks', { orgNumber: ORG }));

    expect(response.status).toBe(200);
    expect(response.json.items.map((webhook: { id: string }) => webhook.id)).toEqual([WEBHOOK_ID, older.id]);
    expect(response.json.items[0]).toEqual({
      id: WEBHOOK_ID,
      url: 'https://hooks.example.no/dpa',
      events: ['agreement.in-force', 'breach.reported'],
      description: 'Sak/arkiv',
      enabled: true,
      createdAt: CREATED_AT,
      createdBy: { orgNumber: ORG, clientId: 'test-client' },
    });
    expect(response.text).not.toContain('whsec_');
    expect(response.text).not.toContain('secrets');
    expect(ddb.calls()).toHaveLength(1);
    const query = ddb.commandCalls(QueryCommand)[0]!.args[0].input;
    expect(query.KeyConditionExpression).toBe('pk = :pk AND begins_with(sk, :prefix)');
    expect(unmarshall(query.ExpressionAttributeValues!)).toEqual({
      ':pk': `WEBHOOKS#${ORG}`,
      ':prefix': 'WEBHOOK#',
    });
  });
});

describe('GET /webhooks/{id}', () => {
  const get = (orgNumber: string, id = WEBHOOK_ID) =>
    call(
      getWebhook,
      httpEvent('GET /webhooks/{id}', `/webhooks/${id}`, { orgNumber, pathParameters: { id } }),
    );

  it('answers the webhook without its secrets, and when its secret was rotated', async () => {
    givenWebhook(
      storedWebhook({
        secrets: [
          { secret: 'whsec_new', createdAt: '2026-11-20T08:00:00.000Z' },
          { secret: SECRET, createdAt: CREATED_AT, expiresAt: '2026-11-21T08:00:00.000Z' },
        ],
        enabled: false,
        disabledAt: '2026-11-21T09:00:00.000Z',
        disabledReason: 'Every delivery failed from 2026-11-19T09:00:00.000Z on',
        failingSince: '2026-11-19T09:00:00.000Z',
      }),
    );

    const response = await get(ORG);

    expect(response.status).toBe(200);
    expect(response.json).toEqual({
      id: WEBHOOK_ID,
      url: 'https://hooks.example.no/dpa',
      events: ['agreement.in-force', 'breach.reported'],
      description: 'Sak/arkiv',
      enabled: false,
      createdAt: CREATED_AT,
      createdBy: { orgNumber: ORG, clientId: 'test-client' },
      disabledAt: '2026-11-21T09:00:00.000Z',
      disabledReason: 'Every delivery failed from 2026-11-19T09:00:00.000Z on',
      failingSince: '2026-11-19T09:00:00.000Z',
      secretRotatedAt: '2026-11-20T08:00:00.000Z',
    });
    expect(response.text).not.toContain('whsec_');
    expect(ddb.commandCalls(GetItemCommand)[0]!.args[0].input.ConsistentRead).toBe(true);
  });

  it("answers 404 to another organisation, reading only that organisation's partition", async () => {
    givenWebhook();

    const response = await get(OTHER_ORG);

    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.json.detail).toBe('No webhook with that id exists for your organisation');
    expect(unmarshall(ddb.commandCalls(GetItemCommand)[0]!.args[0].input.Key!)).toEqual(key(OTHER_ORG));
  });

  it('answers 404 to an unknown id, and to one not even well formed without asking DynamoDB', async () => {
    expect((await get(ORG, '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a')).status).toBe(404);
    ddb.resetHistory();

    expect((await get(ORG, '%E0%A4%A')).status).toBe(404);
    expect(ddb.calls()).toHaveLength(0);
  });
});

describe('PATCH /webhooks/{id}', () => {
  const patch = (body: unknown, orgNumber = ORG, id = WEBHOOK_ID) =>
    call(
      updateWebhook,
      httpEvent('PATCH /webhooks/{id}', `/webhooks/${id}`, { orgNumber, pathParameters: { id }, body }),
    );
  const givenUpdateAnswers = (item: Record<string, unknown>) =>
    ddb.on(UpdateItemCommand).resolves({ Attributes: marshall(item, { removeUndefinedValues: true }) });
  const updateInput = () => ddb.commandCalls(UpdateItemCommand)[0]!.args[0].input;

  it('changes the events and description on condition the webhook exists, and answers it as it is now', async () => {
    givenUpdateAnswers(storedWebhook({ events: ['*'], description: 'Alt', updatedAt: NOW }));

    const response = await patch({ events: ['*'], description: 'Alt' });

    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({
      id: WEBHOOK_ID,
      events: ['*'],
      description: 'Alt',
      updatedAt: NOW,
    });
    expect(response.text).not.toContain('whsec_');
    const input = updateInput();
    expect(unmarshall(input.Key!)).toEqual(key());
    expect(input.ConditionExpression).toBe('attribute_exists(pk)');
    expect(input.ReturnValues).toBe('ALL_NEW');
    expect(input.UpdateExpression).toBe(
      'SET #events = :events, #description = :description, #updatedAt = :updatedAt',
    );
    expect(unmarshall(input.ExpressionAttributeValues!)).toEqual({
      ':events': ['*'],
      ':description': 'Alt',
      ':updatedAt': NOW,
    });
  });

  it('re-enabling clears disabledAt, disabledReason and failingSince', async () => {
    givenUpdateAnswers(storedWebhook({ updatedAt: NOW }));

    const response = await patch({ enabled: true });

    expect(response.status).toBe(200);
    expect(response.json.enabled).toBe(true);
    expect(response.json).not.toHaveProperty('disabledAt');
    const input = updateInput();
    expect(input.UpdateExpression).toBe(
      'SET #enabled = :enabled, #updatedAt = :updatedAt REMOVE #disabledAt, #disabledReason, #failingSince',
    );
    expect(input.ExpressionAttributeNames).toMatchObject({
      '#disabledAt': 'disabledAt',
      '#disabledReason': 'disabledReason',
      '#failingSince': 'failingSince',
    });
  });

  it('disabling removes nothing', async () => {
    givenUpdateAnswers(storedWebhook({ enabled: false, updatedAt: NOW }));

    const response = await patch({ enabled: false });

    expect(response.status).toBe(200);
    expect(response.json.enabled).toBe(false);
    expect(updateInput().UpdateExpression).toBe('SET #enabled = :enabled, #updatedAt = :updatedAt');
  });

  it("answers 404 when the condition finds no such webhook of the organisation (another's, or deleted)", async () => {
    ddb
      .on(UpdateItemCommand)
      .rejects(
        new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }),
      );

    const response = await patch({ enabled: false }, OTHER_ORG);

    expect(response.status).toBe(404);
    expect(response.json.detail).toBe('No webhook with that id exists for your organisation');
    expect(unmarshall(updateInput().Key!)).toEqual(key(OTHER_ORG));
  });

  it('answers 404 to an id not even well formed, without asking DynamoDB', async () => {
    const response = await patch({ enabled: true }, ORG, 'not-a-uuid');

    expect(response.status).toBe(404);
    expect(ddb.calls()).toHaveLength(0);
  });

  it.each([
    [{}, '(body)'],
    [{ url: 'https://elsewhere.example.no/' }, 'url'],
    [{ enabled: true, url: 'https://elsewhere.example.no/' }, 'url'],
    [{ enabled: 'yes' }, 'enabled'],
    [{ events: ['agreement.exploded'] }, 'events'],
    [{ description: '' }, 'description'],
  ])('refuses %j with 400 naming the field, and writes nothing', async (body, field) => {
    const response = await patch(body);

    expect(response.status).toBe(400);
    expect(fieldsOf(response)).toContain(field);
    expect(tableWrites()).toHaveLength(0);
  });
});

describe('DELETE /webhooks/{id}', () => {
  const remove = (orgNumber: string, id = WEBHOOK_ID) =>
    call(
      deleteWebhook,
      httpEvent('DELETE /webhooks/{id}', `/webhooks/${id}`, { orgNumber, pathParameters: { id } }),
    );

  it('deletes the webhook on condition it exists', async () => {
    ddb.on(DeleteItemCommand).resolves({});

    const response = await remove(ORG);

    expect(response.status).toBe(204);
    expect(response.text).toBe('');
    const input = ddb.commandCalls(DeleteItemCommand)[0]!.args[0].input;
    expect(unmarshall(input.Key!)).toEqual(key());
    expect(input.ConditionExpression).toBe('attribute_exists(pk)');
  });

  it("answers 404 to another organisation (its key names that organisation's partition)", async () => {
    ddb
      .on(DeleteItemCommand)
      .rejects(
        new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }),
      );

    const response = await remove(OTHER_ORG);

    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(unmarshall(ddb.commandCalls(DeleteItemCommand)[0]!.args[0].input.Key!)).toEqual(key(OTHER_ORG));
  });

  it('answers 404, not 500, when a concurrent delete got there first', async () => {
    ddb
      .on(DeleteItemCommand)
      .rejects(
        new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }),
      );

    expect((await remove(ORG)).status).toBe(404);
  });

  it('answers 404 to an id not even well formed, without asking DynamoDB', async () => {
    expect((await remove(ORG, '%E0%A4%A')).status).toBe(404);
    expect(ddb.calls()).toHaveLength(0);
  });
});

describe('POST /webhooks/{id}/rotate-secret', () => {
  const rotate = (orgNumber = ORG, headers: Record<string, string> = {}) =>
    call(
      rotateSecret,
      httpEvent('POST /webhooks/{id}/rotate-secret', `/webhooks/${WEBHOOK_ID}/rotate-secret`, {
        orgNumber,
        pathParameters: { id: WEBHOOK_ID },
        headers,
      }),
    );
  const rotationUpdate = (index = 0) =>
    ddb.commandCalls(TransactWriteItemsCommand)[index]!.args[0].input.TransactItems![0]!.Update!;

  it('makes a new signing secret and keeps the previous one for 24 hours more', async () => {
    givenWebhook();

    const response = await rotate();

    expect(response.status).toBe(200);
    expect(response.json).toEqual({
      secret: expect.stringMatching(SECRET_PATTERN),
      previousSecretExpiresAt: '2026-11-23T10:00:00.000Z',
    });
    expect(response.json.secret).not.toBe(SECRET);
    const update = rotationUpdate();
    expect(unmarshall(update.Key!)).toEqual(key());
    expect(update.UpdateExpression).toBe('SET #secrets = :secrets');
    expect(update.ConditionExpression).toBe('#secrets[0].#secret = :signing');
    expect(unmarshall(update.ExpressionAttributeValues!)).toEqual({
      ':signing': SECRET,
      ':secrets': [
        { secret: response.json.secret, createdAt: NOW },
        { secret: SECRET, createdAt: CREATED_AT, expiresAt: '2026-11-23T10:00:00.000Z' },
      ],
    });
  });

  it('drops the secrets already expired', async () => {
    givenWebhook(
      storedWebhook({
        secrets: [
          { secret: 'whsec_current', createdAt: '2026-11-10T08:00:00.000Z' },
          { secret: SECRET, createdAt: CREATED_AT, expiresAt: '2026-11-11T08:00:00.000Z' },
        ],
      }),
    );

    const response = await rotate();

    expect(response.status).toBe(200);
    const { ':secrets': secrets } = unmarshall(rotationUpdate().ExpressionAttributeValues!);
    expect(secrets.map((s: { secret: string }) => s.secret)).toEqual([response.json.secret, 'whsec_current']);
  });

  it('reads again and retries when another rotation came in between', async () => {
    givenWebhook();
    ddb
      .on(TransactWriteItemsCommand)
      .rejectsOnce(
        new TransactionCanceledException({
          message: 'Transaction cancelled',
          $metadata: {},
          CancellationReasons: [{ Code: 'ConditionalCheckFailed' }],
        }),
      )
      .resolves({});

    const response = await rotate();

    expect(response.status).toBe(200);
    expect(ddb.commandCalls(GetItemCommand)).toHaveLength(2);
    expect(ddb.commandCalls(TransactWriteItemsCommand)).toHaveLength(2);
  });

  it('with an Idempotency-Key, carries the claim in its transaction and never stores the secret in the record', async () => {
    givenWebhook();

    const response = await rotate(ORG, { 'idempotency-key': 'rotate-1' });

    expect(response.status).toBe(200);
    const items = ddb.commandCalls(TransactWriteItemsCommand)[0]!.args[0].input.TransactItems!;
    expect(unmarshall(items[1]!.Put!.Item!).pk).toBe(`IDEMPOTENCY#${ORG}`);
    const completions = ddb.commandCalls(UpdateItemCommand).map((c) => JSON.stringify(c.args[0].input));
    expect(completions).toHaveLength(1);
    expect(completions[0]).not.toContain(response.json.secret);
    expect(completions[0]).not.toContain('whsec_');
  });

  it("answers 404 to another organisation, reading only that organisation's partition, and writes nothing", async () => {
    givenWebhook();

    const response = await rotate(OTHER_ORG);

    expect(response.status).toBe(404);
    expect(unmarshall(ddb.commandCalls(GetItemCommand)[0]!.args[0].input.Key!)).toEqual(key(OTHER_ORG));
    expect(tableWrites()).toHaveLength(0);
  });

  it('refuses a body with fields with 400', async () => {
    const response = await call(
      rotateSecret,
      httpEvent('POST /webhooks/{id}/rotate-secret', `/webhooks/${WEBHOOK_ID}/rotate-secret`, {
        orgNumber: ORG,
        pathParameters: { id: WEBHOOK_ID },
        body: { secret: 'whsec_mine' },
      }),
    );

    expect(response.status).toBe(400);
    expect(fieldsOf(response)).toEqual(['secret']);
    expect(ddb.calls()).toHaveLength(0);
  });
});
