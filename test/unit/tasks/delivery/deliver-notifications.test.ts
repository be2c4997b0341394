import {
  BatchGetItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
  type TransactWriteItemsCommandInput,
} from '@aws-sdk/client-dynamodb';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Delivery } from '../../../../functions/domain/delivery/deliveries.ts';
import { retrySeriesName } from '../../../../functions/domain/delivery/retry.ts';
import { handler } from '../../../../functions/tasks/delivery/deliver-notifications.ts';
import {
  AGREEMENT_ID,
  awaitingAgreement,
  CONTROLLER_ORG,
  PROCESSOR_ORG,
} from '../../domain/agreement-fixture.ts';
import {
  agreementKey,
  batchGetKeys,
  ddb,
  givenItem,
  givenStored,
  NOW,
  sfn,
  tableWrites,
  useAwsMocks,
} from '../../http/aws-mocks.ts';
import {
  awsError,
  DELIVERY_STATE_MACHINE_ARN,
  givenWebhook,
  notification,
  notificationItem,
  notificationKey,
  recipients,
  recordedDeliveries,
  refusedAt,
  refuseEmail,
  sentEmails,
  ses,
  streamRecord,
  useDeliveryMocks,
  webhook,
} from './delivery-fixture.ts';

useAwsMocks();
useDeliveryMocks();

afterEach(() => {
  vi.restoreAllMocks();
});

const OTHER_AGREEMENT_ID = '00000000-0000-4000-8000-000000000002';

const toProcessor = notification();
const toController = notification({ id: 'agreement.signed:c:1', recipientOrgNumber: CONTROLLER_ORG });
const sealed = notification({ id: 'audit.sealed:2026-11-21', type: 'audit.sealed', subject: 'Log sealed' });

const deliver = (...records: ReturnType<typeof streamRecord>[]) => handler({ Records: records });

/** The table once an attempt is recorded: a first attempt's condition (nothing recorded yet) fails. */
const givenDeliveryRecorded = (delivery: Delivery) => {
  givenItem(notificationItem(toProcessor, [delivery]));
  ddb.on(TransactWriteItemsCommand).callsFake((input: TransactWriteItemsCommandInput) => {
    const items = input.TransactItems ?? [];
    items.forEach(({ Update }, index) => {
      const previous = unmarshall(Update!.ExpressionAttributeValues!)[':previous'];
      if (previous !== delivery.attempts) throw refusedAt(index, items.length);
    });
    return {};
  });
};

const sesRefuses = () => ses.answerWith(refuseEmail(429, 'TooManyRequestsException', 'Slow down'));

