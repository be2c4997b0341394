import { TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Delivery } from '../../../../functions/domain/delivery/deliveries.ts';
import type { Agreement } from '../../../../functions/domain/schemas.ts';
import type { StoredNotification } from '../../../../functions/store/deliveries-store.ts';
import { recordAttempts } from '../../../../functions/tasks/delivery/attempts.ts';
import { sendEmail } from '../../../../functions/tasks/delivery/email.ts';
import { awaitingAgreement, CONTROLLER_ORG, OUTSIDER_ORG } from '../../domain/agreement-fixture.ts';
import { ddb, tableWrites, useAwsMocks } from '../../http/aws-mocks.ts';
import {
  EMAIL_SENDER,
  expectedEmail,
  notification,
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
  reason: 'The mail service refused or did not answer (TooManyRequestsException HTTP 429)',
});

/** The one delivery recorded, with the condition it was recorded on. */
const recorded = () => {
  const deliveries = recordedDeliveries();
  expect(deliveries).toHaveLength(1);
  return deliveries[0]!;
};

const FIRST_ATTEMPT_CONDITION =
  'attribute_exists(pk) AND (attribute_not_exists(#delivery) OR #delivery.attempts = :previous)';

const sesRefuses = (message = 'Maximum sending rate exceeded') =>
  ses.answerWith(refuseEmail(429, 'TooManyRequestsException', message));

