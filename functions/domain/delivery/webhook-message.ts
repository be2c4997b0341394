import { createHash } from 'node:crypto';
import type { Notification } from '../schemas.ts';
import type { Delivery } from './deliveries.ts';

/**
 * A notification as a webhook message (rule 15, Standard Webhooks): the channel it is delivered on,
 * its stable message id, its body, and the id of its delivery to one endpoint.
 */

const WEBHOOK_CHANNEL_PREFIX = 'webhook:';

export const webhookChannel = (webhookId: string): string => `${WEBHOOK_CHANNEL_PREFIX}${webhookId}`;

/** The webhook id of a `webhook:<id>` channel; undefined for any other channel. */
export const webhookIdOfChannel = (channel: string): string | undefined =>
  channel.startsWith(WEBHOOK_CHANNEL_PREFIX) ? channel.slice(WEBHOOK_CHANNEL_PREFIX.length) : undefined;

const digestOf = (notification: Pick<Notification, 'id' | 'recipientOrgNumber'>) =>
  createHash('sha256').update(`${notification.recipientOrgNumber}\n${notification.id}`).digest('hex');

/**
 * `webhook-id`: the same for every attempt and every redelivery of one notification to one
 * organisation, so a receiver de-duplicates on it (deliveries are at least once).
 */
export const webhookMessageId = (notification: Pick<Notification, 'id' | 'recipientOrgNumber'>): string =>
  `msg_${digestOf(notification).slice(0, 32)}`;

/**
 * The id of a notification's delivery to one endpoint, sortable by the time the notification was
 * written: `20261202T180501123Z-<16 hex>`.
 */
export const webhookDeliveryId = (notification: Pick<Notification, 'id' | 'recipientOrgNumber' | 'at'>) =>
  `${notification.at.replace(/[-:.]/g, '')}-${digestOf(notification).slice(0, 16)}`;

/**
 * The JSON body: the event type, the time it happened, the agreement (absent for `audit.sealed`, a
 * seal run over all of the organisation's agreements) and the notification itself.
 */
export function webhookPayload(notification: Notification): string {
  return JSON.stringify({
    type: notification.type,
    timestamp: notification.at,
    ...(notification.agreementId === undefined ? {} : { agreementId: notification.agreementId }),
    data: notification,
  });
}

/** An endpoint that has failed every delivery for this long is disabled (rule 15). */
export const DISABLE_AFTER_FAILING_MS = 5 * 24 * 60 * 60 * 1000;

/** An endpoint's answer within this many seconds counts; a 2xx is success, anything else is retried. */
export const WEBHOOK_TIMEOUT_MS = 10_000;

/** A delivery of a notification to one endpoint, as `GET /webhooks/{id}/deliveries` lists it. */
export interface WebhookDelivery extends Omit<Delivery, 'channel'> {
  id: string;
  webhookId: string;
  /** The `webhook-id` header of every attempt. */
  messageId: string;
  notificationId: string;
  type: string;
  /** Absent for a notification of no one agreement (`audit.sealed`). */
  agreementId?: string;
  /** The HTTP status of the last answer, when there was one. */
  responseStatus?: number;
}

export function webhookDeliveryOf(
  webhookId: string,
  notification: Notification,
  delivery: Delivery,
  responseStatus: number | undefined,
): WebhookDelivery {
  const { channel: _channel, ...state } = delivery;
  return {
    id: webhookDeliveryId(notification),
    webhookId,
    messageId: webhookMessageId(notification),
    notificationId: notification.id,
    type: notification.type,
    ...(notification.agreementId === undefined ? {} : { agreementId: notification.agreementId }),
    ...state,
    ...(responseStatus === undefined ? {} : { responseStatus }),
  };
}

export const WEBHOOK_DISABLED = 'webhook.disabled';

/**
 * The notice to an organisation that one of its endpoints was disabled after failing every delivery
 * since `failingSince` (rule 15). It is about the agreement whose notification failed last, so that
 * it also reaches the contact person on that agreement by e-mail (when the last was of no one
 * agreement, `audit.sealed`, it is in the organisation's notifications and on its other endpoints
 * only); once per failing streak.
 */
export function webhookDisabledNotification(
  webhook: { id: string; orgNumber: string; url: string },
  failed: Pick<Notification, 'agreementId'>,
  failingSince: string,
  at: Date,
): Notification {
  return {
    id: `${WEBHOOK_DISABLED}:${failed.agreementId ?? 'all'}:${webhook.id}:${failingSince}`,
    at: at.toISOString(),
    type: WEBHOOK_DISABLED,
    recipientOrgNumber: webhook.orgNumber,
    ...(failed.agreementId === undefined ? {} : { agreementId: failed.agreementId }),
    subject: `Webhook ${webhook.id} was disabled: every delivery since ${failingSince} failed`,
    details: { webhookId: webhook.id, url: webhook.url, failingSince },
  };
}

/** Whether an endpoint failing since `failingSince` has failed long enough at `at` to be disabled. */
export const failedTooLong = (failingSince: string, at: Date): boolean =>
  at.getTime() - Date.parse(failingSince) >= DISABLE_AFTER_FAILING_MS;
