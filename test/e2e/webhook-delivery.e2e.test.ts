import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { ApiClient, agreementRequest, CONTROLLER_ORG } from '../support/api-client.ts';
import {
  type InProcessStack,
  osloDateOf,
  osloMidday,
  plusDays,
  startInProcessStack,
} from '../support/in-process-stack.ts';

/**
 * Rule 15, webhooks, on the local stack as an integrator meets them: a receiver of our own on
 * 127.0.0.1 registered with `POST /webhooks`, notifications sent to it signed as Standard Webhooks
 * says (checked with the `standardwebhooks` package, as a receiver would), a failing receiver retried
 * on the virtual clock with the same `webhook-id`, a delivery sent again on request, and an endpoint
 * that fails for 5 days disabled, its organisation told.
 */

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}
interface CreatedWebhook {
  id: string;
  secret: string;
  enabled: boolean;
}
interface WebhookDelivery {
  id: string;
  messageId: string;
  notificationId: string;
  type: string;
  agreementId: string;
  status: string;
  attempts: number;
  responseStatus?: number;
  at: string;
  firstAttemptAt?: string;
  nextAttemptAt?: string;
}
interface ListedNotification {
  id: string;
  type: string;
  agreementId: string;
  deliveries: { channel: string; status: string; attempts: number }[];
  details?: Record<string, unknown>;
}

/**
 * A receiver that keeps what it is sent and answers `status` (200 unless a test says otherwise), or
 * 503 to the next `failNext` requests.
 */
