import { TransactWriteItemsCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  webhookDeliveryId,
  webhookDisabledNotification,
  webhookMessageId,
} from '../../../../functions/domain/delivery/webhook-message.ts';
import type { StoredWebhook } from '../../../../functions/domain/webhooks/schemas.ts';
import type { StoredNotification } from '../../../../functions/store/deliveries-store.ts';
import {
  attemptWebhook,
  recordWebhookAttempts,
} from '../../../../functions/tasks/delivery/webhook-attempts.ts';
import { PROCESSOR_ORG } from '../../domain/agreement-fixture.ts';
import { ddb, NOW, TABLE_NAME, transaction, useAwsMocks } from '../../http/aws-mocks.ts';
import {
  answerStatus,
  awsError,
  notification,
  notificationKey,
  recordedDeliveries,
  refusedAt,
  useDeliveryMocks,
  useWebhookReceiver,
  WEBHOOK_ID,
  webhook,
} from './delivery-fixture.ts';

useAwsMocks();
useDeliveryMocks();
const receiver = useWebhookReceiver();

afterEach(() => {
  vi.restoreAllMocks();
});

const AT = new Date(NOW);
const CHANNEL = `webhook:${WEBHOOK_ID}`;
const WEBHOOK_KEY = { pk: `WEBHOOKS#${PROCESSOR_ORG}`, sk: `WEBHOOK#${WEBHOOK_ID}` };

const stored = (n = notification()): StoredNotification => ({
  key: notificationKey(n),
  notification: n,
  deliveries: {},
});

/** The processor's endpoint, at the test's receiver. */
const endpoint = (overrides: Partial<StoredWebhook> = {}) => webhook({ url: receiver.url, ...overrides });

/** One attempt to the endpoint, answered with `status`, then recorded. */
async function attemptAndRecord(target: StoredWebhook, status = 204, n = notification()) {
  receiver.answerWith(answerStatus(status));
  const attempt = await attemptWebhook(stored(n), target, AT);
  const recorded = await recordWebhookAttempts([attempt], AT);
  return { attempt, recorded };
}

const updates = () => ddb.commandCalls(UpdateItemCommand).map((call) => call.args[0].input);
const transactions = () => ddb.commandCalls(TransactWriteItemsCommand);

describe('attemptWebhook + recordWebhookAttempts', () => {
  it("writes the notification's delivery on the endpoint's channel and the delivery's own item in one transaction", async () => {
    const { attempt, recorded } = await attemptAndRecord(endpoint());

    expect(recorded).toEqual([true]);
    const items = transaction(0);
    expect(items).toHaveLength(2);
    expect(items[0]!.Update!.ExpressionAttributeNames).toEqual({ '#delivery': `delivery:${CHANNEL}` });
    expect(recordedDeliveries()).toEqual([
      {
        key: notificationKey(notification()),
        delivery: attempt.delivery,
        previous: 0,
        condition:
          'attribute_exists(pk) AND (attribute_not_exists(#delivery) OR #delivery.attempts = :previous)',
      },
    ]);
    const deliveryId = webhookDeliveryId(notification());
    expect(items[1]!.Put!.TableName).toBe(TABLE_NAME);
    expect(unmarshall(items[1]!.Put!.Item!)).toEqual({
      pk: `WEBHOOK#${WEBHOOK_ID}`,
      sk: `DELIVERY#${deliveryId}`,
      entity: 'webhook-delivery',
      id: deliveryId,
      webhookId: WEBHOOK_ID,
      messageId: webhookMessageId(notification()),
      notificationId: notification().id,
      type: 'agreement.signed',
      agreementId: notification().agreementId,
      status: 'DELIVERED',
      at: NOW,
      attempts: 1,
      firstAttemptAt: NOW,
      responseStatus: 204,
      notificationKey: notificationKey(notification()),
      // Kept for 90 days after its last attempt.
      expiresAt: Math.floor(Date.parse(NOW) / 1000) + 90 * 24 * 3600,
    });
  });

  it('keeps the status the endpoint answered and why it is retried on the delivery item', async () => {
    await attemptAndRecord(endpoint(), 503);

    expect(unmarshall(transaction(0)[1]!.Put!.Item!)).toMatchObject({
      status: 'RETRYING',
      responseStatus: 503,
      reason: 'The endpoint answered HTTP 503',
    });
  });

  it('answers false, and writes nothing about the endpoint, when another attempt was recorded first', async () => {
    ddb.on(TransactWriteItemsCommand).rejects(refusedAt(0, 2));

    const { recorded } = await attemptAndRecord(endpoint(), 500);

    expect(recorded).toEqual([false]);
    expect(updates()).toEqual([]);
  });
});

