import { BatchGetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Delivery } from '../../../../functions/domain/delivery/deliveries.ts';
import { retrySeriesName } from '../../../../functions/domain/delivery/retry.ts';
import type { StoredWebhook } from '../../../../functions/domain/webhooks/schemas.ts';
import { handler } from '../../../../functions/tasks/delivery/deliver-webhooks.ts';
import { CONTROLLER_ORG, PROCESSOR_ORG } from '../../domain/agreement-fixture.ts';
import { ddb, givenItem, NOW, sfn, tableWrites, useAwsMocks } from '../../http/aws-mocks.ts';
import {
  answerStatus,
  awsError,
  DELIVERY_STATE_MACHINE_ARN,
  givenWebhook,
  notification,
  notificationItem,
  notificationKey,
  recordedDeliveries,
  sentEmails,
  streamRecord,
  useDeliveryMocks,
  useWebhookReceiver,
  webhook,
  webhookDeliveryItems,
} from './delivery-fixture.ts';

useAwsMocks();
useDeliveryMocks();
const receiver = useWebhookReceiver();

afterEach(() => {
  vi.restoreAllMocks();
});

const toProcessor = notification();
const toController = notification({ id: 'agreement.signed:c:1', recipientOrgNumber: CONTROLLER_ORG });
const sealed = notification({ id: 'audit.sealed:2026-11-21', type: 'audit.sealed', subject: 'Log sealed' });

const deliver = (...records: ReturnType<typeof streamRecord>[]) => handler({ Records: records });

/** An endpoint of the processor's at the receiver, its path named after it. */
const endpoint = (id: string, overrides: Partial<StoredWebhook> = {}) =>
  webhook({ id, url: `${receiver.url}/${id}`, ...overrides });

const EVERYTHING = '0a000000-0000-4000-8000-000000000001';
const SIGNED_ONLY = '0a000000-0000-4000-8000-000000000002';
const IN_FORCE_ONLY = '0a000000-0000-4000-8000-000000000003';
const DISABLED = '0a000000-0000-4000-8000-000000000004';
const CONTROLLERS = '0a000000-0000-4000-8000-000000000005';

/** The endpoints (by their path) that received a request, in order. */
const reached = () => receiver.requests.map(({ path }) => path.split('/').at(-1)).sort();

