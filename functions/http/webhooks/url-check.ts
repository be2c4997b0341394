import { validationError } from '../../domain/errors.ts';
import { webhookUrlProblem } from '../../domain/webhooks/url-policy.ts';
import { config } from '../../shared/config.ts';
import {
  resolveWebhookTarget,
  UnresolvedWebhookHost,
  UnsafeWebhookTarget,
} from '../../shared/webhook-target.ts';

const refused = (message: string) =>
  validationError(`The webhook URL is refused: ${message}`, [{ field: 'url', message }]);

/**
 * Rule 15: a webhook's address is checked before it is registered, as every delivery checks it again:
 * its syntax and any address written in it (url-policy.ts), then every address its host resolves to.
 * A 400 naming `url` otherwise.
 */
export async function checkWebhookUrl(url: string): Promise<void> {
  const allowLoopback = config.webhookAllowLoopback();
  const problem = webhookUrlProblem(url, { allowLoopback });
  if (problem) throw refused(`url ${problem}`);
  try {
    await resolveWebhookTarget(new URL(url), { allowLoopback });
  } catch (error) {
    if (error instanceof UnsafeWebhookTarget || error instanceof UnresolvedWebhookHost) {
      throw refused(error.message);
    }
    throw error;
  }
}
