import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TransactionCanceledException, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { Delivery } from '../../../../functions/domain/delivery/deliveries.ts';
import { renderEmail } from '../../../../functions/domain/delivery/email.ts';
import {
  webhookDeliveryId,
  webhookMessageId,
} from '../../../../functions/domain/delivery/webhook-message.ts';
import type { Agreement, Notification, PartyRole } from '../../../../functions/domain/schemas.ts';
import type { StoredWebhook } from '../../../../functions/domain/webhooks/schemas.ts';
import type { NotificationKey } from '../../../../functions/store/deliveries-store.ts';
import type { StoredWebhookDelivery } from '../../../../functions/store/webhook-deliveries-store.ts';
import { AGREEMENT_ID, PROCESSOR_ORG } from '../../domain/agreement-fixture.ts';
import { ddb, givenItem, givenItemUnlessStored } from '../../http/aws-mocks.ts';

export const EMAIL_SENDER = 'varsel@dpa.example.no';
export const API_BASE_URL = 'https://api.example.no';
export const DELIVERY_STATE_MACHINE_ARN =
  'arn:aws:states:eu-north-1:123456789012:stateMachine:NotificationDelivery';

/** SES accepts every message unless a test says otherwise; the delivery settings are in the environment. */
export function useDeliveryMocks(): void {
  beforeAll(async () => {
    await ses.start();
    process.env.AWS_ENDPOINT_URL_SESV2 = ses.origin;
    process.env.AWS_ACCESS_KEY_ID ??= 'test-key';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'test-secret';
  });
  afterAll(() => ses.stop());
  beforeEach(() => {
    ses.reset();
    ses.answerWith(acceptEmail);
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

/** A SendEmail request's body (SES v2), as the delivery functions send it. */
export interface SentEmail {
  FromEmailAddress: string;
  Destination: { ToAddresses: string[] };
  Content: {
    Simple: {
      Subject: { Data: string; Charset: string };
      Body: { Text: { Data: string; Charset: string }; Html: { Data: string; Charset: string } };
    };
  };
}

/** The SendEmail requests SES received (taken or refused), in order. */
export const sentEmails = (): SentEmail[] =>
  ses.requests
    .filter((request) => request.method === 'POST' && request.path === '/v2/email/outbound-emails')
    .map((request) => JSON.parse(request.body) as SentEmail);

/** The address each SendEmail went to, in order. */
export const recipients = () => sentEmails().flatMap((input) => input.Destination.ToAddresses);

/** An error as the SDK throws it, with its name. */
export function awsError(name: string, message = name): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

/** A transaction DynamoDB cancelled because the condition of its item at `index` (of `size`) failed. */
export const refusedAt = (index: number, size: number) =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: Array.from({ length: size }, (_, offset) => ({
      Code: offset === index ? 'ConditionalCheckFailed' : 'None',
    })),
  });

export interface RecordedDelivery {
  key: NotificationKey;
  delivery: Delivery;
  /** The attempts the record was conditioned on (`:previous`). */
  previous: unknown;
  condition: string | undefined;
}

/** Every delivery the transactions sent recorded on a notification (refused ones included), in order. */
export const recordedDeliveries = (): RecordedDelivery[] =>
  ddb
    .commandCalls(TransactWriteItemsCommand)
    .flatMap((call) => call.args[0].input.TransactItems ?? [])
    .flatMap(({ Update }) => {
      if (Update?.UpdateExpression !== 'SET #delivery = :delivery') return [];
      const values = unmarshall(Update.ExpressionAttributeValues!);
      return [
        {
          key: unmarshall(Update.Key!) as NotificationKey,
          delivery: values[':delivery'] as Delivery,
          previous: values[':previous'],
          condition: Update.ConditionExpression,
        },
      ];
    });

/** The webhook delivery items the transactions sent put (`WEBHOOK#<id>` / `DELIVERY#<id>`), unmarshalled. */
export const webhookDeliveryItems = (): Record<string, unknown>[] =>
  ddb
    .commandCalls(TransactWriteItemsCommand)
    .flatMap((call) => call.args[0].input.TransactItems ?? [])
    .flatMap(({ Put }) => (Put ? [unmarshall(Put.Item!)] : []))
    .filter((item) => String(item.sk).startsWith('DELIVERY#'));

export const WEBHOOK_ID = '7d3e2f1a-5b4c-4a9d-8e7f-6c5b4a3d2e1f';
/** A Standard Webhooks secret: `whsec_` and the base64 of 24 bytes. */
export const WEBHOOK_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
export const WEBHOOK_CREATED_AT = '2026-11-01T08:00:00.000Z';

/** The processor's webhook endpoint for every event type, enabled, with one secret. */
export function webhook(overrides: Partial<StoredWebhook> = {}): StoredWebhook {
  return {
    id: WEBHOOK_ID,
    orgNumber: PROCESSOR_ORG,
    url: 'https://hooks.example.no/dpa',
    events: ['*'],
    enabled: true,
    createdAt: WEBHOOK_CREATED_AT,
    createdBy: { orgNumber: PROCESSOR_ORG, clientId: 'test-client' },
    secrets: [{ secret: WEBHOOK_SECRET, createdAt: WEBHOOK_CREATED_AT }],
    ...overrides,
  };
}

/** The webhook's item as the table holds it, in its organisation's partition. */
export const webhookItem = (stored: StoredWebhook) =>
  marshall(
    { pk: `WEBHOOKS#${stored.orgNumber}`, sk: `WEBHOOK#${stored.id}`, entity: 'webhook', ...stored },
    { removeUndefinedValues: true },
  );

/** The webhook is in the table: read by its key, and found by the Query of its organisation's webhooks. */
export const givenWebhook = (stored: StoredWebhook): void => givenItem(webhookItem(stored));

/** The notification's delivery to the webhook as its item holds it: FAILED after the 24 hours of retries. */
export function webhookDelivery(
  overrides: Partial<StoredWebhookDelivery> = {},
  n: Notification = notification(),
): StoredWebhookDelivery {
  return {
    id: webhookDeliveryId(n),
    webhookId: WEBHOOK_ID,
    messageId: webhookMessageId(n),
    notificationId: n.id,
    type: n.type,
    agreementId: n.agreementId,
    status: 'FAILED',
    at: '2026-11-21T09:00:00.000Z',
    attempts: 31,
    firstAttemptAt: '2026-11-20T09:00:00.000Z',
    reason: 'The endpoint answered HTTP 503',
    responseStatus: 503,
    notificationKey: notificationKey(n),
    ...overrides,
  };
}

/** The delivery's item as the table holds it, under its webhook, expiring 90 days after its last attempt. */
export const webhookDeliveryItem = (delivery: StoredWebhookDelivery) =>
  marshall(
    {
      pk: `WEBHOOK#${delivery.webhookId}`,
      sk: `DELIVERY#${delivery.id}`,
      entity: 'webhook-delivery',
      ...delivery,
      expiresAt: Math.floor(Date.parse(delivery.at) / 1000) + 90 * 24 * 3600,
    },
    { removeUndefinedValues: true },
  );

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** How a receiver answers a request it has read in full. */
export type Answer = (response: ServerResponse, request: IncomingMessage) => void;

export const answerStatus =
  (status: number): Answer =>
  (response) => {
    response.writeHead(status).end();
  };

/** An HTTP server on 127.0.0.1 that keeps what it receives and answers as a test says (204 unless told). */
export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  private answer: Answer = answerStatus(204);
  private readonly server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      this.requests.push({
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      this.answer(response, request);
    });
  });

  /** `http://127.0.0.1:<port>`, once started. */
  get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** `<origin>/hooks`, once started. */
  get url(): string {
    return `${this.origin}/hooks`;
  }

  start(): Promise<void> {
    // The sender keeps connections alive between requests: one the server closed as idle just as it is
    // reused would fail a test at random.
    this.server.keepAliveTimeout = 60_000;
    return new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  answerWith(answer: Answer): void {
    this.answer = answer;
  }

  reset(): void {
    this.requests.length = 0;
    this.answer = answerStatus(204);
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve, reject) =>
      this.server.close((error) => (error ? reject(error) : resolve())),
    );
  }
}

