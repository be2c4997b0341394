import {
  GetItemCommand,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import type { Delivery } from '../../../functions/domain/delivery/deliveries.ts';
import {
  type DeliveryRecord,
  readNotification,
  recordDeliveries,
  storedNotificationOf,
} from '../../../functions/store/deliveries-store.ts';
import { ddb, givenItem, TABLE_NAME, useAwsMocks } from '../http/aws-mocks.ts';
import {
  awsError,
  notification,
  notificationItem,
  notificationKey,
  refusedAt,
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

/** The items of each TransactWriteItems call, in order. */
const transactions = () =>
  ddb.commandCalls(TransactWriteItemsCommand).map((call) => call.args[0].input.TransactItems ?? []);

/** The Update of the only record of the first transaction. */
const recordUpdate = () => {
  const [items] = transactions();
  expect(items).toHaveLength(1);
  return items![0]!.Update!;
};

/** A write that goes with a record (as a webhook delivery's item goes with its notification's update). */
const companion = (id: string): TransactWriteItem => ({
  Put: {
    TableName: TABLE_NAME,
    Item: marshall({ pk: 'WEBHOOK#w', sk: `DELIVERY#${id}`, entity: 'webhook-delivery' }),
  },
});

/** Records of `count` notifications, each with a companion write when `companions` says so. */
const records = (count: number, companions = false): DeliveryRecord[] =>
  Array.from({ length: count }, (_, index) => ({
    key: notificationKey(notification({ id: `agreement.signed:n:${index}` })),
    delivery: retrying,
    previousAttempts: 0,
    ...(companions ? { with: companion(String(index)) } : {}),
  }));

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

describe('recordDeliveries', () => {
  it('records a first attempt only where the notification exists and no attempt (or only a skip) of the channel was recorded', async () => {
    await expect(recordDeliveries([{ key: KEY, delivery: retrying, previousAttempts: 0 }])).resolves.toEqual([
      true,
    ]);

    const update = recordUpdate();
    expect(update.TableName).toBe(TABLE_NAME);
    expect(unmarshall(update.Key!)).toEqual(KEY);
    expect(update.UpdateExpression).toBe('SET #delivery = :delivery');
    expect(update.ConditionExpression).toBe(
      'attribute_exists(pk) AND (attribute_not_exists(#delivery) OR #delivery.attempts = :previous)',
    );
    expect(update.ExpressionAttributeNames).toEqual({ '#delivery': 'delivery:email' });
    // `:previous` is used by both conditions: DynamoDB refuses a value the expressions do not use.
    expect(unmarshall(update.ExpressionAttributeValues!)).toEqual({ ':delivery': retrying, ':previous': 0 });
  });

  it('records a later attempt only when the attempts stored are still the ones the caller read', async () => {
    await expect(recordDeliveries([{ key: KEY, delivery: delivered, previousAttempts: 1 }])).resolves.toEqual(
      [true],
    );

    const update = recordUpdate();
    expect(update.UpdateExpression).toBe('SET #delivery = :delivery');
    expect(update.ConditionExpression).toBe('attribute_exists(pk) AND #delivery.attempts = :previous');
    expect(update.ExpressionAttributeNames).toEqual({ '#delivery': 'delivery:email' });
    expect(unmarshall(update.ExpressionAttributeValues!)).toEqual({ ':delivery': delivered, ':previous': 1 });
  });

  it("writes each channel's delivery to an attribute of its own", async () => {
    await recordDeliveries([{ key: KEY, delivery: webhookFailed, previousAttempts: 39 }]);
    expect(recordUpdate().ExpressionAttributeNames).toEqual({ '#delivery': 'delivery:webhook:4f1d' });
  });

  it('leaves out the optional fields a delivery does not have', async () => {
    const skipped: Delivery = { channel: 'email', status: 'SKIPPED', at: delivered.at, attempts: 0 };

    await recordDeliveries([{ key: KEY, delivery: skipped, previousAttempts: 0 }]);

    expect(unmarshall(recordUpdate().ExpressionAttributeValues!)[':delivery']).toEqual({
      channel: 'email',
      status: 'SKIPPED',
      at: delivered.at,
      attempts: 0,
    });
  });

  it("writes a record's companion write in the same transaction, right after its update", async () => {
    const [first, second] = records(2, true);

    await recordDeliveries([first!, { ...second!, with: undefined }]);

    const [items, ...others] = transactions();
    expect(others).toEqual([]);
    expect(items!.map((item) => Object.keys(item)[0])).toEqual(['Update', 'Put', 'Update']);
    expect(unmarshall(items![0]!.Update!.Key!)).toEqual(first!.key);
    expect(items![1]).toEqual(first!.with);
    expect(unmarshall(items![2]!.Update!.Key!)).toEqual(second!.key);
  });

  it('writes a batch in one transaction of at most 100 items', async () => {
    await expect(recordDeliveries(records(100))).resolves.toEqual(Array(100).fill(true));
    expect(transactions().map((items) => items.length)).toEqual([100]);
  });

  it('splits records with companion writes so that no transaction has more than 100 items, keeping each record whole', async () => {
    const batch = records(60, true);

    await expect(recordDeliveries(batch)).resolves.toEqual(Array(60).fill(true));

    const sent = transactions();
    expect(sent.map((items) => items.length)).toEqual([100, 20]);
    // Each update is followed by its own companion, never split from it.
    for (const items of sent) {
      for (let index = 0; index < items.length; index += 2) {
        const key = unmarshall(items[index]!.Update!.Key!);
        const record = batch.find((candidate) => candidate.key.sk === key.sk)!;
        expect(items[index + 1]).toEqual(record.with);
      }
    }
  });

  it('answers false for a record whose condition failed (another attempt was recorded first)', async () => {
    ddb.on(TransactWriteItemsCommand).rejects(refusedAt(0, 1));

    await expect(recordDeliveries([{ key: KEY, delivery: delivered, previousAttempts: 1 }])).resolves.toEqual(
      [false],
    );
  });

  it('writes the other records again, with their companions, when one is refused', async () => {
    const batch = records(3, true);
    // The second record's update is the third item (after the first record's update and companion).
    ddb.on(TransactWriteItemsCommand).rejectsOnce(refusedAt(2, 6)).resolves({});

    await expect(recordDeliveries(batch)).resolves.toEqual([true, false, true]);

    const [, retried] = transactions();
    expect(retried!.map((item) => item.Update?.Key ?? item.Put?.Item)).toEqual([
      marshall(batch[0]!.key),
      batch[0]!.with!.Put!.Item,
      marshall(batch[2]!.key),
      batch[2]!.with!.Put!.Item,
    ]);
  });

  it('answers false for each refused record when the rest is refused again on the second try', async () => {
    ddb.on(TransactWriteItemsCommand).rejectsOnce(refusedAt(0, 2)).rejectsOnce(refusedAt(0, 1)).resolves({});

    await expect(recordDeliveries(records(2))).resolves.toEqual([false, false]);
    expect(transactions()).toHaveLength(2);
  });

  it('passes on a cancellation that is no failed condition (e.g. a conflicting transaction)', async () => {
    const conflict = new TransactionCanceledException({
      message: 'Transaction cancelled',
      $metadata: {},
      CancellationReasons: [{ Code: 'TransactionConflict' }],
    });
    ddb.on(TransactWriteItemsCommand).rejects(conflict);

    await expect(recordDeliveries(records(1))).rejects.toBe(conflict);
  });

  it('passes any other error on', async () => {
    ddb.on(TransactWriteItemsCommand).rejects(awsError('ProvisionedThroughputExceededException'));
    await expect(
      recordDeliveries([{ key: KEY, delivery: delivered, previousAttempts: 1 }]),
    ).rejects.toMatchObject({
      name: 'ProvisionedThroughputExceededException',
    });
  });

  it('writes nothing for no records', async () => {
    await expect(recordDeliveries([])).resolves.toEqual([]);
    expect(transactions()).toEqual([]);
  });
});
