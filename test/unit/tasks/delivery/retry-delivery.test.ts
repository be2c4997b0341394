import { GetItemCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Delivery } from '../../../../functions/domain/delivery/deliveries.ts';
import { useClock } from '../../../../functions/shared/clock.ts';
import { handler } from '../../../../functions/tasks/delivery/retry-delivery.ts';
import { awaitingAgreement } from '../../domain/agreement-fixture.ts';
import { ddb, givenItem, givenStored, NOW, tableWrites, useAwsMocks } from '../../http/aws-mocks.ts';
import {
  notification,
  notificationItem,
  notificationKey,
  recipients,
  recordedDeliveries,
  refusedAt,
  refuseEmail,
  sentEmails,
  ses,
  useDeliveryMocks,
} from './delivery-fixture.ts';

useAwsMocks();
useDeliveryMocks();

afterEach(() => {
  vi.restoreAllMocks();
});

const KEY = notificationKey(notification());
const FIRST = '2026-11-22T09:00:00.000Z';
const input = { notification: KEY, channel: 'email', retryAt: NOW };

const retrying = (attempts: number): Delivery => ({
  channel: 'email',
  status: 'RETRYING',
  at: '2026-11-22T09:59:00.000Z',
  attempts,
  firstAttemptAt: FIRST,
  nextAttemptAt: NOW,
  reason: 'The mail service refused or did not answer (TooManyRequestsException HTTP 429)',
});

const givenNotification = (...deliveries: Delivery[]) =>
  givenItem(notificationItem(notification(), deliveries));

/** The one delivery recorded, with its condition and the values it was written with. */
const recordedDelivery = () => {
  const recorded = recordedDeliveries();
  expect(recorded).toHaveLength(1);
  const { condition, delivery, previous } = recorded[0]!;
  return { condition, values: { ':delivery': delivery, ':previous': previous } };
};

const sesRefuses = () => ses.answerWith(refuseEmail(429, 'TooManyRequestsException', 'Slow down'));

