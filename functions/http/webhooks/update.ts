import { notFound } from '../../domain/errors.ts';
import { NO_SUCH_WEBHOOK, updateWebhookSchema, webhookOf } from '../../domain/webhooks/schemas.ts';
import { now } from '../../shared/clock.ts';
import { httpHandler } from '../../shared/http.ts';
import { updateWebhook } from '../../store/webhooks-store.ts';

/**
 * Rule 15: changes what a webhook subscribes to, its description, or whether it is enabled. Enabling
 * one the service disabled (its deliveries kept failing) clears why and since when, so deliveries start
 * afresh. 200 with the webhook as it is now; another organisation's is 404.
 */
export const handler = httpHandler({ body: updateWebhookSchema }, async ({ caller, params, body }) => {
  const updated = await updateWebhook(caller.orgNumber, params.id ?? '', body, now());
  if (!updated) throw notFound(NO_SUCH_WEBHOOK);
  return { status: 200, body: webhookOf(updated) };
});