describe('deliverNotifications (the stream consumer)', () => {
  it("e-mails a new notification to the recipient party's contact person and records it delivered", async () => {
    givenStored(awaitingAgreement());

    const result = await deliver(streamRecord(toProcessor, '100'));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(recipients()).toEqual(['ola@example.no']);
    expect(recordedDeliveries()).toEqual([
      {
        key: notificationKey(toProcessor),
        delivery: { channel: 'email', status: 'DELIVERED', at: NOW, attempts: 1, firstAttemptAt: NOW },
        previous: 0,
        condition:
          'attribute_exists(pk) AND (attribute_not_exists(#delivery) OR #delivery.attempts = :previous)',
      },
    ]);
    expect(sfn.commandCalls(StartExecutionCommand)).toEqual([]);
  });

  it('sends each notification of a batch to its own recipient', async () => {
    givenStored(awaitingAgreement());

    await deliver(streamRecord(toProcessor, '100'), streamRecord(toController, '101'));

    expect(recipients().sort()).toEqual(['kari@example.kommune.no', 'ola@example.no']);
  });

  it('sends to the contact person on the agreement as it is now', async () => {
    givenStored(
      awaitingAgreement({
        contacts: {
          controller: awaitingAgreement().contacts.controller,
          processor: { name: 'Per Hansen', email: 'per.hansen@example.no', phone: '+4797777777' },
        },
      }),
    );

    await deliver(streamRecord(toProcessor, '100'));

    expect(recipients()).toEqual(['per.hansen@example.no']);
  });

  it('never e-mails a machine event (audit.sealed), and records no delivery for it', async () => {
    givenStored(awaitingAgreement());

    const result = await deliver(streamRecord(sealed, '100'));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(sentEmails()).toEqual([]);
    expect(tableWrites()).toEqual([]);
  });

  it('e-mails the notifications of a batch and leaves out its machine events', async () => {
    givenStored(awaitingAgreement());

    await deliver(streamRecord(sealed, '100'), streamRecord(toProcessor, '101'));

    expect(recipients()).toEqual(['ola@example.no']);
    expect(recordedDeliveries().map(({ key }) => key)).toEqual([notificationKey(toProcessor)]);
  });

  it('ignores a record without a new image', async () => {
    const removed = { dynamodb: { SequenceNumber: '100' } };
    await expect(handler({ Records: [removed] })).resolves.toEqual({ batchItemFailures: [] });
    expect(sentEmails()).toEqual([]);
  });

  it('reads the notifications as stored now and their agreements at once, each key once (BatchGetItem refuses duplicates)', async () => {
    givenStored(awaitingAgreement());
    givenStored(awaitingAgreement({ id: OTHER_AGREEMENT_ID }));

    const third = notification({ id: 'n3', agreementId: OTHER_AGREEMENT_ID });
    await deliver(
      streamRecord(toProcessor, '100'),
      streamRecord(toController, '101'),
      streamRecord(third, '102'),
    );

    expect(ddb.commandCalls(BatchGetItemCommand)).toHaveLength(1);
    expect(batchGetKeys()).toEqual([
      notificationKey(toProcessor),
      notificationKey(toController),
      notificationKey(third),
      agreementKey(AGREEMENT_ID),
      agreementKey(OTHER_AGREEMENT_ID),
    ]);
    expect(recipients()).toHaveLength(3);
  });

  it('records a notification whose agreement is gone as SKIPPED, without e-mail', async () => {
    const result = await deliver(streamRecord(toProcessor, '100'));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(sentEmails()).toEqual([]);
    expect(recordedDeliveries()[0]!.delivery).toMatchObject({ status: 'SKIPPED', attempts: 0 });
  });

  it('records a refused send as RETRYING and starts the retry series for it, named after the notification', async () => {
    givenStored(awaitingAgreement());
    sesRefuses();
    vi.spyOn(Math, 'random').mockReturnValue(0.5);

    const result = await deliver(streamRecord(toProcessor, '100'));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(recordedDeliveries()[0]!.delivery).toMatchObject({
      status: 'RETRYING',
      attempts: 1,
      nextAttemptAt: '2026-11-22T10:00:15.000Z',
    });
    const starts = sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input);
    expect(starts).toHaveLength(1);
    expect(starts[0]!.stateMachineArn).toBe(DELIVERY_STATE_MACHINE_ARN);
    expect(starts[0]!.name).toBe(retrySeriesName(notificationKey(toProcessor), 'email'));
    expect(JSON.parse(starts[0]!.input!)).toEqual({
      notification: notificationKey(toProcessor),
      channel: 'email',
      retryAt: '2026-11-22T10:00:15.000Z',
    });
  });

  it('takes a retry series already under way (ExecutionAlreadyExists) as started', async () => {
    givenStored(awaitingAgreement());
    sesRefuses();
    sfn.on(StartExecutionCommand).rejects(awsError('ExecutionAlreadyExists'));

    await expect(deliver(streamRecord(toProcessor, '100'))).resolves.toEqual({ batchItemFailures: [] });
  });

  it('reports a record whose retry series could not be started, for the event source to retry', async () => {
    givenStored(awaitingAgreement());
    sesRefuses();
    sfn.on(StartExecutionCommand).rejects(awsError('ThrottlingException'));

    await expect(deliver(streamRecord(toProcessor, '100'))).resolves.toEqual({
      batchItemFailures: [{ itemIdentifier: '100' }],
    });
  });

  it('records the deliveries of a batch in one write, and reports them all when it fails (DynamoDB failing)', async () => {
    givenStored(awaitingAgreement());
    ddb.on(TransactWriteItemsCommand).rejects(awsError('InternalServerError'));

    const result = await deliver(streamRecord(toProcessor, '100'), streamRecord(toController, '101'));

    expect(ddb.commandCalls(TransactWriteItemsCommand)).toHaveLength(1);
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: '100' }, { itemIdentifier: '101' }] });
  });

  it('writes the other deliveries of the batch when one lost the race to another deliverer', async () => {
    givenStored(awaitingAgreement());
    ddb.on(TransactWriteItemsCommand).rejectsOnce(refusedAt(0, 2)).resolves({});

    const result = await deliver(streamRecord(toProcessor, '100'), streamRecord(toController, '101'));

    expect(result).toEqual({ batchItemFailures: [] });
    const retried = ddb.commandCalls(TransactWriteItemsCommand)[1]!.args[0].input.TransactItems ?? [];
    expect(retried).toHaveLength(1);
  });

  it('does not report a record whose attempt lost the race to another deliverer', async () => {
    givenStored(awaitingAgreement());
    ddb.on(TransactWriteItemsCommand).rejects(refusedAt(0, 1));

    await expect(deliver(streamRecord(toProcessor, '100'))).resolves.toEqual({ batchItemFailures: [] });
  });

  it('reports every record of the batch, and sends nothing, when the agreements cannot be read', async () => {
    ddb.on(BatchGetItemCommand).rejects(awsError('InternalServerError'));

    const result = await deliver(
      streamRecord(toProcessor, '100'),
      streamRecord(sealed, '101'),
      streamRecord(toController, '102'),
    );

    // The event source goes on from the first record reported: reporting the machine event, which
    // needs no e-mail, too changes nothing.
    expect(result).toEqual({
      batchItemFailures: [{ itemIdentifier: '100' }, { itemIdentifier: '101' }, { itemIdentifier: '102' }],
    });
    expect(sentEmails()).toEqual([]);
    expect(tableWrites()).toEqual([]);
  });

  it("reads no webhooks: the endpoints are the webhook deliverer's", async () => {
    givenStored(awaitingAgreement());
    givenWebhook(webhook());

    await deliver(streamRecord(toProcessor, '100'));

    expect(ddb.commandCalls(QueryCommand)).toEqual([]);
    expect(recordedDeliveries().map(({ delivery }) => delivery.channel)).toEqual(['email']);
  });

  it('sends nothing again for a record handed over again after its e-mail was delivered', async () => {
    // The event source hands a batch over again from its first failed record on (or after a timeout),
    // with the image as first written; the table already holds the delivery.
    givenStored(awaitingAgreement());
    const delivered: Delivery = {
      channel: 'email',
      status: 'DELIVERED',
      at: NOW,
      attempts: 1,
      firstAttemptAt: NOW,
    };
    givenDeliveryRecorded(delivered);

    const result = await deliver(streamRecord(toProcessor, '100'));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(sentEmails()).toEqual([]);
  });

  it.each([
    ['FAILED', { status: 'FAILED', attempts: 32, reason: 'gave up' }],
    ['SKIPPED', { status: 'SKIPPED', attempts: 0, reason: 'no party' }],
  ] as const)('sends nothing, records nothing and starts nothing for an e-mail already %s', async (_status, settled) => {
    givenStored(awaitingAgreement());
    givenItem(notificationItem(toProcessor, [{ channel: 'email', at: NOW, ...settled }]));

    const result = await deliver(streamRecord(toProcessor, '100'));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(sentEmails()).toEqual([]);
    expect(tableWrites()).toEqual([]);
    expect(sfn.commandCalls(StartExecutionCommand)).toEqual([]);
  });

  it('starts the retry series when the record comes again after the first start of it failed', async () => {
    givenStored(awaitingAgreement());
    sesRefuses();
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    sfn
      .on(StartExecutionCommand)
      .rejectsOnce(awsError('ThrottlingException'))
      .resolves({
        executionArn: 'arn:aws:states:eu-north-1:123456789012:execution:NotificationDelivery:run',
        startDate: new Date(NOW),
      });
    const first = await deliver(streamRecord(toProcessor, '100'));
    expect(first).toEqual({ batchItemFailures: [{ itemIdentifier: '100' }] });
    // What the first attempt recorded is now in the table; the record comes again with its first image.
    givenDeliveryRecorded(recordedDeliveries()[0]!.delivery);

    const second = await deliver(streamRecord(toProcessor, '100'));

    expect(second).toEqual({ batchItemFailures: [] });
    const starts = sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input);
    expect(starts).toHaveLength(2);
    expect(starts[1]!.name).toBe(retrySeriesName(notificationKey(toProcessor), 'email'));
  });
});

