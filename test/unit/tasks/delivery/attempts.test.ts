import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import type { Delivery } from '../../../../functions/domain/delivery/deliveries.ts';
import { retrySeriesName } from '../../../../functions/domain/delivery/retry.ts';
import type { StoredNotification } from '../../../../functions/store/deliveries-store.ts';
import { recordAttempts, startRetries } from '../../../../functions/tasks/delivery/attempts.ts';
import { NOW, sfn, TABLE_NAME, transaction, useAwsMocks } from '../../http/aws-mocks.ts';
import {
  awsError,
  DELIVERY_STATE_MACHINE_ARN,
  notification,
  notificationKey,
  recordedDeliveries,
  useDeliveryMocks,
  WEBHOOK_ID,
} from './delivery-fixture.ts';

useAwsMocks();
useDeliveryMocks();

const CHANNEL = `webhook:${WEBHOOK_ID}`;
const KEY = notificationKey(notification());

const delivery = (overrides: Partial<Delivery> = {}): Delivery => ({
  channel: CHANNEL,
  status: 'RETRYING',
  at: NOW,
  attempts: 3,
  firstAttemptAt: '2026-11-22T09:00:00.000Z',
  nextAttemptAt: '2026-11-22T10:02:00.000Z',
  reason: 'The endpoint answered HTTP 500',
  ...overrides,
});

const stored = (deliveries: Record<string, Delivery> = {}): StoredNotification => ({
  key: KEY,
  notification: notification(),
  deliveries,
});

describe('recordAttempts', () => {
  it("records each attempt on condition of the attempts its notification held on the attempt's channel", async () => {
    const earlier = {
      email: { channel: 'email', status: 'DELIVERED' as const, at: NOW, attempts: 1 },
      [CHANNEL]: delivery({ attempts: 2 }),
    };

    await expect(recordAttempts([{ stored: stored(earlier), delivery: delivery() }])).resolves.toEqual([
      true,
    ]);

    expect(recordedDeliveries()).toEqual([
      {
        key: KEY,
        delivery: delivery(),
        previous: 2,
        condition: 'attribute_exists(pk) AND #delivery.attempts = :previous',
      },
    ]);
  });

  it("writes an attempt's own item with it, in the same transaction", async () => {
    const item = {
      Put: { TableName: TABLE_NAME, Item: marshall({ pk: `WEBHOOK#${WEBHOOK_ID}`, sk: 'DELIVERY#d' }) },
    };

    await recordAttempts([{ stored: stored(), delivery: delivery({ attempts: 1 }), with: item }]);

    const [update, companion, ...others] = transaction(0);
    expect(others).toEqual([]);
    expect(update!.Update!.ExpressionAttributeNames).toEqual({ '#delivery': `delivery:${CHANNEL}` });
    expect(companion).toEqual(item);
  });
});

describe('startRetries', () => {
  it("starts the delivery's series of retries, named after the notification and channel, at the next attempt", async () => {
    await startRetries(stored(), delivery());

    expect(sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input)).toEqual([
      {
        stateMachineArn: DELIVERY_STATE_MACHINE_ARN,
        name: retrySeriesName(KEY, CHANNEL),
        input: JSON.stringify({ notification: KEY, channel: CHANNEL, retryAt: '2026-11-22T10:02:00.000Z' }),
      },
    ]);
  });

  it('takes a series already under way (ExecutionAlreadyExists) as started', async () => {
    sfn.on(StartExecutionCommand).rejects(awsError('ExecutionAlreadyExists'));

    await expect(startRetries(stored(), delivery())).resolves.toBeUndefined();
  });

  it('passes any other failure on, for the caller to have it retried', async () => {
    sfn.on(StartExecutionCommand).rejects(awsError('ThrottlingException'));

    await expect(startRetries(stored(), delivery())).rejects.toMatchObject({ name: 'ThrottlingException' });
  });
});
