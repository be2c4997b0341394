import {
  afterAttempt,
  afterFailure,
  type Delivery,
  EMAIL_CHANNEL,
  skipped,
} from '../../domain/delivery/deliveries.ts';
import { renderEmail } from '../../domain/delivery/email.ts';
import type { PartyRole } from '../../domain/schemas.ts';
import { config } from '../../shared/config.ts';
import { logger } from '../../shared/observability.ts';
import { sendSesEmail } from '../../shared/ses-email.ts';
import type { DeliveryAgreement, StoredNotification } from '../../store/deliveries-store.ts';
import { failureOf } from './failure.ts';

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
    return skipped(
      EMAIL_CHANNEL,
      previous,
      at,
      agreement ? 'The recipient is not a party to the agreement' : 'The agreement does not exist (any more)',
    );
  }
  const contact = agreement.contacts[role];
  try {
    const email = renderEmail({
      notification,
      agreement,
      recipientRole: role,
      contact: { name: contact.name, email: contact.email },
      apiBaseUrl: config.apiBaseUrl(),
    });
    await sendSesEmail({
      from: config.emailSender(),
      to: contact.email,
      subject: email.subject,
      text: email.text,
      html: email.html,
    });
    return afterAttempt(EMAIL_CHANNEL, previous, at, { delivered: true });
  } catch (error) {
    // A warning (it is retried), with the error's name and status only: SES's messages can quote the
    // recipient's address.
    logger().warn('E-mailing a notification failed; it is retried', {
      notificationId: notification.id,
      agreementId: notification.agreementId,
      error: failureOf(error),
    });
    return afterFailure(
      EMAIL_CHANNEL,
      previous,
      at,
      `The mail service refused or did not answer (${failureOf(error)})`,
    );
  }
}

function recipientRole(agreement: DeliveryAgreement, orgNumber: string): PartyRole | undefined {
  if (agreement.controller.orgNumber === orgNumber) return 'controller';
  if (agreement.processor.orgNumber === orgNumber) return 'processor';
  return undefined;
}
