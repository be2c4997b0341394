import { describe, expect, it } from 'vitest';
import { afterFailure, redelivery, skipped } from '../../../../functions/domain/delivery/deliveries.ts';
import {
  DISABLE_AFTER_FAILING_MS,
  failedTooLong,
  WEBHOOK_DISABLED,
  webhookChannel,
  webhookDeliveryId,
  webhookDeliveryOf,
  webhookDisabledNotification,
  webhookIdOfChannel,
  webhookMessageId,
  webhookPayload,
} from '../../../../functions/domain/delivery/webhook-message.ts';
import type { Notification } from '../../../../functions/domain/schemas.ts';

const ORG = '889640782';
const OTHER_ORG = '954748634';
const AGREEMENT_ID = '3f1c2a4e-8b7d-4c21-9e5f-0a1b2c3d4e5f';
const WEBHOOK_ID = '7d3e2f1a-5b4c-4a9d-8e7f-6c5b4a3d2e1f';
const AT = new Date('2026-11-22T10:00:00.000Z');
const FIRST = '2026-11-22T09:00:00.000Z';

const notification = (overrides: Partial<Notification> = {}): Notification => ({
  id: `agreement.signed:${AGREEMENT_ID}:1`,
  at: '2026-11-22T09:00:00.000Z',
  type: 'agreement.signed',
  recipientOrgNumber: ORG,
  agreementId: AGREEMENT_ID,
  subject: 'The agreement was signed',
  details: { signedBy: 'controller' },
  ...overrides,
});

describe('webhook channels', () => {
  it('names the channel of an endpoint after its id, and reads the id back', () => {
    expect(webhookChannel(WEBHOOK_ID)).toBe(`webhook:${WEBHOOK_ID}`);
    expect(webhookIdOfChannel(webhookChannel(WEBHOOK_ID))).toBe(WEBHOOK_ID);
  });

  it('reads no webhook id from another channel', () => {
    expect(webhookIdOfChannel('email')).toBeUndefined();
  });
});

describe('webhookMessageId', () => {
  it('is the same for the same notification to the same organisation, however often it is sent', () => {
    expect(webhookMessageId(notification())).toBe(webhookMessageId({ ...notification() }));
    expect(webhookMessageId(notification())).toMatch(/^msg_[0-9a-f]{32}$/);
  });

  it('differs per organisation and per notification', () => {
    const ids = new Set([
      webhookMessageId(notification()),
      webhookMessageId(notification({ recipientOrgNumber: OTHER_ORG })),
      webhookMessageId(notification({ id: `agreement.signed:${AGREEMENT_ID}:2` })),
    ]);
    expect(ids.size).toBe(3);
  });
});

describe('webhookDeliveryId', () => {
  it('starts with the time the notification was written, so ids sort by it', () => {
    const earlier = webhookDeliveryId(notification({ at: '2026-11-22T09:00:00.000Z', id: 'z' }));
    const later = webhookDeliveryId(notification({ at: '2026-11-22T09:00:00.001Z', id: 'a' }));
    const nextDay = webhookDeliveryId(notification({ at: '2026-11-23T00:00:00.000Z', id: 'a' }));

    expect(earlier).toMatch(/^20261122T090000000Z-[0-9a-f]{16}$/);
    expect([nextDay, later, earlier].sort()).toEqual([earlier, later, nextDay]);
  });

  it('is the same for the same notification and organisation, and differs per organisation', () => {
    expect(webhookDeliveryId(notification())).toBe(webhookDeliveryId({ ...notification() }));
    expect(webhookDeliveryId(notification())).not.toBe(
      webhookDeliveryId(notification({ recipientOrgNumber: OTHER_ORG })),
    );
  });
});

describe('webhookPayload', () => {
  it('carries the type, the time it happened, the agreement and the notification itself', () => {
    const n = notification();

    expect(JSON.parse(webhookPayload(n))).toEqual({
      type: 'agreement.signed',
      timestamp: '2026-11-22T09:00:00.000Z',
      agreementId: AGREEMENT_ID,
      data: n,
    });
  });
});

