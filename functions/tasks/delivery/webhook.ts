import type { RequestOptions } from 'node:http';
import type { LookupFunction } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAttempt, afterFailure, type Delivery, skipped } from '../../domain/delivery/deliveries.ts';
import {
  WEBHOOK_TIMEOUT_MS,
  webhookChannel,
  webhookMessageId,
  webhookPayload,
} from '../../domain/delivery/webhook-message.ts';
import type { StoredWebhook } from '../../domain/webhooks/schemas.ts';
import { isSecretValid } from '../../domain/webhooks/secrets.ts';
import { config } from '../../shared/config.ts';
import { logger } from '../../shared/observability.ts';
import { resolveWebhookTarget, UnsafeWebhookTarget } from '../../shared/webhook-target.ts';
import type { StoredNotification } from '../../store/deliveries-store.ts';
import { failureOf } from './failure.ts';

// Not `import { request } from 'node:http'`: an ES import of node:http has Node read every export for
// the module namespace, WebSocket's lazy getter among them, which loads Node's bundled undici (measured:
// about 50 ms of the function's cold start, for nothing it uses). The module object read this way has
// the same functions and none of that cost.
const { request: httpRequest } = process.getBuiltinModule('node:http');
const { request: httpsRequest } = process.getBuiltinModule('node:https');

/** One attempt's delivery, and the endpoint's HTTP status when it answered. */
export interface WebhookAttempt {
  delivery: Delivery;
  responseStatus?: number;
}

/**
 * One attempt to deliver a notification to one of its recipient organisation's webhook endpoints
 * (rule 15), signed as Standard Webhooks says: `webhook-id` (the same for every attempt),
 * `webhook-timestamp`, and `webhook-signature` with every secret still valid (after a rotation the
 * previous one signs too for 24 hours). The address is checked again before each attempt and the
 * connection goes to the very address checked (no second DNS answer can point it inwards); redirects
 * are not followed. A 2xx within 10 s is success; anything else is retried with back-off for at least
 * 24 hours, except an address that is not public, which no retry mends.
 */
export async function sendWebhook(
  stored: StoredNotification,
  webhook: StoredWebhook,
  at: Date,
): Promise<WebhookAttempt> {
  const channel = webhookChannel(webhook.id);
  const previous = stored.deliveries[channel];
  if (!webhook.enabled) return { delivery: skipped(channel, previous, at, 'The webhook is disabled') };
  const { notification } = stored;
  try {
    const url = new URL(webhook.url);
    const target = await resolveWebhookTarget(url, { allowLoopback: config.webhookAllowLoopback() });
    const body = webhookPayload(notification);
    const id = webhookMessageId(notification);
    // The machine's own time, not a virtual clock: receivers hold the timestamp against theirs.
    const sentAt = new Date();
    const responseStatus = await post(url, target, body, {
      'content-type': 'application/json',
      'user-agent': 'databehandleravtaler-webhooks/1',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
      'webhook-signature': signaturesOf(webhook, at)
        .map((secret) => new Webhook(secret).sign(id, sentAt, body))
        .join(' '),
    });
    if (responseStatus >= 200 && responseStatus < 300) {
      return { delivery: afterAttempt(channel, previous, at, { delivered: true }), responseStatus };
    }
    return {
      delivery: afterFailure(channel, previous, at, `The endpoint answered HTTP ${responseStatus}`),
      responseStatus,
    };
  } catch (error) {
    if (error instanceof UnsafeWebhookTarget) {
      return { delivery: afterFailure(channel, previous, at, error.message, false) };
    }
    logger().warn('Delivering a notification to a webhook failed; it is retried', {
      notificationId: notification.id,
      webhookId: webhook.id,
      error: failureOf(error),
    });
    return {
      delivery: afterFailure(channel, previous, at, `The endpoint did not answer (${failureOf(error)})`),
    };
  }
}

/** The secrets that sign at `at`: the current one and a previous one in its 24 hours after rotation. */
export const signaturesOf = (webhook: Pick<StoredWebhook, 'secrets'>, at: Date): string[] =>
  webhook.secrets.filter((secret) => isSecretValid(secret, at)).map(({ secret }) => secret);

/** POSTs `body` to the address checked, within the timeout: the status of the answer. */
function post(
  url: URL,
  target: { address: string; family: 4 | 6 },
  body: string,
  headers: Record<string, string>,
): Promise<number> {
  // Every name lookup of this request answers the address that was checked.
  const lookup = ((_hostname, options, callback) => {
    if ((options as { all?: boolean }).all) {
      (callback as (error: null, addresses: { address: string; family: number }[]) => void)(null, [target]);
    } else callback(null, target.address, target.family);
  }) as LookupFunction;
  const options: RequestOptions = {
    method: 'POST',
    headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
    lookup,
    // A connection of its own for each attempt: no pooled one that the endpoint may be closing.
    agent: false,
    signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
  };
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
      url,
      url.protocol === 'https:' ? { ...options, servername: url.hostname } : options,
      (response) => {
        // The answer's body is not read: only its status counts.
        response.resume();
        response.on('error', reject);
        resolve(response.statusCode ?? 0);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