class Receiver {
  readonly received: Received[] = [];
  status = 200;
  failNext = 0;
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        this.received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
        response.statusCode = this.failNext > 0 ? 503 : this.status;
        this.failNext = Math.max(0, this.failNext - 1);
        response.end();
      });
    });
    await new Promise<void>((done) => this.server!.listen(0, '127.0.0.1', done));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/hook`;
  }

  about(agreementId: string): Received[] {
    return this.received.filter((message) => JSON.parse(message.body).agreementId === agreementId);
  }

  async stop(): Promise<void> {
    await new Promise<void>((done) => (this.server ? this.server.close(() => done()) : done()));
  }
}

describe('webhook delivery (rule 15)', () => {
  let local: InProcessStack;
  let controller: ApiClient;
  const receiver = new Receiver();
  let url: string;

  beforeAll(async () => {
    url = await receiver.start();
    local = await startInProcessStack({
      dynamoEndpoint: inject('dynamoEndpoint'),
      deliverNotifications: true,
    });
    controller = await ApiClient.forOrganisation(local.url, CONTROLLER_ORG);
    const now = new Date(((await controller.get('/local/clock')).body as { now: string }).now);
    await controller.post('/local/clock', { set: osloMidday(plusDays(osloDateOf(now), 1)) });
  });

  afterAll(async () => {
    await local?.stop();
    await receiver.stop();
  });

  beforeEach(() => {
    receiver.status = 200;
    receiver.failNext = 0;
  });

  const delivered = () => local.stack.deliveries.drain();

  async function registered(events: string[] = ['*']): Promise<CreatedWebhook> {
    const created = await controller.post<CreatedWebhook>('/webhooks', { url, events });
    expect(created.status).toBe(201);
    return created.body;
  }

  async function submitted(title: string): Promise<string> {
    const created = await controller.post<{ id: string }>('/agreements', agreementRequest({ title }));
    expect(created.status).toBe(201);
    expect((await controller.post(`/agreements/${created.body.id}/submit`)).status).toBe(200);
    await delivered();
    return created.body.id;
  }

  async function deliveriesOf(webhookId: string, agreementId: string): Promise<WebhookDelivery[]> {
    const page = await controller.get<{ items: WebhookDelivery[] }>(
      `/webhooks/${webhookId}/deliveries?limit=100`,
    );
    expect(page.status).toBe(200);
    return page.body.items.filter((delivery) => delivery.agreementId === agreementId);
  }

  async function notificationsOf(agreementId: string): Promise<ListedNotification[]> {
    const page = await controller.get<{ items: ListedNotification[] }>('/notifications?limit=100');
    return page.body.items.filter((n) => n.agreementId === agreementId);
  }

  async function removed(webhookId: string): Promise<void> {
    expect((await controller.request('DELETE', `/webhooks/${webhookId}`)).status).toBe(204);
  }

  it('sends each notification signed; the signature verifies with the secret shown at registration', async () => {
    const webhook = await registered();
    try {
      const id = await submitted('Avtale med webhook');
      const [message] = receiver.about(id);
      expect(message).toBeDefined();
      const verified = new Webhook(webhook.secret).verify(message!.body, {
        'webhook-id': String(message!.headers['webhook-id']),
        'webhook-timestamp': String(message!.headers['webhook-timestamp']),
        'webhook-signature': String(message!.headers['webhook-signature']),
      }) as { type: string; agreementId: string; timestamp: string; data: { id: string } };
      expect(verified).toMatchObject({ type: 'agreement.awaiting-signatures', agreementId: id });
      expect(message!.headers['content-type']).toBe('application/json');

      const [notification] = await notificationsOf(id);
      expect(verified.data.id).toBe(notification!.id);
      expect(notification!.deliveries).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ channel: `webhook:${webhook.id}`, status: 'DELIVERED', attempts: 1 }),
        ]),
      );
      const [delivery] = await deliveriesOf(webhook.id, id);
      expect(delivery).toMatchObject({
        status: 'DELIVERED',
        responseStatus: 200,
        messageId: message!.headers['webhook-id'],
        notificationId: notification!.id,
      });
    } finally {
      await removed(webhook.id);
    }
  });

  it('sends only the types an endpoint asked for', async () => {
    const webhook = await registered(['agreement.signed']);
    try {
      const id = await submitted('Avtale som ikke er signert');
      expect(receiver.about(id)).toEqual([]);
      expect(await deliveriesOf(webhook.id, id)).toEqual([]);
    } finally {
      await removed(webhook.id);
    }
  });

  it('retries a receiver that fails three times on the virtual clock, same webhook-id, delivered once', async () => {
    const webhook = await registered();
    try {
      receiver.failNext = 3;
      const id = await submitted('Avtale med ustabil mottaker');
      expect((await deliveriesOf(webhook.id, id))[0]).toMatchObject({
        status: 'RETRYING',
        attempts: 1,
        responseStatus: 503,
      });
      // The change the notification reports stands, whatever the receiver says.
      expect((await controller.get<{ status: string }>(`/agreements/${id}`)).body.status).toBe(
        'AWAITING_SIGNATURES',
      );
      await controller.post('/local/clock', { advanceBy: 'PT3H' });

      const [delivery] = await deliveriesOf(webhook.id, id);
      expect(delivery).toMatchObject({ status: 'DELIVERED', attempts: 4, responseStatus: 200 });
      const attempts = receiver.about(id);
      expect(attempts).toHaveLength(4);
      expect(new Set(attempts.map((message) => message.headers['webhook-id']))).toEqual(
        new Set([delivery!.messageId]),
      );
      // Backed off on the virtual clock: the last attempt came at least 30 s after the first.
      expect(Date.parse(delivery!.at) - Date.parse(delivery!.firstAttemptAt!)).toBeGreaterThanOrEqual(30_000);
      const [notification] = await notificationsOf(id);
      expect(notification!.deliveries).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ channel: `webhook:${webhook.id}`, status: 'DELIVERED', attempts: 4 }),
        ]),
      );
    } finally {
      await removed(webhook.id);
    }
  });

  it('sends a delivery again on request, with the same webhook-id; not while it is being retried', async () => {
    const webhook = await registered();
    try {
      const id = await submitted('Avtale som sendes på nytt');
      const [delivery] = await deliveriesOf(webhook.id, id);
      const again = await controller.post<WebhookDelivery>(
        `/webhooks/${webhook.id}/deliveries/${delivery!.id}/redeliver`,
      );
      expect(again.status).toBe(202);
      expect(again.body).toMatchObject({ id: delivery!.id, status: 'RETRYING' });
      await controller.post('/local/clock', { advanceBy: 'PT1M' });

      const messages = receiver.about(id);
      expect(messages).toHaveLength(2);
      expect(messages[1]!.headers['webhook-id']).toBe(messages[0]!.headers['webhook-id']);
      expect((await deliveriesOf(webhook.id, id))[0]).toMatchObject({ status: 'DELIVERED', attempts: 2 });

      receiver.status = 500;
      expect(
        (await controller.post(`/webhooks/${webhook.id}/deliveries/${delivery!.id}/redeliver`)).status,
      ).toBe(202);
      await controller.post('/local/clock', { advanceBy: 'PT1S' });
      const busy = await controller.post<{ detail: string }>(
        `/webhooks/${webhook.id}/deliveries/${delivery!.id}/redeliver`,
      );
      expect(busy.status).toBe(409);
      expect(
        (await controller.post(`/webhooks/${webhook.id}/deliveries/no-such-delivery/redeliver`)).status,
      ).toBe(404);
    } finally {
      await removed(webhook.id);
    }
  });

  it('disables an endpoint that failed every delivery for 5 days, and tells its organisation', async () => {
    const webhook = await registered();
    receiver.status = 500;
    await submitted('Avtale med død mottaker');
    await controller.post('/local/clock', { advanceBy: 'P5D' });
    const last = await submitted('Avtale fem dager senere');

    const read = await controller.get<{ enabled: boolean; disabledAt?: string; disabledReason?: string }>(
      `/webhooks/${webhook.id}`,
    );
    expect(read.body.enabled).toBe(false);
    expect(read.body.disabledReason).toMatch(/Every delivery failed/);
    await delivered();
    const told = (await notificationsOf(last)).filter((n) => n.type === 'webhook.disabled');
    expect(told).toHaveLength(1);
    expect(told[0]!.details).toMatchObject({ webhookId: webhook.id });

    // Nothing more is sent to it, until its organisation enables it again.
    const before = receiver.received.length;
    const quiet = await submitted('Avtale mens webhooken er av');
    expect(receiver.received.length).toBe(before);
    expect(await deliveriesOf(webhook.id, quiet)).toEqual([]);
    receiver.status = 200;
    const enabled = await controller.request('PATCH', `/webhooks/${webhook.id}`, { enabled: true });
    expect(enabled.status).toBe(200);
    const heard = await submitted('Avtale etter at webhooken er på igjen');
    expect(receiver.about(heard)).toHaveLength(1);
    await removed(webhook.id);
  }, 180_000); // five days of virtual time: a day's runs and a day of retries each
});
