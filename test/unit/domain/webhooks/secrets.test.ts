import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import {
  firstSecrets,
  isSecretValid,
  newWebhookSecret,
  rotatedSecrets,
  secretRotatedAt,
} from '../../../../functions/domain/webhooks/secrets.ts';

const CREATED = '2026-11-01T08:00:00.000Z';
const NOW = new Date('2026-11-22T10:00:00.000Z');

describe('newWebhookSecret', () => {
  it('is whsec_ and the standard base64 of 24 random bytes (the Standard Webhooks format)', () => {
    const secret = newWebhookSecret();

    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(Buffer.from(secret.slice('whsec_'.length), 'base64')).toHaveLength(24);
  });

  it('signs and verifies with the Standard Webhooks library as it is', () => {
    const webhook = new Webhook(newWebhookSecret());
    const sentAt = new Date();
    const payload = '{"type":"agreement.in-force"}';
    const signature = webhook.sign('msg_1', sentAt, payload);

    const verified = webhook.verify(payload, {
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
      'webhook-signature': signature,
    });

    expect(verified).toEqual({ type: 'agreement.in-force' });
  });

  it('is new each time', () => {
    expect(new Set(Array.from({ length: 50 }, newWebhookSecret)).size).toBe(50);
  });
});

describe('rotatedSecrets', () => {
  it('puts the new secret first and keeps the one it replaces for 24 hours more', () => {
    const { secrets, previousSecretExpiresAt } = rotatedSecrets(
      [{ secret: 'whsec_old', createdAt: CREATED }],
      'whsec_new',
      NOW,
    );

    expect(previousSecretExpiresAt).toBe('2026-11-23T10:00:00.000Z');
    expect(secrets).toEqual([
      { secret: 'whsec_new', createdAt: NOW.toISOString() },
      { secret: 'whsec_old', createdAt: CREATED, expiresAt: '2026-11-23T10:00:00.000Z' },
    ]);
  });

  it('keeps an earlier rotated-out secret until its own expiry, and drops those already expired', () => {
    const { secrets } = rotatedSecrets(
      [
        { secret: 'whsec_2', createdAt: '2026-11-22T09:00:00.000Z' },
        { secret: 'whsec_1', createdAt: '2026-11-10T00:00:00.000Z', expiresAt: '2026-11-23T09:00:00.000Z' },
        { secret: 'whsec_0', createdAt: CREATED, expiresAt: '2026-11-11T00:00:00.000Z' },
      ],
      'whsec_3',
      NOW,
    );

    expect(secrets.map(({ secret, expiresAt }) => [secret, expiresAt])).toEqual([
      ['whsec_3', undefined],
      ['whsec_2', '2026-11-23T10:00:00.000Z'],
      ['whsec_1', '2026-11-23T09:00:00.000Z'],
    ]);
  });
});

describe('isSecretValid', () => {
  it('holds for the signing secret and a rotated-out one until its expiry, not at or after it', () => {
    expect(isSecretValid({ secret: 's', createdAt: CREATED }, NOW)).toBe(true);
    expect(
      isSecretValid({ secret: 's', createdAt: CREATED, expiresAt: '2026-11-22T10:00:00.001Z' }, NOW),
    ).toBe(true);
    expect(isSecretValid({ secret: 's', createdAt: CREATED, expiresAt: NOW.toISOString() }, NOW)).toBe(false);
  });
});

describe('secretRotatedAt', () => {
  it('is absent while the secret is the one made with the webhook', () => {
    expect(secretRotatedAt({ createdAt: CREATED, secrets: firstSecrets('whsec_a', new Date(CREATED)) })).toBe(
      undefined,
    );
  });

  it('is when the signing secret was made, after a rotation', () => {
    const { secrets } = rotatedSecrets(firstSecrets('whsec_a', new Date(CREATED)), 'whsec_b', NOW);

    expect(secretRotatedAt({ createdAt: CREATED, secrets })).toBe(NOW.toISOString());
  });

  it('is there even for a rotation in the millisecond of creation', () => {
    const at = new Date(CREATED);
    const { secrets } = rotatedSecrets(firstSecrets('whsec_a', at), 'whsec_b', at);

    expect(secretRotatedAt({ createdAt: CREATED, secrets })).toBe(CREATED);
  });
});
