import { randomBytes } from 'node:crypto';

/**
 * A webhook's signing secrets (rule 15), in the Standard Webhooks format: `whsec_` and the base64
 * (standard alphabet, padded) of 24 random bytes (192 bits), which the `standardwebhooks` libraries
 * take as they are. A secret is shown once, in the response that makes it; the item keeps it in clear,
 * as signing with HMAC needs it.
 *
 * The list is newest first, and its first secret signs. A rotation puts a new secret first and keeps
 * the one it replaces valid for 24 hours more (`expiresAt`), so a receiver can switch without losing a
 * delivery: until then every delivery carries a signature with each.
 */
export interface WebhookSecret {
  secret: string;
  createdAt: string;
  /** Absent on the signing secret; a rotated-out one verifies until then. */
  expiresAt?: string;
}

export const SECRET_PREFIX = 'whsec_';
export const SECRET_BYTES = 24;
export const PREVIOUS_SECRET_VALID_MS = 24 * 60 * 60 * 1000;

export const newWebhookSecret = (): string =>
  `${SECRET_PREFIX}${randomBytes(SECRET_BYTES).toString('base64')}`;

/** The secrets of a new webhook: one, signing from `now`. */
export const firstSecrets = (secret: string, now: Date): WebhookSecret[] => [
  { secret, createdAt: now.toISOString() },
];

/** Whether the secret still verifies at `now`. */
export const isSecretValid = (secret: WebhookSecret, now: Date): boolean =>
  secret.expiresAt === undefined || Date.parse(secret.expiresAt) > now.getTime();

/**
 * After a rotation at `now`: the new secret first; the one that signed until now valid for 24 hours
 * more; older ones kept until their own `expiresAt`; any already expired dropped.
 */
export function rotatedSecrets(
  secrets: readonly WebhookSecret[],
  secret: string,
  now: Date,
): { secrets: WebhookSecret[]; previousSecretExpiresAt: string } {
  const previousSecretExpiresAt = new Date(now.getTime() + PREVIOUS_SECRET_VALID_MS).toISOString();
  const kept = secrets
    .map((old) => (old.expiresAt === undefined ? { ...old, expiresAt: previousSecretExpiresAt } : old))
    .filter((old) => isSecretValid(old, now));
  return { secrets: [{ secret, createdAt: now.toISOString() }, ...kept], previousSecretExpiresAt };
}

/** When the signing secret was made by a rotation (not with the webhook itself); undefined otherwise. */
export function secretRotatedAt(webhook: {
  createdAt: string;
  secrets: readonly WebhookSecret[];
}): string | undefined {
  const newest = webhook.secrets[0];
  // A rotation leaves at least two (expired ones are dropped only by the next rotation).
  const rotated = webhook.secrets.length > 1 || newest?.createdAt !== webhook.createdAt;
  return newest && rotated ? newest.createdAt : undefined;
}
