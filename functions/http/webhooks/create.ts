import { randomUUID } from 'node:crypto';
import {
  type CreatedWebhook,
  createWebhookSchema,
  type StoredWebhook,
  webhookOf,
} from '../../domain/webhooks/schemas.ts';
import { firstSecrets, newWebhookSecret } from '../../domain/webhooks/secrets.ts';
import { actorOf } from '../../shared/caller.ts';
import { now } from '../../shared/clock.ts';
import { httpHandler } from '../../shared/http.ts';
import { createWebhook } from '../../store/webhooks-store.ts';
import { idempotent } from '../idempotency.ts';
import { checkWebhookUrl } from './url-check.ts';

/**
 * Rule 15: registers a webhook endpoint for the caller's organisation. 201 with the webhook, its
 * signing secret (shown this once) and `Location` naming it. An address that is not https on a public
 * host is 400 naming `url`, and nothing is written.
 */
export const handler = httpHandler(
  { body: createWebhookSchema },
  idempotent(async ({ caller, body }) => {
    await checkWebhookUrl(body.url);
    const at = now();
    const secret = newWebhookSecret();
    const stored: StoredWebhook = {
      id: randomUUID(),
      orgNumber: caller.orgNumber,
      url: body.url,
      events: body.events,
      ...(body.description ? { description: body.description } : {}),
      enabled: true,
      createdAt: at.toISOString(),
      createdBy: actorOf(caller),
      secrets: firstSecrets(secret, at),
    };
    await createWebhook(stored);
    const created: CreatedWebhook = { ...webhookOf(stored), secret };
    return {
      status: 201,
      // Bytes rather than `body`: an Idempotency-Key's record keeps a JSON body to answer a retry with,
      // and the secret must be in no record but the webhook's. A retry gets the 201 and the Location.
      file: { contentType: 'application/json', bytes: Buffer.from(JSON.stringify(created), 'utf8') },
      headers: { location: `/webhooks/${stored.id}` },
    };
  }),
);