describe('webhookDeliveryOf', () => {
  const delivery = {
    channel: webhookChannel(WEBHOOK_ID),
    status: 'RETRYING' as const,
    at: AT.toISOString(),
    attempts: 1,
    firstAttemptAt: AT.toISOString(),
    nextAttemptAt: '2026-11-22T10:00:20.000Z',
    reason: 'The endpoint answered HTTP 500',
  };

  it("is the delivery as listed: its id, the endpoint, the message id, the notification's facts and the last answer", () => {
    const n = notification();

    expect(webhookDeliveryOf(WEBHOOK_ID, n, delivery, 500)).toEqual({
      id: webhookDeliveryId(n),
      webhookId: WEBHOOK_ID,
      messageId: webhookMessageId(n),
      notificationId: n.id,
      type: n.type,
      agreementId: AGREEMENT_ID,
      status: 'RETRYING',
      at: AT.toISOString(),
      attempts: 1,
      firstAttemptAt: AT.toISOString(),
      nextAttemptAt: '2026-11-22T10:00:20.000Z',
      reason: 'The endpoint answered HTTP 500',
      responseStatus: 500,
    });
  });

  it('has no response status when the endpoint did not answer', () => {
    expect(webhookDeliveryOf(WEBHOOK_ID, notification(), delivery, undefined)).not.toHaveProperty(
      'responseStatus',
    );
  });
});

describe('failedTooLong', () => {
  const since = '2026-11-17T10:00:00.000Z';

  it('is true for an endpoint failing for exactly 5 days', () => {
    expect(DISABLE_AFTER_FAILING_MS).toBe(5 * 24 * 60 * 60 * 1000);
    expect(failedTooLong(since, new Date('2026-11-22T10:00:00.000Z'))).toBe(true);
  });

  it('is false a millisecond before the 5 days are over', () => {
    expect(failedTooLong(since, new Date('2026-11-22T09:59:59.999Z'))).toBe(false);
  });
});

describe('webhookDisabledNotification', () => {
  it("tells the endpoint's organisation, about the agreement that failed last, why and since when", () => {
    const since = '2026-11-17T10:00:00.000Z';
    const endpoint = { id: WEBHOOK_ID, orgNumber: ORG, url: 'https://hooks.example.no/dpa' };

    expect(webhookDisabledNotification(endpoint, notification(), since, AT)).toEqual({
      id: `webhook.disabled:${AGREEMENT_ID}:${WEBHOOK_ID}:${since}`,
      at: AT.toISOString(),
      type: WEBHOOK_DISABLED,
      recipientOrgNumber: ORG,
      agreementId: AGREEMENT_ID,
      subject: `Webhook ${WEBHOOK_ID} was disabled: every delivery since ${since} failed`,
      details: { webhookId: WEBHOOK_ID, url: 'https://hooks.example.no/dpa', failingSince: since },
    });
  });

  it('has one id per failing streak, so the notice goes out once for it', () => {
    const endpoint = { id: WEBHOOK_ID, orgNumber: ORG, url: 'https://hooks.example.no/dpa' };
    const first = webhookDisabledNotification(endpoint, notification(), '2026-11-17T10:00:00.000Z', AT);
    const again = webhookDisabledNotification(
      endpoint,
      notification(),
      '2026-11-17T10:00:00.000Z',
      new Date('2026-11-22T11:00:00.000Z'),
    );
    const nextStreak = webhookDisabledNotification(endpoint, notification(), '2026-12-01T10:00:00.000Z', AT);

    expect(again.id).toBe(first.id);
    expect(nextStreak.id).not.toBe(first.id);
  });
});

describe('the states a webhook delivery goes through', () => {
  const channel = webhookChannel(WEBHOOK_ID);

  it('redelivery: due at once, with a fresh 24 hours of retries, the attempts made so far still counted', () => {
    expect(redelivery(channel, 31, AT)).toEqual({
      channel,
      status: 'RETRYING',
      at: AT.toISOString(),
      attempts: 31,
      firstAttemptAt: AT.toISOString(),
      nextAttemptAt: AT.toISOString(),
      reason: 'Sent again on request',
    });
  });

  it('skipped: no attempt made, the earlier ones kept, and why', () => {
    expect(skipped(channel, { attempts: 2 }, AT, 'The webhook is disabled')).toEqual({
      channel,
      status: 'SKIPPED',
      at: AT.toISOString(),
      attempts: 2,
      reason: 'The webhook is disabled',
    });
    expect(skipped(channel, undefined, AT, 'The webhook is disabled').attempts).toBe(0);
  });

  it('afterFailure without retry: FAILED at once, well within the 24 hours', () => {
    const previous = { attempts: 1, firstAttemptAt: FIRST };

    expect(afterFailure(channel, previous, AT, 'The address is not public', false)).toEqual({
      channel,
      status: 'FAILED',
      at: AT.toISOString(),
      attempts: 2,
      firstAttemptAt: FIRST,
      reason: 'The address is not public',
    });
  });

  it('afterFailure with retry (the default): RETRYING within the 24 hours', () => {
    expect(afterFailure(channel, undefined, AT, 'The endpoint answered HTTP 500')).toMatchObject({
      status: 'RETRYING',
      attempts: 1,
      firstAttemptAt: AT.toISOString(),
      nextAttemptAt: expect.any(String),
    });
  });
});
