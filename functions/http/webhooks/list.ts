import { httpHandler } from '../../shared/http.ts';
import { listWebhooks } from '../../store/webhooks-store.ts';

/** Rule 15: the caller's organisation's webhooks, newest first, without their secrets. */
export const handler = httpHandler({}, async ({ caller }) => ({
  status: 200,
  body: { items: await listWebhooks(caller.orgNumber) },
}));