describe("an endpoint's health, after the attempts are recorded", () => {
  it('clears the failing streak of an endpoint that took a delivery', async () => {
    await attemptAndRecord(endpoint({ failingSince: '2026-11-21T10:00:00.000Z' }));

    expect(updates()).toEqual([
      {
        TableName: TABLE_NAME,
        Key: expect.anything(),
        UpdateExpression: 'REMOVE failingSince',
        ConditionExpression: 'attribute_exists(pk)',
      },
    ]);
    expect(unmarshall(updates()[0]!.Key!)).toEqual(WEBHOOK_KEY);
  });

  it('writes nothing about a healthy endpoint that took a delivery', async () => {
    await attemptAndRecord(endpoint());

    expect(updates()).toEqual([]);
    expect(transactions()).toHaveLength(1);
  });

  it("starts a failing streak at an endpoint's first failure, unless another attempt started it", async () => {
    await attemptAndRecord(endpoint(), 500);

    const [update, ...others] = updates();
    expect(others).toEqual([]);
    expect(unmarshall(update!.Key!)).toEqual(WEBHOOK_KEY);
    expect(update!.UpdateExpression).toBe('SET failingSince = :at');
    expect(update!.ConditionExpression).toBe('attribute_exists(pk) AND attribute_not_exists(failingSince)');
    expect(unmarshall(update!.ExpressionAttributeValues!)).toEqual({ ':at': NOW });
  });

  it('counts an address that is not public as a failure of the endpoint', async () => {
    delete process.env.WEBHOOK_ALLOW_LOOPBACK;

    const { attempt } = await attemptAndRecord(endpoint());

    expect(attempt.delivery.status).toBe('FAILED');
    expect(updates().map((update) => update.UpdateExpression)).toEqual(['SET failingSince = :at']);
  });

  it('disables an endpoint failing for 5 days, with the webhook.disabled notification, in one transaction', async () => {
    const failingSince = '2026-11-17T10:00:00.000Z';
    const failing = endpoint({ failingSince });

    await attemptAndRecord(failing, 500);

    expect(updates()).toEqual([]);
    expect(transactions()).toHaveLength(2);
    const [put, update, ...others] = transaction(1);
    expect(others).toEqual([]);
    const notice = webhookDisabledNotification(failing, notification(), failingSince, AT);
    expect(unmarshall(put!.Put!.Item!)).toEqual({
      pk: `NOTIFICATIONS#${PROCESSOR_ORG}`,
      sk: `${NOW}#${notice.id}`,
      entity: 'notification',
      ...notice,
    });
    expect(unmarshall(update!.Update!.Key!)).toEqual(WEBHOOK_KEY);
    expect(update!.Update!.UpdateExpression).toBe(
      'SET enabled = :false, disabledAt = :at, disabledReason = :reason',
    );
    expect(update!.Update!.ConditionExpression).toBe('enabled = :true AND failingSince = :since');
    expect(unmarshall(update!.Update!.ExpressionAttributeValues!)).toEqual({
      ':false': false,
      ':true': true,
      ':at': NOW,
      ':since': failingSince,
      ':reason': `Every delivery failed from ${failingSince} on`,
    });
  });

  it('does nothing more for an endpoint failing for 4 days', async () => {
    await attemptAndRecord(endpoint({ failingSince: '2026-11-18T10:00:00.000Z' }), 500);

    expect(updates()).toEqual([]);
    expect(transactions()).toHaveLength(1);
  });

  it('takes an endpoint that took one delivery of the batch and failed another as healthy', async () => {
    const failing = endpoint({ failingSince: '2026-11-17T10:00:00.000Z' });
    receiver.answerWith(answerStatus(500));
    const failed = await attemptWebhook(stored(), failing, AT);
    receiver.answerWith(answerStatus(204));
    const delivered = await attemptWebhook(stored(notification({ id: 'n2' })), failing, AT);

    await recordWebhookAttempts([failed, delivered], AT);

    expect(updates().map((update) => update.UpdateExpression)).toEqual(['REMOVE failingSince']);
    expect(transactions()).toHaveLength(1);
  });

  it('writes nothing about an endpoint whose delivery was skipped (disabled)', async () => {
    await attemptAndRecord(endpoint({ enabled: false, failingSince: '2026-11-17T10:00:00.000Z' }));

    expect(receiver.requests).toEqual([]);
    expect(updates()).toEqual([]);
    expect(transactions()).toHaveLength(1);
  });

  it('still answers that the attempt was recorded when writing the health fails', async () => {
    ddb.on(UpdateItemCommand).rejects(awsError('InternalServerError'));

    const { recorded } = await attemptAndRecord(endpoint(), 500);

    expect(recorded).toEqual([true]);
    expect(updates()).toHaveLength(1);
  });

  it('leaves an endpoint alone when disabling it finds it changed (re-enabled or disabled meanwhile)', async () => {
    ddb.on(TransactWriteItemsCommand).resolvesOnce({}).rejects(refusedAt(1, 2));

    const { recorded } = await attemptAndRecord(endpoint({ failingSince: '2026-11-17T10:00:00.000Z' }), 500);

    expect(recorded).toEqual([true]);
    expect(transactions()).toHaveLength(2);
  });
});
