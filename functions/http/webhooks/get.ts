import { notFound } from '../../domain/errors.ts';
import { NO_SUCH_WEBHOOK, webhookOf } from '../../domain/webhooks/schemas.ts';
import { httpHandler } from '../../shared/http.ts';
import { readWebhook } from '../../store/webhooks-store.ts';

/** Rule 15: one of the caller's organisation's webhooks, without its secrets; another's is 404. */
export const handler = httpHandler({}, async ({ caller, params }) => {
  const webhook = await readWebhook(caller.orgNumber, params.id ?? '');
  if (!webhook) throw notFound(NO_SUCH_WEBHOOK);
  return { status: 200, body: webhookOf(webhook) };
});
