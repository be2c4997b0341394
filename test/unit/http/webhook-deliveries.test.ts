import { BatchGetItemCommand, QueryCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { retrySeriesName } from '../../../functions/domain/delivery/retry.ts';
import type { StoredWebhook } from '../../../functions/domain/webhooks/schemas.ts';
import { handler as listDeliveries } from '../../../functions/http/webhooks/list-deliveries.ts';
import { handler as redeliver } from '../../../functions/http/webhooks/redeliver.ts';
import type { StoredWebhookDelivery } from '../../../functions/store/webhook-deliveries-store.ts';
import { CONTROLLER_ORG, PROCESSOR_ORG } from '../domain/agreement-fixture.ts';
import {
  DELIVERY_STATE_MACHINE_ARN,
  givenWebhook,
  notification,
  notificationKey,
  recordedDeliveries,
  refusedAt,
  useDeliveryMocks,
  WEBHOOK_ID,
  webhook,
  webhookDelivery,
  webhookDeliveryItem,
  webhookDeliveryItems,
} from '../tasks/delivery/delivery-fixture.ts';
import { ddb, givenItem, NOW, sfn, tableWrites, useAwsMocks, workflowCalls } from './aws-mocks.ts';
import { type EventOptions, httpEvent, invoke } from './events.ts';

useAwsMocks();
useDeliveryMocks();

const CHANNEL = `webhook:${WEBHOOK_ID}`;

/** The processor's endpoint, in the table. */
const givenEndpoint = (overrides: Partial<StoredWebhook> = {}) => givenWebhook(webhook(overrides));

describe('GET /webhooks/{id}/deliveries', () => {
  const list = (options: EventOptions = {}, id = WEBHOOK_ID) =>
    invoke(
      listDeliveries,
      httpEvent('GET /webhooks/{id}/deliveries', `/webhooks/${id}/deliveries`, {
        orgNumber: PROCESSOR_ORG,
        pathParameters: { id },
        ...options,
      }),
    );

  const newer = webhookDelivery(
    { status: 'DELIVERED', at: '2026-11-22T09:00:01.000Z', attempts: 1, responseStatus: 200 },
    notification({ id: 'agreement.signed:n:2', at: '2026-11-22T09:00:00.000Z' }),
  );
  const older = webhookDelivery({}, notification({ at: '2026-11-21T09:00:00.000Z' }));
  const { notificationKey: _newerKey, ...newerListed } = newer;
  const { notificationKey: _olderKey, ...olderListed } = older;

  const givenPage = (items: StoredWebhookDelivery[], lastEvaluatedKey?: Record<string, unknown>) =>
    ddb.on(QueryCommand).resolves({
      Items: items.map(webhookDeliveryItem),
      ...(lastEvaluatedKey ? { LastEvaluatedKey: marshall(lastEvaluatedKey) } : {}),
    });

  const queryInput = () => {
    const calls = ddb.commandCalls(QueryCommand);
    expect(calls).toHaveLength(1);
    return calls[0]!.args[0].input;
  };

  it("answers a page of the endpoint's deliveries, newest first, without the table's keys", async () => {
    givenEndpoint();
    givenPage([newer, older]);

    const response = await list();

    expect(response.statusCode).toBe(200);
    expect(response.body).toEqual({ items: [newerListed, olderListed] });
    const input = queryInput();
    expect(input.KeyConditionExpression).toBe('pk = :pk AND begins_with(sk, :delivery)');
    expect(unmarshall(input.ExpressionAttributeValues!)).toEqual({
      ':pk': `WEBHOOK#${WEBHOOK_ID}`,
      ':delivery': 'DELIVERY#',
    });
    expect(input.ScanIndexForward).toBe(false);
    expect(input.Limit).toBe(25);
  });

  it('answers a cursor for the next page, and reads on from it when it is handed back', async () => {
    givenEndpoint();
    const lastKey = { pk: `WEBHOOK#${WEBHOOK_ID}`, sk: `DELIVERY#${newer.id}` };
    givenPage([newer], lastKey);

    const first = await list({ query: { limit: '1' } });

    expect(first.body.items).toEqual([newerListed]);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    expect(queryInput().Limit).toBe(1);

    ddb.resetHistory();
    givenPage([older]);
    const second = await list({ query: { limit: '1', cursor: first.body.nextCursor } });

    expect(second.body).toEqual({ items: [olderListed] });
    expect(unmarshall(queryInput().ExclusiveStartKey!)).toEqual(lastKey);
  });

  it("is 404 for another organisation's endpoint, reading none of its deliveries", async () => {
    givenEndpoint({ orgNumber: CONTROLLER_ORG });

    const response = await list();

    expect(response.statusCode).toBe(404);
    expect(response.body.detail).toBe('No webhook with that id exists for your organisation');
    expect(ddb.commandCalls(QueryCommand)).toEqual([]);
  });

  it('is 404 for an id that is no webhook id', async () => {
    const response = await list({}, 'not-a-webhook');

    expect(response.statusCode).toBe(404);
    expect(ddb.commandCalls(QueryCommand)).toEqual([]);
  });

  it.each(['0', '101', 'ten', '2.5'])('is 400 naming limit for limit=%s', async (limit) => {
    givenEndpoint();

    const response = await list({ query: { limit } });

    expect(response.statusCode).toBe(400);
    expect(response.body.errors.map((error: { field: string }) => error.field)).toEqual(['limit']);
    expect(ddb.commandCalls(QueryCommand)).toEqual([]);
  });

  it("is 400 naming cursor for a cursor of another endpoint's deliveries", async () => {
    givenEndpoint();
    const foreign = Buffer.from(
      JSON.stringify({ pk: 'WEBHOOK#0a000000-0000-4000-8000-000000000009', sk: 'DELIVERY#x' }),
    ).toString('base64url');

    const response = await list({ query: { cursor: foreign } });

    expect(response.statusCode).toBe(400);
    expect(response.body.errors.map((error: { field: string }) => error.field)).toEqual(['cursor']);
  });
});

describe('POST /webhooks/{id}/deliveries/{deliveryId}/redeliver', () => {
  const send = (delivery = webhookDelivery(), options: EventOptions = {}) =>
    invoke(
      redeliver,
      httpEvent(
        'POST /webhooks/{id}/deliveries/{deliveryId}/redeliver',
        `/webhooks/${WEBHOOK_ID}/deliveries/${delivery.id}/redeliver`,
        { orgNumber: PROCESSOR_ORG, pathParameters: { id: WEBHOOK_ID, deliveryId: delivery.id }, ...options },
      ),
    );

  const givenDelivery = (delivery: StoredWebhookDelivery) => givenItem(webhookDeliveryItem(delivery));

  it('answers 202 with the delivery due at once, with a fresh 24 hours of retries, the attempts kept', async () => {
    givenEndpoint();
    const failed = webhookDelivery();
    givenDelivery(failed);

    const response = await send(failed);

    expect(response.statusCode).toBe(202);
    const { notificationKey: _key, ...listed } = failed;
    expect(response.body).toEqual({
      ...listed,
      status: 'RETRYING',
      at: NOW,
      attempts: 31,
      firstAttemptAt: NOW,
      nextAttemptAt: NOW,
      reason: 'Sent again on request',
    });
  });

  it('records the delivery due on the notification and its item in one transaction, on the attempts and time read', async () => {
    givenEndpoint();
    const failed = webhookDelivery();
    givenDelivery(failed);

    await send(failed);

    expect(ddb.commandCalls(TransactWriteItemsCommand)).toHaveLength(1);
    const due = {
      channel: CHANNEL,
      status: 'RETRYING',
      at: NOW,
      attempts: 31,
      firstAttemptAt: NOW,
      nextAttemptAt: NOW,
      reason: 'Sent again on request',
    };
    expect(recordedDeliveries()).toEqual([
      {
        key: notificationKey(notification()),
        delivery: due,
        previous: 31,
        // The time too: a redelivery makes no attempt, so a second one at once finds the same attempts.
        condition: 'attribute_exists(pk) AND #delivery.attempts = :previous AND #delivery.#at = :previousAt',
      },
    ]);
    const { channel: _channel, ...dueItem } = due;
    expect(webhookDeliveryItems()).toEqual([
      expect.objectContaining({ ...dueItem, id: failed.id, notificationKey: failed.notificationKey }),
    ]);
  });

  it('starts a retry series of its own on the delivery state machine, due at once', async () => {
    givenEndpoint();
    const failed = webhookDelivery();
    givenDelivery(failed);

    await send(failed);

    const starts = sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input);
    expect(starts).toHaveLength(1);
    expect(starts[0]!.stateMachineArn).toBe(DELIVERY_STATE_MACHINE_ARN);
    expect(starts[0]!.name).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
    // The first series (which ran its course) keeps its name; this one must not be taken for it.
    expect(starts[0]!.name).not.toBe(retrySeriesName(failed.notificationKey, CHANNEL));
    expect(JSON.parse(starts[0]!.input!)).toEqual({
      notification: failed.notificationKey,
      channel: CHANNEL,
      retryAt: NOW,
    });
  });

  it('sends a skipped delivery (no attempt made) again', async () => {
    givenEndpoint();
    const skipped = webhookDelivery({
      status: 'SKIPPED',
      attempts: 0,
      firstAttemptAt: undefined,
      responseStatus: undefined,
      reason: 'The webhook is disabled',
    });
    givenDelivery(skipped);

    const response = await send(skipped);

    expect(response.statusCode).toBe(202);
    expect(recordedDeliveries()[0]).toMatchObject({
      previous: 0,
      condition:
        'attribute_exists(pk) AND (attribute_not_exists(#delivery) OR #delivery.attempts = :previous) AND #delivery.#at = :previousAt',
    });
  });

  it('answers 409, starting nothing, when an attempt was recorded meanwhile (the condition failed)', async () => {
    givenEndpoint();
    const failed = webhookDelivery();
    givenDelivery(failed);
    ddb.on(TransactWriteItemsCommand).rejects(refusedAt(0, 2));

    const response = await send(failed);

    expect(response.statusCode).toBe(409);
    expect(response.body.detail).toBe('The delivery was attempted meanwhile; read it again');
    expect(workflowCalls()).toEqual([]);
  });

  it('answers 409 while the endpoint is disabled, changing nothing', async () => {
    givenEndpoint({ enabled: false, disabledAt: '2026-11-21T10:00:00.000Z' });
    givenDelivery(webhookDelivery());

    const response = await send();

    expect(response.statusCode).toBe(409);
    expect(response.body.detail).toBe('The webhook is disabled; enable it (PATCH) before sending again');
    expect(tableWrites()).toEqual([]);
    expect(workflowCalls()).toEqual([]);
  });

  it('answers 409 while the delivery is being retried, changing nothing', async () => {
    givenEndpoint();
    const retrying = webhookDelivery({
      status: 'RETRYING',
      attempts: 3,
      nextAttemptAt: '2026-11-22T10:02:00.000Z',
    });
    givenDelivery(retrying);

    const response = await send(retrying);

    expect(response.statusCode).toBe(409);
    expect(response.body.detail).toBe(
      'The delivery is being retried; its next attempt is at 2026-11-22T10:02:00.000Z',
    );
    expect(tableWrites()).toEqual([]);
    expect(workflowCalls()).toEqual([]);
  });

  it('sends again a delivery left RETRYING whose next attempt is long overdue (its series never started)', async () => {
    givenEndpoint();
    const stuck = webhookDelivery({
      status: 'RETRYING',
      attempts: 3,
      nextAttemptAt: '2026-11-22T09:00:00.000Z',
    });
    givenDelivery(stuck);

    const response = await send(stuck);

    expect(response.statusCode).toBe(202);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });

  it("answers 404 for another organisation's endpoint, changing nothing", async () => {
    givenEndpoint({ orgNumber: CONTROLLER_ORG });
    givenDelivery(webhookDelivery());

    const response = await send();

    expect(response.statusCode).toBe(404);
    expect(response.body.detail).toBe('No webhook with that id exists for your organisation');
    expect(tableWrites()).toEqual([]);
    expect(workflowCalls()).toEqual([]);
  });

  it('answers 404 for a delivery the endpoint does not have', async () => {
    givenEndpoint();

    const response = await send();

    expect(response.statusCode).toBe(404);
    expect(response.body.detail).toBe('No delivery with that id exists for this webhook');
    expect(tableWrites()).toEqual([]);
  });

  it.each([
    ['an over-long delivery id', WEBHOOK_ID, 'a'.repeat(2000)],
    ['a delivery id with a key separator', WEBHOOK_ID, 'x#DELIVERY#y'],
    ['a webhook id that is no issued id', 'not-a-webhook', webhookDelivery().id],
  ])('answers 404, reading nothing, for %s', async (_case, id, deliveryId) => {
    const response = await invoke(
      redeliver,
      httpEvent(
        'POST /webhooks/{id}/deliveries/{deliveryId}/redeliver',
        `/webhooks/${id}/deliveries/${deliveryId}/redeliver`,
        { orgNumber: PROCESSOR_ORG, pathParameters: { id, deliveryId } },
      ),
    );

    expect(response.statusCode).toBe(404);
    expect(ddb.commandCalls(BatchGetItemCommand)).toEqual([]);
    expect(tableWrites()).toEqual([]);
  });

  it('answers 400 for a request with a body', async () => {
    givenEndpoint();
    givenDelivery(webhookDelivery());

    const response = await send(webhookDelivery(), { body: { force: true } });

    expect(response.statusCode).toBe(400);
    expect(tableWrites()).toEqual([]);
  });
});
