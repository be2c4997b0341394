import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiClient, CONTROLLER_ORG, OUTSIDER_ORG } from '../support/api-client.ts';
import { type InProcessStack, startInProcessStack } from '../support/in-process-stack.ts';

/**
 * Rule 15, registering webhook endpoints, as a municipality's integration developer meets it on the
 * local stack (real handlers, DynamoDB Local): an endpoint registered, listed, read, changed, its secret
 * rotated and the endpoint removed; another organisation finds none of it; addresses the service must
 * not send to are refused. The local stack lets webhooks point at loopback (WEBHOOK_ALLOW_LOOPBACK),
 * so tests can receive; `http` to any other host stays refused there.
 */

interface Webhook {
  id: string;
  url: string;
  events: string[];
  description?: string;
  enabled: boolean;
  createdAt: string;
  updatedAt?: string;
  secretRotatedAt?: string;
}
interface Problem {
  detail: string;
  errors?: { field: string; message: string }[];
}

const SECRET = /^whsec_[A-Za-z0-9+/]{32}$/;
const URL_LOCAL = 'http://127.0.0.1:9/hook';

let local: InProcessStack;
let municipality: ApiClient;
let outsider: ApiClient;
/** Set by the first test, then changed by the ones after it (in order, as a developer would). */
let webhook: Webhook & { secret: string };

beforeAll(async () => {
  local = await startInProcessStack({ dynamoEndpoint: inject('dynamoEndpoint') });
  municipality = await ApiClient.forOrganisation(local.url, CONTROLLER_ORG);
  outsider = await ApiClient.forOrganisation(local.url, OUTSIDER_ORG);
});

afterAll(async () => {
  await local?.stop();
});

const expectStatus = async <T>(promise: Promise<{ status: number; body: T }>, status: number) => {
  const response = await promise;
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  return response.body;
};

