import { webhookDeliveriesQuerySchema } from '../../domain/delivery/webhook-delivery-schemas.ts';
import { notFound } from '../../domain/errors.ts';
import { httpHandler } from '../../shared/http.ts';
import { listWebhookDeliveries } from '../../store/webhook-deliveries-store.ts';
import { readWebhook } from '../../store/webhooks-store.ts';

/**
 * Rule 15: the deliveries of one of the caller's organisation's webhook endpoints, newest first, paged
 * (`limit`, `cursor`), each with its status, attempts and the endpoint's last HTTP status. Another
 * organisation's endpoint is not found, as one that never existed.
 */
export const handler = httpHandler(
  { query: webhookDeliveriesQuerySchema },
  async ({ caller, params, query }) => {
    const webhookId = params.id ?? '';
    if (!(await readWebhook(caller.orgNumber, webhookId))) {
      throw notFound('No webhook with that id exists for your organisation');
    }
    return {
      status: 200,
      body: await listWebhookDeliveries(webhookId, {
        limit: query.limit,
        ...(query.cursor ? { cursor: query.cursor } : {}),
      }),
    };
  },
);
