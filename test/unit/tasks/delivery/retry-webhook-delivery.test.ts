import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Delivery } from '../../../../functions/domain/delivery/deliveries.ts';
import { webhookMessageId } from '../../../../functions/domain/delivery/webhook-message.ts';
import type { StoredWebhook } from '../../../../functions/domain/webhooks/schemas.ts';
import { handler } from '../../../../functions/tasks/delivery/retry-webhook-delivery.ts';
import { ddb, givenItem, NOW, tableWrites, useAwsMocks } from '../../http/aws-mocks.ts';
import {
  answerStatus,
  givenWebhook,
  notification,
  notificationItem,
  notificationKey,
  recordedDeliveries,
  useDeliveryMocks,
  useWebhookReceiver,
  WEBHOOK_ID,
  webhook,
  webhookDeliveryItems,
} from './delivery-fixture.ts';

useAwsMocks();
useDeliveryMocks();
const receiver = useWebhookReceiver();

afterEach(() => {
  vi.restoreAllMocks();
});

const KEY = notificationKey(notification());
const CHANNEL = `webhook:${WEBHOOK_ID}`;
const FIRST = '2026-11-22T09:00:00.000Z';
const input = { notification: KEY, channel: CHANNEL, retryAt: NOW };

const retrying = (attempts: number): Delivery => ({
  channel: CHANNEL,
  status: 'RETRYING',
  at: '2026-11-22T09:59:00.000Z',
  attempts,
  firstAttemptAt: FIRST,
  nextAttemptAt: NOW,
  reason: 'The endpoint answered HTTP 503',
});

const givenNotification = (...deliveries: Delivery[]) =>
  givenItem(notificationItem(notification(), deliveries));

/** The processor's endpoint, at the test's receiver, in the table. */
const givenEndpoint = (overrides: Partial<StoredWebhook> = {}) =>
  givenWebhook(webhook({ url: receiver.url, ...overrides }));

describe('retryWebhookDelivery task', () => {
  it('sends the message again, with the same webhook-id, and is DONE once the endpoint took it', async () => {
    givenEndpoint();
    givenNotification(retrying(2));

    const result = await handler(input);

    expect(result).toEqual({ ...input, outcome: 'DONE' });
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]!.headers['webhook-id']).toBe(webhookMessageId(notification()));
    expect(recordedDeliveries()).toEqual([
      {
        key: KEY,
        delivery: { channel: CHANNEL, status: 'DELIVERED', at: NOW, attempts: 3, firstAttemptAt: FIRST },
        previous: 2,
        condition: 'attribute_exists(pk) AND #delivery.attempts = :previous',
      },
    ]);
    expect(webhookDeliveryItems()).toEqual([
      expect.objectContaining({ status: 'DELIVERED', attempts: 3, responseStatus: 204 }),
    ]);
  });

  it('answers RETRY with the time of the next attempt when the endpoint fails again', async () => {
    givenEndpoint({ failingSince: FIRST });
    givenNotification(retrying(2));
    receiver.answerWith(answerStatus(500));
    vi.spyOn(Math, 'random').mockReturnValue(0.5);

    const result = await handler(input);

    // The third attempt failed: up to 120 s, half of it drawn.
    expect(result).toEqual({ ...input, outcome: 'RETRY', retryAt: '2026-11-22T10:01:00.000Z' });
    expect(recordedDeliveries()[0]!.delivery).toMatchObject({
      status: 'RETRYING',
      attempts: 3,
      reason: 'The endpoint answered HTTP 500',
    });
  });

  it("records what the retry tells of the endpoint's health", async () => {
    givenEndpoint();
    givenNotification(retrying(1));
    receiver.answerWith(answerStatus(500));

    await handler(input);

    const updates = ddb.commandCalls(UpdateItemCommand).map((call) => call.args[0].input.UpdateExpression);
    expect(updates).toEqual(['SET failingSince = :at']);
  });

  it('records the delivery SKIPPED, and is DONE, when the endpoint was deleted', async () => {
    givenNotification(retrying(2));

    const result = await handler(input);

    expect(result).toEqual({ ...input, outcome: 'DONE' });
    expect(receiver.requests).toEqual([]);
    expect(recordedDeliveries()).toEqual([
      {
        key: KEY,
        delivery: {
          channel: CHANNEL,
          status: 'SKIPPED',
          at: NOW,
          attempts: 2,
          reason: 'The webhook endpoint was deleted',
        },
        previous: 2,
        condition: 'attribute_exists(pk) AND #delivery.attempts = :previous',
      },
    ]);
    expect(webhookDeliveryItems()).toEqual([]);
  });

  it('records the delivery SKIPPED, without a request, and is DONE, when the endpoint was disabled', async () => {
    givenEndpoint({ enabled: false });
    givenNotification(retrying(2));

    const result = await handler(input);

    expect(result).toEqual({ ...input, outcome: 'DONE' });
    expect(receiver.requests).toEqual([]);
    expect(recordedDeliveries()[0]!.delivery).toMatchObject({
      status: 'SKIPPED',
      reason: 'The webhook is disabled',
    });
  });

  it('sends nothing and is DONE when another attempt already delivered it', async () => {
    givenEndpoint();
    givenNotification({ ...retrying(2), status: 'DELIVERED', nextAttemptAt: undefined, reason: undefined });

    await expect(handler(input)).resolves.toEqual({ ...input, outcome: 'DONE' });
    expect(receiver.requests).toEqual([]);
    expect(tableWrites()).toEqual([]);
  });

  it('sends nothing and is DONE when the notification is gone', async () => {
    givenEndpoint();

    await expect(handler(input)).resolves.toEqual({ ...input, outcome: 'DONE' });
    expect(receiver.requests).toEqual([]);
    expect(tableWrites()).toEqual([]);
  });
});
