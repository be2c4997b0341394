import { EMAIL_CHANNEL } from '../../domain/delivery/deliveries.ts';
import { isEmailed } from '../../domain/delivery/email.ts';
import {
  type DeliveryAgreement,
  deliveryAgreementOf,
  type StoredNotification,
  storedNotificationOf,
} from '../../store/deliveries-store.ts';
import { fromItem } from '../../store/items.ts';
import { getItems } from '../../store/query.ts';
import { agreementKey } from '../../store/table-layout.ts';
import { type Attempt, recordAttempts } from './attempts.ts';
import { sendEmail } from './email.ts';
import { keyOf, streamDelivery } from './stream-batch.ts';

/**
 * Rule 15 by e-mail, fed by the table's stream: each notification addressed to an organisation is
 * e-mailed to that party's contact person on the agreement, as in force now (machine events such as
 * `audit.sealed` are not e-mailed). See streamDelivery for retries and batch failures.
 */
export const handler = streamDelivery<Map<string, DeliveryAgreement>, Attempt>({
  read: readCurrent,
  sends: (stored, agreements) =>
    isEmailed(stored.notification.type)
      ? [
          {
            channel: EMAIL_CHANNEL,
            send: (at) => attempt(stored, agreementOf(stored, agreements), at),
          },
        ]
      : [],
  record: (attempts) => recordAttempts(attempts),
});

/** The agreement whose contact person is e-mailed (none for a notification of no one agreement). */
const agreementOf = (stored: StoredNotification, agreements: ReadonlyMap<string, DeliveryAgreement>) =>
  stored.notification.agreementId === undefined ? undefined : agreements.get(stored.notification.agreementId);

async function attempt(
  stored: StoredNotification,
  agreement: DeliveryAgreement | undefined,
  at: Date,
): Promise<Attempt> {
  return { stored, delivery: await sendEmail(stored, agreement, at) };
}

/**
 * The notifications as stored now and the agreements of those e-mailed, 100 keys per strongly
 * consistent BatchGetItem.
 */
async function readCurrent(images: readonly StoredNotification[]) {
  const emailed = images.filter(({ notification }) => isEmailed(notification.type));
  // Each key once: BatchGetItem refuses a request that names one twice.
  const notificationKeys = [...new Map(emailed.map(({ key }) => [keyOf(key), key])).values()];
  const agreementIds = [...new Set(emailed.flatMap(({ notification }) => notification.agreementId ?? []))];
  const keys = [...notificationKeys, ...agreementIds.map(agreementKey)];
  const notifications = new Map<string, StoredNotification>();
  const agreements = new Map<string, DeliveryAgreement>();
  for (let start = 0; start < keys.length; start += 100) {
    const chunk = keys.slice(start, start + 100);
    const items = await getItems(chunk);
    items.forEach((item, index) => {
      if (!item) return;
      const key = chunk[index]!;
      if (key.sk === 'AGREEMENT') {
        agreements.set(key.pk.slice('AGREEMENT#'.length), deliveryAgreementOf(item));
      } else {
        notifications.set(keyOf(key), storedNotificationOf(fromItem<Record<string, unknown>>(item)));
      }
    });
  }
  return { notifications, context: agreements };
}
