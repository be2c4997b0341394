import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { afterAttempt, type Delivery, EMAIL_CHANNEL } from '../../domain/delivery/deliveries.ts';
import { renderEmail } from '../../domain/delivery/email.ts';
import { nextAttempt } from '../../domain/delivery/retry.ts';
import type { PartyRole } from '../../domain/schemas.ts';
import { sesClient } from '../../shared/clients.ts';
import { config } from '../../shared/config.ts';
import { logger } from '../../shared/observability.ts';
import {
  type DeliveryAgreement,
  recordDelivery,
  type StoredNotification,
} from '../../store/deliveries-store.ts';

/** The outcome of one attempt, as recorded; `undefined` when another deliverer recorded one first. */
export type EmailAttempt = Delivery | undefined;

/**
 * One attempt to e-mail a notification (see `sendEmail`), recorded on the notification.
 */
export async function attemptEmail(
  stored: StoredNotification,
  agreement: DeliveryAgreement | undefined,
  at: Date,
): Promise<EmailAttempt> {
  const previous = stored.deliveries[EMAIL_CHANNEL];
  if (previous && previous.status !== 'RETRYING') return previous;
  const delivery = await sendEmail(stored, agreement, at);
  return (await recordDelivery(stored.key, delivery, previous?.attempts ?? 0)) ? delivery : undefined;
}

/**
 * One attempt to e-mail a notification to the recipient party's contact person on the agreement, as in
 * force now (a contact changed since the notification was written gets the retry): the delivery it
 * comes to, for the caller to record. A failed send is retried (see `nextAttempt`); the change the
 * notification reports is never touched, whatever happens here.
 */
export async function sendEmail(
  stored: StoredNotification,
  agreement: DeliveryAgreement | undefined,
  at: Date,
): Promise<Delivery> {
  const previous = stored.deliveries[EMAIL_CHANNEL];
  const { notification } = stored;
  const role = agreement && recipientRole(agreement, notification.recipientOrgNumber);
  if (!agreement || !role) {
    return {
      channel: EMAIL_CHANNEL,
      status: 'SKIPPED',
      at: at.toISOString(),
      attempts: previous?.attempts ?? 0,
      reason: agreement
        ? 'The recipient is not a party to the agreement'
        : 'The agreement does not exist (any more)',
    };
  }
  const contact = agreement.contacts[role];
  let outcome: Parameters<typeof afterAttempt>[3];
  try {
    const email = renderEmail({
      notification,
      agreement,
      recipientRole: role,
      contact: { name: contact.name, email: contact.email },
      apiBaseUrl: config.apiBaseUrl(),
    });
    await sesClient().send(
      new SendEmailCommand({
        FromEmailAddress: config.emailSender(),
        Destination: { ToAddresses: [contact.email] },
        Content: {
          Simple: {
            Subject: { Data: email.subject, Charset: 'UTF-8' },
            Body: {
              Text: { Data: email.text, Charset: 'UTF-8' },
              Html: { Data: email.html, Charset: 'UTF-8' },
            },
          },
        },
      }),
    );
    outcome = { delivered: true };
  } catch (error) {
    // A warning (it is retried), with the error's name and status only: SES's messages can quote the
    // recipient's address.
    logger().warn('E-mailing a notification failed; it is retried', {
      notificationId: notification.id,
      agreementId: notification.agreementId,
      error: failureOf(error),
    });
    const attempts = (previous?.attempts ?? 0) + 1;
    const first = new Date(previous?.firstAttemptAt ?? at.toISOString());
    const next = nextAttempt(attempts, first, at);
    const reason = `The mail service refused or did not answer (${failureOf(error)})`;
    outcome =
      'retryAt' in next ? { delivered: false, reason, retryAt: next.retryAt } : { delivered: false, reason };
  }
  return afterAttempt(EMAIL_CHANNEL, previous, at, outcome);
}

function failureOf(error: unknown): string {
  const name = error instanceof Error ? error.name : 'Error';
  const code = (error as { code?: unknown }).code;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return [name, typeof code === 'string' ? code : undefined, status ? `HTTP ${status}` : undefined]
    .filter(Boolean)
    .join(' ');
}

function recipientRole(agreement: DeliveryAgreement, orgNumber: string): PartyRole | undefined {
  if (agreement.controller.orgNumber === orgNumber) return 'controller';
  if (agreement.processor.orgNumber === orgNumber) return 'processor';
  return undefined;
}
