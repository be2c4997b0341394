import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { SendEmailCommand, TooManyRequestsException } from '@aws-sdk/client-sesv2';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Delivery } from '../../../../functions/domain/delivery/deliveries.ts';
import type { Agreement } from '../../../../functions/domain/schemas.ts';
import type { StoredNotification } from '../../../../functions/store/deliveries-store.ts';
import { attemptEmail } from '../../../../functions/tasks/delivery/email.ts';
import { awaitingAgreement, CONTROLLER_ORG, OUTSIDER_ORG } from '../../domain/agreement-fixture.ts';
import { ddb, tableWrites, useAwsMocks } from '../../http/aws-mocks.ts';
import {
  awsError,
  conditionalCheckFailed,
  EMAIL_SENDER,
  expectedEmail,
  notification,
  notificationKey,
  recipients,
  sentEmails,
  ses,
  useDeliveryMocks,
} from './delivery-fixture.ts';

useAwsMocks();
useDeliveryMocks();

afterEach(() => {
  vi.restoreAllMocks();
});

const AT = new Date('2026-11-22T10:00:00.000Z');
const FIRST = '2026-11-22T09:00:00.000Z';

const stored = (n = notification(), deliveries: Record<string, Delivery> = {}): StoredNotification => ({
  key: notificationKey(n),
  notification: n,
  deliveries,
});

const retrying = (attempts: number, firstAttemptAt = FIRST): Delivery => ({
  channel: 'email',
  status: 'RETRYING',
  at: '2026-11-22T09:59:00.000Z',
  attempts,
  firstAttemptAt,
  nextAttemptAt: AT.toISOString(),
  reason: 'The mail service refused or did not answer (TooManyRequestsException)',
});

const recorded = () => {
  const calls = ddb.commandCalls(UpdateItemCommand);
  expect(calls).toHaveLength(1);
  const input = calls[0]!.args[0].input;
  return {
    condition: input.ConditionExpression,
    key: unmarshall(input.Key!),
    values: unmarshall(input.ExpressionAttributeValues!),
  };
};

const sesRefuses = (message = 'Maximum sending rate exceeded') =>
  ses.on(SendEmailCommand).rejects(new TooManyRequestsException({ message, $metadata: {} }));

