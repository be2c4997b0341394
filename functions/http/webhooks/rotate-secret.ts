import { conflict, notFound } from '../../domain/errors.ts';
import { emptyBodySchema } from '../../domain/schemas.ts';
import { NO_SUCH_WEBHOOK, type RotatedSecret } from '../../domain/webhooks/schemas.ts';
import { newWebhookSecret } from '../../domain/webhooks/secrets.ts';
import { now } from '../../shared/clock.ts';
import { httpHandler } from '../../shared/http.ts';
import { retryOnStaleRead } from '../../store/items.ts';
import { readWebhook, rotateSecret } from '../../store/webhooks-store.ts';
import { idempotent } from '../idempotency.ts';

/**
 * Rule 15: a new signing secret for one of the caller's organisation's webhooks (shown this once).
 * The previous one keeps verifying for 24 hours, and deliveries carry a signature with each until
 * then, so the receiver can switch without losing one. 200 with the secret and when the old one ends.
 */
export const handler = httpHandler(
  { body: emptyBodySchema },
  idempotent(async ({ caller, params }) => {
    const secret = newWebhookSecret();
    const { previousSecretExpiresAt } = await retryOnStaleRead(
      async () => {
        const current = await readWebhook(caller.orgNumber, params.id ?? '');
        if (!current) throw notFound(NO_SUCH_WEBHOOK);
        return rotateSecret(current, secret, now());
      },
      { onExhausted: () => conflict('The webhook was changed by another request; retry') },
    );
    const rotated: RotatedSecret = { secret, previousSecretExpiresAt };
    return {
      status: 200,
      // Bytes rather than `body`, as when the webhook was created: no Idempotency-Key record keeps it.
      file: { contentType: 'application/json', bytes: Buffer.from(JSON.stringify(rotated), 'utf8') },
    };
  }),
);