describe('retryDelivery task', () => {
  it('tries again, reading the notification strongly consistent, and is DONE once the e-mail went', async () => {
    givenStored(awaitingAgreement());
    givenNotification(retrying(2));

    const result = await handler(input);

    expect(result).toEqual({ ...input, outcome: 'DONE' });
    expect(recipients()).toEqual(['ola@example.no']);
    const read = ddb
      .commandCalls(GetItemCommand)
      .map((call) => call.args[0].input)
      .find((get) => unmarshall(get.Key!).pk === KEY.pk);
    expect(read).toMatchObject({ Key: marshall(KEY), ConsistentRead: true });
    const { condition, values } = recordedDelivery();
    expect(condition).toBe('attribute_exists(pk) AND #delivery.attempts = :previous');
    expect(values).toEqual({
      ':previous': 2,
      ':delivery': { channel: 'email', status: 'DELIVERED', at: NOW, attempts: 3, firstAttemptAt: FIRST },
    });
  });

  it('sends the retry to the contact person in force now, not the one when the notification was written', async () => {
    givenStored(
      awaitingAgreement({
        contacts: {
          controller: awaitingAgreement().contacts.controller,
          processor: { name: 'Per Hansen', email: 'per.hansen@example.no', phone: '+4797777777' },
        },
      }),
    );
    givenNotification(retrying(1));

    await handler(input);

    expect(recipients()).toEqual(['per.hansen@example.no']);
  });

  it('answers RETRY with the time of the next attempt when the send fails again', async () => {
    givenStored(awaitingAgreement());
    givenNotification(retrying(2));
    sesRefuses();
    vi.spyOn(Math, 'random').mockReturnValue(0.5);

    const result = await handler(input);

    // The third attempt failed: up to 120 s, half of it drawn.
    expect(result).toEqual({ ...input, outcome: 'RETRY', retryAt: '2026-11-22T10:01:00.000Z' });
    expect(recordedDelivery().values[':delivery']).toMatchObject({
      status: 'RETRYING',
      attempts: 3,
      nextAttemptAt: '2026-11-22T10:01:00.000Z',
    });
  });

  it('is DONE, the delivery FAILED, when the try at the end of the 24 hours fails', async () => {
    useClock(() => new Date('2026-11-23T09:00:00.000Z'));
    givenStored(awaitingAgreement());
    givenNotification(retrying(30));
    sesRefuses();

    const result = await handler(input);

    expect(result).toEqual({ ...input, outcome: 'DONE' });
    expect(recordedDelivery().values[':delivery']).toMatchObject({ status: 'FAILED', attempts: 31 });
  });

  it.each([
    ['DELIVERED', { status: 'DELIVERED', attempts: 2, firstAttemptAt: FIRST }],
    ['FAILED', { status: 'FAILED', attempts: 31, firstAttemptAt: FIRST, reason: 'gave up' }],
    ['SKIPPED', { status: 'SKIPPED', attempts: 1, reason: 'no party' }],
  ] as const)('sends nothing, records nothing and is DONE when another attempt already left it %s', async (_status, settled) => {
    givenStored(awaitingAgreement());
    givenNotification({ channel: 'email', at: FIRST, ...settled });

    await expect(handler(input)).resolves.toEqual({ ...input, outcome: 'DONE' });
    expect(sentEmails()).toEqual([]);
    expect(tableWrites()).toEqual([]);
  });

  it('sends nothing and is DONE when the notification is gone', async () => {
    givenStored(awaitingAgreement());

    await expect(handler(input)).resolves.toEqual({ ...input, outcome: 'DONE' });
    expect(sentEmails()).toEqual([]);
    expect(tableWrites()).toEqual([]);
  });

  it('skips, without sending, a retry whose agreement is gone, and is DONE', async () => {
    givenNotification(retrying(1));

    await expect(handler(input)).resolves.toEqual({ ...input, outcome: 'DONE' });
    expect(sentEmails()).toEqual([]);
    expect(recordedDelivery().values[':delivery']).toMatchObject({ status: 'SKIPPED', attempts: 1 });
  });

  it('is DONE without sending for a channel with no delivery being retried', async () => {
    givenStored(awaitingAgreement());
    givenNotification(retrying(1));

    await expect(handler({ ...input, channel: 'webhook:w1' })).resolves.toEqual({
      ...input,
      channel: 'webhook:w1',
      outcome: 'DONE',
    });
    expect(sentEmails()).toEqual([]);
  });

  it('follows an attempt recorded between its read and its write: DONE when it delivered', async () => {
    givenStored(awaitingAgreement());
    const delivered: Delivery = { ...retrying(2), status: 'DELIVERED', nextAttemptAt: undefined };
    ddb
      .on(GetItemCommand, { Key: marshall(KEY) })
      .resolvesOnce({ Item: notificationItem(notification(), [retrying(1)]) })
      .resolves({ Item: notificationItem(notification(), [delivered]) });
    ddb.on(TransactWriteItemsCommand).rejects(refusedAt(0, 1));

    await expect(handler(input)).resolves.toEqual({ ...input, outcome: 'DONE' });
  });

  it('follows an attempt recorded between its read and its write: RETRY at its time when it failed', async () => {
    givenStored(awaitingAgreement());
    const later = '2026-11-22T11:00:00.000Z';
    ddb
      .on(GetItemCommand, { Key: marshall(KEY) })
      .resolvesOnce({ Item: notificationItem(notification(), [retrying(1)]) })
      .resolves({ Item: notificationItem(notification(), [{ ...retrying(2), nextAttemptAt: later }]) });
    ddb.on(TransactWriteItemsCommand).rejects(refusedAt(0, 1));

    await expect(handler(input)).resolves.toEqual({ ...input, outcome: 'RETRY', retryAt: later });
  });

  it('refuses an input without the notification key as InvalidTaskInput, sending nothing', async () => {
    await expect(handler({ channel: 'email', retryAt: NOW })).rejects.toMatchObject({
      name: 'InvalidTaskInput',
    });
    expect(sentEmails()).toEqual([]);
  });
});
