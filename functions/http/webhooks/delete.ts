import { notFound } from '../../domain/errors.ts';
import { NO_SUCH_WEBHOOK } from '../../domain/webhooks/schemas.ts';
import { httpHandler } from '../../shared/http.ts';
import { deleteWebhook } from '../../store/webhooks-store.ts';

/**
 * Rule 15: removes one of the caller's organisation's webhooks; nothing is sent to it from then on.
 * Another organisation's, or one already deleted, is 404.
 */
export const handler = httpHandler({}, async ({ caller, params }) => {
  if (!(await deleteWebhook(caller.orgNumber, params.id ?? ''))) throw notFound(NO_SUCH_WEBHOOK);
  return { status: 204 };
});