describe('retrySeriesName', () => {
  const key = notificationKey(toProcessor);

  it('is a valid Step Functions execution name (at most 80 of [A-Za-z0-9_-])', () => {
    for (const channel of ['email', 'webhook:9f0e8d7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f']) {
      expect(retrySeriesName(key, channel)).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
      expect(retrySeriesName(key, channel, 40)).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
    }
  });

  it('is the same for the same notification and channel, so a repeated start finds the series', () => {
    expect(retrySeriesName({ ...key }, 'email')).toBe(retrySeriesName(key, 'email'));
    expect(retrySeriesName(key, 'email', 0)).toBe(retrySeriesName(key, 'email'));
  });

  it('differs per channel and per notification', () => {
    const other = notificationKey(notification({ id: 'agreement.signed:x:2' }));
    const otherOrg = notificationKey(notification({ recipientOrgNumber: CONTROLLER_ORG }));
    const names = new Set([
      retrySeriesName(key, 'email'),
      retrySeriesName(key, 'webhook:w1'),
      retrySeriesName(other, 'email'),
      retrySeriesName(otherOrg, 'email'),
    ]);
    expect(names.size).toBe(4);
    expect(PROCESSOR_ORG).not.toBe(CONTROLLER_ORG);
  });

  it('gives each redelivery a series of its own', () => {
    const names = new Set([
      retrySeriesName(key, 'webhook:w1'),
      retrySeriesName(key, 'webhook:w1', 32),
      retrySeriesName(key, 'webhook:w1', 33),
    ]);
    expect(names.size).toBe(3);
  });
});
