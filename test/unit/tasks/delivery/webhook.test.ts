import { promises as dns } from 'node:dns';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Delivery } from '../../../../functions/domain/delivery/deliveries.ts';
import { webhookMessageId, webhookPayload } from '../../../../functions/domain/delivery/webhook-message.ts';
import type { StoredWebhook } from '../../../../functions/domain/webhooks/schemas.ts';
import type { StoredNotification } from '../../../../functions/store/deliveries-store.ts';
import { sendWebhook, signaturesOf } from '../../../../functions/tasks/delivery/webhook.ts';
import {
  answerStatus,
  notification,
  notificationKey,
  useWebhookReceiver,
  WEBHOOK_ID,
  WEBHOOK_SECRET,
  webhook,
} from './delivery-fixture.ts';

const receiver = useWebhookReceiver();
const redirectTarget = useWebhookReceiver();

afterEach(() => {
  vi.restoreAllMocks();
});

const AT = new Date('2026-11-22T10:00:00.000Z');
const CHANNEL = `webhook:${WEBHOOK_ID}`;
const NEW_SECRET = 'whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYX';
const EXPIRED_SECRET = 'whsec_GBkaGxwdHh8gISIjJCUmJygpKissLS4v';

const stored = (deliveries: Record<string, Delivery> = {}): StoredNotification => ({
  key: notificationKey(notification()),
  notification: notification(),
  deliveries,
});

/** The processor's endpoint, at the test's receiver. */
const endpoint = (overrides: Partial<StoredWebhook> = {}) => webhook({ url: receiver.url, ...overrides });

/** The one request the receiver got, with its headers as a verifier takes them. */
const received = () => {
  expect(receiver.requests).toHaveLength(1);
  const request = receiver.requests[0]!;
  return { ...request, headers: request.headers as Record<string, string> };
};

