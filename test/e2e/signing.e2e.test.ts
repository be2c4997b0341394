import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  agreementRequest,
  CONTROLLER_ORG,
  OUTSIDER_ORG,
  PROCESSOR_ORG,
  signature,
} from '../support/api-client.ts';
import { LocalStackProcess } from '../support/local-stack-process.ts';

/**
 * The product as a newcomer meets it: the local stack started with `npm start`'s command, called over
 * HTTP, killed with kill -9 and started again.
 */
describe('agreement from draft to in force on the local stack', () => {
  let stack: LocalStackProcess;
  let controller: ApiClient;
  let processor: ApiClient;
  let outsider: ApiClient;

  beforeAll(async () => {
    stack = await LocalStackProcess.create();
    await stack.start();
    controller = await ApiClient.forOrganisation(stack.url, CONTROLLER_ORG);
    processor = await ApiClient.forOrganisation(stack.url, PROCESSOR_ORG);
    outsider = await ApiClient.forOrganisation(stack.url, OUTSIDER_ORG);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('creates, submits, takes both signatures across a kill -9, and puts the agreement in force', async () => {
    const created = await controller.post('/agreements', agreementRequest());
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(created.headers.get('location')).toBe(`/agreements/${id}`);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.body).toMatchObject({
      status: 'DRAFT',
      noticePeriodMonths: 3,
      breachNotificationHours: 36,
    });
    // Rule 12: the agreement carries the hash of its content, which the signatures leave as it is.
    const contentHash = created.body.contentHash as string;
    expect(contentHash).toMatch(/^sha256:[0-9a-f]{64}$/);

    expect((await outsider.get(`/agreements/${id}`)).status).toBe(404);

    const badSubmit = await processor.post(`/agreements/${id}/submit`, { hurry: true });
    expect(badSubmit.status).toBe(400);
    expect((await controller.get(`/agreements/${id}`)).body.status).toBe('DRAFT');

    const submitted = await processor.post(`/agreements/${id}/submit`);
    expect(submitted.status).toBe(200);
    expect(submitted.body.status).toBe('AWAITING_SIGNATURES');

    // A signature of other content (a hash the agreement does not have) is refused and changes nothing.
    const otherContent = await processor.post(
      `/agreements/${id}/signatures`,
      signature('Per Hansen', 'Oslo', `sha256:${'0'.repeat(64)}`),
    );
    expect(otherContent.status).toBe(409);
    expect(otherContent.body.contentHash).toBe(contentHash);
    expect((await controller.get(`/agreements/${id}`)).body).toMatchObject({ version: 2, signatures: [] });

    const first = await processor.post(
      `/agreements/${id}/signatures`,
      signature('Per Hansen', 'Oslo', created.body.contentHash as string),
    );
    expect(first.status).toBe(201);
    expect(first.body.status).toBe('AWAITING_SIGNATURES');

    await stack.kill9();
    await stack.start();

    const afterRestart = await controller.get(`/agreements/${id}`);
    expect(afterRestart.status).toBe(200);
    expect(afterRestart.body.signatures).toHaveLength(1);

    const second = await controller.post(
      `/agreements/${id}/signatures`,
      signature('Kari Testesen', 'Radøy', created.body.contentHash as string),
    );
    expect(second.status).toBe(201);
    expect(second.body.status).toBe('IN_FORCE');
    expect(second.body.contentHash).toBe(contentHash);
    expect(second.body.effectiveFrom).toBe(
      first.body.signatures && (first.body.signatures as { signedOn: string }[])[0]!.signedOn,
    );

    // The resumed workflow concludes: both parties are told the agreement is in force.
    await controller.post('/local/clock', { advanceBy: 'PT1M' });
    const notifications = await processor.get<{ items: { type: string; agreementId: string }[] }>(
      '/notifications',
    );
    expect(notifications.body.items.filter((n) => n.agreementId === id).map((n) => n.type)).toContain(
      'agreement.in-force',
    );

    const history = await processor.get<{ items: { type: string }[] }>(`/agreements/${id}/history`);
    expect(history.body.items.map((e) => e.type)).toEqual([
      'AGREEMENT_CREATED',
      'SUBMITTED_FOR_SIGNATURE',
      'SIGNED',
      'SIGNED',
      'ENTERED_INTO_FORCE',
    ]);
    const twice = await processor.post(
      `/agreements/${id}/signatures`,
      signature('Per Hansen', 'Oslo', created.body.contentHash as string),
    );
    expect(twice.status).toBe(409);
    expect(twice.body.currentStatus).toBe('IN_FORCE');
  });

  it('expires an agreement not signed by the deadline, reminding the missing party weekly, across a restart', async () => {
    const created = await controller.post('/agreements', agreementRequest({ title: 'Avtale som utløper' }));
    const id = created.body.id as string;
    await controller.post(`/agreements/${id}/submit`);
    await controller.post(
      `/agreements/${id}/signatures`,
      signature('Kari Testesen', 'Radøy', created.body.contentHash as string),
    );

    await controller.post('/local/clock', { advanceBy: 'P10D' });
    await stack.kill9();
    await stack.start();
    const still = await processor.get(`/agreements/${id}`);
    expect(still.body.status).toBe('AWAITING_SIGNATURES');

    await controller.post('/local/clock', { advanceBy: 'P21D' });
    const expired = await processor.get(`/agreements/${id}`);
    expect(expired.body.status).toBe('EXPIRED');

    const late = await processor.post(
      `/agreements/${id}/signatures`,
      signature('Per Hansen', 'Oslo', created.body.contentHash as string),
    );
    expect(late.status).toBe(409);
    expect(late.body.currentStatus).toBe('EXPIRED');

    const toProcessor = await processor.get<{ items: { type: string; agreementId: string }[] }>(
      '/notifications?limit=100',
    );
    const reminders = toProcessor.body.items.filter(
      (n) => n.agreementId === id && n.type === 'reminder.signature-missing',
    );
    expect(reminders).toHaveLength(4);
    const toController = await controller.get<{ items: { type: string; agreementId: string }[] }>(
      '/notifications?limit=100',
    );
    expect(
      toController.body.items.filter((n) => n.agreementId === id && n.type === 'reminder.signature-missing'),
    ).toHaveLength(0);
  });

  it('refuses bad input, outsiders, wrong roles and bad tokens without changing anything', async () => {
    const created = await controller.post('/agreements', agreementRequest({ title: 'Avtale under angrep' }));
    const id = created.body.id as string;

    const malformed = await controller.request('PATCH', `/agreements/${id}`, '{"title":', {
      'if-match': '"1"',
    });
    expect(malformed.status).toBe(400);
    const unknownField = await controller.request(
      'PATCH',
      `/agreements/${id}`,
      { colour: 'red' },
      { 'if-match': '"1"' },
    );
    expect(unknownField.status).toBe(400);
    expect(JSON.stringify(unknownField.body.errors)).toContain('colour');
    const noIfMatch = await controller.request('PATCH', `/agreements/${id}`, { title: 'Ny tittel' });
    expect(noIfMatch.status).toBe(428);
    const stale = await controller.request(
      'PATCH',
      `/agreements/${id}`,
      { title: 'Ny tittel' },
      { 'if-match': '"7"' },
    );
    expect(stale.status).toBe(412);
    const badOrg = await controller.post(
      '/agreements',
      agreementRequest({ processor: { orgNumber: '889640781', name: 'X' } }),
    );
    expect(badOrg.status).toBe(400);
    expect(badOrg.headers.get('content-type')).toContain('application/problem+json');
    const huge = await controller.post(
      '/agreements',
      agreementRequest({ securityMeasures: 'x'.repeat(70_000) }),
    );
    expect(huge.status).toBe(413);

    expect(
      (await outsider.request('PATCH', `/agreements/${id}`, { title: 'Kapret' }, { 'if-match': '"1"' }))
        .status,
    ).toBe(404);
    expect((await processor.post(`/agreements/${id}/cancel`)).status).toBe(403);

    expect((await controller.withToken(undefined).get(`/agreements/${id}`)).status).toBe(401);
    expect((await controller.withToken('not-a-jwt').get(`/agreements/${id}`)).status).toBe(401);
    const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(
      JSON.stringify({ consumer: { ID: `0192:${CONTROLLER_ORG}` }, scope: 'dpa:read dpa:write' }),
    ).toString('base64url')}.`;
    expect((await controller.withToken(unsigned).get(`/agreements/${id}`)).status).toBe(401);
    const readOnly = await ApiClient.forOrganisation(stack.url, CONTROLLER_ORG, ['dpa:read']);
    expect((await readOnly.post(`/agreements/${id}/submit`)).status).toBe(403);

    const after = await controller.get(`/agreements/${id}`);
    expect(after.body).toMatchObject({ status: 'DRAFT', version: 1, title: 'Avtale under angrep' });
    const audit = await controller.get<{ items: { action: string; actor: { orgNumber: string } }[] }>(
      `/agreements/${id}/audit-log`,
    );
    expect(audit.body.items.every((entry) => entry.actor.orgNumber !== OUTSIDER_ORG)).toBe(true);
    expect(audit.body.items.map((entry) => entry.action)).toEqual(['agreement.create', 'agreement.read']);
    // Reading the log is itself logged, once the page has been read.
    const again = await controller.get<{ items: { action: string }[] }>(`/agreements/${id}/audit-log`);
    expect(again.body.items.map((entry) => entry.action)).toEqual([
      'agreement.create',
      'agreement.read',
      'audit-log.read',
    ]);
  });
});