describe('sendEmail', () => {
  it("sends the rendered e-mail from the deployment's sender to the processor's contact person", async () => {
    const agreement = awaitingAgreement();

    await sendEmail(stored(), agreement, AT);

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

    await sendEmail(stored(n), agreement, AT);

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

    await sendEmail(stored(), agreement, AT);

    expect(recipients()).toEqual(['per.hansen@example.no']);
    expect(sentEmails()[0]!.Content!.Simple!.Body!.Text!.Data).toBe(
      expectedEmail(notification(), agreement, 'processor').text,
    );
  });

  it('comes to DELIVERED for a first attempt that was sent, and writes nothing itself', async () => {
    const delivery = await sendEmail(stored(), awaitingAgreement(), AT);

    expect(delivery).toEqual({
      channel: 'email',
      status: 'DELIVERED',
      at: AT.toISOString(),
      attempts: 1,
      firstAttemptAt: AT.toISOString(),
    });
    expect(tableWrites()).toEqual([]);
  });

  it('comes to RETRYING for a refused send, the retry drawn within the first 30 seconds', async () => {
    sesRefuses();
    vi.spyOn(Math, 'random').mockReturnValue(0.5);

    const delivery = await sendEmail(stored(), awaitingAgreement(), AT);

    expect(delivery).toEqual({
      channel: 'email',
      status: 'RETRYING',
      at: AT.toISOString(),
      attempts: 1,
      firstAttemptAt: AT.toISOString(),
      nextAttemptAt: '2026-11-22T10:00:15.000Z',
      reason: 'The mail service refused or did not answer (TooManyRequestsException HTTP 429)',
    });
  });

  it('keeps personal data in the error out of the reason', async () => {
    ses.answerWith(refuseEmail(400, 'MessageRejected'));

    const delivery = await sendEmail(stored(), awaitingAgreement(), AT);

    expect(delivery.status).toBe('RETRYING');
    expect(JSON.stringify(delivery)).not.toContain('ola@example.no');
  });

  it('counts a failed retry on top of the earlier attempts, backing off from the first attempt on', async () => {
    sesRefuses();
    vi.spyOn(Math, 'random').mockReturnValue(0.5);

    const delivery = await sendEmail(stored(notification(), { email: retrying(3) }), awaitingAgreement(), AT);

    // The fourth attempt failed: up to 240 s, half of it drawn.
    expect(delivery).toMatchObject({
      status: 'RETRYING',
      attempts: 4,
      firstAttemptAt: FIRST,
      nextAttemptAt: '2026-11-22T10:02:00.000Z',
    });
  });

  it('makes the last retry at the end of the 24 hours after the first attempt', async () => {
    sesRefuses();
    vi.spyOn(Math, 'random').mockReturnValue(0.9);
    const at = new Date('2026-11-23T08:59:00.000Z');

    const delivery = await sendEmail(
      stored(notification(), { email: retrying(30) }),
      awaitingAgreement(),
      at,
    );

    expect(delivery).toMatchObject({ status: 'RETRYING', nextAttemptAt: '2026-11-23T09:00:00.000Z' });
  });

  it('comes to FAILED when the try at the end of the 24 hours fails too', async () => {
    sesRefuses();
    const at = new Date('2026-11-23T09:00:00.000Z');

    const delivery = await sendEmail(
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
      reason: 'The mail service refused or did not answer (TooManyRequestsException HTTP 429)',
    });
  });

  it('comes to DELIVERED for a retry that goes through, with every attempt counted', async () => {
    const delivery = await sendEmail(stored(notification(), { email: retrying(2) }), awaitingAgreement(), AT);

    expect(delivery).toEqual({
      channel: 'email',
      status: 'DELIVERED',
      at: AT.toISOString(),
      attempts: 3,
      firstAttemptAt: FIRST,
    });
    expect(recipients()).toEqual(['ola@example.no']);
  });

  it('skips, without sending, a notification whose agreement does not exist', async () => {
    const delivery = await sendEmail(stored(), undefined, AT);

    expect(delivery).toEqual({
      channel: 'email',
      status: 'SKIPPED',
      at: AT.toISOString(),
      attempts: 0,
      reason: 'The agreement does not exist (any more)',
    });
    expect(sentEmails()).toEqual([]);
  });

  it('skips, without sending, a notification to an organisation that is no party to the agreement', async () => {
    const delivery = await sendEmail(
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

  it('keeps the attempts made so far when a retry is skipped', async () => {
    const delivery = await sendEmail(stored(notification(), { email: retrying(2) }), undefined, AT);

    expect(delivery).toMatchObject({ status: 'SKIPPED', attempts: 2 });
  });
});

describe('an e-mail attempt, recorded (sendEmail + recordAttempts)', () => {
  const attemptAndRecord = async (s: StoredNotification, agreement: Agreement | undefined) => {
    const made = { stored: s, delivery: await sendEmail(s, agreement, AT) };
    const [wasRecorded] = await recordAttempts([made]);
    return { made, wasRecorded };
  };

  it('records a first attempt that was sent as DELIVERED, on condition that none was recorded', async () => {
    const { made, wasRecorded } = await attemptAndRecord(stored(), awaitingAgreement());

    expect(wasRecorded).toBe(true);
    // The e-mail has no item of its own: one update, alone in its transaction.
    expect(ddb.commandCalls(TransactWriteItemsCommand)[0]!.args[0].input.TransactItems).toHaveLength(1);
    expect(recorded()).toEqual({
      key: notificationKey(notification()),
      delivery: made.delivery,
      previous: 0,
      condition: FIRST_ATTEMPT_CONDITION,
    });
  });

  it('records a refused send as RETRYING', async () => {
    sesRefuses();

    const { made } = await attemptAndRecord(stored(), awaitingAgreement());

    expect(made.delivery.status).toBe('RETRYING');
    expect(recorded().delivery).toEqual(made.delivery);
  });

  it('records a retry on condition that the attempts stored are still the ones read', async () => {
    sesRefuses();

    await attemptAndRecord(stored(notification(), { email: retrying(3) }), awaitingAgreement());

    expect(recorded()).toMatchObject({
      previous: 3,
      condition: 'attribute_exists(pk) AND #delivery.attempts = :previous',
      delivery: { status: 'RETRYING', attempts: 4 },
    });
  });

  it('records a skipped notification, without sending, on the condition of a first attempt', async () => {
    const { made } = await attemptAndRecord(stored(), undefined);

    expect(sentEmails()).toEqual([]);
    expect(recorded()).toMatchObject({ condition: FIRST_ATTEMPT_CONDITION, delivery: made.delivery });
  });

  it('keeps personal data in the error out of what is recorded', async () => {
    ses.answerWith(refuseEmail(400, 'MessageRejected'));

    await attemptAndRecord(stored(), awaitingAgreement());

    expect(JSON.stringify(ddb.commandCalls(TransactWriteItemsCommand)[0]!.args[0].input)).not.toContain(
      'ola@example.no',
    );
  });

  it('answers false when another attempt was recorded first', async () => {
    ddb.on(TransactWriteItemsCommand).rejects(refusedAt(0, 1));

    const { wasRecorded } = await attemptAndRecord(stored(), awaitingAgreement());

    expect(wasRecorded).toBe(false);
  });
});