describe('sendWebhook', () => {
  it('POSTs the notification as JSON, with the Standard Webhooks headers', async () => {
    const before = Math.floor(Date.now() / 1000);

    await sendWebhook(stored(), endpoint(), AT);

    const { method, path, headers, body } = received();
    expect(method).toBe('POST');
    expect(path).toBe('/hooks');
    expect(body).toBe(webhookPayload(notification()));
    expect(JSON.parse(body)).toMatchObject({ type: 'agreement.signed', data: { id: notification().id } });
    expect(headers['content-type']).toBe('application/json');
    expect(headers['content-length']).toBe(String(Buffer.byteLength(body)));
    expect(headers['user-agent']).toBe('databehandleravtaler-webhooks/1');
    expect(headers['webhook-id']).toBe(webhookMessageId(notification()));
    // The machine's own time (receivers hold it against theirs), not the clock the attempt is made at.
    const timestamp = Number(headers['webhook-timestamp']);
    expect(timestamp).toBeGreaterThanOrEqual(before);
    expect(timestamp).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
  });

  it("is signed so that the receiver's Standard Webhooks library verifies it with the secret", async () => {
    await sendWebhook(stored(), endpoint(), AT);

    const { body, headers } = received();
    expect(new Webhook(WEBHOOK_SECRET).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(NEW_SECRET).verify(body, headers)).toThrow();
  });

  it('is signed with the new and the previous secret in the 24 hours after a rotation', async () => {
    const rotated = endpoint({
      secrets: [
        { secret: NEW_SECRET, createdAt: '2026-11-22T08:00:00.000Z' },
        {
          secret: WEBHOOK_SECRET,
          createdAt: '2026-11-01T08:00:00.000Z',
          expiresAt: '2026-11-23T08:00:00.000Z',
        },
      ],
    });

    await sendWebhook(stored(), rotated, AT);

    const { body, headers } = received();
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(new Webhook(NEW_SECRET).verify(body, headers)).toEqual(JSON.parse(body));
    expect(new Webhook(WEBHOOK_SECRET).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('no longer signs with a previous secret once it has expired', async () => {
    const rotated = endpoint({
      secrets: [
        { secret: NEW_SECRET, createdAt: '2026-11-20T08:00:00.000Z' },
        {
          secret: EXPIRED_SECRET,
          createdAt: '2026-11-01T08:00:00.000Z',
          expiresAt: '2026-11-21T08:00:00.000Z',
        },
      ],
    });

    await sendWebhook(stored(), rotated, AT);

    const { body, headers } = received();
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(1);
    expect(new Webhook(NEW_SECRET).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(EXPIRED_SECRET).verify(body, headers)).toThrow();
  });

  it('is DELIVERED, with the status the endpoint answered, on a 2xx', async () => {
    receiver.answerWith(answerStatus(200));

    const attempt = await sendWebhook(stored(), endpoint(), AT);

    expect(attempt).toEqual({
      delivery: {
        channel: CHANNEL,
        status: 'DELIVERED',
        at: AT.toISOString(),
        attempts: 1,
        firstAttemptAt: AT.toISOString(),
      },
      responseStatus: 200,
    });
  });

  it('is RETRYING, with the next attempt and the status in the reason, when the endpoint answers 500', async () => {
    receiver.answerWith(answerStatus(500));
    vi.spyOn(Math, 'random').mockReturnValue(0.5);

    const attempt = await sendWebhook(stored(), endpoint(), AT);

    expect(attempt).toEqual({
      delivery: {
        channel: CHANNEL,
        status: 'RETRYING',
        at: AT.toISOString(),
        attempts: 1,
        firstAttemptAt: AT.toISOString(),
        nextAttemptAt: '2026-11-22T10:00:15.000Z',
        reason: 'The endpoint answered HTTP 500',
      },
      responseStatus: 500,
    });
  });

  it('counts a retry on top of the earlier attempts', async () => {
    const previous: Delivery = {
      channel: CHANNEL,
      status: 'RETRYING',
      at: '2026-11-22T09:59:00.000Z',
      attempts: 3,
      firstAttemptAt: '2026-11-22T09:00:00.000Z',
      nextAttemptAt: AT.toISOString(),
    };

    const attempt = await sendWebhook(stored({ [CHANNEL]: previous }), endpoint(), AT);

    expect(attempt.delivery).toMatchObject({
      status: 'DELIVERED',
      attempts: 4,
      firstAttemptAt: '2026-11-22T09:00:00.000Z',
    });
  });

  it('does not follow a redirect, and counts it as a failure', async () => {
    receiver.answerWith((response) => {
      response.writeHead(307, { location: redirectTarget.url }).end();
    });

    const attempt = await sendWebhook(stored(), endpoint(), AT);

    expect(redirectTarget.requests).toEqual([]);
    expect(attempt.responseStatus).toBe(307);
    expect(attempt.delivery).toMatchObject({ status: 'RETRYING', reason: 'The endpoint answered HTTP 307' });
  });

  it('is RETRYING when the endpoint drops the connection without an answer', async () => {
    // Stands in for an endpoint that does not answer within 10 s: the timeout (AbortSignal.timeout)
    // runs on Node's own timers, which vitest's fake timers do not reach.
    receiver.answerWith((_response, request) => {
      request.socket.destroy();
    });

    const attempt = await sendWebhook(stored(), endpoint(), AT);

    expect(receiver.requests).toHaveLength(1);
    expect(attempt.responseStatus).toBeUndefined();
    expect(attempt.delivery).toMatchObject({
      status: 'RETRYING',
      attempts: 1,
      nextAttemptAt: expect.any(String),
      reason: expect.stringMatching(/^The endpoint did not answer \(.*ECONNRESET.*\)$/),
    });
  });

  it('is RETRYING when nothing listens at the address', async () => {
    const closed = new URL(receiver.url);
    closed.port = '1';

    const attempt = await sendWebhook(stored(), endpoint({ url: closed.href }), AT);

    expect(attempt.delivery).toMatchObject({
      status: 'RETRYING',
      reason: expect.stringMatching(/^The endpoint did not answer \(.*ECONNREFUSED.*\)$/),
    });
  });

  it('skips a disabled webhook without a request, keeping the attempts made', async () => {
    const previous: Delivery = {
      channel: CHANNEL,
      status: 'RETRYING',
      at: '2026-11-22T09:59:00.000Z',
      attempts: 2,
      firstAttemptAt: '2026-11-22T09:00:00.000Z',
      nextAttemptAt: AT.toISOString(),
    };

    const attempt = await sendWebhook(stored({ [CHANNEL]: previous }), endpoint({ enabled: false }), AT);

    expect(receiver.requests).toEqual([]);
    expect(attempt).toEqual({
      delivery: {
        channel: CHANNEL,
        status: 'SKIPPED',
        at: AT.toISOString(),
        attempts: 2,
        reason: 'The webhook is disabled',
      },
    });
  });

  describe('to an address that is not public', () => {
    it('fails at once, without a request, for a loopback address where the deployment does not allow it', async () => {
      delete process.env.WEBHOOK_ALLOW_LOOPBACK;

      const attempt = await sendWebhook(stored(), endpoint(), AT);

      expect(receiver.requests).toEqual([]);
      expect(attempt).toEqual({
        delivery: {
          channel: CHANNEL,
          status: 'FAILED',
          at: AT.toISOString(),
          attempts: 1,
          firstAttemptAt: AT.toISOString(),
          reason: expect.stringContaining('127.0.0.1 is not a public internet address'),
        },
      });
    });

    it('fails at once, not retried, for a private address in the URL', async () => {
      delete process.env.WEBHOOK_ALLOW_LOOPBACK;

      const attempt = await sendWebhook(stored(), endpoint({ url: 'http://10.0.0.1/hooks' }), AT);

      expect(attempt.delivery).toMatchObject({
        status: 'FAILED',
        attempts: 1,
        reason: expect.stringContaining('10.0.0.1 is not a public internet address'),
      });
      expect(attempt.delivery.nextAttemptAt).toBeUndefined();
    });

    it('fails at once, not retried, for a name that resolves to a private address', async () => {
      delete process.env.WEBHOOK_ALLOW_LOOPBACK;
      vi.spyOn(dns, 'lookup').mockResolvedValue([{ address: '10.1.2.3', family: 4 }] as never);

      const attempt = await sendWebhook(stored(), endpoint({ url: 'https://hooks.example.no/dpa' }), AT);

      expect(attempt.delivery).toMatchObject({
        status: 'FAILED',
        reason: expect.stringContaining('hooks.example.no resolves to 10.1.2.3'),
      });
    });

    it('sends nothing to a name that resolves to loopback, even where loopback hosts are allowed', async () => {
      // A public name turned inwards (DNS rebinding): only the loopback hosts themselves are allowed.
      vi.spyOn(dns, 'lookup').mockResolvedValue([{ address: '127.0.0.1', family: 4 }] as never);
      const url = new URL(receiver.url);
      url.hostname = 'hooks.example.no';

      const attempt = await sendWebhook(stored(), endpoint({ url: url.href }), AT);

      expect(receiver.requests).toEqual([]);
      expect(attempt.delivery).toMatchObject({ status: 'FAILED', attempts: 1 });
    });
  });
});

describe('signaturesOf', () => {
  it('is every secret valid at the time, newest first', () => {
    const secrets = [
      { secret: 'new', createdAt: '2026-11-22T08:00:00.000Z' },
      { secret: 'previous', createdAt: '2026-11-01T08:00:00.000Z', expiresAt: '2026-11-23T08:00:00.000Z' },
    ];

    expect(signaturesOf({ secrets }, AT)).toEqual(['new', 'previous']);
    expect(signaturesOf({ secrets }, new Date('2026-11-23T08:00:00.000Z'))).toEqual(['new']);
  });
});
