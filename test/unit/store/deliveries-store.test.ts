import { GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import type { Delivery } from '../../../functions/domain/delivery/deliveries.ts';
import {
  readNotification,
  recordDelivery,
  storedNotificationOf,
} from '../../../functions/store/deliveries-store.ts';
import { ddb, givenItem, TABLE_NAME, useAwsMocks } from '../http/aws-mocks.ts';
import {
  awsError,
  conditionalCheckFailed,
  notification,
  notificationItem,
  notificationKey,
} from '../tasks/delivery/delivery-fixture.ts';

useAwsMocks();

const KEY = notificationKey(notification());

const retrying: Delivery = {
  channel: 'email',
  status: 'RETRYING',
  at: '2026-11-22T09:00:00.000Z',
  attempts: 1,
  firstAttemptAt: '2026-11-22T09:00:00.000Z',
  nextAttemptAt: '2026-11-22T09:00:20.000Z',
  reason: 'The mail service refused or did not answer (TooManyRequestsException)',
};
const delivered: Delivery = {
  channel: 'email',
  status: 'DELIVERED',
  at: '2026-11-22T09:00:20.000Z',
  attempts: 2,
  firstAttemptAt: '2026-11-22T09:00:00.000Z',
};
const webhookFailed: Delivery = {
  channel: 'webhook:4f1d',
  status: 'FAILED',
  at: '2026-11-23T09:00:00.000Z',
  attempts: 40,
  reason: 'HTTP 503',
};

const updateInput = (index = 0) => {
  const call = ddb.commandCalls(UpdateItemCommand)[index];
  if (!call) throw new Error(`no UpdateItem call #${index}`);
  return call.args[0].input;
};

describe('storedNotificationOf', () => {
  it('separates the key, the notification and its deliveries per channel, dropping the entity tag', () => {
    const item = unmarshall(
      notificationItem(notification({ details: { deadline: '2026-12-15' } }), [delivered, webhookFailed]),
    );

    expect(storedNotificationOf(item)).toEqual({
      key: KEY,
      notification: notification({ details: { deadline: '2026-12-15' } }),
      deliveries: { email: delivered, 'webhook:4f1d': webhookFailed },
    });
  });

  it('gives a notification not yet delivered anywhere no deliveries', () => {
    expect(storedNotificationOf(unmarshall(notificationItem(notification())))).toEqual({
      key: KEY,
      notification: notification(),
      deliveries: {},
    });
  });
});

describe('readNotification', () => {
  it('reads the item by its key, strongly consistent, with its deliveries', async () => {
    givenItem(notificationItem(notification(), [retrying]));

    const stored = await readNotification(KEY);

    expect(stored).toEqual({ key: KEY, notification: notification(), deliveries: { email: retrying } });
    const input = ddb.commandCalls(GetItemCommand)[0]!.args[0].input;
    expect(input).toEqual({ TableName: TABLE_NAME, Key: marshall(KEY), ConsistentRead: true });
  });

  it('answers undefined for a notification that is not there', async () => {
    await expect(readNotification(KEY)).resolves.toBeUndefined();
  });
});

describe('recordDelivery', () => {
  it('records a first attempt only where the notification exists and no attempt of the channel was recorded', async () => {
    await expect(recordDelivery(KEY, retrying, 0)).resolves.toBe(true);

    const input = updateInput();
    expect(input.TableName).toBe(TABLE_NAME);
    expect(unmarshall(input.Key!)).toEqual(KEY);
    expect(input.UpdateExpression).toBe('SET #delivery = :delivery');
    expect(input.ConditionExpression).toBe('attribute_exists(pk) AND attribute_not_exists(#delivery)');
    expect(input.ExpressionAttributeNames).toEqual({ '#delivery': 'delivery:email' });
    // No `:previous`: DynamoDB refuses a value the expressions do not use.
    expect(unmarshall(input.ExpressionAttributeValues!)).toEqual({ ':delivery': retrying });
  });

  it('records a later attempt only when the attempts stored are still the ones the caller read', async () => {
    await expect(recordDelivery(KEY, delivered, 1)).resolves.toBe(true);

    const input = updateInput();
    expect(input.UpdateExpression).toBe('SET #delivery = :delivery');
    expect(input.ConditionExpression).toBe('attribute_exists(pk) AND #delivery.attempts = :previous');
    expect(input.ExpressionAttributeNames).toEqual({ '#delivery': 'delivery:email' });
    expect(unmarshall(input.ExpressionAttributeValues!)).toEqual({ ':delivery': delivered, ':previous': 1 });
  });

  it("writes each channel's delivery to an attribute of its own", async () => {
    await recordDelivery(KEY, webhookFailed, 39);
    expect(updateInput().ExpressionAttributeNames).toEqual({ '#delivery': 'delivery:webhook:4f1d' });
  });

  it('leaves out the optional fields a delivery does not have', async () => {
    await recordDelivery(KEY, { channel: 'email', status: 'SKIPPED', at: delivered.at, attempts: 0 }, 0);
    expect(unmarshall(updateInput().ExpressionAttributeValues!)[':delivery']).toEqual({
      channel: 'email',
      status: 'SKIPPED',
      at: delivered.at,
      attempts: 0,
    });
  });

  it('answers false when another attempt was recorded first (the condition failed)', async () => {
    ddb.on(UpdateItemCommand).rejects(conditionalCheckFailed());
    await expect(recordDelivery(KEY, delivered, 1)).resolves.toBe(false);
  });

  it('passes any other error on', async () => {
    ddb.on(UpdateItemCommand).rejects(awsError('ProvisionedThroughputExceededException'));
    await expect(recordDelivery(KEY, delivered, 1)).rejects.toMatchObject({
      name: 'ProvisionedThroughputExceededException',
    });
  });
});