describe('webhooks on the local stack', () => {
  it('registers an endpoint on loopback: 201, its secret once, Location naming it', async () => {
    const response = await municipality.post<Webhook & { secret: string }>('/webhooks', {
      url: URL_LOCAL,
      events: ['agreement.in-force', 'breach.reported'],
      description: 'Sak/arkiv',
    });

    expect(response.status, JSON.stringify(response.body)).toBe(201);
    webhook = response.body;
    expect(webhook.secret).toMatch(SECRET);
    expect(webhook).toMatchObject({
      url: URL_LOCAL,
      events: ['agreement.in-force', 'breach.reported'],
      description: 'Sak/arkiv',
      enabled: true,
      createdBy: { orgNumber: CONTROLLER_ORG },
    });
    expect(response.headers.get('location')).toBe(`/webhooks/${webhook.id}`);
  });

  it('lists it and reads it, never with a secret', async () => {
    const listed = await expectStatus(municipality.get<{ items: Webhook[] }>('/webhooks'), 200);
    const read = await expectStatus(municipality.get<Webhook>(`/webhooks/${webhook.id}`), 200);

    const { secret: _secret, ...representation } = webhook;
    expect(listed.items).toEqual([representation]);
    expect(read).toEqual(representation);
    expect(JSON.stringify([listed, read])).not.toContain('whsec_');
  });

  it('changes what it subscribes to, and disables and enables it', async () => {
    const changed = await expectStatus(
      municipality.request<Webhook>('PATCH', `/webhooks/${webhook.id}`, { events: ['*'] }),
      200,
    );
    const disabled = await expectStatus(
      municipality.request<Webhook>('PATCH', `/webhooks/${webhook.id}`, { enabled: false }),
      200,
    );
    const enabled = await expectStatus(
      municipality.request<Webhook>('PATCH', `/webhooks/${webhook.id}`, { enabled: true }),
      200,
    );

    expect(changed).toMatchObject({ events: ['*'], enabled: true, updatedAt: expect.any(String) });
    expect(disabled.enabled).toBe(false);
    expect(enabled).toMatchObject({ events: ['*'], enabled: true, description: 'Sak/arkiv' });
    expect(await expectStatus(municipality.get<Webhook>(`/webhooks/${webhook.id}`), 200)).toEqual(enabled);
  });

  it('refuses a change it does not know, naming the field', async () => {
    const response = await municipality.request<Problem>('PATCH', `/webhooks/${webhook.id}`, {
      events: ['agreement.exploded'],
    });

    expect(response.status).toBe(400);
    expect(response.body.errors?.map((error) => error.field)).toEqual(['events']);
    expect(response.body.errors?.[0]?.message).toContain('"agreement.exploded"');
  });

  it('rotates its secret: a new one, shown once; the old one valid 24 hours more', async () => {
    const rotated = await expectStatus(
      municipality.post<{ secret: string; previousSecretExpiresAt: string }>(
        `/webhooks/${webhook.id}/rotate-secret`,
      ),
      200,
    );

    expect(rotated.secret).toMatch(SECRET);
    expect(rotated.secret).not.toBe(webhook.secret);
    const read = await expectStatus(municipality.get<Webhook>(`/webhooks/${webhook.id}`), 200);
    expect(read.secretRotatedAt).toBeDefined();
    // 24 hours after the rotation, on the stack's clock.
    expect(Date.parse(rotated.previousSecretExpiresAt) - Date.parse(read.secretRotatedAt!)).toBe(86_400_000);
    expect(JSON.stringify(read)).not.toContain('whsec_');
  });

  it('answers another organisation 404 on every route naming the webhook, and changes nothing', async () => {
    const path = `/webhooks/${webhook.id}`;
    const before = await expectStatus(municipality.get<Webhook>(path), 200);

    const answers = [
      await outsider.get(path),
      await outsider.request('PATCH', path, { enabled: false }),
      await outsider.post(`${path}/rotate-secret`),
      await outsider.request('DELETE', path),
    ];

    expect(answers.map((answer) => answer.status)).toEqual([404, 404, 404, 404]);
    expect(await expectStatus(outsider.get<{ items: Webhook[] }>('/webhooks'), 200)).toEqual({ items: [] });
    expect(await expectStatus(municipality.get<Webhook>(path), 200)).toEqual(before);
  });

  it('removes it: 204, then 404 for it and a second delete, and an empty list', async () => {
    const path = `/webhooks/${webhook.id}`;

    const removed = await municipality.request('DELETE', path);

    expect(removed.status).toBe(204);
    expect((await municipality.get(path)).status).toBe(404);
    expect((await municipality.request('DELETE', path)).status).toBe(404);
    expect((await municipality.post(`${path}/rotate-secret`)).status).toBe(404);
    expect(await expectStatus(municipality.get<{ items: Webhook[] }>('/webhooks'), 200)).toEqual({
      items: [],
    });
  });

  it.each([
    ['https://169.254.169.254/', /must point to a public internet address/],
    ['https://10.0.0.1/hook', /must point to a public internet address/],
    ['http://example.com', /must be an https URL/],
  ])('refuses %s with 400 naming url, and registers nothing', async (url, message) => {
    const response = await municipality.post<Problem>('/webhooks', { url, events: ['*'] });

    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.body.errors?.map((error) => error.field)).toEqual(['url']);
    expect(response.body.errors?.[0]?.message).toMatch(message);
    expect(await expectStatus(municipality.get<{ items: Webhook[] }>('/webhooks'), 200)).toEqual({
      items: [],
    });
  });

  it('answers a retry with the same Idempotency-Key with the 201 and Location, without the secret', async () => {
    const headers = { 'idempotency-key': crypto.randomUUID() };
    const body = { url: URL_LOCAL, events: ['*'] };

    const first = await municipality.post<Webhook & { secret: string }>('/webhooks', body, headers);
    const retry = await municipality.post('/webhooks', body, headers);

    expect(first.status).toBe(201);
    expect(first.body.secret).toMatch(SECRET);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.headers.get('location')).toBe(`/webhooks/${first.body.id}`);
    expect(JSON.stringify(retry.body)).not.toContain('whsec_');
    const listed = await expectStatus(municipality.get<{ items: Webhook[] }>('/webhooks'), 200);
    expect(listed.items.map((item) => item.id)).toEqual([first.body.id]);
  });
});
