import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach } from 'vitest';
import type { Delivery } from '../../../../functions/domain/delivery/deliveries.ts';
import { renderEmail } from '../../../../functions/domain/delivery/email.ts';
import type { Agreement, Notification, PartyRole } from '../../../../functions/domain/schemas.ts';
import { AGREEMENT_ID, PROCESSOR_ORG } from '../../domain/agreement-fixture.ts';
import { givenItemUnlessStored } from '../../http/aws-mocks.ts';

export const EMAIL_SENDER = 'varsel@dpa.example.no';
export const API_BASE_URL = 'https://api.example.no';
export const DELIVERY_STATE_MACHINE_ARN =
  'arn:aws:states:eu-north-1:123456789012:stateMachine:NotificationDelivery';

export const ses = mockClient(SESv2Client);

/** SES accepts every message unless a test says otherwise; the delivery settings are in the environment. */
export function useDeliveryMocks(): void {
  beforeEach(() => {
    ses.reset();
    ses.on(SendEmailCommand).resolves({ MessageId: 'message-1' });
    process.env.EMAIL_SENDER = EMAIL_SENDER;
    process.env.API_BASE_URL = API_BASE_URL;
    process.env.NOTIFICATION_DELIVERY_STATE_MACHINE_ARN = DELIVERY_STATE_MACHINE_ARN;
  });
}

/** A notification to the processor that the agreement was signed, written at 09:00 UTC on NOW's day. */
export function notification(overrides: Partial<Notification> = {}): Notification {
  return {
    id: `agreement.signed:${AGREEMENT_ID}:1`,
    at: '2026-11-22T09:00:00.000Z',
    type: 'agreement.signed',
    recipientOrgNumber: PROCESSOR_ORG,
    agreementId: AGREEMENT_ID,
    subject: 'The agreement was signed',
    ...overrides,
  };
}

/** Where the notification lives: its recipient's outbox, sorted by time written. */
export const notificationKey = (n: Pick<Notification, 'recipientOrgNumber' | 'at' | 'id'>) => ({
  pk: `NOTIFICATIONS#${n.recipientOrgNumber}`,
  sk: `${n.at}#${n.id}`,
});

/** The notification's item as the table holds it, with each delivery as a `delivery:<channel>` attribute. */
export function notificationItem(n: Notification, deliveries: Delivery[] = []) {
  return marshall(
    {
      ...notificationKey(n),
      entity: 'notification',
      ...n,
      ...Object.fromEntries(deliveries.map((delivery) => [`delivery:${delivery.channel}`, delivery])),
    },
    { removeUndefinedValues: true },
  );
}

/**
 * A DynamoDB stream record as Lambda hands it over (NEW_IMAGE view). The item it reports is in the
 * table too, as written, unless the test has put it there in another state.
 */
export function streamRecord(n: Notification, sequence: string, eventName = 'INSERT') {
  givenItemUnlessStored(notificationItem(n));
  return {
    eventID: `event-${sequence}`,
    eventName,
    eventSource: 'aws:dynamodb' as const,
    awsRegion: 'eu-north-1',
    eventSourceARN:
      'arn:aws:dynamodb:eu-north-1:123456789012:table/test-table/stream/2026-01-01T00:00:00.000',
    dynamodb: { SequenceNumber: sequence, NewImage: notificationItem(n) },
  };
}

/** The e-mail the contact person of `role` on `agreement` should get for the notification. */
export function expectedEmail(n: Notification, agreement: Agreement, role: PartyRole) {
  const contact = agreement.contacts[role];
  return renderEmail({
    notification: n,
    agreement,
    recipientRole: role,
    contact: { name: contact.name, email: contact.email },
    apiBaseUrl: API_BASE_URL,
  });
}

/** The SendEmail requests made, in order. */
export const sentEmails = () => ses.commandCalls(SendEmailCommand).map((call) => call.args[0].input);

/** The address each SendEmail went to, in order. */
export const recipients = () => sentEmails().flatMap((input) => input.Destination?.ToAddresses ?? []);

/** What DynamoDB throws when an UpdateItem's condition fails. */
export const conditionalCheckFailed = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

/** An error as the SDK throws it, with its name. */
export function awsError(name: string, message = name): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}
