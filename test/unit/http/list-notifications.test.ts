import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import type { Delivery } from '../../../functions/domain/delivery/deliveries.ts';
import { handler } from '../../../functions/http/list-notifications.ts';
import { CONTROLLER_ORG, PROCESSOR_ORG } from '../domain/agreement-fixture.ts';
import { notification, notificationItem, notificationKey } from '../tasks/delivery/delivery-fixture.ts';
import { ddb, TABLE_NAME, tableWrites, useAwsMocks } from './aws-mocks.ts';
import { httpEvent, invoke } from './events.ts';

useAwsMocks();

const OUTBOX = `NOTIFICATIONS#${PROCESSOR_ORG}`;

const list = (query?: Record<string, string>, orgNumber = PROCESSOR_ORG) =>
  invoke(
    handler,
    httpEvent('GET /notifications', '/notifications', { orgNumber, ...(query ? { query } : {}) }),
  );

const queryInput = (index = 0) => {
  const call = ddb.commandCalls(QueryCommand)[index];
  if (!call) throw new Error(`no Query call #${index}`);
  return call.args[0].input;
};

const cursorOf = (key: Record<string, unknown>) => Buffer.from(JSON.stringify(key)).toString('base64url');
const decoded = (cursor: string) => JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));

const signed = notification();
const expired = notification({
  id: 'agreement.expired:x:2',
  type: 'agreement.expired',
  at: '2026-11-22T09:30:00.000Z',
  subject: 'The agreement expired',
});
const delivered: Delivery = {
  channel: 'email',
  status: 'DELIVERED',
  at: '2026-11-22T09:00:01.000Z',
  attempts: 1,
  firstAttemptAt: '2026-11-22T09:00:01.000Z',
};
const webhookRetrying: Delivery = {
  channel: 'webhook:w1',
  status: 'RETRYING',
  at: '2026-11-22T09:00:01.000Z',
  attempts: 1,
  nextAttemptAt: '2026-11-22T09:00:20.000Z',
  reason: 'HTTP 503',
};

