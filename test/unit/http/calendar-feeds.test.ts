import { createHash } from 'node:crypto';
import {
  GetItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { newBreachReport } from '../../../functions/domain/breaches.ts';
import { agreementEntry, breachEntry } from '../../../functions/domain/calendar-feed/deadlines.ts';
import { handler as createFeed } from '../../../functions/http/calendar/create-feed.ts';
import { handler as deleteFeed } from '../../../functions/http/calendar/delete-feed.ts';
import { handler as getFeed } from '../../../functions/http/calendar/get-feed.ts';
import { handler as listFeeds } from '../../../functions/http/calendar/list-feeds.ts';
import { parseCalendar } from '../../support/ical.ts';
import { awaitingAgreement } from '../domain/agreement-fixture.ts';
import { breachBody } from '../domain/breach-fixture.ts';
import { inForceAgreement } from '../domain/sub-processor-fixture.ts';
import { ddb, useAwsMocks } from './aws-mocks.ts';
import { httpEvent, lambdaContext } from './events.ts';

useAwsMocks();

const ORG = '954748634';
const OTHER_ORG = '889640782';
const FEED_ID = '6f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';
const TOKEN = 'q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c'; // 43 base64url characters
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

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

const storedFeed = (orgNumber = ORG) => ({
  pk: `CALENDAR_FEEDS#${orgNumber}`,
  sk: `FEED#${FEED_ID}`,
  entity: 'calendar-feed',
  id: FEED_ID,
  name: 'Personvernombudet',
  createdAt: '2026-11-20T08:00:00.000Z',
  createdBy: { orgNumber, clientId: 'test-client' },
  orgNumber,
  tokenHash: sha256(TOKEN),
});

describe('POST /calendar-feeds', () => {
  const create = (options: Parameters<typeof httpEvent>[2] = {}) =>
    call(
      createFeed,
      httpEvent('POST /calendar-feeds', '/calendar-feeds', {
        orgNumber: ORG,
        body: { name: 'Personvernombudet' },
        headers: { 'x-forwarded-proto': 'https' },
        ...options,
      }),
    );

  it('answers 201 with the secret address once, and stores the token only as its SHA-256', async () => {
    const response = await create();

    expect(response.status).toBe(201);
    expect(response.json).toMatchObject({ name: 'Personvernombudet', createdBy: { orgNumber: ORG } });
    const token = /^\/calendar\/([A-Za-z0-9_-]{43})\.ics$/.exec(response.json.path)?.[1];
    expect(token).toBeDefined();
    expect(response.json.url).toBe(`https://api.example.test/calendar/${token}.ics`);
    expect(response.headers.location).toBe(`/calendar-feeds/${response.json.id}`);
    const [transaction] = ddb.commandCalls(TransactWriteItemsCommand);
    const items = transaction!.args[0].input.TransactItems ?? [];
    const written = items.map((item) => unmarshall(item.Put!.Item!));
    expect(written).toEqual([
      expect.objectContaining({
        pk: `CALENDAR_FEEDS#${ORG}`,
        sk: `FEED#${response.json.id}`,
        tokenHash: sha256(token!),
      }),
      expect.objectContaining({ pk: `CALENDAR_TOKEN#${sha256(token!)}`, sk: 'FEED', orgNumber: ORG }),
    ]);
    expect(items.map((item) => item.Put?.ConditionExpression)).toEqual([
      'attribute_not_exists(pk)',
      'attribute_not_exists(pk)',
    ]);
    expect(JSON.stringify(written)).not.toContain(token!);
  });

  it('with an Idempotency-Key, keeps the response for a retry without the secret address', async () => {
    const response = await create({ headers: { 'idempotency-key': 'feed-1', 'x-forwarded-proto': 'https' } });

    const token = /([A-Za-z0-9_-]{43})\.ics$/.exec(response.json.path)![1]!;
    const completions = ddb.commandCalls(UpdateItemCommand).map((c) => JSON.stringify(c.args[0].input));
    expect(completions).toHaveLength(1);
    expect(completions[0]).toContain(`/calendar-feeds/${response.json.id}`);
    expect(completions[0]).not.toContain(token);
  });

  it.each([
    [{ name: 'x'.repeat(101) }, 'name'],
    [{ colour: 'red' }, 'colour'],
  ])('refuses %j with 400 naming the field, and writes nothing', async (body, field) => {
    const response = await create({ body });

    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.json.errors.map((e: { field: string }) => e.field)).toEqual([field]);
    expect(ddb.commandCalls(TransactWriteItemsCommand)).toHaveLength(0);
  });
});

describe('GET /calendar-feeds', () => {
  it("lists the organisation's feeds newest first, without the token's hash", async () => {
    const older = { ...storedFeed(), id: 'a', sk: 'FEED#a', createdAt: '2026-11-01T08:00:00.000Z' };
    ddb.on(QueryCommand).resolves({ Items: [marshall(older), marshall(storedFeed())] });

    const response = await call(
      listFeeds,
      httpEvent('GET /calendar-feeds', '/calendar-feeds', { orgNumber: ORG }),
    );

    expect(response.status).toBe(200);
    expect(response.json.items.map((feed: { id: string }) => feed.id)).toEqual([FEED_ID, 'a']);
    expect(response.text).not.toContain('tokenHash');
    const query = ddb.commandCalls(QueryCommand)[0]!.args[0].input;
    expect(unmarshall(query.ExpressionAttributeValues!)).toEqual({
      ':pk': `CALENDAR_FEEDS#${ORG}`,
      ':prefix': 'FEED#',
    });
  });
});