/**
 * A webhook receiver for the file's tests, started once and reset before each test, with webhooks to
 * loopback addresses allowed (WEBHOOK_ALLOW_LOOPBACK, as the local stack sets it); a test that needs
 * the AWS policy deletes that setting, and it is set again for the next.
 */
export function useWebhookReceiver(): WebhookReceiver {
  const receiver = new WebhookReceiver();
  beforeAll(() => receiver.start());
  beforeEach(() => {
    receiver.reset();
    process.env.WEBHOOK_ALLOW_LOOPBACK = 'true';
  });
  afterEach(() => {
    delete process.env.WEBHOOK_ALLOW_LOOPBACK;
  });
  afterAll(() => receiver.stop());
  return receiver;
}

/** SES's answer to a SendEmail it takes. */
export const acceptEmail: Answer = (response) => {
  response
    .writeHead(200, { 'content-type': 'application/json' })
    .end(JSON.stringify({ MessageId: 'message-1' }));
};

/** SES's refusal, as its API gives it: the error's name in `x-amzn-ErrorType`, and a message that may quote the address. */
export const refuseEmail =
  (status: number, errorType: string, message = 'Email address is not verified: ola@example.no'): Answer =>
  (response) => {
    response
      .writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': errorType })
      .end(JSON.stringify({ message }));
  };

/**
 * Amazon SES's v2 API where the delivery functions send (AWS_ENDPOINT_URL_SESV2): an HTTP server on
 * 127.0.0.1 that keeps every request and takes each message unless a test has it refuse.
 */
export const ses = new WebhookReceiver();
