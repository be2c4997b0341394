import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  ApiClient,
  agreementRequest,
  CONTROLLER_ORG,
  PROCESSOR_ORG,
  signature,
} from '../support/api-client.ts';
import { type InProcessStack, startInProcessStack } from '../support/in-process-stack.ts';

/**
 * A client whose connection dropped after a POST retries it with the same Idempotency-Key: on the
 * local stack (real DynamoDB Local, real handlers) the retry never makes a duplicate.
 */

let local: InProcessStack;
let controller: ApiClient;
let processor: ApiClient;

beforeAll(async () => {
  local = await startInProcessStack({ dynamoEndpoint: inject('dynamoEndpoint') });
  controller = await ApiClient.forOrganisation(local.url, CONTROLLER_ORG);
  processor = await ApiClient.forOrganisation(local.url, PROCESSOR_ORG);
});

afterAll(async () => {
  await local?.stop();
});

const keyed = (key: string) => ({ 'idempotency-key': key });
const titled = (title: string) => agreementRequest({ title });

async function agreementsTitled(title: string): Promise<string[]> {
  const listed = await controller.get<{ items: { id: string; title: string }[] }>('/agreements?limit=100');
  return listed.body.items.filter((item) => item.title === title).map((item) => item.id);
}

async function inForceAgreement(): Promise<string> {
  const created = await controller.post('/agreements', agreementRequest());
  const id = created.body.id as string;
  await controller.post(`/agreements/${id}/submit`);
  await processor.post(
    `/agreements/${id}/signatures`,
    signature('Per Hansen', 'Oslo', created.body.contentHash as string),
  );
  await controller.post(
    `/agreements/${id}/signatures`,
    signature('Kari Nordmann', 'Radøy', created.body.contentHash as string),
  );
  return id;
}

describe('POST /agreements with an Idempotency-Key', () => {
  it('creates one agreement for a retried request and answers the retry with the first response', async () => {
    const title = `Idempotent ${crypto.randomUUID()}`;
    const key = crypto.randomUUID();

    const first = await controller.post('/agreements', titled(title), keyed(key));
    const retry = await controller.post('/agreements', titled(title), keyed(key));

    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.get('location')).toBe(first.headers.get('location'));
    expect(retry.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await agreementsTitled(title)).toEqual([first.body.id]);
  });

  it('creates exactly one agreement when ten retries race each other', async () => {
    const title = `Racing ${crypto.randomUUID()}`;
    const key = crypto.randomUUID();

    const answers = await Promise.all(
      Array.from({ length: 10 }, () => controller.post('/agreements', titled(title), keyed(key))),
    );

    const created = await agreementsTitled(title);
    expect(created).toHaveLength(1);
    for (const answer of answers) {
      expect([201, 409]).toContain(answer.status);
      if (answer.status === 201) expect(answer.body.id).toBe(created[0]);
    }
  });

  it('refuses the same key with a different body (422) and creates nothing more', async () => {
    const title = `First ${crypto.randomUUID()}`;
    const key = crypto.randomUUID();
    await controller.post('/agreements', titled(title), keyed(key));

    const reused = await controller.post('/agreements', titled(`${title} (changed)`), keyed(key));

    expect(reused.status).toBe(422);
    expect(reused.headers.get('content-type')).toBe('application/problem+json');
    expect(await agreementsTitled(`${title} (changed)`)).toEqual([]);
  });

  it("keeps one organisation's key apart from another's", async () => {
    const key = crypto.randomUUID();
    const controllersTitle = `Controller's ${crypto.randomUUID()}`;

    const byController = await controller.post('/agreements', titled(controllersTitle), keyed(key));
    const byProcessor = await processor.post('/agreements', titled(`Processor's ${key}`), keyed(key));

    expect(byController.status).toBe(201);
    expect(byProcessor.status).toBe(201);
    expect(byProcessor.body.id).not.toBe(byController.body.id);
  });

  it('does the work again once a refused request is corrected, under the same key', async () => {
    const title = `Corrected ${crypto.randomUUID()}`;
    const key = crypto.randomUUID();

    const refused = await controller.post('/agreements', { ...titled(title), title: '' }, keyed(key));
    const corrected = await controller.post('/agreements', titled(title), keyed(key));

    expect(refused.status).toBe(400);
    expect(corrected.status).toBe(201);
    expect(await agreementsTitled(title)).toEqual([corrected.body.id]);
  });
});

describe('creates hanging off an agreement, retried with an Idempotency-Key', () => {
  it('records one breach report for a retried report', async () => {
    const id = await inForceAgreement();
    const clock = await controller.get<{ now: string }>('/local/clock');
    const report = {
      becameAwareAt: clock.body.now,
      nature: 'Feiladressert brev med vedtak',
      severity: 'LOW',
      dataSubjectCategories: ['Deltakere i KVP'],
      approximateDataSubjects: 1,
      personalDataCategories: ['Navn'],
      approximateRecords: 1,
      contactPoint: { name: 'Ola Prøvesen', email: 'ola@example.no', phone: '+4798888888' },
      likelyConsequences: 'Uvedkommende kan ha lest opplysninger om én deltaker',
      measuresTaken: 'Mottaker har bekreftet sletting',
    };
    const key = crypto.randomUUID();

    const first = await processor.post(`/agreements/${id}/breaches`, report, keyed(key));
    const retry = await processor.post(`/agreements/${id}/breaches`, report, keyed(key));

    expect(first.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    const reports = await controller.get<{ items: unknown[] }>(`/agreements/${id}/breaches`);
    expect(reports.body.items).toHaveLength(1);
  });

  it('records one sub-processor request for a retried request', async () => {
    const id = await inForceAgreement();
    const request = {
      name: 'Skyhuset AS',
      address: 'Storgata 1, 0155 Oslo',
      processingLocation: { city: 'Oslo', countryCode: 'NO' },
      activities: 'Drift og backup av fagsystemet',
      personalDataTypes: ['Navn'],
    };
    const key = crypto.randomUUID();

    const first = await processor.post(`/agreements/${id}/sub-processors`, request, keyed(key));
    const retry = await processor.post(`/agreements/${id}/sub-processors`, request, keyed(key));

    expect(first.status).toBe(202);
    expect(retry.status).toBe(202);
    expect(retry.body.id).toBe(first.body.id);
    const requests = await controller.get<{ items: unknown[] }>(`/agreements/${id}/sub-processors`);
    expect(requests.body.items).toHaveLength(1);
  });

  it('replays a retried signature instead of refusing it as a second signature', async () => {
    const created = await controller.post('/agreements', agreementRequest());
    const id = created.body.id as string;
    await controller.post(`/agreements/${id}/submit`);
    const key = crypto.randomUUID();

    const first = await processor.post(
      `/agreements/${id}/signatures`,
      signature('Per Hansen', 'Oslo', created.body.contentHash as string),
      keyed(key),
    );
    const retry = await processor.post(
      `/agreements/${id}/signatures`,
      signature('Per Hansen', 'Oslo', created.body.contentHash as string),
      keyed(key),
    );

    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    const history = await controller.get<{ items: { type: string }[] }>(`/agreements/${id}/history`);
    expect(history.body.items.filter((entry) => entry.type === 'SIGNED')).toHaveLength(1);
  });
});