describe('GET /notifications', () => {
  it("queries the caller's outbox from the start, without a filter, and lists each with its deliveries", async () => {
    ddb.on(QueryCommand).resolves({
      Items: [notificationItem(signed, [webhookRetrying, delivered]), notificationItem(expired)],
    });

    const response = await list();

    expect(response.statusCode).toBe(200);
    const input = queryInput();
    expect(input.TableName).toBe(TABLE_NAME);
    expect(input.KeyConditionExpression).toBe('pk = :pk');
    expect(unmarshall(input.ExpressionAttributeValues!)).toEqual({ ':pk': OUTBOX });
    expect(input.FilterExpression).toBeUndefined();
    expect(input.ExpressionAttributeNames).toBeUndefined();
    expect(input.ExclusiveStartKey).toBeUndefined();
    expect(response.body.items).toEqual([
      { ...signed, deliveries: [delivered, webhookRetrying] },
      { ...expired, deliveries: [] },
    ]);
    expect(response.body.nextCursor).toBeUndefined();
    expect(tableWrites()).toEqual([]);
  });

  it('answers with `since` naming the last notification listed, for the next poll', async () => {
    ddb.on(QueryCommand).resolves({ Items: [notificationItem(signed), notificationItem(expired)] });

    const response = await list();

    expect(decoded(response.body.since)).toEqual(notificationKey(expired));
  });

  it('answers without `since` when there is nothing and none was asked for', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    const response = await list();
    expect(response.statusCode).toBe(200);
    expect(response.body).toEqual({ items: [] });
  });

  it('lists from a time on: the sort keys after that time in UTC with milliseconds', async () => {
    await list({ since: '2026-11-22T11:00:00+01:00' });

    const input = queryInput();
    expect(input.KeyConditionExpression).toBe('pk = :pk AND sk > :after');
    const after = unmarshall(input.ExpressionAttributeValues!)[':after'];
    expect(after).toBe('2026-11-22T10:00:00.000Z');
    // A notification written at that very millisecond sorts after it: `since` is "at or after".
    expect(`2026-11-22T10:00:00.000Z#${signed.id}` > after).toBe(true);
    expect(`2026-11-22T09:59:59.999Z#${signed.id}` > after).toBe(false);
  });

  it('accepts a time without seconds', async () => {
    await list({ since: '2026-11-22T10:00Z' });
    expect(unmarshall(queryInput().ExpressionAttributeValues!)[':after']).toBe('2026-11-22T10:00:00.000Z');
  });

  it("lists after the last notification of an earlier answer when given that answer's `since`", async () => {
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [notificationItem(signed)] })
      .resolves({ Items: [] });
    const first = await list();

    const second = await list({ since: first.body.since });

    expect(second.statusCode).toBe(200);
    const input = queryInput(1);
    expect(input.KeyConditionExpression).toBe('pk = :pk AND sk > :after');
    expect(unmarshall(input.ExpressionAttributeValues!)).toEqual({
      ':pk': OUTBOX,
      ':after': notificationKey(signed).sk,
    });
    expect(input.ExclusiveStartKey).toBeUndefined();
    // Nothing new: the next poll starts from the same place.
    expect(second.body.since).toBe(first.body.since);
  });

  it('moves `since` past the items the type filter dropped (the last key read)', async () => {
    const lastRead = notificationKey(expired);
    ddb.on(QueryCommand).resolves({ Items: [], LastEvaluatedKey: marshall(lastRead) });

    const response = await list({ type: 'breach.reported' });

    expect(response.body.items).toEqual([]);
    expect(decoded(response.body.since)).toEqual(lastRead);
    expect(decoded(response.body.nextCursor)).toEqual(lastRead);
  });

  it('pages with the cursor inside a `since` listing', async () => {
    const cursor = cursorOf({ pk: OUTBOX, sk: notificationKey(expired).sk });

    await list({ since: '2026-11-22T08:00:00Z', cursor, limit: '1' });

    const input = queryInput();
    expect(input.KeyConditionExpression).toBe('pk = :pk AND sk > :after');
    expect(unmarshall(input.ExclusiveStartKey!)).toEqual({ pk: OUTBOX, sk: notificationKey(expired).sk });
    expect(input.Limit).toBe(1);
  });

  it('keeps only the types asked for, each a value of its own', async () => {
    await list({ type: 'agreement.signed,reminder.signature-missing' });

    const input = queryInput();
    expect(input.FilterExpression).toBe('#type IN (:type0, :type1)');
    expect(input.ExpressionAttributeNames).toEqual({ '#type': 'type' });
    expect(unmarshall(input.ExpressionAttributeValues!)).toEqual({
      ':pk': OUTBOX,
      ':type0': 'agreement.signed',
      ':type1': 'reminder.signature-missing',
    });
  });

  it('accepts ten types', async () => {
    const types = Array.from({ length: 10 }, (_, index) => `type-${index}`);
    const response = await list({ type: types.join(',') });
    expect(response.statusCode).toBe(200);
    expect(queryInput().FilterExpression).toBe(`#type IN (${types.map((_, i) => `:type${i}`).join(', ')})`);
  });

  it("refuses (400) as `since` a cursor of another organisation's outbox, without querying", async () => {
    const foreign = cursorOf({ pk: `NOTIFICATIONS#${CONTROLLER_ORG}`, sk: notificationKey(signed).sk });

    const response = await list({ since: foreign });

    expect(response.statusCode).toBe(400);
    expect(response.body.errors).toEqual([{ field: 'since', message: 'is not a cursor from this listing' }]);
    expect(ddb.commandCalls(QueryCommand)).toEqual([]);
  });

  it.each([
    ['a word', { since: 'yesterday' }, 'since'],
    ['an impossible date', { since: '2026-13-45T10:00:00Z' }, 'since'],
    // Date.parse rolls 31 February over to 3 March: the poll would silently skip three days.
    ['a day the month does not have', { since: '2026-02-31T10:00:00Z' }, 'since'],
    ['an empty value', { since: '' }, 'since'],
    ['a cursor with other keys', { since: cursorOf({ pk: OUTBOX, sk: 'x', id: 'y' }) }, 'since'],
    ['eleven types', { type: Array.from({ length: 11 }, (_, i) => `t${i}`).join(',') }, 'type'],
    ['capital letters', { type: 'Agreement.Signed' }, 'type'],
    ['an empty type between commas', { type: 'agreement.signed,,agreement.expired' }, 'type'],
    ['an expression injected', { type: 'a) OR (b' }, 'type'],
  ])('refuses (400) %s, naming the field', async (_case, query, field) => {
    const response = await list(query);
    expect(response.statusCode).toBe(400);
    expect(response.body.errors.map((error: { field: string }) => error.field)).toEqual([field]);
    expect(ddb.commandCalls(QueryCommand)).toEqual([]);
  });
});