describe('deliverWebhooks (the stream consumer)', () => {
  it("sends a notification to each of its recipient's enabled endpoints that takes its type, and to no other", async () => {
    givenWebhook(endpoint(EVERYTHING));
    givenWebhook(endpoint(SIGNED_ONLY, { events: ['agreement.in-force', 'agreement.signed'] }));
    givenWebhook(endpoint(IN_FORCE_ONLY, { events: ['agreement.in-force'] }));
    givenWebhook(endpoint(DISABLED, { enabled: false }));
    givenWebhook(endpoint(CONTROLLERS, { orgNumber: CONTROLLER_ORG }));

    const result = await deliver(streamRecord(toProcessor, '100'));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(reached()).toEqual([EVERYTHING, SIGNED_ONLY].sort());
    expect(recordedDeliveries().map(({ key, delivery }) => ({ key, channel: delivery.channel }))).toEqual(
      expect.arrayContaining([
        { key: notificationKey(toProcessor), channel: `webhook:${EVERYTHING}` },
        { key: notificationKey(toProcessor), channel: `webhook:${SIGNED_ONLY}` },
      ]),
    );
    expect(recordedDeliveries()).toHaveLength(2);
  });

  it("reads each recipient organisation's endpoints once, however many of its notifications the batch has", async () => {
    givenWebhook(endpoint(EVERYTHING));

    await deliver(
      streamRecord(toProcessor, '100'),
      streamRecord(notification({ id: 'agreement.signed:p:2' }), '101'),
      streamRecord(toController, '102'),
    );

    const organisations = ddb
      .commandCalls(QueryCommand)
      .map((call) => call.args[0].input.ExpressionAttributeValues?.[':pk']?.S)
      .sort();
    expect(organisations).toEqual([`WEBHOOKS#${CONTROLLER_ORG}`, `WEBHOOKS#${PROCESSOR_ORG}`].sort());
    expect(receiver.requests).toHaveLength(2);
  });

  it('sends a machine event (audit.sealed) to the endpoints, though it is never e-mailed', async () => {
    givenWebhook(endpoint(EVERYTHING));

    await deliver(streamRecord(sealed, '100'));

    expect(receiver.requests).toHaveLength(1);
    expect(JSON.parse(receiver.requests[0]!.body)).toMatchObject({ type: 'audit.sealed' });
    expect(sentEmails()).toEqual([]);
  });

  it('records each delivery with its own item, the whole batch in one transaction', async () => {
    givenWebhook(endpoint(EVERYTHING));

    await deliver(streamRecord(toProcessor, '100'), streamRecord(sealed, '101'));

    expect(ddb.commandCalls(BatchGetItemCommand)).toHaveLength(1);
    expect(tableWrites()).toHaveLength(1);
    expect(recordedDeliveries().map(({ delivery }) => delivery.status)).toEqual(['DELIVERED', 'DELIVERED']);
    expect(
      webhookDeliveryItems()
        .map((item) => item.notificationId)
        .sort(),
    ).toEqual([toProcessor.id, sealed.id].sort());
  });

  it('reads and writes nothing for an organisation without endpoints', async () => {
    const result = await deliver(streamRecord(toProcessor, '100'));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(ddb.commandCalls(BatchGetItemCommand)).toEqual([]);
    expect(tableWrites()).toEqual([]);
  });

  it('records a failed delivery as RETRYING and starts its retry series, named after the notification and endpoint', async () => {
    givenWebhook(endpoint(EVERYTHING));
    receiver.answerWith(answerStatus(500));
    vi.spyOn(Math, 'random').mockReturnValue(0.5);

    const result = await deliver(streamRecord(toProcessor, '100'));

    expect(result).toEqual({ batchItemFailures: [] });
    const channel = `webhook:${EVERYTHING}`;
    expect(recordedDeliveries()[0]!.delivery).toMatchObject({
      channel,
      status: 'RETRYING',
      nextAttemptAt: '2026-11-22T10:00:15.000Z',
    });
    const starts = sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input);
    expect(starts).toEqual([
      {
        stateMachineArn: DELIVERY_STATE_MACHINE_ARN,
        name: retrySeriesName(notificationKey(toProcessor), channel),
        input: JSON.stringify({
          notification: notificationKey(toProcessor),
          channel,
          retryAt: '2026-11-22T10:00:15.000Z',
        }),
      },
    ]);
  });

  it.each([
    ['DELIVERED', { status: 'DELIVERED', attempts: 1, firstAttemptAt: NOW }],
    ['FAILED', { status: 'FAILED', attempts: 40, reason: 'gave up' }],
    ['SKIPPED', { status: 'SKIPPED', attempts: 0, reason: 'The webhook is disabled' }],
  ] as const)('sends nothing again, and records nothing, for a delivery already %s', async (_status, settled) => {
    givenWebhook(endpoint(EVERYTHING));
    const previous: Delivery = { channel: `webhook:${EVERYTHING}`, at: NOW, ...settled };
    givenItem(notificationItem(toProcessor, [previous]));

    const result = await deliver(streamRecord(toProcessor, '100'));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(receiver.requests).toEqual([]);
    expect(tableWrites()).toEqual([]);
  });

  it('sends only to the endpoints not yet delivered to when a record comes again', async () => {
    givenWebhook(endpoint(EVERYTHING));
    givenWebhook(endpoint(SIGNED_ONLY));
    const delivered: Delivery = {
      channel: `webhook:${EVERYTHING}`,
      status: 'DELIVERED',
      at: NOW,
      attempts: 1,
      firstAttemptAt: NOW,
    };
    givenItem(notificationItem(toProcessor, [delivered]));

    await deliver(streamRecord(toProcessor, '100'));

    expect(reached()).toEqual([SIGNED_ONLY]);
  });

  it('reports every record of the batch, and sends nothing, when the endpoints cannot be read', async () => {
    ddb.on(QueryCommand).rejects(awsError('InternalServerError'));

    const result = await deliver(streamRecord(toProcessor, '100'), streamRecord(sealed, '101'));

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: '100' }, { itemIdentifier: '101' }] });
    expect(receiver.requests).toEqual([]);
    expect(tableWrites()).toEqual([]);
  });
});