describe('DELETE /calendar-feeds/{id}', () => {
  const remove = (orgNumber: string, id = FEED_ID) =>
    call(
      deleteFeed,
      httpEvent('DELETE /calendar-feeds/{id}', `/calendar-feeds/${id}`, {
        orgNumber,
        pathParameters: { id },
      }),
    );

  it('revokes the feed: the feed and its token go together, on condition the feed is there', async () => {
    ddb
      .on(GetItemCommand, { Key: marshall({ pk: `CALENDAR_FEEDS#${ORG}`, sk: `FEED#${FEED_ID}` }) })
      .resolves({
        Item: marshall(storedFeed()),
      });

    const response = await remove(ORG);

    expect(response.status).toBe(204);
    const items = ddb.commandCalls(TransactWriteItemsCommand)[0]!.args[0].input.TransactItems ?? [];
    expect(items.map((item) => unmarshall(item.Delete!.Key!))).toEqual([
      { pk: `CALENDAR_FEEDS#${ORG}`, sk: `FEED#${FEED_ID}` },
      { pk: `CALENDAR_TOKEN#${sha256(TOKEN)}`, sk: 'FEED' },
    ]);
    expect(items[0]!.Delete!.ConditionExpression).toBe('attribute_exists(pk)');
  });

  it('answers 404 to another organisation, as for a feed that does not exist, and deletes nothing', async () => {
    ddb
      .on(GetItemCommand, { Key: marshall({ pk: `CALENDAR_FEEDS#${ORG}`, sk: `FEED#${FEED_ID}` }) })
      .resolves({
        Item: marshall(storedFeed()),
      });

    const response = await remove(OTHER_ORG);

    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(unmarshall(ddb.commandCalls(GetItemCommand)[0]!.args[0].input.Key!)).toEqual({
      pk: `CALENDAR_FEEDS#${OTHER_ORG}`,
      sk: `FEED#${FEED_ID}`,
    });
    expect(ddb.commandCalls(TransactWriteItemsCommand)).toHaveLength(0);
  });

  it('answers 404 to an id that is not even well formed, without asking DynamoDB', async () => {
    const response = await remove(ORG, '%E0%A4%A');

    expect(response.status).toBe(404);
    expect(ddb.calls()).toHaveLength(0);
  });
});

describe('GET /calendar/{token}.ics', () => {
  const fetchFeed = (file: string) =>
    call(
      getFeed,
      httpEvent('GET /calendar/{file}', `/calendar/${file}`, { claims: null, pathParameters: { file } }),
    );

  it("reads the token's item by its hash, then the party's upcoming entries in one Query: two round trips", async () => {
    ddb
      .on(GetItemCommand, { Key: marshall({ pk: `CALENDAR_TOKEN#${sha256(TOKEN)}`, sk: 'FEED' }) })
      .resolves({ Item: marshall({ orgNumber: ORG, feedId: FEED_ID }) });
    const agreement = awaitingAgreement({ signatureDeadline: '2026-12-22', title: 'Avtale om KVP' });
    const inForce = inForceAgreement({ breachNotificationHours: 24 });
    const breach = newBreachReport({
      agreement: inForce,
      request: breachBody({ becameAwareAt: '2026-11-22T09:30:00+01:00' }),
      actor: { orgNumber: OTHER_ORG, clientId: 'test-client' },
      id: '5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e',
      now: new Date('2026-11-22T09:00:00Z'),
    });
    ddb.on(QueryCommand).resolves({
      Items: [
        marshall({ entry: breachEntry(inForce, breach) }, { removeUndefinedValues: true }),
        marshall({ entry: agreementEntry(agreement) }, { removeUndefinedValues: true }),
      ],
    });

    const response = await fetchFeed(`${TOKEN}.ics`);

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/calendar; charset=utf-8');
    const calendar = parseCalendar(response.text);
    expect(calendar.events.map((event) => [event.summary, event.date ?? event.instant])).toEqual([
      [
        'Varslingsfrist for avvik: Databehandleravtale for digital aktivitetsplan (KVP)',
        '2026-11-23T08:30:00.000Z',
      ],
      [
        'Frist for melding til Datatilsynet: Databehandleravtale for digital aktivitetsplan (KVP)',
        '2026-11-25T09:00:00.000Z',
      ],
      ['Signaturfrist: Avtale om KVP', '2026-12-22'],
    ]);
    expect(ddb.calls()).toHaveLength(2);
    expect(ddb.commandCalls(GetItemCommand)[0]!.args[0].input.ConsistentRead).toBe(true);
    const query = ddb.commandCalls(QueryCommand)[0]!.args[0].input;
    expect(query.IndexName).toBe('dueReminders');
    expect(query.KeyConditionExpression).toBe('#pk = :pk AND #sk >= :today');
    expect(unmarshall(query.ExpressionAttributeValues!)).toEqual({
      ':pk': `DEADLINES#${ORG}`,
      ':today': '2026-11-22',
    });
  });

  it('answers an unknown or revoked token with 404 problem+json', async () => {
    const response = await fetchFeed(`${TOKEN}.ics`);

    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.json.detail).toMatch(/No calendar feed at this address/);
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
  });

  it.each([
    TOKEN,
    `${TOKEN}.json`,
    'short.ics',
    `${TOKEN}x.ics`,
    '%E0%A4%A.ics',
  ])('answers %s, which is no feed address, with 404 without asking DynamoDB', async (file) => {
    const response = await fetchFeed(file);

    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(ddb.calls()).toHaveLength(0);
  });
});