describe('attemptEmail', () => {
  it("sends the rendered e-mail from the deployment's sender to the processor's contact person", async () => {
    const agreement = awaitingAgreement();

    await attemptEmail(stored(), agreement, AT);

    const email = expectedEmail(notification(), agreement, 'processor');
    expect(sentEmails()).toEqual([
      {
        FromEmailAddress: EMAIL_SENDER,
        Destination: { ToAddresses: ['ola@example.no'] },
        Content: {
          Simple: {
            Subject: { Data: email.subject, Charset: 'UTF-8' },
            Body: {
              Text: { Data: email.text, Charset: 'UTF-8' },
              Html: { Data: email.html, Charset: 'UTF-8' },
            },
          },
        },
      },
    ]);
  });

  it("sends a notification addressed to the controller to the controller's contact person", async () => {
    const n = notification({ recipientOrgNumber: CONTROLLER_ORG });
    const agreement = awaitingAgreement();

    await attemptEmail(stored(n), agreement, AT);

    expect(recipients()).toEqual(['kari@example.kommune.no']);
    expect(sentEmails()[0]!.Content!.Simple!.Subject!.Data).toBe(
      expectedEmail(n, agreement, 'controller').subject,
    );
  });

  it('sends to the contact person in force on the agreement as read, not an earlier one', async () => {
    const agreement: Agreement = awaitingAgreement({
      contacts: {
        controller: awaitingAgreement().contacts.controller,
        processor: { name: 'Per Hansen', email: 'per.hansen@example.no', phone: '+4797777777' },
      },
    });

    await attemptEmail(stored(), agreement, AT);

    expect(recipients()).toEqual(['per.hansen@example.no']);
    expect(sentEmails()[0]!.Content!.Simple!.Body!.Text!.Data).toBe(
      expectedEmail(notification(), agreement, 'processor').text,
    );
  });

  it('records a first attempt that was sent as DELIVERED, on condition that none was recorded', async () => {
    const delivery = await attemptEmail(stored(), awaitingAgreement(), AT);

    const expected = {
      channel: 'email',
      status: 'DELIVERED',
      at: AT.toISOString(),
      attempts: 1,
      firstAttemptAt: AT.toISOString(),
    };
    expect(delivery).toEqual(expected);
    const { condition, key, values } = recorded();
    expect(key).toEqual(notificationKey(notification()));
    expect(condition).toBe('attribute_exists(pk) AND attribute_not_exists(#delivery)');
    expect(values).toEqual({ ':delivery': expected });
  });

  it('records a refused send as RETRYING, the retry drawn within the first 30 seconds', async () => {
    sesRefuses();
    vi.spyOn(Math, 'random').mockReturnValue(0.5);

    const delivery = await attemptEmail(stored(), awaitingAgreement(), AT);

    expect(delivery).toEqual({
      channel: 'email',
      status: 'RETRYING',
      at: AT.toISOString(),
      attempts: 1,
      firstAttemptAt: AT.toISOString(),
      nextAttemptAt: '2026-11-22T10:00:15.000Z',
      reason: 'The mail service refused or did not answer (TooManyRequestsException)',
    });
    expect(recorded().values[':delivery']).toEqual(delivery);
  });

  it('keeps personal data in the error out of the recorded reason', async () => {
    ses
      .on(SendEmailCommand)
      .rejects(awsError('MessageRejected', 'Email address is not verified: ola@example.no'));

    const delivery = await attemptEmail(stored(), awaitingAgreement(), AT);

    expect(delivery?.status).toBe('RETRYING');
    expect(JSON.stringify(recorded().values)).not.toContain('ola@example.no');
  });

  it('counts a failed retry on top of the earlier attempts, backing off from the first attempt on', async () => {
    sesRefuses();
    vi.spyOn(Math, 'random').mockReturnValue(0.5);

    const delivery = await attemptEmail(
      stored(notification(), { email: retrying(3) }),
      awaitingAgreement(),
      AT,
    );

    // The fourth attempt failed: up to 240 s, half of it drawn.
    expect(delivery).toMatchObject({
      status: 'RETRYING',
      attempts: 4,
      firstAttemptAt: FIRST,
      nextAttemptAt: '2026-11-22T10:02:00.000Z',
    });
    const { condition, values } = recorded();
    expect(condition).toBe('attribute_exists(pk) AND #delivery.attempts = :previous');
    expect(values[':previous']).toBe(3);
  });

  it('makes the last retry at the end of the 24 hours after the first attempt', async () => {
    sesRefuses();
    vi.spyOn(Math, 'random').mockReturnValue(0.9);
    const at = new Date('2026-11-23T08:59:00.000Z');

    const delivery = await attemptEmail(
      stored(notification(), { email: retrying(30) }),
      awaitingAgreement(),
      at,
    );

    expect(delivery).toMatchObject({ status: 'RETRYING', nextAttemptAt: '2026-11-23T09:00:00.000Z' });
  });

  it('marks the delivery FAILED when the try at the end of the 24 hours fails too', async () => {
    sesRefuses();
    const at = new Date('2026-11-23T09:00:00.000Z');

    const delivery = await attemptEmail(
      stored(notification(), { email: retrying(31) }),
      awaitingAgreement(),
      at,
    );

    expect(delivery).toEqual({
      channel: 'email',
      status: 'FAILED',
      at: at.toISOString(),
      attempts: 32,
      firstAttemptAt: FIRST,
      reason: 'The mail service refused or did not answer (TooManyRequestsException)',
    });
    expect(recorded().values[':delivery']).toEqual(delivery);
  });

  it('records a retry that goes through as DELIVERED, with every attempt counted', async () => {
    const delivery = await attemptEmail(
      stored(notification(), { email: retrying(2) }),
      awaitingAgreement(),
      AT,
    );

    expect(delivery).toEqual({
      channel: 'email',
      status: 'DELIVERED',
      at: AT.toISOString(),
      attempts: 3,
      firstAttemptAt: FIRST,
    });
    expect(recipients()).toEqual(['ola@example.no']);
  });

  it.each([
    ['DELIVERED', { status: 'DELIVERED', attempts: 1 }],
    ['FAILED', { status: 'FAILED', attempts: 40, reason: 'gave up' }],
    ['SKIPPED', { status: 'SKIPPED', attempts: 0, reason: 'no party' }],
  ] as const)('sends nothing and records nothing for a delivery already %s', async (_status, settled) => {
    const previous: Delivery = { channel: 'email', at: FIRST, ...settled };

    const delivery = await attemptEmail(stored(notification(), { email: previous }), awaitingAgreement(), AT);

    expect(delivery).toEqual(previous);
    expect(sentEmails()).toEqual([]);
    expect(tableWrites()).toEqual([]);
  });

  it('skips, without sending, a notification whose agreement does not exist', async () => {
    const delivery = await attemptEmail(stored(), undefined, AT);

    expect(delivery).toEqual({
      channel: 'email',
      status: 'SKIPPED',
      at: AT.toISOString(),
      attempts: 0,
      reason: 'The agreement does not exist (any more)',
    });
    expect(sentEmails()).toEqual([]);
    expect(recorded()).toMatchObject({
      condition: 'attribute_exists(pk) AND attribute_not_exists(#delivery)',
      values: { ':delivery': delivery },
    });
  });

  it('skips, without sending, a notification to an organisation that is no party to the agreement', async () => {
    const delivery = await attemptEmail(
      stored(notification({ recipientOrgNumber: OUTSIDER_ORG })),
      awaitingAgreement(),
      AT,
    );

    expect(delivery).toMatchObject({
      status: 'SKIPPED',
      reason: 'The recipient is not a party to the agreement',
    });
    expect(sentEmails()).toEqual([]);
  });

  it('answers undefined when another attempt was recorded first', async () => {
    ddb.on(UpdateItemCommand).rejects(conditionalCheckFailed());
    await expect(attemptEmail(stored(), awaitingAgreement(), AT)).resolves.toBeUndefined();
  });
});
